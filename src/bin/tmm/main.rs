//! The `tmm` command-line program.

/// `println!` that returns the error (a closed pipe) instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that returns the error (a closed pipe) instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod cli;
mod cmd;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("tmm: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = database_path(cli.db)?;
    match cli.command {
        Command::Align(args) => cmd::align::run(&db, args),
        Command::Import(args) => cmd::import::run(&db, args),
        Command::Export(args) => cmd::export::run(&db, args),
        Command::Stats(args) => cmd::stats::run(&db, args),
        Command::Index(args) => cmd::index::run(&db, args),
        Command::Suggest(args) => cmd::suggest::run(&db, args),
        Command::Analyze(args) => cmd::analyze::run(&db, args),
        Command::Pretranslate(args) => cmd::pretranslate::run(&db, args),
        Command::Concordance(args) => cmd::concordance::run(&db, args),
    }
}

/// `--db`, else `TMM_DB` (both through clap), else the user's data directory.
fn database_path(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    let dirs = directories::ProjectDirs::from("org", "tmm", "tmm")
        .context("cannot find a data directory for the database; give --db PATH")?;
    Ok(dirs.data_dir().join("tmm.db"))
}

/// True when stderr is a terminal, so progress bars and colour make sense.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| {
        io.kind() == std::io::ErrorKind::BrokenPipe
            // An io::Error wrapping another (io::Error::other) hides it from the chain.
            || io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>())
                .is_some_and(|inner| inner.kind() == std::io::ErrorKind::BrokenPipe)
    };
    err.chain().any(|e| match e.downcast_ref::<tmm::Error>() {
        Some(tmm::Error::Io { error, .. }) => broken(error),
        _ => e.downcast_ref::<std::io::Error>().is_some_and(broken),
    })
}
