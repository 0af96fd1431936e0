//! .xlsx workbooks (zip); inputs are best seeded with real templates and error files.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(init: common::init(), |data: &[u8]| {
    // Keep the zip signature so inputs reach the workbook reader rather than the CSV one.
    let mut file = b"PK\x03\x04".to_vec();
    file.extend_from_slice(data);
    common::sheet(&file, "fuzz.xlsx");
});
