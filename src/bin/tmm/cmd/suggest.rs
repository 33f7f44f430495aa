//! `tmm suggest`: earlier translations for new text.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;
use tmm::lang::LanguageTag;
use tmm::matching::{DiffOp, MatchKind, Matcher, Query, SuggestOptions, Suggestion};
use tmm::store::Store;

use super::filter::{FilterArgs, parse_penalty, resolve_penalties};

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
    #[command(flatten)]
    pub min: MinArg,
    /// The text to match (one segment); `-` reads segments from standard input, as --file
    /// does
    #[arg(
        value_name = "TEXT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    text: Option<String>,
    /// Match every segment of a text file instead (UTF-8 or UTF-16; see --unit; `-`:
    /// standard input)
    #[arg(long, short, value_name = "FILE", visible_alias = "input")]
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
    /// Score every stored segment instead of using the index (slow; to verify the index)
    #[arg(long)]
    pub exhaustive: bool,
    /// How a --file is cut into segments: paragraphs (blank-line separated, or one per line
    /// when the file has no blank line), or the sentences of each paragraph as `tmm align`
    /// splits them
    #[arg(long, value_enum, default_value_t = SegmentUnit::Paragraph)]
    pub unit: SegmentUnit,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Take this many points off every match from ORIGIN (a less trusted memory), as
    /// ORIGIN=POINTS; shown as a penalty (repeat for several origins)
    #[arg(long, value_name = "ORIGIN=POINTS", value_parser = parse_penalty)]
    pub penalty: Vec<(String, u32)>,
}

/// The lowest score a match needs, for the commands that take it.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct MinArg {
    /// The lowest score shown (0-100)
    #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub min: u32,
}

/// The segments a new document is cut into.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SegmentUnit {
    Paragraph,
    Sentence,
}

impl MatchArgs {
    /// The matching options, origins looked up in `store`; `min` as given (analysis takes
    /// none: it reports every band).
    pub fn options(
        &self,
        store: &Store,
        limit: usize,
        min: Option<u32>,
    ) -> anyhow::Result<SuggestOptions> {
        let mut o = SuggestOptions::new(self.from.clone(), self.to.clone());
        o.limit = limit;
        if let Some(min) = min {
            o.min = min;
        }
        o.exhaustive = self.exhaustive;
        o.filter = self.filter.resolve(store)?;
        o.origin_penalties = resolve_penalties(store, &self.penalty)?;
        Ok(o)
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
    let text = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .map_err(|e| tmm::Error::io("standard input", e))?;
        tmm::text::decode_text(&bytes).map_err(|message| tmm::Error::Format {
            path: "standard input".into(),
            message,
        })?
    } else {
        tmm::text::read_text(file)?
    };
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
    let options = args
        .common
        .options(&store, args.limit, Some(args.min.min))?;
    let segments = match (&args.text, &args.file) {
        (Some(t), _) if t == "-" => {
            read_segments(Path::new("-"), &args.common.from, args.common.unit)?
        }
        (Some(t), _) => vec![t.clone()],
        (None, Some(f)) => read_segments(f, &args.common.from, args.common.unit)?,
        (None, None) => bail!("give the text to match or --file"),
    };
    let colour = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && colour_wanted(),
    };
    let single = args.text.as_deref().is_some_and(|t| t != "-");
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
            next: None,
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

/// True when colour is wanted on a terminal: `NO_COLOR` (set and not empty) turns it off.
pub fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Text between diff markers, with the marker sequences themselves escaped by a backslash
/// so that `[-x-]` in a segment cannot pass for a deletion.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let marker = matches!(
            (c, next),
            ('[', Some('-')) | ('-', Some(']')) | ('{', Some('+' | '=')) | ('+' | '=', Some('}'))
        );
        if c == '\\' || marker {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The translation as a translator sees it in a CAT tool: inline tags as `{1}…{/1}`.
fn shown_target(s: &Suggestion) -> String {
    match &s.target_markup {
        Some(m) => tmm::corpus::text::render(
            &tmm::model::Segment {
                text: s.target.clone(),
                markup: Some(m.clone()),
            },
            tmm::corpus::Tags::Placeholders,
        ),
        None => s.target.clone(),
    }
}

/// Prints one suggestion: score line, diff, translation, provenance, penalties. Without
/// colour, deletions are `[-…-]`, insertions `{+…+}` and numbers put in place `{=…=}`, and
/// those sequences in the text itself are escaped with a backslash.
pub fn print_suggestion(out: &mut impl Write, s: &Suggestion, colour: bool) -> std::io::Result<()> {
    let kind = tmm::matching::match_type(Some(s.score));
    let date = s.from.date.as_deref().map(short_date).unwrap_or_default();
    let doc = s.from.document.as_deref().unwrap_or(&s.from.origin);
    let who = s
        .from
        .changeid
        .as_deref()
        .map(|w| format!(" by {w}"))
        .unwrap_or_default();
    writeln!(out, "{:>3}%  {kind}  {doc} {date}{who}", s.score)?;
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
    let plain = |t: &str| if colour { t.to_string() } else { escaped(t) };
    for part in &s.diff {
        match (part.op, colour) {
            (DiffOp::Equal, _) => write!(out, "{}", plain(&part.text))?,
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
                write!(out, "{space}{open}{}{close}", escaped(word))?
            }
        }
    }
    writeln!(out)?;
    match &s.adapted {
        Some(a) => {
            write!(out, "  {} ", s.target_lang)?;
            let mut last = 0;
            for &(b, e) in &a.replaced {
                write!(out, "{}", plain(&a.text[last..b]))?;
                if colour {
                    write!(out, "\x1b[1;33m{}\x1b[0m", &a.text[b..e])?;
                } else {
                    write!(out, "{{={}=}}", escaped(&a.text[b..e]))?;
                }
                last = e;
            }
            writeln!(out, "{}", plain(&a.text[last..]))?;
            if !a.missing.is_empty() {
                writeln!(
                    out,
                    "       (numbers not found in the translation, check by hand: {})",
                    a.missing.join(", ")
                )?;
            }
        }
        None => writeln!(out, "  {} {}", s.target_lang, plain(&shown_target(s)))?,
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
