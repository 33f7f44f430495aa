//! `tmm pretranslate`: a draft translation of a new release from its best matches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tmm::matching::Matcher;
use tmm::output::OutputFile;
use tmm::pretranslate::{DocumentKind, DraftFormat, pretranslate, pretranslate_document};
use tmm::store::Store;

use super::suggest::{MatchArgs, MinArg, read_segments};

/// Fill each segment of a new document with its best match at or above --min (numbers
/// updated), keeping the score and match type (TMX props `x-match-score`, `x-match-type`,
/// `x-match-origin`) and every warning `suggest` gives (TMX notes, the TSV `notes` column);
/// segments without a match carry the source only. An XLIFF 1.2/2.x or PO file from a CAT
/// tool is pretranslated in place: its empty targets are filled, matches listed beside them,
/// and the rest of the file is left byte for byte.
///
/// Examples: `tmm pretranslate --from en --to fr tests/fixtures/release-2013/en.txt -o
/// draft.tmx`; `tmm pretranslate --from en --to fr doc.xlf -o doc.fr.xlf`
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
    /// For a text document: tmx, tsv (source, target, score, type; escaped as `tmm export
    /// --format tsv`), or a new XLIFF 1.2 (xliff) or 2.0 (xliff2) file, one unit per
    /// segment (see --unit). An XLIFF or PO document always comes back in its own format
    #[arg(long, value_enum, default_value_t = Format::Tmx)]
    format: Format,
    /// Matches listed beside each filled target of an XLIFF document
    #[arg(long, default_value_t = 3)]
    limit: usize,
    /// Print the summary as JSON (on stdout; on stderr when the draft goes to stdout)
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Tmx,
    Tsv,
    Xliff,
    Xliff2,
}

/// True when the file is XLIFF or PO: a CAT tool's document, pretranslated in its format.
fn is_cat_document(path: &Path, head: &[u8]) -> bool {
    matches!(
        tmm::formats::detect(path, head),
        Ok(tmm::formats::Format::Xliff | tmm::formats::Format::Po)
    )
}

/// Pretranslates an XLIFF/PO document, or text made into XLIFF, and writes it out.
fn run_document(
    store: &Store,
    matcher: &Matcher,
    args: &Args,
    bytes: &[u8],
    kind: DocumentKind,
) -> anyhow::Result<ExitCode> {
    let options = args
        .common
        .options(store, args.limit.max(1), Some(args.min.min))?;
    let done = pretranslate_document(matcher, &args.file, bytes, kind, &options)?;
    if args.output.as_os_str() == "-" {
        std::io::stdout().lock().write_all(&done.bytes)?;
    } else {
        let mut file = OutputFile::create(&args.output)?;
        file.write_all(&done.bytes)
            .map_err(|e| tmm::Error::io(&args.output, e))?;
        file.commit()?;
    }
    if args.json {
        let summary = serde_json::json!({
            "segments": done.segments,
            "exact": done.exact,
            "fuzzy": done.fuzzy,
            "unmatched": done.unmatched,
            "notes": done.warnings,
        });
        let json = serde_json::to_string_pretty(&summary)?;
        if args.output.as_os_str() == "-" {
            eprintln!("{json}");
        } else {
            outln!("{json}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    crate::talk!(
        "{} segments: {} exact, {} fuzzy, {} left to translate; {} notes for the translator in the file",
        done.segments,
        done.exact,
        done.fuzzy,
        done.unmatched,
        done.warnings.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let matcher = Matcher::new(&store);
    let bytes = std::fs::read(&args.file).map_err(|e| tmm::Error::io(&args.file, e))?;
    if is_cat_document(&args.file, &bytes[..bytes.len().min(8192)]) {
        return run_document(&store, &matcher, &args, &bytes, DocumentKind::Bilingual);
    }
    let format = match args.format {
        Format::Tmx => DraftFormat::Tmx,
        Format::Tsv => DraftFormat::Tsv,
        Format::Xliff => {
            let kind = DocumentKind::TextToXliff(args.common.unit.into());
            return run_document(&store, &matcher, &args, &bytes, kind);
        }
        Format::Xliff2 => {
            let kind = DocumentKind::TextToXliff2(args.common.unit.into());
            return run_document(&store, &matcher, &args, &bytes, kind);
        }
    };
    let segments = read_segments(&args.file, &args.common.from, args.common.unit)?;
    let options = args.common.options(&store, 1, Some(args.min.min))?;
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
