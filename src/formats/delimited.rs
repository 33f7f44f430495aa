//! Bilingual spreadsheets as a [`UnitSource`]: TSV with tmm's escaping
//! ([`super::tsv`]) and CSV with RFC 4180 quoting, the first column in one language and the
//! second in another. A first row naming the two languages (or `source`/`target`) is a
//! header unless the caller says otherwise.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Format, Item, ReadUnit, SourceInfo, UnitSource, tsv};
use crate::error::{Error, Result};
use crate::lang::LanguageTag;
use crate::model::{Header, TranslationUnit, Variant};

/// A reader of TSV or CSV rows.
pub struct DelimitedReader {
    name: PathBuf,
    format: Format,
    from: LanguageTag,
    to: LanguageTag,
    header: Option<bool>,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::StringRecord,
    first: bool,
    info: SourceInfo,
}

/// True when a header cell names `lang` (by tag, or by its name in English or in itself)
/// or a source/target column.
fn names_column(cell: &str, lang: &LanguageTag, words: &[&str]) -> bool {
    let cell = cell.trim();
    words.iter().any(|w| cell.eq_ignore_ascii_case(w))
        || language_names(lang.primary())
            .iter()
            .any(|n| cell.to_lowercase() == *n)
        || LanguageTag::parse(cell)
            .is_ok_and(|t| crate::lang::matches(&t, lang) || crate::lang::matches(lang, &t))
}

/// A language's names as spreadsheet headers spell them: in English and in itself,
/// lowercase.
fn language_names(primary: &str) -> &'static [&'static str] {
    match primary {
        "en" => &["english", "anglais", "inglés", "englisch"],
        "fr" => &["french", "français", "francais", "französisch", "francés"],
        "es" => &["spanish", "español", "espagnol", "spanisch"],
        "de" => &["german", "deutsch", "allemand", "alemán"],
        "it" => &["italian", "italiano", "italien"],
        "pt" => &["portuguese", "português", "portugais"],
        "nl" => &["dutch", "nederlands"],
        "ru" => &["russian", "русский", "russe"],
        "zh" => &["chinese", "中文", "汉语", "chinois"],
        "ja" => &["japanese", "日本語", "japonais"],
        "ko" => &["korean", "한국어", "coréen"],
        "ar" => &["arabic", "العربية", "arabe"],
        _ => &[],
    }
}

impl DelimitedReader {
    /// Reads `input` as `format` ([`Format::Tsv`] or [`Format::Csv`]) with the first column
    /// in `from` and the second in `to`; `header` as in [`super::ReadOptions::header`];
    /// `delimiter` overrides the format's (tab or comma).
    pub fn new(
        name: &Path,
        input: Box<dyn Read + Send>,
        format: Format,
        (from, to): (LanguageTag, LanguageTag),
        header: Option<bool>,
        delimiter: Option<u8>,
    ) -> Self {
        let tsv = format == Format::Tsv;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter.unwrap_or(if tsv { b'\t' } else { b',' }))
            .quoting(!tsv)
            .from_reader(input);
        DelimitedReader {
            name: name.to_path_buf(),
            format,
            header,
            info: SourceInfo {
                format,
                header: Header {
                    srclang: Some(from.to_string()),
                    ..Default::default()
                },
                version: None,
                encoding: "UTF-8",
                warnings: Vec::new(),
            },
            from,
            to,
            reader,
            record: csv::StringRecord::new(),
            first: true,
        }
    }

    fn error(&self, e: csv::Error) -> Error {
        let position = e.position().cloned();
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(&self.name, io),
            kind => Error::Syntax {
                path: self.name.clone(),
                line: position.as_ref().map_or(0, |p| p.line()),
                column: 1,
                message: match kind {
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
                    other => format!("{other:?}"),
                },
            },
        }
    }
}

impl UnitSource for DelimitedReader {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_item(&mut self) -> Result<Option<Item>> {
        loop {
            let more = self
                .reader
                .read_record(&mut self.record)
                .map_err(|e| self.error(e))?;
            if !more {
                return Ok(None);
            }
            let record = &self.record;
            let line = record.position().map_or(0, |p| p.line());
            if std::mem::take(&mut self.first) {
                let is_header = self.header.unwrap_or_else(|| {
                    record.len() >= 2
                        && names_column(&record[0], &self.from, &["source", "src"])
                        && names_column(&record[1], &self.to, &["target", "tgt"])
                });
                if is_header {
                    continue;
                }
            }
            if record.len() < 2 {
                if record.len() == 1 && record[0].is_empty() {
                    continue;
                }
                return Ok(Some(Item::Invalid {
                    line,
                    message: format!("row has {} column, expected 2", record.len()),
                }));
            }
            if record[0].is_empty() && record[1].is_empty() {
                continue;
            }
            let mut warnings = Vec::new();
            if record.len() > 2 && record.iter().skip(2).any(|c| !c.is_empty()) {
                // Nothing is dropped silently: say which columns were not imported.
                warnings.push(format!(
                    "row has {} columns; only the first two ({} and {}) are imported",
                    record.len(),
                    self.from,
                    self.to
                ));
            }
            let cell = |i: usize| match self.format {
                Format::Tsv => tsv::unescape(&record[i]).into_owned(),
                _ => record[i].to_string(),
            };
            let unit = TranslationUnit {
                variants: vec![
                    Variant::new(self.from.clone(), cell(0)),
                    Variant::new(self.to.clone(), cell(1)),
                ],
                ..Default::default()
            };
            return Ok(Some(Item::Unit(Box::new(ReadUnit {
                unit,
                line,
                warnings,
                document: None,
            }))));
        }
    }
}
