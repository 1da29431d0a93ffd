//! Loads an export with the bundled policy, for profiling:
//! `cargo run --release --example ingest_probe [DIR]`.

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/docket-bench/100000-seed1".to_string());
    let Some(p) = docket::semantics::load(std::path::Path::new("policies")).policy else {
        eprintln!("the bundled policy does not check");
        return;
    };
    let mut best = f64::INFINITY;
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let schema = p.schema();
        let sources = docket::data::Sources::dir(&dir);
        match docket::data::Loader::new(&schema).sources(sources).load() {
            Ok(d) if std::env::var_os("SHOW_ERRORS").is_some() => {
                for e in d.errors.iter().take(10) {
                    eprintln!("{}", e.one_line());
                }
                return;
            }
            Ok(d) => {
                best = best.min(t.elapsed().as_secs_f64());
                eprintln!(
                    "{:?} rows={} errors={}",
                    t.elapsed(),
                    d.tables.iter().map(|t| t.len).sum::<usize>(),
                    d.errors.len()
                )
            }
            Err(e) => eprintln!("{e:?}"),
        }
    }
    eprintln!("best {:.1} ms", best * 1000.0);
}
