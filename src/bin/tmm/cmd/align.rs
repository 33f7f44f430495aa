//! `tmm align`: a document and its translations into aligned units.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use tmm::align::{AlignOptions, Alignment, Document, DocumentInfo, Remembered, Unit};
use tmm::formats::tmx::TmxWriter;
use tmm::lang::LanguageTag;
use tmm::matching::{Matcher, SuggestOptions};
use tmm::output::OutputFile;
use tmm::store::Store;
use tmm::text::SentenceSplitter;
use tmm::text::srx::Srx;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Align a document with its translations, paragraph by paragraph or sentence by sentence,
/// and store the aligned units (or preview them, or write them as TMX).
///
/// Each file is plain text (UTF-8 or UTF-16); paragraphs are separated by blank lines, or
/// are one per line when the file has none. Texts that are not translations of each other
/// are refused; when the memory holds translations of the pivot's paragraphs, a dictionary
/// learnt from them is part of the evidence.
///
/// Example: `tmm align en=en.txt fr=fr.txt zh=zh.txt --unit sentence --document SG/SM/14499`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The documents, one per language: LANG=FILE (at least two)
    #[arg(required = true, num_args = 2.., value_name = "LANG=FILE")]
    documents: Vec<String>,
    /// The language every other is aligned to [default: en if given, else the first]
    #[arg(long, value_name = "LANG")]
    pivot: Option<String>,
    /// Align paragraphs, or paragraphs and then the sentences within them
    #[arg(long, value_enum, default_value_t = UnitArg::Paragraph)]
    unit: UnitArg,
    /// The document's symbol, recorded with every unit (e.g. SG/SM/14499)
    #[arg(long, value_name = "ID")]
    document: Option<String>,
    /// The document's title
    #[arg(long)]
    title: Option<String>,
    /// The document's date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Print the alignment for review, one row per bead, and store nothing
    #[arg(long, conflicts_with = "tmx")]
    preview: bool,
    /// Write the aligned units to this TMX file instead of the store (`-`: standard output)
    #[arg(long, value_name = "OUT.tmx")]
    tmx: Option<PathBuf>,
    /// Split sentences by the rules of this SRX 1.0/2.0 file (OmegaT, Okapi, ...) instead of
    /// the built-in ones, for the languages it maps
    #[arg(long, value_name = "FILE")]
    srx: Option<PathBuf>,
    /// Store (or write) the alignment even when the texts look like no translations of each
    /// other; every unit is then marked with an x-align-forced prop saying why
    #[arg(long)]
    force: bool,
    /// Width of the --preview table, 40 to 1000 columns [default: $COLUMNS, else 160]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..=1000))]
    width: Option<u16>,
    /// Print the summary as JSON (on stdout; with `--tmx -` the TMX is there, so on stderr)
    #[arg(long, conflicts_with = "preview")]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum UnitArg {
    Paragraph,
    Sentence,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let mut documents = Vec::new();
    for spec in &args.documents {
        let Some((lang, file)) = spec.split_once('=') else {
            bail!("\"{spec}\" is not LANG=FILE (for example en=message-en.txt)");
        };
        let lang = LanguageTag::parse(lang).with_context(|| format!("in \"{spec}\""))?;
        let path = PathBuf::from(file);
        documents.push(Document::read(lang, &path).with_context(|| format!("reading {file}"))?);
    }
    let pivot = args.pivot.as_deref().map(LanguageTag::parse).transpose()?;
    if let Some(date) = &args.date {
        date.parse::<jiff::civil::Date>()
            .with_context(|| format!("--date {date}: expected YYYY-MM-DD"))?;
    }
    let mut splitters = Vec::new();
    if let Some(path) = &args.srx {
        let srx = Srx::open(path).with_context(|| format!("reading {}", path.display()))?;
        if let Some((set, expr, why)) = srx.skipped.first() {
            eprintln!(
                "warning: {}: {} rules skipped, their expressions use what tmm's regex engine lacks (first, in {set}: {expr}: {})",
                path.display(),
                srx.skipped.len(),
                why.lines().next().unwrap_or_default()
            );
        }
        for d in &documents {
            match srx.rules_for(&d.lang) {
                Some(rules) => splitters.push((d.lang.clone(), SentenceSplitter::from_srx(rules))),
                None => eprintln!(
                    "warning: {}: no rules for {}; its built-in rules are used",
                    path.display(),
                    d.lang
                ),
            }
        }
    }
    let memory = match stored_translations(db, &documents, pivot.as_ref()) {
        Ok(memory) => memory,
        // A preview or a TMX file needs no database: one that cannot be read only costs
        // the memory's evidence.
        Err(e) if args.preview || args.tmx.is_some() => {
            eprintln!("warning: {e:#}; aligned without the memory's evidence");
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let options = AlignOptions {
        pivot,
        memory,
        unit: match args.unit {
            UnitArg::Paragraph => Unit::Paragraph,
            UnitArg::Sentence => Unit::Sentence,
        },
        splitters,
        force: args.force,
    };
    let alignment = tmm::align::align(&documents, &options).map_err(|e| match e {
        tmm::Error::Alignment { .. } => {
            anyhow::anyhow!("{e}; nothing stored (--force stores it anyway, marked)")
        }
        e => e.into(),
    })?;
    for w in &alignment.warnings {
        eprintln!("warning: {w}");
    }
    let info = DocumentInfo {
        document: args.document,
        title: args.title,
        date: args.date,
    };
    if args.preview {
        let width = args
            .width
            .map(usize::from)
            .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
            .unwrap_or(160)
            // A table wider than any screen only costs memory.
            .clamp(40, 1000);
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        preview(&alignment, width, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &args.tmx {
        let units = write_tmx(&alignment, &info, path)
            .with_context(|| format!("writing {}", path.display()))?;
        if args.json {
            let json = serde_json::json!({
                "rows": alignment.rows.len(),
                "low_confidence": alignment.low_rows(),
                "units": units,
                "output": path,
            });
            if path.as_os_str() == "-" {
                eprintln!("{json}");
            } else {
                outln!("{}", serde_json::to_string_pretty(&json)?)?;
            }
        } else {
            crate::talk!(
                "{} {}s aligned ({} marked low confidence): {units} units written to {}",
                alignment.rows.len(),
                alignment.unit.segtype(),
                alignment.low_rows(),
                path.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let store =
        Store::open(db).with_context(|| format!("opening {}", tmm::store::location_label(db)))?;
    let summary = store.store_alignment(&alignment, &info)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::talk!(
        "{} {}s aligned ({} marked low confidence, {} with one language only): {} units added, {} alternatives added, {} already stored",
        summary.rows,
        alignment.unit.segtype(),
        summary.low_confidence,
        summary.unpaired,
        summary.added,
        summary.alternatives_added,
        summary.duplicates_skipped
    );
    Ok(ExitCode::SUCCESS)
}

/// Pivot paragraphs the memory is asked about at most, per language: enough for a
/// dictionary, and the lookups stay cheap.
const MEMORY_QUERIES: usize = 200;

/// What the memory at `db` (when there is one) already holds of each document's
/// translation from the pivot: the stored translations that match the pivot's paragraphs
/// at 50% or more, the independent evidence the aligner judges a pairing by.
fn stored_translations(
    db: &Path,
    documents: &[Document],
    pivot: Option<&LanguageTag>,
) -> anyhow::Result<Vec<Remembered>> {
    let store = match Store::open_existing(db) {
        Ok(store) => store,
        Err(tmm::Error::NoDatabase { .. }) => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("opening {}", tmm::store::location_label(db)));
        }
    };
    let pivot = &documents[tmm::align::pivot_index(documents, pivot)?];
    let texts: Vec<&str> = pivot
        .paragraphs
        .iter()
        .take(MEMORY_QUERIES)
        .map(String::as_str)
        .collect();
    let matcher = Matcher::new(&store);
    let mut out = Vec::new();
    for doc in documents.iter().filter(|d| d.lang != pivot.lang) {
        let mut options = SuggestOptions::new(pivot.lang.clone(), doc.lang.clone());
        options.min = 50;
        let pairs = matcher
            .stored_translations(&texts, &options)
            .with_context(|| format!("reading {}", tmm::store::location_label(db)))?;
        if !pairs.is_empty() {
            out.push(Remembered {
                lang: doc.lang.clone(),
                pairs,
            });
        }
    }
    Ok(out)
}

/// Writes the units as TMX (bead and confidence are among their props); returns how many.
fn write_tmx(alignment: &Alignment, info: &DocumentInfo, path: &Path) -> anyhow::Result<usize> {
    if path.as_os_str() == "-" {
        return write_units(alignment, info, std::io::stdout().lock());
    }
    // Written under a temporary name and renamed when whole.
    let mut file = OutputFile::create(path)?;
    let count = write_units(alignment, info, &mut file)?;
    file.commit()?;
    Ok(count)
}

fn write_units(
    alignment: &Alignment,
    info: &DocumentInfo,
    out: impl Write,
) -> anyhow::Result<usize> {
    let mut writer = TmxWriter::new(BufWriter::new(out), &alignment.header(info))?;
    let units = alignment.units(info);
    for u in &units {
        writer.write_unit(&u.unit)?;
    }
    writer.finish()?.flush()?;
    Ok(units.len())
}

/// The alignment side by side: one row per bead with its number, pivot paragraph, bead,
/// confidence and a `LOW` mark, then each language's text cut to its column.
fn preview(alignment: &Alignment, width: usize, out: &mut impl Write) -> std::io::Result<()> {
    let languages = alignment.languages.len();
    let prefix = "    # para bead         conf     ";
    let column = (width.saturating_sub(prefix.len()) / languages).max(12);
    write!(out, "{prefix}")?;
    for (lang, path) in alignment.languages.iter().zip(&alignment.paths) {
        write!(
            out,
            "{}",
            fit(&format!("{lang} ({})", path.display()), column)
        )?;
    }
    writeln!(out)?;
    for (i, row) in alignment.rows.iter().enumerate() {
        write!(
            out,
            "{:>5} {:>4} {:<12} {:.3} {:<4}",
            i + 1,
            row.paragraph,
            row.bead(),
            row.confidence,
            if row.is_low() { "LOW" } else { "" }
        )?;
        for l in 0..languages {
            write!(out, "{}", fit(&row.text(l), column))?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} rows, {} marked LOW (confidence below {})",
        alignment.rows.len(),
        alignment.low_rows(),
        tmm::align::LOW_CONFIDENCE
    )
}

/// `text` cut or padded to `width` display columns, with a separating space.
fn fit(text: &str, width: usize) -> String {
    let room = width.saturating_sub(1);
    let mut out = String::new();
    if text.width() <= room {
        out.push_str(text);
    } else {
        let mut used = 0;
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > room {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
    }
    let pad = width.saturating_sub(out.width());
    out.extend(std::iter::repeat_n(' ', pad));
    out
}
