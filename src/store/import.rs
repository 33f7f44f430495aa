//! Importing TMX into the store: streaming, one transaction per file, duplicates decided by
//! hashes of the source segment and of the whole unit.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hasher;
use std::ops::ControlFlow;
use std::path::Path;

use rusqlite::types::ToSql;
use rusqlite::{OptionalExtension, Statement, Transaction, params, params_from_iter};
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::{ATTRIBUTE_COLUMNS, Store};
use crate::error::{Error, Result};
use crate::formats::Item;
use crate::formats::tmx::now_date;
use crate::formats::{self, Format, Input, ReadOptions, Source};
use crate::lang::LanguageTag;
use crate::model::{Attributes, Header, Note, Prop, Segment, TranslationUnit, Variant};

/// What an incoming unit does when a stored unit has the same source segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicatePolicy {
    /// Skip it: the stored translation stands.
    Skip,
    /// Replace the newest stored unit with that source that translates into one of the
    /// incoming unit's languages, and remove the older alternatives it supersedes: stored
    /// units with that source whose translations are all in languages the incoming unit
    /// has. Units with that source translated into other languages stay; when every stored
    /// one is in other languages, the incoming unit is added beside them.
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
    /// Leave the new units out of the match index, for a later `tmm index` (faster for a
    /// bulk import; suggestions still find them, by scanning, until then).
    pub defer_index: bool,
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
/// progress bar, a server stops an import whose client went away, a library user may
/// ignore all of it.
pub trait ImportObserver {
    /// Called every few hundred units: bytes read of `total` (0 when unknown), units read
    /// so far. Returning `Break` stops the import; nothing of it is stored.
    fn progress(&mut self, _bytes: u64, _total: u64, _units: u64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    /// Called while the committed units are indexed: variants done of `total`.
    fn indexing(&mut self, _done: u64, _total: u64) {}
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
    /// Older alternatives removed because an update superseded them (`update`).
    pub superseded_removed: u64,
    /// Units refused as invalid.
    pub invalid: u64,
    /// Entries left out on purpose, by kind (untranslated, fuzzy, ...).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub skipped: std::collections::BTreeMap<String, u64>,
    pub languages: BTreeSet<String>,
    pub warnings: Vec<Warning>,
}

impl ImportSummary {
    /// Counts what the writer did with one unit.
    pub(crate) fn count(&mut self, added: Added) {
        match added {
            Added::New => self.added += 1,
            Added::Alternative => self.alternatives_added += 1,
            Added::Updated => self.updated += 1,
            Added::Duplicate => self.duplicates_skipped += 1,
        }
    }

    /// Adds another file's summary to this one.
    pub fn merge(&mut self, other: ImportSummary) {
        self.files += other.files;
        self.units_read += other.units_read;
        self.added += other.added;
        self.duplicates_skipped += other.duplicates_skipped;
        self.alternatives_added += other.alternatives_added;
        self.updated += other.updated;
        self.superseded_removed += other.superseded_removed;
        self.invalid += other.invalid;
        for (kind, n) in other.skipped {
            *self.skipped.entry(kind).or_default() += n;
        }
        self.languages.extend(other.languages);
        self.warnings.extend(other.warnings);
    }
}

/// A unit with a segment over [`crate::formats::MAX_SEGMENT_BYTES`] becomes invalid, named
/// with its line and size (a reader may have stopped keeping the text already).
fn refuse_oversized(item: Item) -> Item {
    match item {
        Item::Unit(read) => {
            let longest = read
                .unit
                .variants
                .iter()
                .map(|v| {
                    v.segment
                        .text
                        .len()
                        .max(v.segment.markup.as_ref().map_or(0, String::len))
                })
                .max()
                .unwrap_or(0);
            if longest > crate::formats::MAX_SEGMENT_BYTES {
                Item::Invalid {
                    line: read.line,
                    message: format!(
                        "a segment of {:.1} MiB is over tmm's limit of {} MiB; split it into paragraphs or sentences",
                        longest as f64 / (1 << 20) as f64,
                        crate::formats::MAX_SEGMENT_BYTES >> 20
                    ),
                }
            } else {
                Item::Unit(read)
            }
        }
        other => other,
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
    /// Imports a TMX file in one transaction (see [`import`](Self::import)).
    ///
    /// # Errors
    /// As [`import`](Self::import), and [`Error::Io`] when the file cannot be opened.
    pub fn import_tmx(
        &self,
        path: &Path,
        options: &ImportOptions,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportSummary> {
        let read = ReadOptions {
            format: Some(Format::Tmx),
            ..Default::default()
        };
        self.import(formats::open(Input::open(path)?, &read)?, options, observer)
    }

    /// Imports what a reader yields in one transaction: either all its valid units are
    /// stored or, on any error (or when the observer asks to stop), nothing of it. The
    /// reader runs in a second thread while this one stores. A file whose bytes were
    /// imported before is recognised by its hash, and its units join the earlier origin.
    ///
    /// # Errors
    /// [`Error::Syntax`] for input that is not well-formed; [`Error::InvalidUnit`] for an
    /// invalid unit under `strict`; [`Error::Cancelled`] when the observer stopped it;
    /// [`Error::Database`].
    pub fn import(
        &self,
        source: Source,
        options: &ImportOptions,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary {
            files: 1,
            ..Default::default()
        };
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            pg.import(source, options, observer, &mut summary)?;
            return Ok(summary);
        }
        self.write("import", |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut writer = UnitWriter::new(&tx, options.on_duplicate, self.text_dictionaries()?)?;
            if options.defer_index {
                writer.index.defer(&tx)?;
            }
            let fed = feed(source, options, observer, &mut summary, &mut writer)?;
            for (document, id) in &fed.origins {
                settle_origin(&tx, *id, document.as_deref(), fed.hash, fed.size)?;
            }
            summary.superseded_removed += writer.superseded;
            writer.finish()?;
            // A bulk import's units are indexed before the commit: no reader ever sees them
            // stored but unindexed (queries would scan them), and a failure stores nothing.
            if !options.defer_index {
                super::index::catch_up_in(&tx, &mut |done, total| observer.indexing(done, total))?;
            }
            tx.commit()?;
            Ok(())
        })?;
        Ok(summary)
    }
}

/// What a sink's [`Prepare`] made of a unit in the reader's thread: each variant's text
/// compressed, where it did.
pub(crate) type Prepared = Vec<Option<super::packed::Prepacked>>;

/// Work on each unit a sink has done in the reader's thread, given the unit and the file's
/// source language, before the unit reaches [`UnitSink::add`].
pub(crate) type Prepare = Box<dyn FnMut(&TranslationUnit, Option<&str>) -> Prepared + Send>;

/// Where [`feed`] puts what it reads: a backend's writer inside its import transaction.
pub(crate) trait UnitSink {
    /// Stores a new origin row (with its header's props and notes); returns its id.
    fn new_origin(&mut self, origin: &NewOrigin) -> Result<i64>;
    /// Stores one unit in `origin` unless the duplicate policy says otherwise, with what
    /// [`prepare`](Self::prepare) made of it.
    fn add(
        &mut self,
        origin: i64,
        unit: &TranslationUnit,
        line: Option<u64>,
        default_srclang: Option<&str>,
        prepared: Prepared,
    ) -> Result<Added>;
    /// What to do with each unit in the reader's thread; `None` for nothing.
    fn prepare(&self) -> Option<Prepare> {
        None
    }
}

impl UnitSink for UnitWriter<'_> {
    fn new_origin(&mut self, origin: &NewOrigin) -> Result<i64> {
        insert_origin(self.tx, origin)
    }
    fn add(
        &mut self,
        origin: i64,
        unit: &TranslationUnit,
        line: Option<u64>,
        default_srclang: Option<&str>,
        prepared: Prepared,
    ) -> Result<Added> {
        let tx = self.tx;
        let Some(plan) = plan(
            &mut SqliteStored(tx),
            self.policy,
            &mut self.known,
            unit,
            default_srclang,
        )?
        else {
            return Ok(Added::Duplicate);
        };
        for id in plan.superseded {
            if self.remove(id)?.is_some() {
                self.superseded += 1;
            }
        }
        // A unit updated from a file goes where that file puts it.
        self.insert(
            origin,
            unit,
            line,
            plan.source,
            (plan.source_hash, plan.content_hash),
            plan.replace.map(|id| (id, false)),
            plan.outcome,
            prepared,
        )
    }
    /// Compresses the text of units whose source is new to the store: a unit with a stored
    /// source is most likely a duplicate, which a re-import skips without the cost.
    fn prepare(&self) -> Option<Prepare> {
        let mut packer = self.packer.prepacker();
        let stored = self.known.stored_before();
        Some(Box::new(move |unit, default_srclang| {
            match unit.source_variant(default_srclang) {
                Some(source) if !stored.contains_key(&source_hash(source)) => packer.pack(unit),
                _ => Vec::new(),
            }
        }))
    }
}

/// What [`feed`] read: the origins it made (one per document of the file) and the file's
/// hash and size, for the backend to settle the origins before it commits.
pub(crate) struct Fed {
    pub origins: Vec<(Option<String>, i64)>,
    pub hash: i64,
    pub size: i64,
}

/// The half of an import that is the same on every backend: reads the source in a second
/// thread, refuses oversized and invalid units (fatal under `strict`), warns, counts, and
/// hands each unit to `sink`, which decides duplicates and stores it.
///
/// # Errors
/// The reader's errors, [`Error::InvalidUnit`] under `strict`, [`Error::Cancelled`], and
/// what `sink` returns.
pub(crate) fn feed(
    source: Source,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
    summary: &mut ImportSummary,
    sink: &mut dyn UnitSink,
) -> Result<Fed> {
    let Source {
        mut units,
        name,
        size,
        tap,
    } = source;
    let file = name.display().to_string();
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
    let info = units.info().clone();
    for message in &info.warnings {
        warn(observer, summary, None, message.clone());
    }
    let default_srclang = info.header.srclang.clone();
    let default_source = default_srclang
        .as_deref()
        .and_then(|s| LanguageTag::parse(s).ok());
    let base_name = name
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let total = size.unwrap_or(0);
    let empty_header = Header::default();
    let new_origin = |sink: &mut dyn UnitSink, document: Option<&str>| {
        sink.new_origin(&NewOrigin {
            kind: info.format.name(),
            path: Some(&file),
            name: &base_name,
            content_hash: None,
            size: None,
            encoding: Some(info.encoding),
            tmx_version: info.version.as_deref(),
            document,
            title: None,
            document_date: None,
            header: if document.is_none() {
                &info.header
            } else {
                &empty_header
            },
        })
    };
    // One origin per document the file holds (most hold one, named by the file).
    let mut origins: Vec<(Option<String>, i64)> = Vec::new();
    // The reader parses in its own thread while this one stores: the two halves of
    // an import cost about the same, and the machine has two cores.
    let mut prepare = sink.prepare();
    let srclang = default_srclang.clone();
    std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Vec<(Item, Prepared)>>>(8);
        scope.spawn(move || {
            loop {
                let mut batch = Vec::with_capacity(256);
                let mut end = false;
                while batch.len() < 256 {
                    match units.next_item() {
                        Ok(Some(item)) => {
                            let item = refuse_oversized(item);
                            let prepared = match (&item, prepare.as_mut()) {
                                (Item::Unit(read), Some(prepare)) => {
                                    prepare(&read.unit, srclang.as_deref())
                                }
                                _ => Vec::new(),
                            };
                            batch.push((item, prepared));
                        }
                        Ok(None) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            let _ = send.send(Err(e));
                            return;
                        }
                    }
                }
                // A closed channel means the store side stopped on an error.
                if (!batch.is_empty() && send.send(Ok(batch)).is_err()) || end {
                    return;
                }
            }
        });
        for batch in receive {
            for (item, prepared) in batch? {
                let read = match item {
                    Item::Skipped { kind, .. } => {
                        *summary.skipped.entry(kind.to_string()).or_default() += 1;
                        continue;
                    }
                    Item::Invalid { line, message } => {
                        summary.units_read += 1;
                        if options.strict {
                            return Err(Error::InvalidUnit {
                                path: name.clone(),
                                line,
                                message,
                            });
                        }
                        summary.invalid += 1;
                        warn(
                            observer,
                            summary,
                            Some(line),
                            format!("unit skipped: {message}"),
                        );
                        continue;
                    }
                    Item::Unit(read) => read,
                };
                summary.units_read += 1;
                for w in read.warnings {
                    warn(observer, summary, Some(read.line), w);
                }
                if let Err(why) = crate::formats::tmx::check_writable(&read.unit) {
                    warn(
                        observer,
                        summary,
                        Some(read.line),
                        format!("{why}; stored, but a TMX export will leave this unit out"),
                    );
                }
                let has_source = match read.unit.srclang.as_deref() {
                    Some("*all*") => true,
                    Some(s) => LanguageTag::parse(s).is_ok_and(|t| read.unit.variant(&t).is_some()),
                    None if default_srclang.as_deref() == Some("*all*") => true,
                    // No source language declared: nothing to check against.
                    None => {
                        default_srclang.is_none()
                            || default_source
                                .as_ref()
                                .is_some_and(|t| read.unit.variant(t).is_some())
                    }
                };
                if !has_source {
                    let src = read.unit.srclang.as_deref().or(default_srclang.as_deref());
                    warn(
                        observer,
                        summary,
                        Some(read.line),
                        format!(
                            "unit has no variant in its source language \"{}\"; its first variant is used as source",
                            src.unwrap_or("")
                        ),
                    );
                }
                for v in &read.unit.variants {
                    if !summary.languages.contains(v.lang.as_str()) {
                        summary.languages.insert(v.lang.to_string());
                    }
                }
                let origin = match origins.iter().find(|o| o.0 == read.document) {
                    Some(o) => o.1,
                    None => {
                        let id = new_origin(sink, read.document.as_deref())?;
                        origins.push((read.document.clone(), id));
                        id
                    }
                };
                summary.count(sink.add(
                    origin,
                    &read.unit,
                    Some(read.line),
                    default_srclang.as_deref(),
                    prepared,
                )?);
            }
            if observer
                .progress(tap.bytes(), total, summary.units_read)
                .is_break()
            {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    })?;
    let bytes = tap.bytes();
    if observer
        .progress(bytes, bytes, summary.units_read)
        .is_break()
    {
        return Err(Error::Cancelled);
    }
    if origins.is_empty() {
        origins.push((None, new_origin(sink, None)?));
    }
    Ok(Fed {
        origins,
        hash: tap.digest(),
        size: bytes as i64,
    })
}

/// Records the file's hash on the origin of a finished import, or, when the same bytes were
/// imported before (as this document), moves the units this import added to that origin,
/// after its own, and drops the new one.
fn settle_origin(
    tx: &Transaction,
    id: i64,
    document: Option<&str>,
    hash: i64,
    size: i64,
) -> Result<()> {
    let earlier: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM origin WHERE content_hash = ?1 AND size = ?2 AND id <> ?3
             AND document IS ?4 ORDER BY id LIMIT 1",
        )?
        .query_row(params![hash, size, id, document], |r| r.get(0))
        .optional()?;
    match earlier {
        None => {
            tx.execute(
                "UPDATE origin SET content_hash = ?1, size = ?2 WHERE id = ?3",
                params![hash, size, id],
            )?;
        }
        Some(earlier) => {
            let next: i64 = tx.query_row(
                "SELECT coalesce(max(position) + 1, 0) FROM unit WHERE origin_id = ?1",
                [earlier],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE unit SET origin_id = ?1, position = position + ?2 WHERE origin_id = ?3",
                params![earlier, next, id],
            )?;
            for table in ["origin_prop", "origin_note"] {
                tx.execute(&format!("DELETE FROM {table} WHERE origin_id = ?1"), [id])?;
            }
            tx.execute("DELETE FROM origin WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

/// Inserts an origin row with its header props and notes; returns its id.
pub(crate) fn insert_origin(tx: &Transaction, o: &NewOrigin) -> Result<i64> {
    let h = o.header;
    let a = &h.attributes;
    let extra = extra_json(a);
    let head: [&dyn ToSql; 15] = [
        &o.kind,
        &o.path,
        &o.name,
        &o.content_hash,
        &o.size,
        &now_date(),
        &o.encoding,
        &o.tmx_version,
        &o.document,
        &o.title,
        &o.document_date,
        &h.srclang,
        &h.adminlang,
        &a.segtype,
        &h.udes,
    ];
    tx.execute(
        &insert_sql(
            "origin",
            "kind, path, name, content_hash, size, imported_at, encoding, tmx_version, document, \
             title, document_date, srclang, adminlang, segtype, udes",
            head.len(),
        ),
        params_from_iter(head.into_iter().chain(attribute_values(a, &extra))),
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

/// `INSERT INTO table (columns, ATTRIBUTE_COLUMNS) VALUES (?1, ...)` for `count` leading
/// columns.
fn insert_sql(table: &str, columns: &str, count: usize) -> String {
    let total = count + ATTRIBUTE_COLUMNS.split(',').count();
    let placeholders: Vec<String> = (1..=total).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {table} ({columns}, {ATTRIBUTE_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    )
}

/// The values of [`ATTRIBUTE_COLUMNS`], in order.
fn attribute_values<'a>(a: &'a Attributes, extra: &'a Option<String>) -> [&'a dyn ToSql; 12] {
    [
        &a.datatype,
        &a.o_tmf,
        &a.o_encoding,
        &a.usagecount,
        &a.lastusagedate,
        &a.creationtool,
        &a.creationtoolversion,
        &a.creationdate,
        &a.creationid,
        &a.changedate,
        &a.changeid,
        extra,
    ]
}

/// The values of [`ATTRIBUTE_COLUMNS`], in order, as text (for a backend with its own
/// parameter types).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn attribute_texts<'a>(
    a: &'a Attributes,
    extra: &'a Option<String>,
) -> [Option<&'a str>; 12] {
    [
        a.datatype.as_deref(),
        a.o_tmf.as_deref(),
        a.o_encoding.as_deref(),
        a.usagecount.as_deref(),
        a.lastusagedate.as_deref(),
        a.creationtool.as_deref(),
        a.creationtoolversion.as_deref(),
        a.creationdate.as_deref(),
        a.creationid.as_deref(),
        a.changedate.as_deref(),
        a.changeid.as_deref(),
        extra.as_deref(),
    ]
}

pub(crate) fn extra_json(a: &Attributes) -> Option<String> {
    (!a.extra.is_empty()).then(|| serde_json::to_string(&a.extra).unwrap_or_default())
}

/// What the import knows of the stored units with one source without asking the table:
/// the content hash and date of the only one, or that the table must be asked (several, or a
/// date that is not in TMX's form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Known {
    content: i64,
    /// [`date_order`] of its date; [`NO_DATE`] without one; `i64::MIN`: ask.
    date: i64,
}

const NO_DATE: i64 = -1;

impl Known {
    const ASK: Known = Known {
        content: 0,
        date: i64::MIN,
    };

    fn of(content: i64, date: Option<&str>) -> Known {
        match date.map(date_order) {
            None => Known {
                content,
                date: NO_DATE,
            },
            Some(Some(date)) => Known { content, date },
            Some(None) => Known::ASK,
        }
    }

    /// What [`decide`] would decide for an incoming unit, when that
    /// needs no stored unit's id: `Some(Some(outcome))` to add it, `Some(None)` to skip it;
    /// `None` when the table must be asked.
    fn decide(
        self,
        content: i64,
        date: Option<&str>,
        policy: DuplicatePolicy,
    ) -> Option<Option<Added>> {
        if self == Known::ASK {
            return None;
        }
        if content == self.content {
            // The same unit again: skipped unless it is newer (an update: ask).
            let newer = match date {
                None => false,
                Some(d) => self.date == NO_DATE || date_order(d)? > self.date,
            };
            return if newer { None } else { Some(None) };
        }
        match policy {
            DuplicatePolicy::Skip => Some(None),
            DuplicatePolicy::Keep => Some(Some(Added::Alternative)),
            DuplicatePolicy::Update => None,
        }
    }
}

/// A TMX date (`YYYYMMDDThhmmssZ`) as a number that orders as the text does; `None` for
/// text of another form.
fn date_order(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    b[..8].iter().chain(&b[9..15]).try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// The sources an import may meet again, on any backend: every source hash stored before
/// the import began, with what the one unit holding it is (loaded once), and the sources the
/// import added since, so that a new source and most duplicates need no lookup.
#[derive(Debug, Default)]
pub(crate) struct KnownSources {
    /// Shared with the reader's thread ([`KnownSources::stored_before`]); the sources since
    /// added, replaced or removed are in `asked`.
    stored: std::sync::Arc<HashMap<i64, Known>>,
    /// Stored sources whose next unit must ask the table.
    asked: std::collections::HashSet<i64>,
    /// A filter, not a set: a bulk import of new units fills it whole, and at a million
    /// units a set took 19 MB; a false positive only costs one indexed lookup.
    added: SourceFilter,
}

/// A Bloom filter of source hashes (already xxh3, so its bits are used as they are) that
/// grows: when a layer holds its capacity a layer twice as large is added, and a hash is
/// looked for in every layer. Each layer is filled to at most 0.3% false positives (at least
/// 12 bits and 8 probes per hash), so a million hashes in five layers take 4 MB and answer
/// wrongly for under 1.5% of the hashes not in it (0.12% measured on 300,000).
#[derive(Debug)]
struct SourceFilter {
    layers: Vec<FilterLayer>,
}

#[derive(Debug)]
struct FilterLayer {
    bits: Vec<u64>,
    len: usize,
    capacity: usize,
}

impl FilterLayer {
    const BITS_PER_HASH: usize = 12;
    const PROBES: u64 = 8;

    fn new(capacity: usize) -> Self {
        let words = (capacity * Self::BITS_PER_HASH).next_power_of_two() / 64;
        FilterLayer {
            bits: vec![0; words.max(1)],
            len: 0,
            capacity,
        }
    }

    /// The probed bit positions of `hash` (double hashing over the hash's two halves).
    fn positions(&self, hash: i64) -> impl Iterator<Item = usize> + use<> {
        let mask = (self.bits.len() * 64 - 1) as u64;
        let h = hash as u64;
        let step = h.rotate_left(32).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..Self::PROBES).map(move |i| (h.wrapping_add(i.wrapping_mul(step)) & mask) as usize)
    }

    fn contains(&self, hash: i64) -> bool {
        self.positions(hash)
            .all(|p| self.bits[p / 64] & (1 << (p % 64)) != 0)
    }

    fn insert(&mut self, hash: i64) {
        for p in self.positions(hash) {
            self.bits[p / 64] |= 1 << (p % 64);
        }
        self.len += 1;
    }
}

impl Default for SourceFilter {
    fn default() -> Self {
        SourceFilter {
            layers: vec![FilterLayer::new(1 << 16)],
        }
    }
}

impl SourceFilter {
    /// Whether `hash` may have been inserted (never false for one that was).
    fn may_contain(&self, hash: i64) -> bool {
        self.layers.iter().any(|l| l.contains(hash))
    }

    fn insert(&mut self, hash: i64) {
        let last = self.layers.last().expect("a filter has a layer");
        if last.len >= last.capacity {
            let capacity = last.capacity * 2;
            self.layers.push(FilterLayer::new(capacity));
        }
        self.layers
            .last_mut()
            .expect("a filter has a layer")
            .insert(hash);
    }

    /// Records `hash`; true when it may have been recorded before.
    fn check_and_insert(&mut self, hash: i64) -> bool {
        if self.may_contain(hash) {
            return true;
        }
        self.insert(hash);
        false
    }
}

impl KnownSources {
    /// Records a stored unit: its source and content hashes and its change or creation date.
    pub(crate) fn insert_stored(&mut self, source_hash: i64, content: i64, date: Option<&str>) {
        let entry = Known::of(content, date);
        std::sync::Arc::make_mut(&mut self.stored)
            .entry(source_hash)
            .and_modify(|k| *k = Known::ASK)
            .or_insert(entry);
    }

    /// What is known of the units with this source: `None` when there is none (the source is
    /// then recorded as added), [`Known::ASK`] when the table must be asked.
    fn lookup(&mut self, source_hash: i64) -> Option<Known> {
        match self.stored.get(&source_hash) {
            Some(_) if self.asked.contains(&source_hash) => Some(Known::ASK),
            Some(&k) => Some(k),
            None if !self.added.check_and_insert(source_hash) => None,
            None => Some(Known::ASK),
        }
    }

    /// Makes the next unit with this source ask the table (a unit with it was added,
    /// replaced or removed).
    pub(crate) fn forget(&mut self, source_hash: i64) {
        if self.stored.contains_key(&source_hash) {
            self.asked.insert(source_hash);
        } else {
            self.added.insert(source_hash);
        }
    }

    /// The sources stored before the import began.
    fn stored_before(&self) -> std::sync::Arc<HashMap<i64, Known>> {
        self.stored.clone()
    }
}

/// Adds units to the store inside a transaction, deciding duplicates.
pub(crate) struct UnitWriter<'t> {
    tx: &'t Transaction<'t>,
    policy: DuplicatePolicy,
    /// The next position in each origin written to.
    positions: Vec<(i64, i64)>,
    known: KnownSources,
    insert_unit: Statement<'t>,
    insert_variant: Statement<'t>,
    insert_prop: Statement<'t>,
    insert_note: Statement<'t>,
    pub(crate) index: super::index::IndexWriter,
    /// Alternatives removed as superseded by an update.
    pub(crate) superseded: u64,
    subsegments: super::subsegment::SubsegmentWriter,
    packer: super::packed::Packer,
}

impl<'t> UnitWriter<'t> {
    pub(crate) fn new(
        tx: &'t Transaction<'t>,
        policy: DuplicatePolicy,
        dictionaries: std::sync::Arc<super::packed::Dictionaries>,
    ) -> Result<Self> {
        let mut known = KnownSources::default();
        {
            let mut stmt = tx.prepare(
                "SELECT source_hash, content_hash, coalesce(changedate, creationdate) FROM unit",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let date: Option<String> = r.get(2)?;
                known.insert_stored(r.get(0)?, r.get(1)?, date.as_deref());
            }
        }
        Ok(UnitWriter {
            tx,
            policy,
            positions: Vec::new(),
            known,
            insert_unit: tx.prepare(&insert_sql(
                "unit",
                "id, origin_id, position, line, tuid, srclang, source_lang, source_hash, \
                 content_hash, segtype",
                10,
            ))?,
            insert_variant: tx.prepare(&insert_sql(
                "variant",
                "unit_id, position, lang, lang_original, text, markup",
                6,
            ))?,
            insert_prop: tx.prepare("INSERT INTO prop (unit_id, tuv, ord, type, lang, o_encoding, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?,
            insert_note: tx.prepare("INSERT INTO note (unit_id, tuv, ord, lang, o_encoding, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?,
            index: super::index::IndexWriter::new(tx)?,
            superseded: 0,
            subsegments: Default::default(),
            packer: super::packed::Packer::new(dictionaries),
        })
    }

    /// The next position in `origin`, counting on from what it holds.
    fn next_position(&mut self, origin: i64) -> Result<i64> {
        if let Some(p) = self.positions.iter_mut().find(|p| p.0 == origin) {
            p.1 += 1;
            return Ok(p.1 - 1);
        }
        let next: i64 = self.tx.query_row(
            "SELECT coalesce(max(position) + 1, 0) FROM unit WHERE origin_id = ?1",
            [origin],
            |r| r.get(0),
        )?;
        self.positions.push((origin, next + 1));
        Ok(next)
    }

    /// Ends the writer, whose statements borrow the transaction, writing the postings a bulk
    /// import still holds and the text dictionaries its variants with those stored just
    /// before train; call before committing.
    pub(crate) fn finish(mut self) -> Result<()> {
        self.packer.finish(self.tx)?;
        self.index.finish(self.tx)?;
        Ok(())
    }

    /// Deletes a unit with its variants, props and notes, and takes it out of the index;
    /// returns its position, `None` when there was no such unit.
    pub(crate) fn remove(&mut self, id: i64) -> Result<Option<i64>> {
        let Some((position, source_hash)): Option<(i64, i64)> = self
            .tx
            .prepare_cached("SELECT position, source_hash FROM unit WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
        else {
            return Ok(None);
        };
        // What is known of its source no longer holds.
        self.known.forget(source_hash);
        self.index.remove_unit(self.tx, id)?;
        for statement in super::edit::sql::DELETE_UNIT {
            self.tx.prepare_cached(statement)?.execute([id])?;
        }
        Ok(Some(position))
    }

    /// Replaces unit `id` by `unit`, keeping its id, origin and position; false when there
    /// is no such unit.
    pub(crate) fn replace(&mut self, id: i64, unit: &TranslationUnit) -> Result<bool> {
        let Some(origin): Option<i64> = self
            .tx
            .prepare_cached("SELECT origin_id FROM unit WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
        else {
            return Ok(false);
        };
        let Some((source, hashes)) = replacement(unit, &mut self.known) else {
            return Ok(false);
        };
        self.insert(
            origin,
            unit,
            None,
            source,
            hashes,
            Some((id, true)),
            Added::Updated,
            Vec::new(),
        )?;
        Ok(true)
    }

    /// Inserts a unit with its variants, props and notes, replacing the unit `replace.0`
    /// (in its place when `replace.1`).
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &mut self,
        origin: i64,
        unit: &TranslationUnit,
        line: Option<u64>,
        source: &Variant,
        (source_hash, content_hash): (i64, i64),
        replace: Option<(i64, bool)>,
        outcome: Added,
        mut prepared: Prepared,
    ) -> Result<Added> {
        let mut position = None;
        if let Some((id, keep)) = replace {
            let old = self.remove(id)?;
            position = old.filter(|_| keep);
        }
        let replace = replace.map(|r| r.0);
        let a = &unit.attributes;
        let extra = extra_json(a);
        let position = match position {
            Some(p) => p,
            None => self.next_position(origin)?,
        };
        let head: [&dyn ToSql; 10] = [
            &replace,
            &origin,
            &position,
            &line.map(|l| l as i64),
            &unit.tuid,
            &unit.srclang,
            &source.lang.as_str(),
            &source_hash,
            &content_hash,
            &a.segtype,
        ];
        self.insert_unit.execute(params_from_iter(
            head.into_iter().chain(attribute_values(a, &extra)),
        ))?;
        let unit_id = self.tx.last_insert_rowid();
        self.insert_annotations(unit_id, 0, &unit.props, &unit.notes)?;

        let mut variant_ids = Vec::with_capacity(unit.variants.len());
        for (i, v) in unit.variants.iter().enumerate() {
            let a = &v.attributes;
            let position = i as i64 + 1;
            let extra = variant_extra_json(a);
            let lang = v.lang.as_str();
            let (text, markup) = self.packer.pack_variant(
                self.tx,
                lang,
                &v.segment.text,
                v.segment.markup.as_deref(),
                prepared.get_mut(i).and_then(Option::take),
            )?;
            let head: [&dyn ToSql; 6] =
                [&unit_id, &position, &lang, &v.lang_original, &text, &markup];
            self.insert_variant.execute(params_from_iter(
                head.into_iter().chain(attribute_values(a, &extra)),
            ))?;
            let variant_id = self.tx.last_insert_rowid();
            self.packer.stored(
                self.tx,
                lang,
                variant_id,
                &v.segment.text,
                v.segment.markup.as_deref(),
            )?;
            variant_ids.push(variant_id);
            self.index
                .add(self.tx, variant_id, v.lang.as_str(), &v.segment.text)?;
            self.insert_annotations(unit_id, position, &v.props, &v.notes)?;
        }
        self.subsegments
            .add(self.tx, unit_id, &variant_ids, unit, source)?;
        Ok(outcome)
    }

    fn insert_annotations(
        &mut self,
        unit_id: i64,
        tuv: i64,
        props: &[Prop],
        notes: &[Note],
    ) -> Result<()> {
        if !props.is_empty() {
            for (i, p) in props.iter().enumerate() {
                self.insert_prop.execute(params![
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
            for (i, n) in notes.iter().enumerate() {
                self.insert_note.execute(params![
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

/// What the duplicate rules need to know of the stored units, on any backend.
pub(crate) trait StoredUnits {
    /// `(id, content hash, change or creation date)` of the units with this source hash,
    /// newest (highest id) first.
    fn with_source(&mut self, source_hash: i64) -> Result<Vec<(i64, i64, Option<String>)>>;
    /// The languages of unit `id`'s variants.
    fn langs(&mut self, id: i64) -> Result<Vec<String>>;
}

struct SqliteStored<'a, 't>(&'a Transaction<'t>);

impl StoredUnits for SqliteStored<'_, '_> {
    fn with_source(&mut self, source_hash: i64) -> Result<Vec<(i64, i64, Option<String>)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, content_hash, coalesce(changedate, creationdate) FROM unit
             WHERE source_hash = ?1 ORDER BY id DESC",
        )?;
        Ok(stmt
            .query_map([source_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }
    fn langs(&mut self, id: i64) -> Result<Vec<String>> {
        Ok(self
            .0
            .prepare_cached("SELECT lang FROM variant WHERE unit_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }
}

/// What a writer does with one incoming unit, on any backend.
pub(crate) struct Plan<'u> {
    pub source: &'u Variant,
    pub source_hash: i64,
    pub content_hash: i64,
    /// The stored unit it replaces (its id is kept).
    pub replace: Option<i64>,
    pub outcome: Added,
    /// Stored alternatives it supersedes, to remove (`update`).
    pub superseded: Vec<i64>,
}

/// Applies the duplicate rules to `unit`: `None` when it is a duplicate to skip. Most units
/// are new, or copies of the one stored unit with their source: `stored` is asked only for
/// the others.
pub(crate) fn plan<'u>(
    stored: &mut dyn StoredUnits,
    policy: DuplicatePolicy,
    known: &mut KnownSources,
    unit: &'u TranslationUnit,
    default_srclang: Option<&str>,
) -> Result<Option<Plan<'u>>> {
    let Some(source) = unit.source_variant(default_srclang) else {
        return Ok(None);
    };
    let source_hash = source_hash(source);
    let content_hash = content_hash(unit);
    let date = unit
        .attributes
        .changedate
        .as_deref()
        .or(unit.attributes.creationdate.as_deref());
    let (replace, outcome) = match known.lookup(source_hash) {
        None => (None, Added::New),
        Some(k) => match k.decide(content_hash, date, policy) {
            Some(Some(outcome)) => (None, outcome),
            Some(None) => return Ok(None),
            None => match decide(stored, policy, unit, source_hash, content_hash)? {
                Some(decision) => decision,
                None => return Ok(None),
            },
        },
    };
    // A unit with this source is about to be stored: what was known of it no longer holds.
    known.forget(source_hash);
    let superseded = match replace {
        Some(kept) if policy == DuplicatePolicy::Update && outcome == Added::Updated => {
            superseded(stored, source_hash, kept, unit, source)?
        }
        _ => Vec::new(),
    };
    Ok(Some(Plan {
        source,
        source_hash,
        content_hash,
        replace,
        outcome,
        superseded,
    }))
}

/// What to do with a unit whose source is stored already: `(unit to replace, outcome)`, or
/// `None` to skip it as a duplicate.
fn decide(
    stored: &mut dyn StoredUnits,
    policy: DuplicatePolicy,
    unit: &TranslationUnit,
    source_hash: i64,
    content_hash: i64,
) -> Result<Option<(Option<i64>, Added)>> {
    let candidates = stored.with_source(source_hash)?;
    let incoming_date = unit
        .attributes
        .changedate
        .as_ref()
        .or(unit.attributes.creationdate.as_ref());
    Ok(Some(
        match candidates.iter().find(|c| c.1 == content_hash) {
            // The same unit again: keep the stored copy unless this one is newer.
            Some((id, _, stored_date)) => match (incoming_date, stored_date) {
                (Some(new), Some(old)) if new > old => (Some(*id), Added::Updated),
                (Some(_), None) => (Some(*id), Added::Updated),
                _ => return Ok(None),
            },
            None => match (candidates.first(), policy) {
                (None, _) => (None, Added::New),
                (Some(_), DuplicatePolicy::Skip) => return Ok(None),
                // The newest stored unit translating into a language this one has; none:
                // this one adds a language, beside them.
                (Some(_), DuplicatePolicy::Update) => {
                    match newest_sharing_a_language(stored, &candidates, unit)? {
                        Some(id) => (Some(id), Added::Updated),
                        None => (None, Added::Alternative),
                    }
                }
                (Some(_), DuplicatePolicy::Keep) => (None, Added::Alternative),
            },
        },
    ))
}

/// The first of `candidates` (newest first) with a translation in a language of `unit`
/// other than its source's.
fn newest_sharing_a_language(
    stored: &mut dyn StoredUnits,
    candidates: &[(i64, i64, Option<String>)],
    unit: &TranslationUnit,
) -> Result<Option<i64>> {
    let source = unit.source_variant(None).map(|v| v.lang.as_str());
    for &(id, _, _) in candidates {
        let langs = stored.langs(id)?;
        let shares = unit
            .variants
            .iter()
            .any(|v| Some(v.lang.as_str()) != source && langs.iter().any(|l| l == v.lang.as_str()));
        if shares {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Under `update`: the stored units with this source (other than `kept`, which the incoming
/// unit replaces) whose translations are all in languages `unit` has, to be removed.
fn superseded(
    stored: &mut dyn StoredUnits,
    source_hash: i64,
    kept: i64,
    unit: &TranslationUnit,
    source: &Variant,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for (id, _, _) in stored.with_source(source_hash)? {
        if id == kept {
            continue;
        }
        let langs = stored.langs(id)?;
        let mut targets = langs.iter().filter(|l| l.as_str() != source.lang.as_str());
        let covered = targets.clone().next().is_some()
            && targets.all(|l| unit.variants.iter().any(|v| v.lang.as_str() == l));
        if covered {
            out.push(id);
        }
    }
    Ok(out)
}

/// A variant has no segtype column; one read from a file is kept with the extra attributes.
pub(crate) fn variant_extra_json(a: &Attributes) -> Option<String> {
    match &a.segtype {
        None => extra_json(a),
        Some(s) => {
            let mut extra = vec![("segtype".to_string(), s.clone())];
            extra.extend(a.extra.iter().cloned());
            serde_json::to_string(&extra).ok()
        }
    }
}

/// The hash that finds stored units with the same source: its language and segment.
/// What a unit replacing a stored one is stored with (either backend): its source variant
/// and its source and content hashes, the source forgotten by `known` (the stored unit it
/// replaces held it); None when it has no source variant.
pub(crate) fn replacement<'u>(
    unit: &'u TranslationUnit,
    known: &mut KnownSources,
) -> Option<(&'u Variant, (i64, i64))> {
    let source = unit.source_variant(None)?;
    let hashes = (source_hash(source), content_hash(unit));
    known.forget(hashes.0);
    Some((source, hashes))
}

pub(crate) fn source_hash(source: &Variant) -> i64 {
    let mut h = Xxh3::new();
    h.update(source.lang.as_str().as_bytes());
    hash_segment(&mut h, &source.segment);
    h.digest() as i64
}

/// Hashes a segment's markup, or its text when it has none (two spellings of one thing).
fn hash_segment(h: &mut Xxh3, segment: &Segment) {
    match &segment.markup {
        Some(m) => {
            h.write_u8(2);
            h.update(m.as_bytes());
        }
        None => {
            h.write_u8(3);
            h.update(segment.text.as_bytes());
        }
    }
}

/// A hash of everything that makes a unit what it is, leaving out dates, user ids and usage
/// counts, so a re-exported or re-dated copy of a stored unit is recognised as the same.
pub(crate) fn content_hash(unit: &TranslationUnit) -> i64 {
    fn field(h: &mut Xxh3, s: Option<&str>) {
        match s {
            Some(s) => {
                h.write_u8(1);
                h.update(s.as_bytes());
            }
            None => h.write_u8(0),
        }
        h.write_u8(0xFF);
    }
    fn annotations(h: &mut Xxh3, props: &[Prop], notes: &[Note], extra: &[(String, String)]) {
        for p in props {
            field(h, Some(&p.kind));
            field(h, p.lang.as_deref());
            field(h, Some(&p.value));
        }
        field(h, None);
        for n in notes {
            field(h, n.lang.as_deref());
            field(h, Some(&n.text));
        }
        field(h, None);
        for (k, v) in extra {
            field(h, Some(k));
            field(h, Some(v));
        }
        field(h, None);
    }
    let mut h = Xxh3::new();
    field(&mut h, unit.tuid.as_deref());
    field(&mut h, unit.srclang.as_deref());
    field(&mut h, unit.attributes.datatype.as_deref());
    field(&mut h, unit.attributes.segtype.as_deref());
    annotations(&mut h, &unit.props, &unit.notes, &unit.attributes.extra);
    for v in &unit.variants {
        field(&mut h, Some(v.lang.as_str()));
        hash_segment(&mut h, &v.segment);
        annotations(&mut h, &v.props, &v.notes, &v.attributes.extra);
    }
    h.digest() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_hash(n: u64) -> i64 {
        xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes()) as i64
    }

    #[test]
    fn source_filter_finds_every_hash_it_was_given_and_few_others() {
        let mut filter = SourceFilter::default();
        // A new hash seen as met before is a false positive too.
        let met = (0..300_000)
            .filter(|&n| filter.check_and_insert(source_hash(n)))
            .count();
        assert!(met < 4_500, "{met} of 300000 new hashes taken as met");
        assert!(filter.layers.len() > 1, "the filter grew");
        assert!((0..300_000).all(|n| filter.may_contain(source_hash(n))));
        let wrong = (300_000..600_000)
            .filter(|&n| filter.may_contain(source_hash(n)))
            .count();
        // Each layer is sized for 0.3% false positives; 1.5% over all layers.
        assert!(wrong < 4_500, "{wrong} of 300000 false positives");
    }

    #[test]
    fn a_source_met_twice_asks_the_table_the_second_time() {
        let mut known = KnownSources::default();
        assert_eq!(known.lookup(7), None);
        assert_eq!(known.lookup(7), Some(Known::ASK));
        known.forget(8);
        assert_eq!(known.lookup(8), Some(Known::ASK));
    }

    /// Stops the import once it has seen `after` units.
    struct StopAfter {
        after: u64,
    }

    impl ImportObserver for StopAfter {
        fn progress(&mut self, _: u64, _: u64, units: u64) -> ControlFlow<()> {
            if units >= self.after {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }

    fn tmx(units: usize) -> Vec<u8> {
        let mut body = String::new();
        for i in 0..units {
            body.push_str(&format!(
                "<tu><tuv xml:lang=\"en\"><seg>Unit number {i} here</seg></tuv><tuv xml:lang=\"fr\"><seg>Unité {i} ici</seg></tuv></tu>\n"
            ));
        }
        format!(
            "<tmx version=\"1.4\"><header srclang=\"en\" creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" datatype=\"plaintext\"/><body>\n{body}</body></tmx>\n"
        )
        .into_bytes()
    }

    #[test]
    fn tmx_dates_order_as_numbers_as_they_do_as_text() {
        let dates = ["19991231T235959Z", "20220208T025144Z", "20220208T025145Z"];
        for pair in dates.windows(2) {
            assert!(date_order(pair[0]) < date_order(pair[1]), "{pair:?}");
        }
        assert_eq!(date_order("20220208T025144Z"), Some(20220208025144));
        for odd in [
            "2022-02-08T02:51:44Z",
            "20220208T025144",
            "2022020xT025144Z",
            "",
        ] {
            assert_eq!(date_order(odd), None, "{odd}");
        }
    }

    #[test]
    fn what_is_known_of_a_source_decides_as_the_table_would() {
        let stored = Known::of(7, Some("20220208T025144Z"));
        let keep = DuplicatePolicy::Keep;
        // The same unit, not newer: skipped; newer, or with an odd date: ask.
        assert_eq!(stored.decide(7, Some("20220208T025144Z"), keep), Some(None));
        assert_eq!(stored.decide(7, None, keep), Some(None));
        assert_eq!(stored.decide(7, Some("20230101T000000Z"), keep), None);
        assert_eq!(stored.decide(7, Some("2023-01-01"), keep), None);
        // Another translation: beside it, skipped, or ask (update).
        assert_eq!(stored.decide(8, None, keep), Some(Some(Added::Alternative)));
        assert_eq!(stored.decide(8, None, DuplicatePolicy::Skip), Some(None));
        assert_eq!(stored.decide(8, None, DuplicatePolicy::Update), None);
        // A stored unit without a date is older than any dated copy.
        assert_eq!(
            Known::of(7, None).decide(7, Some("20220208T025144Z"), keep),
            None
        );
        assert_eq!(Known::of(7, Some("yesterday")), Known::ASK);
        assert_eq!(Known::ASK.decide(7, None, keep), None);
    }

    // The bundled SQLite is built with SQLITE_ENABLE_NULL_TRIM (.cargo/config.toml): a
    // variant without TMX attributes leaves its dozen NULL columns out of its record, about a
    // twentieth of a database of prose.
    #[test]
    fn a_variant_without_attributes_stores_no_trailing_nulls() -> Result<()> {
        let store = Store::open_temporary()?;
        let input = Input::from_reader("t.tmx", std::io::Cursor::new(tmx(50)));
        store.import(
            formats::open(input, &ReadOptions::default())?,
            &ImportOptions::default(),
            &mut (),
        )?;
        let (rows, overhead): (i64, i64) = store.read("test", |c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM variant),
                        (SELECT sum(payload) FROM dbstat WHERE name = 'variant')
                        - (SELECT sum(length(CAST(text AS BLOB)) + length(lang)) FROM variant)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })?;
        assert_eq!(rows, 100);
        // Per row: the header (its size, then a serial type for each column up to the last
        // stored) and the unit id; 19 bytes of header alone with all 18 columns.
        assert!(
            overhead / rows < 12,
            "{overhead} bytes of overhead for {rows} rows"
        );
        Ok(())
    }

    // A server abandons the import of a client that went away: nothing of it is stored.
    #[test]
    fn an_observer_that_stops_the_import_leaves_nothing_stored() -> Result<()> {
        let store = Store::open_temporary()?;
        let input = Input::from_reader("request body", std::io::Cursor::new(tmx(3_000)));
        let source = formats::open(input, &ReadOptions::default())?;
        let result = store.import(
            source,
            &ImportOptions::default(),
            &mut StopAfter { after: 600 },
        );
        assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
        assert_eq!(store.stats()?.units, 0);
        assert!(store.origins()?.is_empty());
        // The same stream in full imports.
        let input = Input::from_reader("request body", std::io::Cursor::new(tmx(3_000)));
        let summary = store.import(
            formats::open(input, &ReadOptions::default())?,
            &ImportOptions::default(),
            &mut (),
        )?;
        assert_eq!(summary.added, 3_000);
        Ok(())
    }
}
