//! # tmm — a multilingual translation-memory manager
//!
//! tmm keeps translation units — a paragraph or sentence with its translations in any number
//! of languages — in one SQLite database, and moves them in and out as TMX without losing
//! anything.
//!
//! The data flow: [`tmx::TmxReader`] streams units out of a TMX file (any version 1.1–1.4b,
//! UTF-8, UTF-16 or 8-bit), [`store::Store::import_tmx`] stores them in one transaction per
//! file, and [`store::Store::export_tmx`] writes them back as TMX 1.4b through
//! [`tmx::TmxWriter`]. [`corpus::export`] writes any language pair (or set) as a parallel
//! corpus for machine translation (Moses, TSV, JSON Lines, TMX), filtered and split, and
//! [`store::Store::import_delimited`] reads bilingual TSV/CSV back.
//!
//! ```
//! use tmm::store::{ExportFilter, ImportOptions, Store};
//! # fn main() -> tmm::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let tmx = dir.path().join("a.tmx");
//! std::fs::write(&tmx, r#"<tmx version="1.4"><header creationtool="x" creationtoolversion="1"
//!   segtype="sentence" o-tmf="x" adminlang="en" srclang="en" datatype="plaintext"/>
//!   <body><tu><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="fr-fr"><seg>Bonjour</seg></tuv></tu></body></tmx>"#).unwrap();
//! let store = Store::open_temporary()?;
//! let summary = store.import_tmx(&tmx, &ImportOptions::default(), &mut ())?;
//! assert_eq!(summary.added, 1);
//! let mut out = Vec::new();
//! let written = store.export_tmx(&ExportFilter::default(), &mut out, "out.tmx".as_ref(), false)?;
//! assert_eq!(written.units, 1);
//! assert!(String::from_utf8(out).unwrap().contains(r#"<tuv xml:lang="fr-FR">"#));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod align;
pub mod clean;
pub mod corpus;
pub mod error;
pub mod formats;
pub mod lang;
pub mod matching;
pub mod model;
pub mod output;
pub mod pretranslate;
#[cfg(feature = "cli")]
pub mod server;
pub mod store;
pub mod text;

pub use error::{Error, Result};
