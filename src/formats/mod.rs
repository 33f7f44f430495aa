//! The file formats tmm reads and writes, each a reader and a writer over the model
//! ([`crate::model`]) that knows nothing of the store: TMX 1.1–1.4b, bilingual TSV/CSV and
//! JSON Lines.
//!
//! A reader is a [`UnitSource`]: it is opened on any byte stream ([`Input`]: a file, standard
//! input, an HTTP request body), says what it learnt of the file as a whole
//! ([`SourceInfo`]), and then yields one [`Item`] at a time. The store imports any
//! `UnitSource` the same way, so a new format adds a reader here and nothing in the store.

pub mod jsonl;
pub mod po;
pub mod tmx;
pub mod tsv;
pub mod xliff;

use crate::error::Result;
use crate::model::{Header, TranslationUnit};

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
