//! `tmm pretranslate`: a draft translation of a new release from its best matches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use tmm::matching::{Matcher, Query, match_type};
use tmm::model::{Attributes, Header, Prop, TranslationUnit, Variant};
use tmm::store::Store;

use super::suggest::{MatchArgs, read_segments};

/// Fill each segment of a new document with its best match at or above --min (numbers
/// updated), keeping the score and match type (TMX props `x-match-score`, `x-match-type`,
/// `x-match-origin`); segments without a match carry the source only.
///
/// Example: `tmm pretranslate --from en --to fr tests/fixtures/release-2013/en.txt -o draft.tmx`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: MatchArgs,
    /// The new document: plain text (UTF-8 or UTF-16), cut into segments as --unit says
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write the draft ("-": standard output)
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// tmx, or tsv (source, target, score, type)
    #[arg(long, value_enum, default_value_t = Format::Tmx)]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Tmx,
    Tsv,
}

fn prop(kind: &str, value: impl Into<String>) -> Prop {
    Prop {
        kind: kind.into(),
        lang: None,
        o_encoding: None,
        value: value.into(),
    }
}

fn tsv_field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let matcher = Matcher::new(store.connection());
    let segments = read_segments(&args.file, &args.common.from, args.common.unit)?;
    let options = args.common.options(1);
    let out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&args.output)
                .with_context(|| format!("creating {}", args.output.display()))?,
        ))
    };
    let header = Header {
        srclang: Some(options.from.to_string()),
        adminlang: Some("en".into()),
        attributes: Attributes {
            creationtool: Some("tmm".into()),
            creationtoolversion: Some(env!("CARGO_PKG_VERSION").into()),
            datatype: Some("plaintext".into()),
            segtype: Some("paragraph".into()),
            o_tmf: Some("tmm".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut out = Some(out);
    let mut tmx = match args.format {
        Format::Tmx => out
            .take()
            .map(|o| tmm::formats::tmx::TmxWriter::new(o, &header))
            .transpose()?,
        Format::Tsv => None,
    };
    let mut tsv = out;
    if let Some(o) = tsv.as_mut() {
        writeln!(o, "source\ttarget\tscore\ttype")?;
    }
    let (mut filled, mut empty) = (0, 0);
    for (i, text) in segments.iter().enumerate() {
        let query = Query {
            text,
            previous: i.checked_sub(1).map(|p| segments[p].as_str()),
            position: Some(i),
        };
        let best = match matcher.suggest(&query, &options) {
            Ok(m) => m.suggestions.into_iter().next(),
            Err(tmm::Error::Invalid(msg)) if !msg.contains("holds no segments") => {
                eprintln!("tmm: segment {}: {msg}", i + 1);
                None
            }
            Err(e) => return Err(e.into()),
        };
        let score = best.as_ref().map(|b| b.score);
        if best.is_some() {
            filled += 1;
        } else {
            empty += 1;
        }
        let target = best.as_ref().map(|b| {
            b.adapted
                .as_ref()
                .map_or(b.target.clone(), |a| a.text.clone())
        });
        if let Some(o) = tsv.as_mut() {
            writeln!(
                o,
                "{}\t{}\t{}\t{}",
                tsv_field(text),
                tsv_field(target.as_deref().unwrap_or("")),
                score.map(|s| s.to_string()).unwrap_or_default(),
                match_type(score)
            )?;
        }
        if let Some(w) = tmx.as_mut() {
            let mut unit = TranslationUnit {
                srclang: Some(options.from.to_string()),
                props: vec![prop("x-match-type", match_type(score))],
                variants: vec![Variant::new(options.from.clone(), text.as_str())],
                ..Default::default()
            };
            if let (Some(b), Some(t)) = (&best, target) {
                unit.props.push(prop("x-match-score", b.score.to_string()));
                let doc = b.from.document.as_deref().unwrap_or(&b.from.origin);
                unit.props.push(prop("x-match-origin", doc));
                unit.variants.push(Variant::new(options.to.clone(), t));
            }
            w.write_unit(&unit)?;
        }
    }
    if let Some(w) = tmx {
        w.finish()?.flush()?;
    }
    if let Some(mut o) = tsv {
        o.flush()?;
    }
    eprintln!(
        "{} segments: {filled} filled from the memory, {empty} left to translate",
        segments.len()
    );
    Ok(ExitCode::SUCCESS)
}
