//! Hearth's domain in plain Rust: newtypes that parse once at the edge, entities, state machines,
//! masking and permission rules. No I/O and no async, so everything here is unit- and
//! property-tested. Errors are [`error::Invalid`] values rendered through [`i18n`].

#[macro_use]
mod dictionary;

pub mod area;
pub mod error;
pub mod household;
pub mod i18n;
pub mod id_number;
pub mod money;
pub mod normalize;
pub mod phone;
pub mod uscc;

pub use area::{AreaCode, AreaLevel};
pub use error::{Invalid, Notice};
pub use i18n::Lang;
pub use id_number::{IdNumber, Sex};
pub use money::Fen;
pub use phone::Phone;
pub use uscc::Uscc;
pub mod campaign;
pub mod organization;
pub mod permission;
pub mod role;
pub mod user;

pub use role::Role;
pub mod cultivation;
pub mod delivery;
pub mod donation;
pub mod ledger;
pub mod need;
pub mod pledge;
pub mod purchase;
pub mod stock;
pub mod visit;
