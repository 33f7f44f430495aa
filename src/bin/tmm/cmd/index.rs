//! `tmm index`: (re)build the fuzzy-match index.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use tmm::matching::index;
use tmm::store::{SentenceLanguages, Store};

/// Rebuild the fuzzy-match index from scratch over every stored segment.
///
/// Import keeps the index up to date (a bulk import indexes its part right after it commits),
/// so this is for a database whose index an interrupted import, `--defer-index` or an older
/// tmm left behind, or to fold the row-per-posting entries of many small imports into the
/// compact lists.
///
/// With `--sentences every`, the sentences of paragraph units are stored and indexed in every
/// language, not only the unit's source language, so that a query from any language finds
/// them (on a six-language paragraph memory an import then takes about twice the
/// instructions); the choice is kept for later imports, and `--sentences source` goes back.
///
/// Examples: `tmm index`, `tmm index --sentences every`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print what was built as JSON
    #[arg(long)]
    json: bool,
    /// Which languages' sentences of paragraph units to store and index from now on
    #[arg(long, value_enum)]
    sentences: Option<Sentences>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Sentences {
    /// The unit's source language only (the default)
    Source,
    /// Every language of the unit
    Every,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let stats = match args.sentences {
        None => build(&store, None)?,
        Some(Sentences::Source) => build(&store, Some(SentenceLanguages::Source))?,
        Some(Sentences::Every) => build(&store, Some(SentenceLanguages::Every))?,
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&stats)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds the index (storing the sentences of `sentences` from now on, when given),
/// reporting progress on a terminal and a summary on stderr.
pub fn build(
    store: &Store,
    sentences: Option<SentenceLanguages>,
) -> anyhow::Result<index::IndexStats> {
    let started = Instant::now();
    let terminal = crate::stderr_is_terminal() && !crate::quiet();
    let mut progress = |done, total| {
        if terminal {
            eprint!("\rindexing {done}/{total} segments");
        }
    };
    let stats = match sentences {
        None => store.rebuild_index(&mut progress),
        Some(s) => store.rebuild_index_with(s, &mut progress),
    }
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
