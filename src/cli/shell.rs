//! `docket completions SHELL` and `docket man --out DIR`: shell completion
//! scripts and man pages, generated from the same definitions as the flags.

use std::path::PathBuf;

use clap::CommandFactory;

use super::{Cli, Exit, Failure, Outcome};
use crate::diagnostic::{Code, Diagnostic};

/// Flags of `completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompletionArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// Flags of `man`.
#[derive(Debug, clap::Args)]
pub(crate) struct ManArgs {
    /// The directory to write `docket.1` and a page per command into.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// Prints the completion script for a shell.
pub(crate) fn completions(a: CompletionArgs) -> Outcome {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "docket", &mut out);
    super::print_out(&String::from_utf8_lossy(&out)).map_err(|_| Failure::quiet())?;
    Ok(Exit::Ok)
}

/// Writes the man pages: `docket.1`, and `docket-COMMAND.1` for each command.
pub(crate) fn man(a: ManArgs) -> Outcome {
    let write_failed = |e: std::io::Error, what: &std::path::Path| {
        Failure::from(Diagnostic::error(
            Code::IoWrite,
            format!(
                "cannot write `{}`: {}",
                what.display(),
                crate::diagnostic::io_reason(&e)
            ),
        ))
    };
    std::fs::create_dir_all(&a.out).map_err(|e| write_failed(e, &a.out))?;
    let root = Cli::command();
    let mut pages = vec![("docket".to_string(), root.clone())];
    for sub in root.get_subcommands() {
        let name = format!("docket-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, cmd) in pages {
        let mut buf = Vec::new();
        let path = a.out.join(format!("{name}.1"));
        clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .map_err(|e| write_failed(e, &path))?;
        std::fs::write(&path, buf).map_err(|e| write_failed(e, &path))?;
    }
    Ok(Exit::Ok)
}
