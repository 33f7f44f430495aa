//! `tmm analyze`: match bands of a new release.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use tmm::matching::{Matcher, analysis};
use tmm::store::Store;

use super::suggest::{MatchArgs, read_segments};

/// Count the segments and words of a new document in each match band (in-context, 100,
/// 95–99, 85–94, 75–84, 50–74, no match, repetitions within the file).
///
/// Example: `tmm analyze --from en --to fr tests/fixtures/release-2013/en.txt`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: MatchArgs,
    /// The new document: plain text (UTF-8 or UTF-16), cut into segments as --unit says
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Print the analysis as JSON, with each segment's best score
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let matcher = Matcher::new(&store);
    let segments = read_segments(&args.file, &args.common.from, args.common.unit)?;
    let options = args.common.options(&store, 1, None)?;
    let a = analysis::analyze(&matcher, &segments, &options)
        .with_context(|| format!("analysing {}", args.file.display()))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&a)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{:<12} {:>9} {:>9}", "band", "segments", "words")?;
    for b in &a.bands {
        outln!("{:<12} {:>9} {:>9}", b.band, b.segments, b.words)?;
    }
    Ok(ExitCode::SUCCESS)
}
