//! `tmm pretranslate`: a draft translation of a new release from its best matches.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tmm::matching::Matcher;
use tmm::output::OutputFile;
use tmm::pretranslate::{DraftFormat, pretranslate};
use tmm::store::Store;

use super::suggest::{MatchArgs, MinArg, read_segments};

/// Fill each segment of a new document with its best match at or above --min (numbers
/// updated), keeping the score and match type (TMX props `x-match-score`, `x-match-type`,
/// `x-match-origin`) and every warning `suggest` gives (TMX notes, the TSV `notes` column);
/// segments without a match carry the source only.
///
/// Example: `tmm pretranslate --from en --to fr tests/fixtures/release-2013/en.txt -o draft.tmx`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: MatchArgs,
    #[command(flatten)]
    min: MinArg,
    /// The new document: plain text (UTF-8 or UTF-16), cut into segments as --unit says
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write the draft ("-": standard output)
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// tmx, or tsv (source, target, score, type; escaped as `tmm export --format tsv`)
    #[arg(long, value_enum, default_value_t = Format::Tmx)]
    format: Format,
    /// Print the summary as JSON (on stdout; on stderr when the draft goes to stdout)
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Tmx,
    Tsv,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let matcher = Matcher::new(&store);
    let segments = read_segments(&args.file, &args.common.from, args.common.unit)?;
    let options = args.common.options(&store, 1, Some(args.min.min))?;
    let format = match args.format {
        Format::Tmx => DraftFormat::Tmx,
        Format::Tsv => DraftFormat::Tsv,
    };
    let draft = if args.output.as_os_str() == "-" {
        pretranslate(
            &matcher,
            &segments,
            &options,
            format,
            std::io::stdout().lock(),
            &args.output,
        )?
    } else {
        // Written under a temporary name and renamed when whole.
        let mut file = OutputFile::create(&args.output)?;
        let draft = pretranslate(
            &matcher,
            &segments,
            &options,
            format,
            &mut file,
            &args.output,
        )?;
        file.commit()?;
        draft
    };
    for (segment, why) in &draft.refused {
        eprintln!("tmm: segment {segment}: {why}");
    }
    if args.json {
        let json = serde_json::to_string_pretty(&draft)?;
        if args.output.as_os_str() == "-" {
            eprintln!("{json}");
        } else {
            outln!("{json}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    crate::talk!(
        "{} segments: {} filled from the memory, {} left to translate",
        draft.segments,
        draft.filled,
        draft.empty
    );
    Ok(ExitCode::SUCCESS)
}
