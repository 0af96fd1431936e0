//! Hearth in headless Chromium (see the crate's notes).

mod layout;
mod support;
mod winter;
