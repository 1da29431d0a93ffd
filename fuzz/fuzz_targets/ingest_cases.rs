//! CSV ingestion of `cases.csv` (the rest of the example export as it is).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    docket_fuzz::ingest("cases.csv", data);
});
