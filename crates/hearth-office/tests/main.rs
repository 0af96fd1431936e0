//! hearth-office integration tests: the files as people open them, read back from the bytes.

mod imports;
mod pledge_letter;
mod roster;
