//! Policy text: parser, formatter and checker.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        docket_fuzz::policy_text(text);
    }
});
