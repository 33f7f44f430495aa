//! `tmm import`: TMX files, bilingual TSV/CSV spreadsheets and JSON Lines into the store.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use tmm::formats::{self, Format, Input, ReadOptions};
use tmm::lang::LanguageTag;
use tmm::store::{DuplicatePolicy, ImportObserver, ImportOptions, ImportSummary, Store, Warning};

/// Import TMX files (TMX 1.1–1.4b; UTF-8, UTF-16 or 8-bit), XLIFF 1.0–2.2 and gettext PO
/// from CAT tools, bilingual TSV or CSV spreadsheets, or JSON Lines written by `tmm export
/// --format jsonl`; one transaction per file. `-` reads standard input; a folder imports every
/// TMX, XLIFF and PO file under it, in name order.
///
/// Examples: `tmm import tmx/un-ssc-2012.tmx`; `tmm import project.sdlxliff`; `tmm import
/// --format tsv --from en --to fr glossary.tsv`; `cat memory.tmx | tmm import -`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to import (`-` for standard input, a folder for every TMX file under it)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Input format; auto goes by the content (TMX, XLIFF, PO, JSON Lines) and, for
    /// spreadsheets, by the extension (.csv, else TSV). TSV is tab-separated with `\t \n \r \\` escaped, as
    /// `tmm export --format tsv` writes it; CSV is comma-separated with "quoted" fields, as
    /// spreadsheets write it
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    format: InputFormat,
    /// TSV/CSV: the language of the first column; XLIFF: the source language instead of
    /// the file's; PO: the source language (default en)
    #[arg(long, value_name = "LANG")]
    from: Option<String>,
    /// TSV/CSV: the language of the second column; XLIFF/PO: the target language instead of
    /// the file's (`Language:` in a PO header)
    #[arg(long, value_name = "LANG")]
    to: Option<String>,
    /// XLIFF: the states whose segments are not translations yet, skipped (comma-separated;
    /// default new,needs-translation,initial; give "" to import every segment with a target)
    #[arg(long, value_name = "STATES", value_delimiter = ',')]
    states: Option<Vec<String>>,
    /// XLIFF 1.2: also import `<alt-trans>` proposals as units
    #[arg(long)]
    alt_trans: bool,
    /// PO: also import entries marked `#, fuzzy`
    #[arg(long)]
    fuzzy: bool,
    /// TSV/CSV: the first row is data (by default a first row naming the two languages,
    /// by tag or by name such as English/French, or source and target, is a header)
    #[arg(long, conflicts_with = "header")]
    no_header: bool,
    /// TSV/CSV: the first row is a header, whatever it says
    #[arg(long)]
    header: bool,
    /// TSV/CSV: the column separator, one ASCII character (`;` for spreadsheets saved in
    /// many European locales; `\t` for a tab) [default: tab for TSV, comma for CSV]
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// What an incoming unit whose source segment is already stored does: skip it; update
    /// (it replaces the newest stored unit with that source, and older alternatives whose
    /// translations are all in its languages are removed as superseded; units translating
    /// that source into other languages stay); or keep both as alternative translations.
    /// Identical units are always skipped
    #[arg(long, value_enum, default_value_t = OnDuplicate::Keep)]
    on_duplicate: OnDuplicate,
    /// Refuse a file on its first invalid unit instead of skipping that unit
    #[arg(long)]
    strict: bool,
    /// Do not update the fuzzy-match index; run `tmm index` afterwards. Faster and lighter
    /// for a bulk import (suggestions find the new units by scanning until then)
    #[arg(long)]
    defer_index: bool,
    /// Print the summary as JSON
    #[arg(long)]
    json: bool,
    /// Print every warning, not just the first 20
    #[arg(long, short)]
    verbose: bool,
}

impl Args {
    /// True when `file` is read as a spreadsheet (TSV or CSV), where a row that does not
    /// split into two columns usually means the wrong separator.
    fn delimited(&self, file: &Path) -> bool {
        match self.format {
            InputFormat::Tsv | InputFormat::Csv => true,
            InputFormat::Tmx | InputFormat::Jsonl | InputFormat::Xliff | InputFormat::Po => false,
            InputFormat::Auto => file.extension().is_some_and(|e| {
                ["csv", "tsv", "tab", "txt"]
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(x))
            }),
        }
    }
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "`{s}` is not one ASCII character (other than a quote or a line break)"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputFormat {
    Auto,
    Tmx,
    Tsv,
    Csv,
    Jsonl,
    Xliff,
    Po,
}

impl InputFormat {
    fn format(self) -> Option<Format> {
        match self {
            InputFormat::Auto => None,
            InputFormat::Tmx => Some(Format::Tmx),
            InputFormat::Tsv => Some(Format::Tsv),
            InputFormat::Csv => Some(Format::Csv),
            InputFormat::Jsonl => Some(Format::Jsonl),
            InputFormat::Xliff => Some(Format::Xliff),
            InputFormat::Po => Some(Format::Po),
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum OnDuplicate {
    Skip,
    Update,
    Keep,
}

/// Draws a progress bar on a terminal, naming the phase: reading and storing the units
/// (one streaming pass, in one transaction), then indexing what was committed.
struct Progress {
    bar: Option<ProgressBar>,
    indexing: bool,
}

/// The phase of an import, as the progress bar names it.
fn phase(bytes: u64, total: u64, indexing: bool) -> &'static str {
    if indexing {
        "indexing"
    } else if total > 0 && bytes >= total {
        "storing"
    } else {
        "parsing"
    }
}

impl ImportObserver for Progress {
    fn progress(&mut self, bytes: u64, total: u64, units: u64) -> ControlFlow<()> {
        if let Some(bar) = &self.bar {
            if total > 0 {
                bar.set_length(total);
            }
            bar.set_position(bytes);
            bar.set_message(format!("{}: {units} units", phase(bytes, total, false)));
        }
        ControlFlow::Continue(())
    }
    fn indexing(&mut self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            if !self.indexing {
                // A bar of its own: segments, not bytes, and its own rate.
                self.indexing = true;
                bar.reset();
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix} indexing [{bar:30}] {pos}/{len} segments {per_sec} eta {eta}",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                );
            }
            bar.set_length(total);
            bar.set_position(done);
        }
    }
    fn warning(&mut self, _: &Warning) {}
}

/// The extensions of the files a folder is walked for.
const MEMORY_EXTENSIONS: &[&str] = &["tmx", "xlf", "xliff", "sdlxliff", "mqxliff", "po"];

/// The files a command line names: folders are walked for TMX, XLIFF and PO files, in name
/// order.
fn expand(files: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut found = Vec::new();
            walk(f, &mut found).with_context(|| format!("reading the folder {}", f.display()))?;
            found.sort();
            if found.is_empty() {
                bail!("{}: no TMX, XLIFF or PO file in this folder", f.display());
            }
            out.extend(found);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| {
            let e = e.to_string_lossy().to_ascii_lowercase();
            MEMORY_EXTENSIONS.contains(&e.as_str())
        }) {
            out.push(path);
        }
    }
    Ok(())
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let options = ImportOptions {
        on_duplicate: match args.on_duplicate {
            OnDuplicate::Skip => DuplicatePolicy::Skip,
            OnDuplicate::Update => DuplicatePolicy::Update,
            OnDuplicate::Keep => DuplicatePolicy::Keep,
        },
        strict: args.strict,
        defer_index: args.defer_index,
    };
    let (from, to) = match (&args.from, &args.to) {
        (Some(from), Some(to)) => {
            let (from, to) = (LanguageTag::parse(from)?, LanguageTag::parse(to)?);
            if from == to {
                bail!("--from and --to are both {from}: the two columns need two languages");
            }
            (Some(from), Some(to))
        }
        (from, to) => (
            from.as_deref().map(LanguageTag::parse).transpose()?,
            to.as_deref().map(LanguageTag::parse).transpose()?,
        ),
    };
    let read = ReadOptions {
        format: args.format.format(),
        from,
        to,
        header: if args.header {
            Some(true)
        } else {
            args.no_header.then_some(false)
        },
        delimiter: args.delimiter,
        skip_states: args.states.clone(),
        alt_trans: args.alt_trans,
        fuzzy: args.fuzzy,
    };
    let files = expand(&args.files)?;
    let store =
        Store::open(db).with_context(|| format!("opening {}", tmm::store::location_label(db)))?;
    let mut total = ImportSummary::default();
    let mut failed = 0;
    for file in &files {
        let bar = (crate::stderr_is_terminal() && !crate::quiet()).then(|| {
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
        let mut progress = Progress {
            bar,
            indexing: false,
        };
        let result = Input::open(file)
            .and_then(|input| formats::open(input, &read))
            .and_then(|source| store.import(source, &options, &mut progress));
        if let Some(bar) = progress.bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(summary) if args.delimited(file) && nothing_imported(&summary) => {
                eprintln!(
                    "tmm: error: {}: no row imported ({} invalid){}",
                    file.display(),
                    summary.invalid,
                    if args.delimiter.is_none() {
                        "; if its columns are separated by another character, give --delimiter (e.g. --delimiter ';')"
                    } else {
                        ""
                    }
                );
                for w in summary.warnings.iter().take(3) {
                    eprintln!("warning: {w}");
                }
                failed += 1;
            }
            Ok(summary) => total.merge(summary),
            Err(tmm::Error::InvalidOption { option: "from", .. }) => {
                eprintln!(
                    "tmm: error: {}: a TSV or CSV file needs --from and --to (the languages of its two columns)",
                    file.display()
                );
                failed += 1;
            }
            Err(e) => {
                // One bad file does not stop the others; each is its own transaction.
                eprintln!("tmm: error: {}", crate::worded(&e));
                failed += 1;
            }
        }
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&total)?)?;
    } else if total.files > 0 {
        print_summary(&total, args.verbose);
    }
    if failed > 0 {
        // A lone failed file has said everything in its error line.
        if files.len() > 1 {
            eprintln!("tmm: {failed} of {} files not imported", files.len());
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// True when a file had rows but none of them could be imported (a wrong delimiter, say).
fn nothing_imported(s: &ImportSummary) -> bool {
    s.invalid > 0 && s.added + s.alternatives_added + s.updated + s.duplicates_skipped == 0
}

/// The summary is talk, on stderr (`--json` puts it on stdout as data).
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
    if s.superseded_removed > 0 {
        crate::talk!(
            "{} older alternatives removed, superseded by an update",
            s.superseded_removed
        );
    }
    crate::talk!(
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
    for (kind, n) in &s.skipped {
        crate::talk!("skipped: {n} {kind}");
    }
    if !s.languages.is_empty() {
        crate::talk!(
            "languages: {}",
            s.languages.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_names_the_phase() {
        assert_eq!(phase(10, 100, false), "parsing");
        assert_eq!(phase(100, 100, false), "storing");
        assert_eq!(phase(100, 100, true), "indexing");
    }
}
