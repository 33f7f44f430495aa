//! `tmm suggest`: earlier translations for new text.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;
use tmm::lang::LanguageTag;
use tmm::matching::{DiffOp, MatchKind, Matcher, Query, SuggestOptions, Suggestion};
use tmm::store::Store;

/// Show the best stored translations for new text: score, a word diff of the stored source
/// against the new text, the translation (new numbers put in place, marked), where it came
/// from and why the score is not 100.
///
/// Example: `tmm suggest --from en --to fr "South-South cooperation has the potential to
/// balance growth."`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: MatchArgs,
    /// The text to match (one segment)
    #[arg(
        value_name = "TEXT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    text: Option<String>,
    /// Match every segment of a text file instead (UTF-8 or UTF-16; see --unit)
    #[arg(long, short, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Matches shown per segment
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Print the matches as JSON
    #[arg(long)]
    json: bool,
    /// When to colour the diff: auto (on a terminal), always, never
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// Options every matching command takes.
#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// The language of the new text
    #[arg(long, value_name = "LANG")]
    pub from: LanguageTag,
    /// The language of the translations wanted
    #[arg(long, value_name = "LANG")]
    pub to: LanguageTag,
    /// The lowest score shown (0-100)
    #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub min: u32,
    /// Score every stored segment instead of using the index (slow; to verify the index)
    #[arg(long)]
    pub exhaustive: bool,
    /// How a --file is cut into segments: paragraphs (blank-line separated, or one per line
    /// when the file has no blank line), or the sentences of each paragraph as `tmm align`
    /// splits them
    #[arg(long, value_enum, default_value_t = SegmentUnit::Paragraph)]
    pub unit: SegmentUnit,
}

/// The segments a new document is cut into.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SegmentUnit {
    Paragraph,
    Sentence,
}

impl MatchArgs {
    pub fn options(&self, limit: usize) -> SuggestOptions {
        let mut o = SuggestOptions::new(self.from.clone(), self.to.clone());
        o.limit = limit;
        o.min = self.min;
        o.exhaustive = self.exhaustive;
        o
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// The segments of a new document in `lang`: its paragraphs, or their sentences.
pub fn read_segments(
    file: &Path,
    lang: &LanguageTag,
    unit: SegmentUnit,
) -> anyhow::Result<Vec<String>> {
    let text = tmm::text::read_text(file)?;
    Ok(tmm::text::segments(&text, lang, unit.into()))
}

impl From<SegmentUnit> for tmm::text::Segmentation {
    fn from(u: SegmentUnit) -> Self {
        match u {
            SegmentUnit::Paragraph => tmm::text::Segmentation::Paragraph,
            SegmentUnit::Sentence => tmm::text::Segmentation::Sentence,
        }
    }
}

#[derive(Serialize)]
struct SegmentMatches<'a> {
    segment: usize,
    text: &'a str,
    matches: Vec<Suggestion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let matcher = Matcher::new(&store);
    let options = args.common.options(args.limit);
    let segments = match (&args.text, &args.file) {
        (Some(t), _) => vec![t.clone()],
        (None, Some(f)) => read_segments(f, &args.common.from, args.common.unit)?,
        (None, None) => bail!("give the text to match or --file"),
    };
    let colour = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal(),
    };
    let single = args.text.is_some();
    let mut out = std::io::stdout().lock();
    let mut results = Vec::new();
    let mut failed = false;
    for (i, text) in segments.iter().enumerate() {
        let query = Query {
            text,
            previous: if single {
                None
            } else {
                i.checked_sub(1).map(|p| segments[p].as_str())
            },
            position: (!single).then_some(i),
        };
        let (matches, error) = match matcher.suggest(&query, &options) {
            Ok(m) => (m.suggestions, None),
            // One text: the error is the answer. A file: report it and go on.
            Err(e) if single => return Err(e.into()),
            Err(e) => {
                failed = true;
                (Vec::new(), Some(e.to_string()))
            }
        };
        let r = SegmentMatches {
            segment: i + 1,
            text,
            matches,
            error,
        };
        if args.json {
            results.push(r);
        } else {
            print_segment(&mut out, &r, colour, !single)?;
        }
    }
    if args.json {
        let value = if single {
            serde_json::to_value(&results[0].matches)?
        } else {
            serde_json::to_value(&results)?
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_segment(
    out: &mut impl Write,
    r: &SegmentMatches,
    colour: bool,
    header: bool,
) -> std::io::Result<()> {
    if header {
        writeln!(out, "── segment {}: {}", r.segment, r.text)?;
    }
    if let Some(e) = &r.error {
        writeln!(out, "   error: {e}")?;
        return writeln!(out);
    }
    if r.matches.is_empty() {
        writeln!(out, "   no match")?;
    }
    for s in &r.matches {
        print_suggestion(out, s, colour)?;
    }
    if header {
        writeln!(out)?;
    }
    Ok(())
}

/// `20121001T000000Z` as `2012-10-01`; anything else as it is.
pub fn short_date(d: &str) -> String {
    let b = d.as_bytes();
    if b.len() == 16 && b[8] == b'T' && b[..8].iter().all(u8::is_ascii_digit) {
        format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8])
    } else {
        d.to_string()
    }
}

/// Prints one suggestion: score line, diff, translation, provenance, penalties.
pub fn print_suggestion(out: &mut impl Write, s: &Suggestion, colour: bool) -> std::io::Result<()> {
    let kind = tmm::matching::match_type(Some(s.score));
    let date = s.from.date.as_deref().map(short_date).unwrap_or_default();
    let doc = s.from.document.as_deref().unwrap_or(&s.from.origin);
    writeln!(out, "{:>3}%  {kind}  {doc} {date}", s.score)?;
    match (s.kind, &s.sentence) {
        (MatchKind::SubSegment, Some(r)) => writeln!(
            out,
            "       sub-segment: sentence {} of {} of unit {} (aligned {}, confidence {:.2})",
            r.n, r.m, s.unit_id.0, r.bead, r.confidence
        )?,
        (MatchKind::Assembled, _) => {
            writeln!(out, "       assembled from {} sentences:", s.parts.len())?;
            for (i, p) in s.parts.iter().enumerate() {
                match (p.score, p.unit_id) {
                    (Some(score), Some(unit)) => {
                        let what = match &p.sentence {
                            Some(r) => format!("sentence {} of {} of unit {}", r.n, r.m, unit.0),
                            None => format!("unit {}", unit.0),
                        };
                        writeln!(out, "       {}. {score}% from {what}: {}", i + 1, p.target)?
                    }
                    _ => writeln!(
                        out,
                        "       {}. no match, left as source: {}",
                        i + 1,
                        p.text
                    )?,
                }
            }
        }
        _ => {}
    }
    write!(out, "  {} ", s.source_lang)?;
    for part in &s.diff {
        match (part.op, colour) {
            (DiffOp::Equal, _) => write!(out, "{}", part.text)?,
            (DiffOp::Delete, true) => write!(out, "\x1b[31;9m{}\x1b[0m", part.text)?,
            (DiffOp::Insert, true) => write!(out, "\x1b[32;4m{}\x1b[0m", part.text)?,
            (op, false) => {
                let lead = part.text.len() - part.text.trim_start().len();
                let (space, word) = part.text.split_at(lead);
                let (open, close) = if op == DiffOp::Delete {
                    ("[-", "-]")
                } else {
                    ("{+", "+}")
                };
                write!(out, "{space}{open}{word}{close}")?
            }
        }
    }
    writeln!(out)?;
    match &s.adapted {
        Some(a) => {
            write!(out, "  {} ", s.target_lang)?;
            let mut last = 0;
            for &(b, e) in &a.replaced {
                write!(out, "{}", &a.text[last..b])?;
                if colour {
                    write!(out, "\x1b[1;33m{}\x1b[0m", &a.text[b..e])?;
                } else {
                    write!(out, "{{={}=}}", &a.text[b..e])?;
                }
                last = e;
            }
            writeln!(out, "{}", &a.text[last..])?;
            if !a.missing.is_empty() {
                writeln!(
                    out,
                    "       (numbers not found in the translation, check by hand: {})",
                    a.missing.join(", ")
                )?;
            }
        }
        None => writeln!(out, "  {} {}", s.target_lang, s.target)?,
    }
    let why: Vec<String> = s
        .penalties
        .iter()
        .map(|p| format!("−{} {}", p.points, p.detail))
        .collect();
    if !why.is_empty() {
        writeln!(out, "       why not 100: {}", why.join("; "))?;
    }
    Ok(())
}
