//! CSV ingestion of `cases.csv` in a dialect the input's first bytes
//! choose: decoding, rewriting, footers and workbooks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    docket_fuzz::ingest_dialect(data);
});
