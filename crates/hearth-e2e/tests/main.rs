//! Hearth in headless Chromium (see the crate's notes).

mod layout;
mod screen;
mod support;
mod winter;
