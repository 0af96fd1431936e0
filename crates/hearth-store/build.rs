//! `sqlx::migrate!` embeds the migration files at compile time; tell Cargo to rebuild this crate
//! when one is added or changed, or a new migration would silently be left out of the binary.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
