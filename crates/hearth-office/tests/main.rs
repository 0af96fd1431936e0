//! hearth-office integration tests: the files as people open them, read back from the bytes.

mod import_kinds;
mod import_props;
mod imports;
mod libreoffice;
mod pledge_letter;
mod roster;
