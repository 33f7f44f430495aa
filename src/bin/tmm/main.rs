//! The `tmm` command-line program.

// mimalloc rather than glibc's malloc: an import allocates a unit's strings in the reader's
// thread and frees them in the store's, and the postings the other way; glibc's arenas then
// contend on every free (futex waits were 30% of a re-import's samples).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// A message for the user on stderr (progress, summaries, hints), unless `-q`. Data goes to
/// stdout; warnings and errors use `eprintln!` and are never silenced.
#[macro_export]
macro_rules! talk {
    ($($arg:tt)*) => {{
        if !$crate::quiet() {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr().lock(), $($arg)*);
        }
    }};
}

mod cli;
mod cmd;

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True under `-q`.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    // Interrupted, leave no half-written temporary file behind (a transaction in progress
    // is rolled back by SQLite itself). The server handles SIGINT and SIGTERM itself: it
    // finishes the requests in flight, then exits 0.
    if !matches!(cli.command, Command::Serve(_)) {
        let _ = ctrlc::set_handler(|| {
            tmm::output::remove_pending();
            eprintln!("tmm: interrupted");
            std::process::exit(130);
        });
    }
    let result = run(cli).and_then(|code| {
        // Whatever is still buffered must reach its file, or the run failed.
        std::io::Write::flush(&mut std::io::stdout().lock())?;
        Ok(code)
    });
    match result {
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

/// `--help` and `--version` go to stdout through the same checked writes as everything else
/// (a full disk is an error); a usage error goes to stderr with clap's exit code.
fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        e.exit();
    }
    let text = e.render().to_string();
    let mut out = std::io::stdout().lock();
    match std::io::Write::write_all(&mut out, text.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut out))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tmm: error: writing to standard output: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Completions(args) => return cmd::completions::run(args),
        Command::Migrate(args) => return cmd::migrate::run(args),
        Command::Man(args) => return cmd::completions::man(args),
        _ => {}
    }
    let explicit = cli.db.is_some();
    let db = database_path(cli.db)?;
    if explicit
        && !tmm::store::is_postgres_location(&db)
        && matches!(cli.command, Command::Import(_) | Command::Align(_))
        && let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        // A mistyped --db must not grow a tree of folders: only the default place is made.
        anyhow::bail!(
            "no folder {} for the database {} (create it first)",
            dir.display(),
            db.display()
        );
    }
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
        Command::Origins(args) => cmd::origins::run(&db, args),
        Command::Units(args) => cmd::units::run(&db, args),
        Command::Clean(args) => cmd::clean::run(&db, args),
        Command::Langs(args) => cmd::langs::run(&db, args),
        Command::Completions(_) | Command::Man(_) | Command::Migrate(_) => {
            unreachable!("handled above")
        }
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
        E::NoDatabase { path } => format!(
            "no database at {} (`tmm import` or `tmm align` creates one)",
            path.display()
        ),
        E::Unsupported { backend, .. } => format!(
            "{e}: every command works on {backend}, but not yet this case of it \
             (README: \"PostgreSQL\")"
        ),
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
        "target" => "--to".into(),
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
