//! Importing TMX into the store: streaming, one transaction per file, duplicates decided by
//! hashes of the source segment and of the whole unit.

use std::collections::BTreeSet;
use std::hash::Hasher;
use std::io::Read;
use std::path::Path;

use rusqlite::{Transaction, params};
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::Store;
use crate::error::{Error, Result};
use crate::model::{Attributes, Header, Note, Prop, TranslationUnit};
use crate::tmx::{Item, TmxReader, now_date};

/// What an incoming unit does when a stored unit has the same source segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicatePolicy {
    /// Skip it: the stored translation stands.
    Skip,
    /// Replace the newest stored unit with that source by the incoming one.
    Update,
    /// Add it beside the stored one as an alternative translation (identical units are
    /// still skipped).
    #[default]
    Keep,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub on_duplicate: DuplicatePolicy,
    /// Refuse the whole file on the first invalid unit.
    pub strict: bool,
}

/// A problem found while importing: the file, and where possible the line.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Receives progress and warnings during an import; the command-line program draws a
/// progress bar, a library user may ignore both.
pub trait ImportObserver {
    /// Called every few hundred units: bytes read of `total`, units read so far.
    fn progress(&mut self, _bytes: u64, _total: u64, _units: u64) {}
    /// Called for each warning as it is found.
    fn warning(&mut self, _warning: &Warning) {}
}

impl ImportObserver for () {}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub files: u64,
    pub units_read: u64,
    pub added: u64,
    /// Units identical to a stored one (or with a stored source, under `skip`).
    pub duplicates_skipped: u64,
    /// Units with a stored source but a new translation, added beside it (`keep`).
    pub alternatives_added: u64,
    /// Stored units replaced (`update`).
    pub updated: u64,
    /// Units refused as invalid.
    pub invalid: u64,
    pub languages: BTreeSet<String>,
    pub warnings: Vec<Warning>,
}

impl ImportSummary {
    /// Adds another file's summary to this one.
    pub fn merge(&mut self, other: ImportSummary) {
        self.files += other.files;
        self.units_read += other.units_read;
        self.added += other.added;
        self.duplicates_skipped += other.duplicates_skipped;
        self.alternatives_added += other.alternatives_added;
        self.updated += other.updated;
        self.invalid += other.invalid;
        self.languages.extend(other.languages);
        self.warnings.extend(other.warnings);
    }
}

/// The origin row of a new import.
pub(crate) struct NewOrigin<'a> {
    pub kind: &'a str,
    pub path: Option<&'a str>,
    pub name: &'a str,
    pub content_hash: Option<i64>,
    pub size: Option<i64>,
    pub encoding: Option<&'a str>,
    pub tmx_version: Option<&'a str>,
    pub document: Option<&'a str>,
    pub title: Option<&'a str>,
    pub document_date: Option<&'a str>,
    pub header: &'a Header,
}

/// What [`UnitWriter::add`] did with a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    New,
    Alternative,
    Updated,
    Duplicate,
}

impl Store {
    /// Imports one TMX file in one transaction: either all its valid units are stored or,
    /// on any error, nothing of it.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Format`] or [`Error::Syntax`] for a file that cannot be read
    /// as TMX; [`Error::InvalidUnit`] for an invalid unit under `strict`; [`Error::Database`].
    pub fn import_tmx(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportSummary> {
        let file = path.display().to_string();
        let (hash, size) = file_hash(path)?;
        let mut reader = TmxReader::open(path)?;
        let mut summary = ImportSummary {
            files: 1,
            ..Default::default()
        };
        let warn = |observer: &mut dyn ImportObserver,
                    summary: &mut ImportSummary,
                    line: Option<u64>,
                    message: String| {
            let w = Warning {
                file: file.clone(),
                line,
                message,
            };
            observer.warning(&w);
            summary.warnings.push(w);
        };
        for message in reader.warnings.clone() {
            warn(observer, &mut summary, None, message);
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM origin WHERE content_hash = ?1 AND size = ?2 LIMIT 1",
                params![hash, size],
                |r| r.get(0),
            )
            .ok();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone());
        let origin_id = match existing {
            Some(id) => id,
            None => insert_origin(
                &tx,
                &NewOrigin {
                    kind: "tmx",
                    path: Some(&file),
                    name: &name,
                    content_hash: Some(hash),
                    size: Some(size),
                    encoding: Some(reader.encoding),
                    tmx_version: reader.version.as_deref(),
                    document: None,
                    title: None,
                    document_date: None,
                    header: &reader.header,
                },
            )?,
        };
        let default_srclang = reader.header.srclang.clone();
        let mut writer = UnitWriter::new(&tx, origin_id, options.on_duplicate)?;
        while let Some(item) = reader.next_item()? {
            summary.units_read += 1;
            match item {
                Item::Invalid { line, message } => {
                    if options.strict {
                        return Err(Error::InvalidUnit {
                            path: path.to_path_buf(),
                            line,
                            message,
                        });
                    }
                    summary.invalid += 1;
                    warn(
                        observer,
                        &mut summary,
                        Some(line),
                        format!("unit skipped: {message}"),
                    );
                }
                Item::Unit(read) => {
                    for w in read.warnings {
                        warn(observer, &mut summary, Some(read.line), w);
                    }
                    let src = read.unit.srclang.as_deref().or(default_srclang.as_deref());
                    if src != Some("*all*") {
                        let has_source = src
                            .and_then(|s| crate::lang::LanguageTag::parse(s).ok())
                            .is_some_and(|tag| read.unit.variant(&tag).is_some());
                        if !has_source {
                            warn(
                                observer,
                                &mut summary,
                                Some(read.line),
                                format!(
                                    "unit has no variant in its source language \"{}\"; its first variant is used as source",
                                    src.unwrap_or("")
                                ),
                            );
                        }
                    }
                    for v in &read.unit.variants {
                        summary.languages.insert(v.lang.to_string());
                    }
                    match writer.add(&read.unit, Some(read.line), default_srclang.as_deref())? {
                        Added::New => summary.added += 1,
                        Added::Alternative => summary.alternatives_added += 1,
                        Added::Updated => summary.updated += 1,
                        Added::Duplicate => summary.duplicates_skipped += 1,
                    }
                }
            }
            if summary.units_read % 512 == 0 {
                observer.progress(reader.bytes_read(), size as u64, summary.units_read);
            }
        }
        observer.progress(size as u64, size as u64, summary.units_read);
        writer.finish()?;
        tx.commit()?;
        Ok(summary)
    }
}

/// xxh3 of a file's bytes, and its size.
fn file_hash(path: &Path) -> Result<(i64, i64)> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Xxh3::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0i64;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as i64;
        hasher.update(&buf[..n]);
    }
    Ok((hasher.digest() as i64, size))
}

/// Inserts an origin row with its header props and notes; returns its id.
pub(crate) fn insert_origin(tx: &Transaction, o: &NewOrigin) -> Result<i64> {
    let h = o.header;
    let a = &h.attributes;
    tx.execute(
        "INSERT INTO origin (kind, path, name, content_hash, size, imported_at, encoding,
            tmx_version, document, title, document_date, srclang, adminlang, datatype, segtype,
            o_tmf, o_encoding, usagecount, lastusagedate, creationtool, creationtoolversion,
            creationdate, creationid, changedate, changeid, extra, udes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
        params![
            o.kind,
            o.path,
            o.name,
            o.content_hash,
            o.size,
            now_date(),
            o.encoding,
            o.tmx_version,
            o.document,
            o.title,
            o.document_date,
            h.srclang,
            h.adminlang,
            a.datatype,
            a.segtype,
            a.o_tmf,
            a.o_encoding,
            a.usagecount,
            a.lastusagedate,
            a.creationtool,
            a.creationtoolversion,
            a.creationdate,
            a.creationid,
            a.changedate,
            a.changeid,
            extra_json(a),
            h.udes,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut prop = tx.prepare_cached(
        "INSERT INTO origin_prop (origin_id, ord, type, lang, o_encoding, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, p) in h.props.iter().enumerate() {
        prop.execute(params![id, i as i64, p.kind, p.lang, p.o_encoding, p.value])?;
    }
    let mut note = tx.prepare_cached(
        "INSERT INTO origin_note (origin_id, ord, lang, o_encoding, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, n) in h.notes.iter().enumerate() {
        note.execute(params![id, i as i64, n.lang, n.o_encoding, n.text])?;
    }
    Ok(id)
}

pub(crate) fn extra_json(a: &Attributes) -> Option<String> {
    (!a.extra.is_empty()).then(|| serde_json::to_string(&a.extra).unwrap_or_default())
}

/// Adds units to the store inside a transaction, deciding duplicates.
pub(crate) struct UnitWriter<'t> {
    tx: &'t Transaction<'t>,
    origin_id: i64,
    policy: DuplicatePolicy,
    position: i64,
    index: crate::matching::index::IndexWriter,
}

impl<'t> UnitWriter<'t> {
    pub(crate) fn new(
        tx: &'t Transaction<'t>,
        origin_id: i64,
        policy: DuplicatePolicy,
    ) -> Result<Self> {
        let position = tx.query_row(
            "SELECT coalesce(max(position) + 1, 0) FROM unit WHERE origin_id = ?1",
            [origin_id],
            |r| r.get(0),
        )?;
        Ok(UnitWriter {
            tx,
            origin_id,
            policy,
            position,
            index: crate::matching::index::IndexWriter::new(tx)?,
        })
    }

    /// Completes what the writer keeps beside the units (the match index of a bulk import);
    /// call before committing the transaction.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.index.finish(self.tx)
    }

    /// Stores one unit unless the policy says it is a duplicate.
    pub(crate) fn add(
        &mut self,
        unit: &TranslationUnit,
        line: Option<u64>,
        default_srclang: Option<&str>,
    ) -> Result<Added> {
        self.add_aligned(unit, line, default_srclang, None)
    }

    /// As [`add`](Self::add), recording an alignment bead and confidence.
    pub(crate) fn add_aligned(
        &mut self,
        unit: &TranslationUnit,
        line: Option<u64>,
        default_srclang: Option<&str>,
        bead: Option<(&str, f64)>,
    ) -> Result<Added> {
        let Some(source) = unit.source_variant(default_srclang) else {
            return Ok(Added::Duplicate);
        };
        let source_hash = {
            let mut h = Xxh3::new();
            h.update(source.lang.as_str().as_bytes());
            h.update(&[0]);
            h.update(source.segment.to_xml().as_bytes());
            h.digest() as i64
        };
        let content_hash = content_hash(unit);
        let candidates: Vec<(i64, i64)> = {
            let mut stmt = self.tx.prepare_cached(
                "SELECT id, content_hash FROM unit WHERE source_hash = ?1 ORDER BY id DESC",
            )?;
            stmt.query_map([source_hash], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        if candidates.iter().any(|&(_, c)| c == content_hash) {
            return Ok(Added::Duplicate);
        }
        let (replace, outcome) = match (candidates.first(), self.policy) {
            (None, _) => (None, Added::New),
            (Some(_), DuplicatePolicy::Skip) => return Ok(Added::Duplicate),
            (Some(&(id, _)), DuplicatePolicy::Update) => (Some(id), Added::Updated),
            (Some(_), DuplicatePolicy::Keep) => (None, Added::Alternative),
        };
        if let Some(id) = replace {
            self.index.remove_unit(self.tx, id)?;
            for table in ["variant", "prop", "note"] {
                self.tx
                    .prepare_cached(&format!("DELETE FROM {table} WHERE unit_id = ?1"))?
                    .execute([id])?;
            }
            self.tx
                .prepare_cached("DELETE FROM unit WHERE id = ?1")?
                .execute([id])?;
        }
        let a = &unit.attributes;
        self.tx
            .prepare_cached(
                "INSERT INTO unit (id, origin_id, position, line, tuid, srclang, source_lang,
                    source_hash, content_hash, datatype, segtype, o_tmf, o_encoding, usagecount,
                    lastusagedate, creationtool, creationtoolversion, creationdate, creationid,
                    changedate, changeid, extra, bead, confidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
            )?
            .execute(params![
                replace,
                self.origin_id,
                self.position,
                line.map(|l| l as i64),
                unit.tuid,
                unit.srclang,
                source.lang.as_str(),
                source_hash,
                content_hash,
                a.datatype,
                a.segtype,
                a.o_tmf,
                a.o_encoding,
                a.usagecount,
                a.lastusagedate,
                a.creationtool,
                a.creationtoolversion,
                a.creationdate,
                a.creationid,
                a.changedate,
                a.changeid,
                extra_json(a),
                bead.map(|b| b.0),
                bead.map(|b| b.1),
            ])?;
        let unit_id = self.tx.last_insert_rowid();
        self.position += 1;
        self.insert_annotations(unit_id, 0, &unit.props, &unit.notes)?;
        let mut variant = self.tx.prepare_cached(
            "INSERT INTO variant (unit_id, position, lang, lang_original, text, markup, datatype,
                o_tmf, o_encoding, usagecount, lastusagedate, creationtool, creationtoolversion,
                creationdate, creationid, changedate, changeid, extra)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        for (i, v) in unit.variants.iter().enumerate() {
            let a = &v.attributes;
            let position = i as i64 + 1;
            variant.execute(params![
                unit_id,
                position,
                v.lang.as_str(),
                v.lang_original,
                v.segment.text,
                v.segment.markup,
                a.datatype,
                a.o_tmf,
                a.o_encoding,
                a.usagecount,
                a.lastusagedate,
                a.creationtool,
                a.creationtoolversion,
                a.creationdate,
                a.creationid,
                a.changedate,
                a.changeid,
                variant_extra_json(a),
            ])?;
            let variant_id = self.tx.last_insert_rowid();
            self.index
                .add(self.tx, variant_id, v.lang.as_str(), &v.segment.text)?;
            self.insert_annotations(unit_id, position, &v.props, &v.notes)?;
        }
        Ok(outcome)
    }

    fn insert_annotations(
        &self,
        unit_id: i64,
        tuv: i64,
        props: &[Prop],
        notes: &[Note],
    ) -> Result<()> {
        if !props.is_empty() {
            let mut stmt = self.tx.prepare_cached(
                "INSERT INTO prop (unit_id, tuv, ord, type, lang, o_encoding, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (i, p) in props.iter().enumerate() {
                stmt.execute(params![
                    unit_id,
                    tuv,
                    i as i64,
                    p.kind,
                    p.lang,
                    p.o_encoding,
                    p.value
                ])?;
            }
        }
        if !notes.is_empty() {
            let mut stmt = self.tx.prepare_cached(
                "INSERT INTO note (unit_id, tuv, ord, lang, o_encoding, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (i, n) in notes.iter().enumerate() {
                stmt.execute(params![
                    unit_id,
                    tuv,
                    i as i64,
                    n.lang,
                    n.o_encoding,
                    n.text
                ])?;
            }
        }
        Ok(())
    }
}

/// A variant has no segtype column; one read from a file is kept with the extra attributes.
fn variant_extra_json(a: &Attributes) -> Option<String> {
    match &a.segtype {
        None => extra_json(a),
        Some(s) => {
            let mut extra = vec![("segtype".to_string(), s.clone())];
            extra.extend(a.extra.iter().cloned());
            serde_json::to_string(&extra).ok()
        }
    }
}

/// A hash of everything that makes a unit what it is, leaving out dates, user ids and usage
/// counts, so a re-exported or re-dated copy of a stored unit is recognised as the same.
fn content_hash(unit: &TranslationUnit) -> i64 {
    let mut h = Xxh3::new();
    let mut field = |s: Option<&str>| {
        match s {
            Some(s) => {
                h.write_u8(1);
                h.update(s.as_bytes());
            }
            None => h.write_u8(0),
        }
        h.write_u8(0xFF);
    };
    field(unit.tuid.as_deref());
    field(unit.srclang.as_deref());
    field(unit.attributes.datatype.as_deref());
    field(unit.attributes.segtype.as_deref());
    for (k, v) in &unit.attributes.extra {
        field(Some(k));
        field(Some(v));
    }
    let annotations = |field: &mut dyn FnMut(Option<&str>), props: &[Prop], notes: &[Note]| {
        for p in props {
            field(Some(&p.kind));
            field(p.lang.as_deref());
            field(Some(&p.value));
        }
        field(None);
        for n in notes {
            field(n.lang.as_deref());
            field(Some(&n.text));
        }
        field(None);
    };
    annotations(&mut field, &unit.props, &unit.notes);
    for v in &unit.variants {
        field(Some(v.lang.as_str()));
        field(Some(&v.segment.to_xml()));
        for (k, v) in &v.attributes.extra {
            field(Some(k));
            field(Some(v));
        }
        annotations(&mut field, &v.props, &v.notes);
    }
    h.digest() as i64
}
