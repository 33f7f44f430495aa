//! One writer per corpus format behind [`Sink`]: each takes the pairs (or sets) that passed
//! the filters, one at a time, and finishes by handing back its outputs to be flushed.

use std::io::Write;

use super::{CorpusOptions, Format, Out, Selected, date_string, text};
use crate::formats::tmx::TmxWriter;
use crate::formats::xliff::{Xliff2Writer, XliffWriter};
use crate::formats::{UnitSink, jsonl, po::PoWriter, tsv};
use crate::model::{Header, TranslationUnit};
use crate::store::StoredUnit;

/// What a sink is given for one unit.
pub(super) struct Entry<'a, 'u> {
    pub stored: &'a StoredUnit,
    pub selected: &'a Selected<'u>,
    /// The unit's document symbol and origin name.
    pub document: Option<&'a str>,
    pub origin: &'a str,
}

/// A corpus format's writer.
pub(super) trait Sink<'o> {
    fn write(&mut self, entry: &Entry) -> std::io::Result<()>;
    /// Ends the output (closing elements) and hands back the streams to flush.
    fn finish(self: Box<Self>) -> std::io::Result<Vec<Out<'o>>>;
    /// Segments whose line breaks or tabs were turned into spaces.
    fn normalised(&self) -> u64 {
        0
    }
}

/// The sink for `options.format` over `outs` (one per language for Moses, else one).
pub(super) fn create<'o>(
    options: &CorpusOptions,
    mut outs: Vec<Out<'o>>,
    header: Option<&Header>,
) -> std::io::Result<Box<dyn Sink<'o> + 'o>> {
    let langs = &options.langs;
    let one = |outs: &mut Vec<Out<'o>>| outs.pop().expect("one output");
    let first = langs[0].clone();
    Ok(match options.format {
        Format::Tmx => {
            let mut w = TmxWriter::new(one(&mut outs), header.expect("a TMX header"))?;
            w.original_lang_tags = options.original_lang_tags;
            Box::new(Units { writer: w, first })
        }
        Format::Tsv => {
            let mut out = one(&mut outs);
            if options.header {
                let mut names: Vec<String> = langs.iter().map(|l| l.to_string()).collect();
                if options.columns {
                    names.extend(["document", "date", "tuid", "origin"].map(String::from));
                }
                writeln!(out, "{}", names.join("\t"))?;
            }
            Box::new(TsvSink {
                out,
                columns: options.columns,
                line: String::new(),
            })
        }
        Format::Moses => Box::new(MosesSink {
            outs,
            normalised: 0,
        }),
        Format::Jsonl => Box::new(JsonlSink {
            out: one(&mut outs),
            langs: langs.clone(),
            original_lang_tags: options.original_lang_tags,
        }),
        Format::Xliff => Box::new(Units {
            writer: XliffWriter::new(one(&mut outs), &langs[0], &langs[1], "tmm")?,
            first,
        }),
        Format::Xliff2 => Box::new(Units {
            writer: Xliff2Writer::new(one(&mut outs), &langs[0], &langs[1], "tmm")?,
            first,
        }),
        Format::Po => Box::new(Units {
            writer: PoWriter::new(one(&mut outs), &langs[0], &langs[1])?,
            first,
        }),
    })
}

/// The unit with only the selected variants, the corpus's first language as source.
fn selected_unit(entry: &Entry, first: &crate::lang::LanguageTag) -> TranslationUnit {
    let source = &entry.selected.variants[0].lang;
    TranslationUnit {
        srclang: (source != first).then(|| source.to_string()),
        variants: entry
            .selected
            .variants
            .iter()
            .map(|v| (*v).clone())
            .collect(),
        ..entry.stored.unit.clone()
    }
}

/// Units written whole by one of the formats' own writers (TMX, XLIFF, PO).
struct Units<S> {
    writer: S,
    first: crate::lang::LanguageTag,
}

impl<'o, S: UnitSink<Out<'o>>> Sink<'o> for Units<S> {
    fn write(&mut self, entry: &Entry) -> std::io::Result<()> {
        self.writer
            .write_unit(&selected_unit(entry, &self.first))
            .map(drop)
    }
    fn finish(self: Box<Self>) -> std::io::Result<Vec<Out<'o>>> {
        Ok(vec![self.writer.finish()?])
    }
}

struct TsvSink<'o> {
    out: Out<'o>,
    columns: bool,
    line: String,
}

impl<'o> Sink<'o> for TsvSink<'o> {
    fn write(&mut self, entry: &Entry) -> std::io::Result<()> {
        let s = entry.selected;
        let line = &mut self.line;
        line.clear();
        line.push_str(&tsv::escape(&s.texts[0]));
        line.push('\t');
        line.push_str(&tsv::escape(&s.texts[1]));
        if self.columns {
            for field in [
                entry.document.unwrap_or(""),
                &s.date.map(date_string).unwrap_or_default(),
                entry.stored.unit.tuid.as_deref().unwrap_or(""),
                entry.origin,
            ] {
                line.push('\t');
                line.push_str(&tsv::escape(field));
            }
        }
        line.push('\n');
        self.out.write_all(line.as_bytes())
    }
    fn finish(self: Box<Self>) -> std::io::Result<Vec<Out<'o>>> {
        Ok(vec![self.out])
    }
}

struct MosesSink<'o> {
    outs: Vec<Out<'o>>,
    normalised: u64,
}

impl<'o> Sink<'o> for MosesSink<'o> {
    fn write(&mut self, entry: &Entry) -> std::io::Result<()> {
        for (out, t) in self.outs.iter_mut().zip(&entry.selected.texts) {
            let t = match text::one_line(t) {
                Some(clean) => {
                    self.normalised += 1;
                    std::borrow::Cow::Owned(clean)
                }
                None => std::borrow::Cow::Borrowed(t.as_str()),
            };
            out.write_all(t.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
    fn finish(self: Box<Self>) -> std::io::Result<Vec<Out<'o>>> {
        Ok(self.outs)
    }
    fn normalised(&self) -> u64 {
        self.normalised
    }
}

struct JsonlSink<'o> {
    out: Out<'o>,
    langs: Vec<crate::lang::LanguageTag>,
    original_lang_tags: bool,
}

impl<'o> Sink<'o> for JsonlSink<'o> {
    fn write(&mut self, entry: &Entry) -> std::io::Result<()> {
        let unit = &entry.stored.unit;
        let s = entry.selected;
        let record = jsonl::Record {
            tuid: unit.tuid.clone(),
            // Keyed by the languages asked for, so every line has the same keys; the stored
            // tags are beside them.
            text: jsonl::Texts(
                self.langs
                    .iter()
                    .zip(&s.texts)
                    .map(|(l, t)| (l.to_string(), t.clone()))
                    .collect(),
            ),
            lang: jsonl::Texts(
                self.langs
                    .iter()
                    .zip(&s.variants)
                    .map(|(l, v)| (l.to_string(), jsonl_tag(v, self.original_lang_tags)))
                    .collect(),
            ),
            document: entry.document.map(String::from),
            creationdate: unit.attributes.creationdate.clone(),
            changedate: unit.attributes.changedate.clone(),
            props: unit
                .props
                .iter()
                .map(|p| jsonl::RecordProp {
                    kind: p.kind.clone(),
                    lang: p.lang.clone(),
                    value: p.value.clone(),
                })
                .collect(),
        };
        serde_json::to_writer(&mut self.out, &record).map_err(std::io::Error::other)?;
        self.out.write_all(b"\n")
    }
    fn finish(self: Box<Self>) -> std::io::Result<Vec<Out<'o>>> {
        Ok(vec![self.out])
    }
}

/// The tag a JSON Lines record names a variant's language by: as stored, or as the file
/// spelled it under `original_lang_tags`.
fn jsonl_tag(v: &crate::model::Variant, original: bool) -> String {
    match (&v.lang_original, original) {
        (Some(o), true) => o.clone(),
        _ => v.lang.to_string(),
    }
}
