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
            eprintln!("tmm: error: {}", worded_chain(&err));
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
        Command::Serve(args) => cmd::serve::run(&db, args),
        Command::Token(command) => cmd::token::run(&db, command),
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

/// A library error worded for the command line: options by their flags, with a hint at
/// the command that helps.
pub fn worded(e: &tmm::Error) -> String {
    use tmm::Error as E;
    match e {
        E::InvalidOption { option, reason } => format!("{}: {reason}", flag(option)),
        E::NoSegments { .. } => format!("{e} (`tmm stats` lists its languages)"),
        E::UnknownOrigin { .. } => format!("{e} (`tmm stats` lists them)"),
        E::NoDatabase { .. } => format!("{e} (`tmm import` or `tmm align` creates one)"),
        _ => e.to_string(),
    }
}

/// The flag of the library option `option`.
fn flag(option: &str) -> String {
    match option {
        "from" | "to" => "--from and --to".into(),
        "langs" => "--from and --to, or --langs".into(),
        "date" => "--since/--until".into(),
        "output" => "-o".into(),
        "documents" => "the documents".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// An error and its causes, `: `-separated, each library error worded by [`worded`].
fn worded_chain(err: &anyhow::Error) -> String {
    err.chain()
        .map(|e| match e.downcast_ref::<tmm::Error>() {
            Some(t) => worded(t),
            None => e.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
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
