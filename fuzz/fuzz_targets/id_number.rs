//! The ID number normaliser and checks: any text either parses or is refused with a reason,
//! and what parses parses again to itself.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match hearth_core::IdNumber::parse(text) {
        Ok(id) => {
            let again = hearth_core::IdNumber::parse(id.as_str()).expect("a parsed number parses");
            assert_eq!(again, id);
        }
        Err(e) => assert!(!e.message(hearth_core::Lang::ZhCn).is_empty()),
    }
});
