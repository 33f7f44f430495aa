//! `tmm export`: the store (or part of it) as TMX 1.4b, or a language pair (or set) as a
//! parallel corpus: Moses text, TSV, JSON Lines or filtered TMX.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use tmm::corpus::{
    self, CorpusObserver, CorpusOptions, CorpusSummary, Dedupe, Format, Output, Tags,
};
use tmm::lang::LanguageTag;
use tmm::output::OutputFile;
use tmm::store::{ExportFilter, Store};

/// Export units as TMX 1.4b (UTF-8, valid against the TMX 1.4 DTD, same store → same bytes),
/// or a parallel corpus for machine translation.
///
/// Examples: `tmm export -o memory.tmx --langs en,fr`;
/// `tmm export --format moses --from en --to fr -o corpus` writes corpus.en and corpus.fr;
/// `tmm export --format xliff --from en --to fr -o memory.xlf` (or xliff2, po) for CAT tools;
/// `tmm export --format tsv --from fr --to zh --dedupe normalized --split train=0.98,dev=0.01,test=0.01 -o fr-zh.tsv`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output file (Moses: the prefix of OUT.L1 and OUT.L2); `-` writes to standard output
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Output format: tmx, tsv (source<TAB>target, `\t \n \r \\` escaped), moses (one file
    /// per language, one segment per line), jsonl (one object per unit), or a bilingual
    /// xliff (1.2), xliff2 (2.0) or po file for CAT tools
    #[arg(long, value_enum, default_value_t = FormatArg::Tmx)]
    format: FormatArg,
    /// Source language of the corpus (`fr` also selects fr-FR, fr-CA)
    #[arg(long, value_name = "LANG", requires = "to")]
    from: Option<String>,
    /// Target language of the corpus
    #[arg(long, value_name = "LANG", requires = "from")]
    to: Option<String>,
    /// Keep only these languages (comma-separated; `fr` also selects fr-FR, fr-CA); for a
    /// corpus, the first is the source and a unit needs all of them; for a plain TMX
    /// export, units left with fewer than two are dropped
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LANGS",
        conflicts_with = "from"
    )]
    langs: Vec<String>,
    /// Keep only units whose source language is this one
    #[arg(long, value_name = "LANG")]
    source_lang: Option<String>,
    /// Keep only units from this origin: an imported file's name or path, a document
    /// symbol, or the origin number shown by `tmm stats`
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,
    #[command(flatten)]
    corpus: Box<CorpusArgs>,
    /// Write language tags as the imported files spelled them (en_US), not normalised
    #[arg(long)]
    original_lang_tags: bool,
}

/// The corpus options, boxed to keep the command enum small.
#[derive(Debug, clap::Args)]
struct CorpusArgs {
    /// Keep only units of this document (its symbol, or the x-document prop of its file)
    #[arg(long, value_name = "DOCUMENT")]
    document: Option<String>,
    /// Keep only units changed on or after this date (YYYY-MM-DD or YYYYMMDDThhmmssZ)
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Keep only units changed on or before this date (a day includes all of it)
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Corpus formats: drop pairs where a side has fewer words (a CJK or Thai character is a
    /// word); needs --from/--to or --langs
    #[arg(long, value_name = "N")]
    min_words: Option<usize>,
    /// Corpus formats: drop pairs where a side has more words; needs --from/--to or --langs
    #[arg(long, value_name = "N")]
    max_words: Option<usize>,
    /// Corpus formats: drop pairs whose lengths differ by more than this factor (a CJK
    /// character counts as three letters); needs --from/--to or --langs
    #[arg(long, value_name = "RATIO")]
    max_length_ratio: Option<f64>,
    /// Drop duplicate pairs, keeping the newest: exact, or normalized (ignoring case,
    /// whitespace and punctuation)
    #[arg(long, value_enum, value_name = "HOW")]
    dedupe: Option<DedupeArg>,
    /// Split deterministically by a hash of the normalised source, e.g.
    /// train=0.98,dev=0.01,test=0.01; each part gets its own files (OUT.train.tsv)
    #[arg(long, value_name = "PARTS")]
    split: Option<String>,
    /// Seed of the split hash
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    /// Inline markup in tsv, moses and jsonl: strip it to text, keep it as TMX markup, or
    /// write numbered placeholders {1}…{/1}
    #[arg(long, value_enum, default_value_t = TagsArg::Strip)]
    tags: TagsArg,
    /// TSV: write a first line with the column names
    #[arg(long)]
    header: bool,
    /// TSV: add provenance columns document, date, tuid and origin file
    #[arg(long)]
    columns: bool,
    /// Print the corpus summary as JSON (on stdout, or on stderr when the corpus goes there)
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Tmx,
    Tsv,
    Moses,
    Jsonl,
    /// a bilingual XLIFF 1.2 file (needs --from and --to)
    Xliff,
    /// a bilingual XLIFF 2.0 file (needs --from and --to)
    Xliff2,
    /// a gettext PO catalog (needs --from and --to)
    Po,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DedupeArg {
    Exact,
    Normalized,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TagsArg {
    Strip,
    Keep,
    Placeholders,
}

impl Args {
    /// True when a plain TMX export (no language pair) was asked for: `--document`,
    /// `--since` and `--until` select its units too.
    fn is_plain_tmx(&self) -> bool {
        self.format == FormatArg::Tmx
            && self.from.is_none()
            // With --langs, these select a multilingual corpus as before.
            && (self.langs.is_empty()
                || (self.corpus.document.is_none()
                    && self.corpus.since.is_none()
                    && self.corpus.until.is_none()))
            && self.corpus.min_words.is_none()
            && self.corpus.max_words.is_none()
            && self.corpus.max_length_ratio.is_none()
            && self.corpus.dedupe.is_none()
            && self.corpus.split.is_none()
            && !self.corpus.json
    }
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let langs = match (&args.from, &args.to) {
        (Some(from), Some(to)) => vec![LanguageTag::parse(from)?, LanguageTag::parse(to)?],
        _ => args
            .langs
            .iter()
            .map(|l| LanguageTag::parse(l))
            .collect::<Result<Vec<_>, _>>()?,
    };
    if let Some(twice) = langs
        .iter()
        .enumerate()
        .find_map(|(i, l)| langs[..i].contains(l).then_some(l))
    {
        bail!("{twice} is named twice: a corpus needs two different languages");
    }
    if langs.len() == 1 {
        bail!("--langs needs at least two languages (a unit needs two to be a translation)");
    }
    let source_lang = args
        .source_lang
        .as_deref()
        .map(LanguageTag::parse)
        .transpose()?;
    let origin = args
        .origin
        .as_deref()
        .map(|o| store.find_origin(o))
        .transpose()?;
    // A bad date is a date error, whatever else the command line says.
    let since = args
        .corpus
        .since
        .as_deref()
        .map(|d| corpus::parse_date_bound(d, false))
        .transpose()?;
    let until = args
        .corpus
        .until
        .as_deref()
        .map(|d| corpus::parse_date_bound(d, true))
        .transpose()?;
    if args.is_plain_tmx() {
        let filter = ExportFilter {
            langs,
            source_lang,
            origin,
            unit: None,
            units: tmm::store::UnitFilter {
                document: args.corpus.document.clone(),
                since,
                until,
                ..Default::default()
            },
        };
        return export_tmx(&store, &filter, &args);
    }
    if langs.is_empty() {
        bail!(
            "{} works on a language pair: add --from L1 --to L2 (or --langs L1,L2,...)",
            if matches!(args.format, FormatArg::Tmx) {
                "--min-words, --max-words, --max-length-ratio, --dedupe, --split or --json"
            } else {
                "a corpus format"
            }
        );
    }
    let options = CorpusOptions {
        format: match args.format {
            FormatArg::Tmx => Format::Tmx,
            FormatArg::Tsv => Format::Tsv,
            FormatArg::Moses => Format::Moses,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Xliff => Format::Xliff,
            FormatArg::Xliff2 => Format::Xliff2,
            FormatArg::Po => Format::Po,
        },
        langs,
        tags: match args.corpus.tags {
            TagsArg::Strip => Tags::Strip,
            TagsArg::Keep => Tags::Keep,
            TagsArg::Placeholders => Tags::Placeholders,
        },
        header: args.corpus.header,
        columns: args.corpus.columns,
        source_lang,
        origin,
        document: args.corpus.document.clone(),
        since,
        until,
        min_words: args.corpus.min_words,
        max_words: args.corpus.max_words,
        max_length_ratio: args.corpus.max_length_ratio,
        dedupe: args.corpus.dedupe.map(|d| match d {
            DedupeArg::Exact => Dedupe::Exact,
            DedupeArg::Normalized => Dedupe::Normalized,
        }),
        split: args
            .corpus
            .split
            .as_deref()
            .map(corpus::parse_split)
            .transpose()?
            .unwrap_or_default(),
        seed: args.corpus.seed,
        original_lang_tags: args.original_lang_tags,
    };
    let to_stdout = args.output.as_os_str() == "-";
    let output = if to_stdout {
        Output::Writer(Box::new(std::io::stdout().lock()))
    } else {
        Output::Path(&args.output)
    };
    let mut progress = Progress {
        bar: (crate::stderr_is_terminal() && !crate::quiet()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} units {per_sec} eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        }),
        pass: 0,
    };
    let result = corpus::export(&store, &options, output, &mut progress);
    if let Some(bar) = progress.bar {
        bar.finish_and_clear();
    }
    let summary = result.with_context(|| format!("exporting to {}", args.output.display()))?;
    if args.corpus.json {
        let json = serde_json::to_string_pretty(&summary)?;
        if to_stdout {
            eprintln!("{json}");
        } else {
            outln!("{json}")?;
        }
    } else {
        print_summary(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

/// Draws a progress bar on a terminal.
struct Progress {
    bar: Option<ProgressBar>,
    pass: u32,
}

impl CorpusObserver for Progress {
    fn progress(&mut self, pass: u32, passes: u32, units: u64, total: u64) {
        if let Some(bar) = &self.bar {
            if pass != self.pass {
                // The second pass starts over; its rate and eta are its own.
                self.pass = pass;
                bar.reset();
                if passes > 1 {
                    bar.set_prefix(format!("pass {pass}/{passes}"));
                }
            }
            bar.set_length(total);
            bar.set_position(units);
        }
    }
}

fn print_summary(s: &CorpusSummary) {
    let d = &s.dropped;
    crate::talk!(
        "{} pairs written ({}) of {} units in {}",
        s.written,
        s.languages.join("–"),
        s.units_read,
        s.languages.join(", ")
    );
    let drops = [
        ("other document", d.document),
        ("outside the dates", d.date),
        ("empty", d.empty),
        ("untranslated", d.untranslated),
        ("too few words", d.too_few_words),
        ("too many words", d.too_many_words),
        ("length ratio", d.length_ratio),
        ("duplicate", d.duplicate),
    ];
    let dropped: Vec<String> = drops
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
    if !dropped.is_empty() {
        crate::talk!("dropped: {}", dropped.join(", "));
    }
    if s.normalised_segments > 0 {
        crate::talk!(
            "{} segments had tabs or line breaks replaced by spaces",
            s.normalised_segments
        );
    }
    for (part, n) in &s.splits {
        crate::talk!("  {part}: {n}");
    }
    for f in &s.files {
        crate::talk!("wrote {}", f.display());
    }
}

fn export_tmx(store: &Store, filter: &ExportFilter, args: &Args) -> anyhow::Result<ExitCode> {
    let result = if args.output.as_os_str() == "-" {
        let stdout = std::io::stdout().lock();
        store.export_tmx(
            filter,
            BufWriter::new(stdout),
            &args.output,
            args.original_lang_tags,
        )?
    } else {
        // Written beside the target and renamed, so a failed export leaves no partial file.
        let mut out = BufWriter::new(OutputFile::create(&args.output)?);
        let result = store.export_tmx(filter, &mut out, &args.output, args.original_lang_tags)?;
        out.into_inner()
            .map_err(|e| tmm::Error::io(&args.output, e.into_error()))?
            .commit()?;
        result
    };
    for refused in &result.refused {
        eprintln!("warning: not exported: {refused}");
    }
    crate::talk!(
        "{} units exported to {}",
        result.units,
        args.output.display()
    );
    if !result.refused.is_empty() {
        eprintln!(
            "{} units not exported: they hold characters XML 1.0 forbids outside segment text",
            result.refused.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
