//! The whole pipeline: extra rules + cases + events -> findings.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    docket_fuzz::pipeline(data);
});
