//! The phone normaliser: any text either parses or is refused with a reason, and what parses
//! parses again to itself.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match hearth_core::Phone::parse(text) {
        Ok(phone) => {
            let again = hearth_core::Phone::parse(phone.as_str()).expect("a parsed phone parses");
            assert_eq!(again.as_str(), phone.as_str());
        }
        Err(e) => assert!(!e.message(hearth_core::Lang::ZhCn).is_empty()),
    }
});
