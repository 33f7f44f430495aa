//! `tmm import`: TMX files into the store.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tmm::store::{DuplicatePolicy, ImportObserver, ImportOptions, ImportSummary, Store, Warning};

/// Import TMX files (TMX 1.1–1.4b; UTF-8, UTF-16 or 8-bit), one transaction per file.
///
/// Example: `tmm import tmx/un-ssc-2012.tmx`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// TMX files to import
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// What an incoming unit whose source segment is already stored does: skip it, update
    /// the stored unit, or keep both as alternative translations (identical units are
    /// always skipped)
    #[arg(long, value_enum, default_value_t = OnDuplicate::Keep)]
    on_duplicate: OnDuplicate,
    /// Refuse a file on its first invalid unit instead of skipping that unit
    #[arg(long)]
    strict: bool,
    /// Print the summary as JSON
    #[arg(long)]
    json: bool,
    /// Print every warning, not just the first 20
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum OnDuplicate {
    Skip,
    Update,
    Keep,
}

/// Draws a progress bar on a terminal.
struct Progress {
    bar: Option<ProgressBar>,
}

impl ImportObserver for Progress {
    fn progress(&mut self, bytes: u64, total: u64, units: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(bytes);
            bar.set_message(format!("{units} units"));
        }
    }
    fn warning(&mut self, _: &Warning) {}
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let options = ImportOptions {
        on_duplicate: match args.on_duplicate {
            OnDuplicate::Skip => DuplicatePolicy::Skip,
            OnDuplicate::Update => DuplicatePolicy::Update,
            OnDuplicate::Keep => DuplicatePolicy::Keep,
        },
        strict: args.strict,
    };
    let mut store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let mut total = ImportSummary::default();
    let mut failed = 0;
    for file in &args.files {
        let bar = crate::stderr_is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} {bytes_per_sec} eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(file.display().to_string());
            bar
        });
        let mut progress = Progress { bar };
        let result = store.import_tmx(file, &options, &mut progress);
        if let Some(bar) = progress.bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(summary) => total.merge(summary),
            Err(e) => {
                // One bad file does not stop the others; each is its own transaction.
                eprintln!("tmm: error: {e}");
                failed += 1;
            }
        }
    }
    // Segments the import could not index as it went (see `tmm index`).
    if tmm::matching::index::pending(store.connection())? > 0 {
        super::index::build(&store)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&total)?);
    } else {
        print_summary(&total, args.verbose);
    }
    if failed > 0 {
        eprintln!("tmm: {failed} of {} files not imported", args.files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &ImportSummary, verbose: bool) {
    let shown = if verbose { s.warnings.len() } else { 20 };
    for w in s.warnings.iter().take(shown) {
        eprintln!("warning: {w}");
    }
    if s.warnings.len() > shown {
        eprintln!(
            "... {} more warnings (--verbose shows all)",
            s.warnings.len() - shown
        );
    }
    println!(
        "{} files: {} units read, {} added, {} alternatives added, {} updated, {} duplicates skipped, {} invalid, {} warnings",
        s.files,
        s.units_read,
        s.added,
        s.alternatives_added,
        s.updated,
        s.duplicates_skipped,
        s.invalid,
        s.warnings.len()
    );
    if !s.languages.is_empty() {
        println!(
            "languages: {}",
            s.languages.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
}
