//! Importing parallel text that is not TMX: spreadsheets of source and target columns (TSV
//! with tmm's escaping, CSV with RFC 4180 quoting) and the JSON Lines that
//! `tmm export --format jsonl` writes. Each file is one transaction, with the same duplicate
//! policy as TMX.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rusqlite::params;

use super::Store;
use super::import::{Added, NewOrigin, UnitWriter, insert_origin};
use crate::error::{Error, Result};
use crate::formats::jsonl::Record;
use crate::formats::tsv;
use crate::lang::LanguageTag;
use crate::model::{Attributes, Header, Prop, TranslationUnit, Variant};
use crate::store::{ImportObserver, ImportOptions, ImportSummary, Warning, lang_matches};

/// The layout of a bilingual spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimited {
    /// Tab-separated, no quoting, `\\ \t \n \r` escaped (see [`crate::formats::tsv`]).
    Tsv,
    /// Comma-separated, fields quoted with `"` as spreadsheets write them.
    Csv,
}

/// What a bilingual spreadsheet holds.
#[derive(Debug, Clone)]
pub struct DelimitedOptions {
    pub layout: Delimited,
    /// The language of the first column.
    pub from: LanguageTag,
    /// The language of the second column.
    pub to: LanguageTag,
    /// `Some(true)`: the first row is a header; `Some(false)`: it is data; `None`: a first
    /// row naming the two languages (or `source`/`target`) is a header.
    pub header: Option<bool>,
}

/// True when a header cell names `lang` or a source/target column.
fn names_column(cell: &str, lang: &LanguageTag, words: &[&str]) -> bool {
    let cell = cell.trim();
    words.iter().any(|w| cell.eq_ignore_ascii_case(w))
        || LanguageTag::parse(cell).is_ok_and(|t| lang_matches(&t, lang) || lang_matches(lang, &t))
}

/// File name, content hash and size for the origin row.
fn origin_identity(path: &Path) -> Result<(String, String, i64, i64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes) as i64;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok((path.display().to_string(), name, hash, bytes.len() as i64))
}

impl Store {
    /// Imports a bilingual TSV or CSV file in one transaction: the first column in `from`,
    /// the second in `to`; further columns are ignored. Rows with both cells empty are
    /// skipped; rows with one column are skipped with a warning.
    ///
    /// # Errors
    /// [`Error::Io`]; [`Error::Format`] for a file that is not UTF-8 or not readable as
    /// CSV; [`Error::InvalidUnit`] for a short row under `strict`; [`Error::Database`].
    pub fn import_delimited(
        &mut self,
        path: &Path,
        layout: &DelimitedOptions,
        options: &ImportOptions,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportSummary> {
        let (file, name, hash, size) = origin_identity(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(match layout.layout {
                Delimited::Tsv => b'\t',
                Delimited::Csv => b',',
            })
            .quoting(layout.layout == Delimited::Csv)
            .from_path(path)
            .map_err(|e| csv_error(path, e))?;
        let mut summary = ImportSummary {
            files: 1,
            ..Default::default()
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let header = Header {
            srclang: Some(layout.from.to_string()),
            ..Default::default()
        };
        let origin_id = existing_origin(&tx, hash, size)?.map_or_else(
            || {
                insert_origin(
                    &tx,
                    &NewOrigin {
                        kind: "tsv",
                        path: Some(&file),
                        name: &name,
                        content_hash: Some(hash),
                        size: Some(size),
                        encoding: Some("UTF-8"),
                        tmx_version: None,
                        document: None,
                        title: None,
                        document_date: None,
                        header: &header,
                    },
                )
            },
            Ok,
        )?;
        let mut writer = UnitWriter::new(&tx, origin_id, options.on_duplicate)?;
        let mut record = csv::StringRecord::new();
        let mut first = true;
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error(path, e))?
        {
            let line = record.position().map(|p| p.line());
            if std::mem::take(&mut first) {
                let is_header = layout.header.unwrap_or_else(|| {
                    record.len() >= 2
                        && names_column(&record[0], &layout.from, &["source", "src"])
                        && names_column(&record[1], &layout.to, &["target", "tgt"])
                });
                if is_header {
                    continue;
                }
            }
            summary.units_read += 1;
            if record.len() < 2 {
                if record.len() == 1 && record[0].is_empty() {
                    summary.units_read -= 1;
                    continue;
                }
                let message = format!("row has {} column, expected 2", record.len());
                if options.strict {
                    return Err(Error::InvalidUnit {
                        path: path.to_path_buf(),
                        line: line.unwrap_or(0),
                        message,
                    });
                }
                summary.invalid += 1;
                let w = Warning {
                    file: file.clone(),
                    line,
                    message: format!("row skipped: {message}"),
                };
                observer.warning(&w);
                summary.warnings.push(w);
                continue;
            }
            if record[0].is_empty() && record[1].is_empty() {
                summary.units_read -= 1;
                continue;
            }
            if record.len() > 2 && record.iter().skip(2).any(|c| !c.is_empty()) {
                // Nothing is dropped silently: say which columns were not imported.
                let w = Warning {
                    file: file.clone(),
                    line,
                    message: format!(
                        "row has {} columns; only the first two ({} and {}) are imported",
                        record.len(),
                        layout.from,
                        layout.to
                    ),
                };
                observer.warning(&w);
                summary.warnings.push(w);
            }
            let cell = |i: usize| match layout.layout {
                Delimited::Tsv => tsv::unescape(&record[i]).into_owned(),
                Delimited::Csv => record[i].to_string(),
            };
            let unit = TranslationUnit {
                variants: vec![
                    Variant::new(layout.from.clone(), cell(0)),
                    Variant::new(layout.to.clone(), cell(1)),
                ],
                ..Default::default()
            };
            count(
                &mut summary,
                writer.add(&unit, line, Some(layout.from.as_str()))?,
            );
            if summary.units_read % 512 == 0 {
                let bytes = record.position().map_or(0, |p| p.byte());
                observer.progress(bytes, size as u64, summary.units_read);
            }
        }
        summary.languages.insert(layout.from.to_string());
        summary.languages.insert(layout.to.to_string());
        observer.progress(size as u64, size as u64, summary.units_read);
        writer.finish()?;
        tx.commit()?;
        self.index_catch_up()?;
        Ok(summary)
    }

    /// Imports what `tmm export --format jsonl` writes, in one transaction: one unit per
    /// line, the first language of `text` as its source. Units of one document share an
    /// origin, so the document survives the round trip.
    ///
    /// # Errors
    /// [`Error::Io`]; [`Error::Syntax`] for a line that is not a record (every line under
    /// `strict`, else such lines are skipped with a warning); [`Error::Database`].
    pub fn import_jsonl(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportSummary> {
        let (file, name, hash, size) = origin_identity(path)?;
        let input = BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?);
        let mut summary = ImportSummary {
            files: 1,
            ..Default::default()
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // One origin per document; re-importing the same file adds to its origins.
        let mut origins: HashMap<Option<String>, i64> = HashMap::new();
        {
            let mut stmt = tx
                .prepare("SELECT document, id FROM origin WHERE content_hash = ?1 AND size = ?2")?;
            for row in stmt.query_map(params![hash, size], |r| Ok((r.get(0)?, r.get(1)?)))? {
                let (doc, id) = row?;
                origins.insert(doc, id);
            }
        }
        let mut writers: HashMap<i64, UnitWriter> = HashMap::new();
        let mut bytes = 0u64;
        for (i, text) in input.lines().enumerate() {
            let line = i as u64 + 1;
            let text = text.map_err(|e| Error::io(path, e))?;
            bytes += text.len() as u64 + 1;
            if text.trim().is_empty() {
                continue;
            }
            summary.units_read += 1;
            let parsed: std::result::Result<Record, String> =
                serde_json::from_str(&text).map_err(|e| e.to_string());
            let unit = parsed.and_then(|r| record_unit(&r).map(|u| (r.document, u)));
            let (document, unit) = match unit {
                Ok(u) => u,
                Err(message) => {
                    if options.strict {
                        return Err(Error::Syntax {
                            path: path.to_path_buf(),
                            line,
                            column: 1,
                            message,
                        });
                    }
                    summary.invalid += 1;
                    let w = Warning {
                        file: file.clone(),
                        line: Some(line),
                        message: format!("line skipped: {message}"),
                    };
                    observer.warning(&w);
                    summary.warnings.push(w);
                    continue;
                }
            };
            let origin_id = match origins.get(&document) {
                Some(&id) => id,
                None => {
                    let id = insert_origin(
                        &tx,
                        &NewOrigin {
                            kind: "tsv",
                            path: Some(&file),
                            name: &name,
                            content_hash: Some(hash),
                            size: Some(size),
                            encoding: Some("UTF-8"),
                            tmx_version: None,
                            document: document.as_deref(),
                            title: None,
                            document_date: None,
                            header: &Header::default(),
                        },
                    )?;
                    origins.insert(document, id);
                    id
                }
            };
            let writer = match writers.entry(origin_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(UnitWriter::new(&tx, origin_id, options.on_duplicate)?)
                }
            };
            for v in &unit.variants {
                summary.languages.insert(v.lang.to_string());
            }
            count(&mut summary, writer.add(&unit, Some(line), None)?);
            if summary.units_read % 512 == 0 {
                observer.progress(bytes, size as u64, summary.units_read);
            }
        }
        observer.progress(size as u64, size as u64, summary.units_read);
        for (_, writer) in writers {
            writer.finish()?;
        }
        tx.commit()?;
        self.index_catch_up()?;
        Ok(summary)
    }
}

fn count(summary: &mut ImportSummary, added: Added) {
    match added {
        Added::New => summary.added += 1,
        Added::Alternative => summary.alternatives_added += 1,
        Added::Updated => summary.updated += 1,
        Added::Duplicate => summary.duplicates_skipped += 1,
    }
}

fn existing_origin(tx: &rusqlite::Transaction, hash: i64, size: i64) -> Result<Option<i64>> {
    Ok(tx
        .query_row(
            "SELECT id FROM origin WHERE content_hash = ?1 AND size = ?2 LIMIT 1",
            params![hash, size],
            |r| r.get(0),
        )
        .ok())
}

/// The unit a JSON Lines record describes.
fn record_unit(r: &Record) -> std::result::Result<TranslationUnit, String> {
    if r.text.0.len() < 2 {
        return Err("a record needs texts in at least two languages".into());
    }
    let variants = r
        .text
        .0
        .iter()
        .map(|(lang, text)| {
            LanguageTag::parse(lang)
                .map(|tag| Variant::new(tag, text.clone()))
                .map_err(|e| e.to_string())
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(TranslationUnit {
        tuid: r.tuid.clone(),
        srclang: Some(variants[0].lang.to_string()),
        attributes: Attributes {
            creationdate: r.creationdate.clone(),
            changedate: r.changedate.clone(),
            ..Default::default()
        },
        props: r
            .props
            .iter()
            .map(|p| Prop {
                kind: p.kind.clone(),
                lang: p.lang.clone(),
                o_encoding: None,
                value: p.value.clone(),
            })
            .collect(),
        notes: Vec::new(),
        variants,
    })
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let position = e.position().cloned();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        kind => Error::Syntax {
            path: path.to_path_buf(),
            line: position.as_ref().map_or(0, |p| p.line()),
            column: 1,
            message: match kind {
                csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
                other => format!("{other:?}"),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{self, CorpusOptions, Format, Output};

    fn tag(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    #[test]
    fn tsv_with_escapes_round_trips_exactly() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.tsv");
        let data = "en\tfr\nTab\\there\tTab\\tici\nLine\\nbreak \\\\ slash\tSaut\\nde ligne\n\"Quoted\"\t« cité »\n";
        std::fs::write(&input, data).unwrap();
        let mut store = Store::open_in_memory()?;
        let options = DelimitedOptions {
            layout: Delimited::Tsv,
            from: tag("en"),
            to: tag("fr"),
            header: None,
        };
        let s = store.import_delimited(&input, &options, &ImportOptions::default(), &mut ())?;
        assert_eq!((s.units_read, s.added), (3, 3));
        let out = dir.path().join("out.tsv");
        corpus::export(
            &store,
            &CorpusOptions {
                format: Format::Tsv,
                langs: vec![tag("en"), tag("fr")],
                header: true,
                ..Default::default()
            },
            Output::Path(&out),
            &mut (),
        )?;
        assert_eq!(std::fs::read_to_string(&out).unwrap(), data);
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(48))]
        /// Any text, tabs, line breaks and backslashes included, survives TSV → store → TSV.
        #[test]
        fn any_tsv_round_trips_through_the_store(
            rows in proptest::collection::vec(("[a-z\\\\\t\n\r é中]{0,12}x", "[A-Z\\\\\t\n\r ü文]{0,12}Y"), 1..8)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let input = dir.path().join("in.tsv");
            let data: String = rows
                .iter()
                .map(|(a, b)| format!("{}\t{}\n", tsv::escape(a), tsv::escape(b)))
                .collect();
            std::fs::write(&input, &data).unwrap();
            let mut store = Store::open_in_memory()?;
            let options = DelimitedOptions {
                layout: Delimited::Tsv,
                from: tag("en"),
                to: tag("fr"),
                header: Some(false),
            };
            store.import_delimited(&input, &options, &ImportOptions::default(), &mut ())?;
            let mut out = Vec::new();
            corpus::export(
                &store,
                &CorpusOptions {
                    format: Format::Tsv,
                    langs: vec![tag("en"), tag("fr")],
                    ..Default::default()
                },
                Output::Writer(Box::new(&mut out)),
                &mut (),
            )?;
            // Identical rows are one unit in the store.
            let mut seen = std::collections::HashSet::new();
            let expected: String = data.lines().filter(|l| seen.insert(*l)).map(|l| format!("{l}\n")).collect();
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn csv_quoted_fields_and_no_header() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "en,fr\n\"a, b\",\"x \"\"y\"\"\nz\"\n").unwrap();
        let mut store = Store::open_in_memory()?;
        let options = DelimitedOptions {
            layout: Delimited::Csv,
            from: tag("en"),
            to: tag("fr"),
            header: Some(false),
        };
        let s = store.import_delimited(&input, &options, &ImportOptions::default(), &mut ())?;
        // `en,fr` is data under --no-header.
        assert_eq!(s.added, 2);
        let texts: Vec<String> = store
            .connection()
            .prepare("SELECT text FROM variant WHERE lang = 'fr' ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        assert_eq!(texts, ["fr", "x \"y\"\nz"]);
        Ok(())
    }

    #[test]
    fn a_short_row_is_skipped_with_a_warning() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.tsv");
        std::fs::write(&input, "one\ttwo\nalone\n").unwrap();
        let mut store = Store::open_in_memory()?;
        let options = DelimitedOptions {
            layout: Delimited::Tsv,
            from: tag("en"),
            to: tag("de"),
            header: None,
        };
        let s = store.import_delimited(&input, &options, &ImportOptions::default(), &mut ())?;
        assert_eq!((s.added, s.invalid), (1, 1));
        assert_eq!(s.warnings[0].line, Some(2));
        Ok(())
    }
}
