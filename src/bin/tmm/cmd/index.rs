//! `tmm index`: (re)build the fuzzy-match index.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use tmm::matching::index;
use tmm::store::Store;

/// Rebuild the fuzzy-match index from scratch over every stored segment.
///
/// Import keeps the index up to date (a bulk import indexes its part right after it commits),
/// so this is for a database whose index an interrupted import, `--defer-index` or an older
/// tmm left behind, or to fold the row-per-posting entries of many small imports into the
/// compact lists.
///
/// Example: `tmm index`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print what was built as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let stats = build(&store)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&stats)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds the index, reporting progress on a terminal and a summary on stderr.
pub fn build(store: &Store) -> anyhow::Result<index::IndexStats> {
    let started = Instant::now();
    let terminal = crate::stderr_is_terminal() && !crate::quiet();
    let mut progress = |done, total| {
        if terminal {
            eprint!("\rindexing {done}/{total} segments");
        }
    };
    let stats = store
        .rebuild_index(&mut progress)
        .context("building the match index")?;
    if terminal {
        eprintln!();
    }
    crate::talk!(
        "index: {} segments, {} terms, {} postings ({:.1} MiB) in {:.1} s",
        stats.variants,
        stats.terms,
        stats.postings,
        stats.bytes as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64()
    );
    Ok(stats)
}
