//! The `docket` binary: see `docket --help`.

fn main() -> docket::cli::Exit {
    docket::cli::run()
}
