//! CSV in any encoding the reader accepts (UTF-8 with or without BOM, GBK/GB18030).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(init: common::init(), |data: &[u8]| common::sheet(data, "fuzz.csv"));
