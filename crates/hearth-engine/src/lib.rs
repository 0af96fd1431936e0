//! Hearth's engines, pure and deterministic: the same input gives the same output.
//!
//! - [`flow`]: a min-cost-flow solver and the model that turns a campaign's needs and supplies
//!   into a flow network (精准匹配).
//! - [`identity`]: identity resolution over household records (one household, one record).
//!
//! Error policy: `thiserror` errors that name the line or record at fault; no panics on input.

pub mod flow;
pub mod identity;
