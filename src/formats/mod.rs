//! The file formats tmm reads and writes, each a reader and a writer over the model
//! ([`crate::model`]) that knows nothing of the store: TMX 1.1–1.4b, XLIFF 1.0–2.2, gettext
//! PO, bilingual TSV/CSV and JSON Lines.
//!
//! A reader is a [`UnitSource`]: it is opened on any byte stream ([`Input`]: a file, standard
//! input, an HTTP request body), says what it learnt of the file as a whole
//! ([`SourceInfo`]), and then yields one [`Item`] at a time. The store imports any
//! `UnitSource` the same way, so a new format adds a reader here and nothing in the store.

pub mod delimited;
mod input;
pub mod jsonl;
pub mod po;
pub mod tmx;
pub mod tsv;
pub mod xliff;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::lang::LanguageTag;
use crate::model::{Header, TranslationUnit};
pub use input::{Input, Tap};

/// The longest segment tmm stores, in bytes of text (1 MiB, about 150,000 English words):
/// a unit with a longer one is refused with its line, so that one huge segment cannot make
/// an import or a lookup use gigabytes. Split such text into paragraphs or sentences.
pub const MAX_SEGMENT_BYTES: usize = 1 << 20;

/// What a file holds, as `origin.kind` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Tmx,
    Tsv,
    Csv,
    Jsonl,
    Xliff,
    Po,
}

impl Format {
    /// The format a name stands for (`tmx`, `tsv`, `csv`, `jsonl`, `xliff`, `po`).
    pub fn from_name(name: &str) -> Option<Format> {
        [
            Format::Tmx,
            Format::Tsv,
            Format::Csv,
            Format::Jsonl,
            Format::Xliff,
            Format::Po,
        ]
        .into_iter()
        .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The name stored in `origin.kind` and accepted by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Tmx => "tmx",
            Format::Tsv => "tsv",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Xliff => "xliff",
            Format::Po => "po",
        }
    }
}

/// What a reader learnt about its file as a whole when it was opened.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub format: Format,
    /// The TMX `<header>`, or what the format has in its place (source language, tool,
    /// file-level props and notes).
    pub header: Header,
    /// The format's version as the file writes it (`1.4`, `1.2`, `2.0`).
    pub version: Option<String>,
    /// The encoding the bytes are read in.
    pub encoding: &'static str,
    /// File-level warnings (a declaration the bytes contradict, an unknown version).
    pub warnings: Vec<String>,
}

/// One translation unit as read, with where it stood and what was repaired in it.
#[derive(Debug, Clone)]
pub struct ReadUnit {
    pub unit: TranslationUnit,
    /// The line the unit starts on.
    pub line: u64,
    /// What was read leniently (a converted date, a suspect language tag).
    pub warnings: Vec<String>,
    /// The document the unit belongs to, when the file holds several (JSON Lines): units of
    /// one document share an origin.
    pub document: Option<String>,
}

/// What [`UnitSource::next_item`] yields.
#[derive(Debug, Clone)]
pub enum Item {
    Unit(Box<ReadUnit>),
    /// A unit that breaks a rule of its format (no segment, no language, unbalanced
    /// inline codes): reported and skipped, or fatal under `strict`.
    Invalid {
        line: u64,
        message: String,
    },
    /// Something left out on purpose, counted by kind in the summary (an untranslated
    /// XLIFF segment, a fuzzy PO entry): `kind` is a short stable key.
    Skipped {
        line: u64,
        kind: &'static str,
    },
}

/// A streaming reader of translation units.
pub trait UnitSource: Send {
    /// What the file says about itself.
    fn info(&self) -> &SourceInfo;
    /// The next item, or `None` at the end of a well-formed file.
    ///
    /// # Errors
    /// [`crate::Error::Syntax`] (with line and column) when the file is not well-formed:
    /// nothing read from it should be kept.
    fn next_item(&mut self) -> Result<Option<Item>>;
}

/// A streaming writer of translation units in one format, over the stream `W`.
pub trait UnitSink<W> {
    /// Writes one unit; false when the format cannot hold it (a bilingual file given a unit
    /// without one of its two languages), which is then left out.
    ///
    /// # Errors
    /// I/O errors of the stream; `InvalidData` for what the format cannot represent.
    fn write_unit(&mut self, unit: &TranslationUnit) -> std::io::Result<bool>;
    /// Closes the document and hands back the stream.
    ///
    /// # Errors
    /// I/O errors of the stream.
    fn finish(self) -> std::io::Result<W>;
}

impl<W: std::io::Write> UnitSink<W> for tmx::TmxWriter<W> {
    fn write_unit(&mut self, unit: &TranslationUnit) -> std::io::Result<bool> {
        tmx::TmxWriter::write_unit(self, unit).map(|()| true)
    }
    fn finish(self) -> std::io::Result<W> {
        tmx::TmxWriter::finish(self)
    }
}

impl<W: std::io::Write> UnitSink<W> for xliff::XliffWriter<W> {
    fn write_unit(&mut self, unit: &TranslationUnit) -> std::io::Result<bool> {
        xliff::XliffWriter::write_unit(self, unit)
    }
    fn finish(self) -> std::io::Result<W> {
        xliff::XliffWriter::finish(self)
    }
}

impl<W: std::io::Write> UnitSink<W> for xliff::Xliff2Writer<W> {
    fn write_unit(&mut self, unit: &TranslationUnit) -> std::io::Result<bool> {
        xliff::Xliff2Writer::write_unit(self, unit)
    }
    fn finish(self) -> std::io::Result<W> {
        xliff::Xliff2Writer::finish(self)
    }
}

impl<W: std::io::Write> UnitSink<W> for po::PoWriter<W> {
    fn write_unit(&mut self, unit: &TranslationUnit) -> std::io::Result<bool> {
        po::PoWriter::write_unit(self, unit)
    }
    fn finish(self) -> std::io::Result<W> {
        po::PoWriter::finish(self)
    }
}

/// How to read an input.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The format; `None`: decided from the content (and the name's extension for TSV and
    /// CSV), see [`detect`].
    pub format: Option<Format>,
    /// The language of the first column of a spreadsheet (the source of a bilingual file).
    pub from: Option<LanguageTag>,
    /// The language of the second column of a spreadsheet (the target of a bilingual file).
    pub to: Option<LanguageTag>,
    /// `Some(true)`: a spreadsheet's first row is a header; `Some(false)`: it is data;
    /// `None`: a first row naming the two languages (or `source`/`target`) is a header.
    pub header: Option<bool>,
    /// A spreadsheet's field separator, instead of the format's own (tab, comma).
    pub delimiter: Option<u8>,
    /// XLIFF: the states whose segments are not translations yet and are skipped; `None`:
    /// [`xliff::DEFAULT_SKIP_STATES`].
    pub skip_states: Option<Vec<String>>,
    /// XLIFF 1.2: also read `<alt-trans>` proposals as units.
    pub alt_trans: bool,
    /// PO: also read entries marked `#, fuzzy`.
    pub fuzzy: bool,
}

/// An opened input: its units, the name messages give it, its size when known, and the
/// tap that counts and hashes its bytes as the units are read.
pub struct Source {
    pub units: Box<dyn UnitSource>,
    pub name: PathBuf,
    pub size: Option<u64>,
    pub tap: Tap,
}

/// Bytes looked at to decide an input's format.
const SNIFF: usize = 8192;

/// Decides the format of an input from its first bytes: XML whose root is `<tmx>` or
/// `<xliff>`, gettext PO (`msgid`), JSON Lines (`{`), else by the name's extension, else a
/// spreadsheet, TSV when the first line holds a tab, CSV when it holds a comma. An empty
/// input goes by its extension (TMX when it has none), so its reader says it is empty.
///
/// # Errors
/// [`Error::Format`] for binary data (NUL bytes outside UTF-16) and XML of another kind.
pub fn detect(name: &Path, head: &[u8]) -> Result<Format> {
    let refuse = |message: String| Error::Format {
        path: name.to_path_buf(),
        message,
    };
    let utf16 = head.starts_with(b"\xFF\xFE")
        || head.starts_with(b"\xFE\xFF")
        || head.starts_with(b"<\0")
        || head.starts_with(b"\0<");
    let text: String = if utf16 {
        // Every other byte of ASCII markup in UTF-16.
        let odd = head.first() == Some(&0) || head.starts_with(b"\xFE\xFF");
        head.iter()
            .skip(usize::from(odd))
            .step_by(2)
            .map(|&b| b as char)
            .collect()
    } else {
        if head.contains(&0) {
            return Err(refuse("binary data (NUL bytes), not a text file".into()));
        }
        String::from_utf8_lossy(head).into_owned()
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let ext = name
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let by_extension = match ext.as_deref() {
        Some("tmx") => Some(Format::Tmx),
        Some("xlf" | "xliff" | "sdlxliff" | "mqxliff") => Some(Format::Xliff),
        Some("po" | "pot") => Some(Format::Po),
        Some("csv") => Some(Format::Csv),
        Some("tsv" | "tab") => Some(Format::Tsv),
        Some("jsonl" | "ndjson") => Some(Format::Jsonl),
        _ => None,
    };
    if text.is_empty() {
        // Nothing to go by: the reader of the name's format says the file is empty.
        return Ok(by_extension.unwrap_or(Format::Tmx));
    }
    if text.starts_with('<') {
        let xml = by_extension.filter(|f| matches!(f, Format::Tmx | Format::Xliff));
        return match xml_root(text) {
            Some(root) if root.eq_ignore_ascii_case("tmx") => Ok(Format::Tmx),
            Some(root) if root.eq_ignore_ascii_case("xliff") => Ok(Format::Xliff),
            // A file named as TMX or XLIFF: its reader says precisely what is wrong.
            Some(_) if xml.is_some() => Ok(xml.unwrap_or(Format::Tmx)),
            Some(root) => Err(refuse(format!(
                "not a TMX file: the root element is <{root}>"
            ))),
            // The root lies past the first bytes (a long comment): let the reader say.
            None => Ok(xml.unwrap_or(Format::Tmx)),
        };
    }
    if text.starts_with('{') {
        return Ok(Format::Jsonl);
    }
    let po = text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("msgid ") || l.starts_with("msgid\t")
    });
    if po {
        return Ok(Format::Po);
    }
    Ok(match by_extension {
        Some(f) => f,
        None if text.lines().next().is_some_and(|l| l.contains('\t')) => Format::Tsv,
        None if text.lines().next().is_some_and(|l| l.contains(',')) => Format::Csv,
        None => Format::Tsv,
    })
}

/// The name of the first element of an XML text, past the declaration, comments,
/// processing instructions and the DOCTYPE.
fn xml_root(mut text: &str) -> Option<&str> {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("<?") {
            text = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = text.strip_prefix("<!--") {
            text = &rest[rest.find("-->")? + 3..];
        } else if let Some(rest) = text.strip_prefix("<!") {
            // A DOCTYPE, possibly with an internal subset.
            let end = match (rest.find('['), rest.find('>')) {
                (Some(b), Some(g)) if b < g => rest.find("]>").map(|i| i + 2)?,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            text = &rest[end..];
        } else {
            let rest = text.strip_prefix('<')?;
            let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
            let name = &rest[..end];
            return Some(name.rsplit(':').next().unwrap_or(name));
        }
    }
}

/// Opens an input as units: the format as given or detected, the reader it needs.
///
/// # Errors
/// [`Error::Format`] for an input that is not in a format tmm reads;
/// [`Error::InvalidOption`] for a spreadsheet without its two languages (`from`, `to`);
/// what the format's reader gives for a file it cannot start reading.
pub fn open(input: Input, options: &ReadOptions) -> Result<Source> {
    let name = input.name().to_path_buf();
    let file = input.path().map(Path::to_path_buf);
    let size = input.size();
    let tap = input.tap();
    let (head, reader) = tmx::encoding::peek(&name, input.into_reader(), SNIFF)?;
    let format = match options.format {
        Some(f) => f,
        None => detect(&name, &head)?,
    };
    let units: Box<dyn UnitSource> = match format {
        Format::Tmx => Box::new(tmx::TmxReader::new(&name, file.as_deref(), reader)?),
        Format::Tsv | Format::Csv => {
            let (Some(from), Some(to)) = (options.from.clone(), options.to.clone()) else {
                return Err(Error::option(
                    "from",
                    format!(
                        "{} is a {} spreadsheet: give the languages of its two columns",
                        name.display(),
                        format.name().to_uppercase()
                    ),
                ));
            };
            Box::new(delimited::DelimitedReader::new(
                &name,
                reader,
                format,
                (from, to),
                options.header,
                options.delimiter,
            ))
        }
        Format::Jsonl => Box::new(jsonl::JsonlReader::new(&name, reader)),
        Format::Xliff => {
            let mut o = xliff::XliffOptions {
                source_lang: options.from.clone(),
                target_lang: options.to.clone(),
                alt_trans: options.alt_trans,
                ..Default::default()
            };
            if let Some(states) = &options.skip_states {
                o.skip_states = states.clone();
            }
            Box::new(xliff::XliffReader::new(
                name.clone(),
                Box::new(std::io::BufReader::new(reader)),
                o,
            )?)
        }
        Format::Po => Box::new(po::PoReader::new(
            name.clone(),
            Box::new(std::io::BufReader::new(reader)),
            po::PoOptions {
                source_lang: options.from.clone(),
                target_lang: options.to.clone(),
                fuzzy: options.fuzzy,
            },
        )?),
    };
    Ok(Source {
        units,
        name,
        size,
        tap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(name: &str, head: &[u8]) -> Result<Format> {
        detect(Path::new(name), head)
    }

    #[test]
    fn formats_are_told_by_their_content() {
        let tmx = b"<?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n<!-- x --><tmx version=\"1.4\">";
        assert_eq!(detected("a.txt", tmx).unwrap(), Format::Tmx);
        assert_eq!(
            detected("a.tmx", b"<xliff version=\"1.2\">").unwrap(),
            Format::Xliff
        );
        assert_eq!(detected("x", b"<\0t\0m\0x\0").unwrap(), Format::Tmx);
        assert_eq!(detected("x", b"{\"text\":{}}").unwrap(), Format::Jsonl);
        assert_eq!(
            detected("x", b"# comment\nmsgid \"\"\nmsgstr \"\"\n").unwrap(),
            Format::Po
        );
        assert_eq!(detected("a.csv", b"en\tfr").unwrap(), Format::Csv);
        assert_eq!(detected("a", b"Hello\tBonjour\n").unwrap(), Format::Tsv);
        assert_eq!(detected("a", b"Hello,Bonjour\n").unwrap(), Format::Csv);
    }

    #[test]
    fn binary_data_and_other_xml_are_refused() {
        let err = detected("/dev/zero", &[0u8; 64]).unwrap_err();
        assert!(err.to_string().contains("binary data"), "{err}");
        let err = detected("a.xml", b"<html><body>").unwrap_err();
        assert!(err.to_string().contains("<html>"), "{err}");
    }
}
