//! `docket fmt [--check] PATH…`: the canonical layout.

use std::path::PathBuf;

use similar::TextDiff;

use super::{Ctx, Exit, Outcome, print_out};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::semantics::{io_reason, policy_files};
use crate::source::SourceMap;
use crate::syntax::format::format_source;

/// Flags of `fmt`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files or directories of `.docket` files (default: `policies`).
    pub(crate) paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted, with a diff, and exit 1 if any.
    #[arg(long)]
    pub(crate) check: bool,
}

/// A file's line endings.
#[derive(Debug, Clone, Copy)]
struct Endings {
    crlf: usize,
    lf: usize,
}

impl Endings {
    fn of(text: &str) -> Endings {
        let crlf = text.matches("\r\n").count();
        Endings {
            crlf,
            lf: text.matches('\n').count() - crlf,
        }
    }

    /// Formatted text (LF) with the file's line endings.
    fn apply(self, formatted: String) -> String {
        if self.crlf > self.lf {
            formatted.replace('\n', "\r\n")
        } else {
            formatted
        }
    }
}

/// What `fmt --check` says of a file that is not formatted: a diff, or
/// that only its line endings differ (a diff would show nothing).
fn not_formatted(name: &str, text: &str, formatted: &str, e: Endings) -> String {
    let (before, after) = (text.replace("\r\n", "\n"), formatted.replace("\r\n", "\n"));
    if before == after {
        let to = if e.crlf > e.lf { "CRLF" } else { "LF" };
        return format!(
            "{name} is not formatted: only its line endings differ ({} CRLF and {} LF); `docket fmt` makes them all {to}\n",
            e.crlf, e.lf
        );
    }
    let diff = TextDiff::from_lines(&before, &after);
    format!(
        "{name} is not formatted:\n{}",
        diff.unified_diff()
            .context_radius(2)
            .header(name, &format!("{name} (formatted)"))
    )
}

/// Runs `fmt`.
pub(crate) fn run(ctx: &Ctx, args: Args) -> Outcome {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let mut sources = SourceMap::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut unformatted = 0usize;
    let mut changed = 0usize;
    let mut total = 0usize;
    let mut out = String::new();
    for path in &paths {
        let files = match policy_files(path) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        for file in files {
            total += 1;
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => crate::source::without_bom(t),
                Err(e) => {
                    diags.push(Diagnostic::error(
                        Code::IoRead,
                        format!("cannot read `{}`: {}", file.display(), io_reason(&e)),
                    ));
                    continue;
                }
            };
            let name = file.display().to_string();
            let id = sources.add(name.clone(), text.clone());
            let formatted = match format_source(id, &text) {
                Ok(f) => f,
                Err(mut d) => {
                    diags.append(&mut d);
                    continue;
                }
            };
            // The file keeps its line endings (the more common of the two
            // when they are mixed).
            let endings = Endings::of(&text);
            let formatted = endings.apply(formatted);
            if formatted == text {
                continue;
            }
            if args.check {
                unformatted += 1;
                out.push_str(&not_formatted(&name, &text, &formatted, endings));
            } else if let Err(e) = std::fs::write(&file, formatted) {
                diags.push(Diagnostic::error(
                    Code::IoWrite,
                    format!("cannot write `{name}`: {}", io_reason(&e)),
                ));
            } else {
                changed += 1;
                out.push_str(&format!("formatted {name}\n"));
            }
        }
    }
    ctx.report(&diags, &sources);
    if args.check && unformatted > 0 {
        out.push_str(&format!(
            "{unformatted} of {total} files would be reformatted; run `docket fmt` to fix\n"
        ));
    } else if changed == 0 && diags.is_empty() {
        out.push_str(&format!("{total} files already formatted\n"));
    }
    let _ = print_out(&out);
    // The diagnostics are shown above, with the files they are about.
    Ok(if diags.iter().any(Diagnostic::is_error) {
        Exit::Failure
    } else if unformatted > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
