//! .xls (OLE2) and .ods workbooks through calamine: the first byte picks which.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(init: common::init(), |data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (signature, name): (&[u8], &str) = if pick % 2 == 0 {
        (&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "fuzz.xls")
    } else {
        (b"PK\x03\x04", "fuzz.ods")
    };
    let mut file = signature.to_vec();
    file.extend_from_slice(rest);
    common::sheet(&file, name);
});
