//! Importing into PostgreSQL: the backend-independent reader loop, warnings and duplicate
//! rules of `store::import` ([`feed`], [`decide`]), with rows sent by
//! `COPY … FROM STDIN (FORMAT binary)` in one transaction per file, and the match index
//! (postings chunks, as `tmm index` writes them in SQLite) built in that transaction.

use std::collections::HashMap;

use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};

use super::PgStore;
use crate::error::Result;
use crate::formats::Source;
use crate::formats::tmx::now_date;
use crate::matching::index::{
    BATCH, Batch, CHUNK_VARIANTS, IndexStats, PostingsBuilder, Worker, lang_key, len_byte, terms,
};
use crate::model::{Note, Prop, TranslationUnit, Variant};
use crate::store::import::{
    Added, DuplicatePolicy, ImportObserver, ImportOptions, ImportSummary, KnownSources, NewOrigin,
    Plan, StoredUnits, UnitSink, attribute_texts, extra_json, feed, plan, replacement,
    variant_extra_json,
};
use crate::store::subsegment::{self, SentenceLanguages, unit_sentences};
use crate::text::SentenceSplitter;

/// Units buffered before their rows are copied to the server.
const FLUSH_UNITS: usize = 4096;

/// Column types for a binary COPY, one letter each: `i` BIGINT, `t` TEXT, `f` DOUBLE
/// PRECISION, `b` BYTEA; `a` stands for the twelve text columns of `ATTRIBUTE_COLUMNS`.
pub(super) fn types(spec: &str) -> Vec<Type> {
    spec.chars()
        .flat_map(|c| match c {
            'i' => vec![Type::INT8],
            'f' => vec![Type::FLOAT8],
            'b' => vec![Type::BYTEA],
            'a' => vec![Type::TEXT; 12],
            _ => vec![Type::TEXT],
        })
        .collect()
}

impl PgStore {
    /// Imports what `source` yields in one transaction; see [`crate::Store::import`].
    pub(crate) fn import(
        &self,
        source: Source,
        options: &ImportOptions,
        observer: &mut dyn ImportObserver,
        summary: &mut ImportSummary,
    ) -> Result<()> {
        self.write(None, |tx| {
            let mut writer = PgWriter::new(tx, options.on_duplicate)?;
            let fed = feed(source, options, observer, summary, &mut writer)?;
            writer.flush()?;
            for (document, id) in &fed.origins {
                settle_origin(writer.tx, *id, document.as_deref(), fed.hash, fed.size)?;
            }
            summary.superseded_removed += writer.superseded;
            // As SQLite's: with `--defer-index`, or while an earlier deferred import waits
            // for `tmm index`, queries scan what this one stored.
            if options.defer_index || super::state(writer.tx, "uncovered_from")?.is_some() {
                writer.defer_index()?;
            } else {
                writer.index(&mut |done, total| observer.indexing(done, total))?;
            }
            Ok(())
        })
    }
}

/// Records the file's hash on the origin, or moves this import's units to the origin of an
/// earlier import of the same bytes (as `store::import::settle_origin` does in SQLite).
fn settle_origin(
    tx: &mut Transaction,
    id: i64,
    document: Option<&str>,
    hash: i64,
    size: i64,
) -> Result<()> {
    let earlier: Option<i64> = tx
        .query_opt(
            "SELECT id FROM origin WHERE content_hash = $1 AND size = $2 AND id <> $3
             AND document IS NOT DISTINCT FROM $4 ORDER BY id LIMIT 1",
            &[&hash, &size, &id, &document],
        )?
        .map(|r| r.get(0));
    match earlier {
        None => {
            tx.execute(
                "UPDATE origin SET content_hash = $1, size = $2 WHERE id = $3",
                &[&hash, &size, &id],
            )?;
        }
        Some(earlier) => {
            let next: i64 = tx
                .query_one(
                    "SELECT coalesce(max(position) + 1, 0) FROM unit WHERE origin_id = $1",
                    &[&earlier],
                )?
                .get(0);
            tx.execute(
                "UPDATE unit SET origin_id = $1, position = position + $2 WHERE origin_id = $3",
                &[&earlier, &next, &id],
            )?;
            for table in ["origin_prop", "origin_note"] {
                tx.execute(&format!("DELETE FROM {table} WHERE origin_id = $1"), &[&id])?;
            }
            tx.execute("DELETE FROM origin WHERE id = $1", &[&id])?;
        }
    }
    Ok(())
}

struct UnitRow {
    id: i64,
    origin: i64,
    position: i64,
    line: Option<i64>,
    tuid: Option<String>,
    srclang: Option<String>,
    source_lang: String,
    source_hash: i64,
    content_hash: i64,
    segtype: Option<String>,
    attributes: [Option<String>; 12],
}

struct VariantRow {
    id: i64,
    unit: i64,
    position: i64,
    lang: String,
    lang_original: Option<String>,
    text: String,
    markup: Option<String>,
    attributes: [Option<String>; 12],
}

struct AnnotationRow {
    unit: i64,
    tuv: i64,
    ord: i64,
    /// `type` of a prop; `None` for a note.
    kind: Option<String>,
    lang: Option<String>,
    o_encoding: Option<String>,
    value: String,
}

struct SentenceRow {
    id: i64,
    unit: i64,
    n: i64,
    m: i64,
    lang: String,
    variant: i64,
    start: i64,
    end: i64,
}

fn owned(texts: [Option<&str>; 12]) -> [Option<String>; 12] {
    texts.map(|t| t.map(str::to_string))
}

/// Adds units inside one import transaction: rows are buffered and copied in bulk; a unit
/// whose source is stored already is decided by the shared duplicate rules, against the
/// rows copied so far.
pub(super) struct PgWriter<'a, 't> {
    tx: &'a mut Transaction<'t>,
    policy: DuplicatePolicy,
    known_sources: KnownSources,
    positions: HashMap<i64, i64>,
    next_origin: i64,
    next_unit: i64,
    next_variant: i64,
    next_sentence: i64,
    /// The first subsegment id this import takes, to set the sequence past the last.
    first_sentence: i64,
    units: Vec<UnitRow>,
    variants: Vec<VariantRow>,
    annotations: Vec<AnnotationRow>,
    sentences: Vec<SentenceRow>,
    splitters: HashMap<String, SentenceSplitter>,
    /// Which languages' sentences the memory stores.
    languages: SentenceLanguages,
    /// Variants (id, language, text) stored by this import, for the index, in id order.
    indexed: Vec<(i64, String, String)>,
    /// Source-language sentences (id, index key, text), for the index.
    indexed_sentences: Vec<(i64, String, String)>,
    superseded: u64,
}

impl<'a, 't> PgWriter<'a, 't> {
    pub(super) fn new(tx: &'a mut Transaction<'t>, policy: DuplicatePolicy) -> Result<Self> {
        let mut known_sources = KnownSources::default();
        for r in tx.query(
            "SELECT source_hash, content_hash, coalesce(changedate, creationdate) FROM unit",
            &[],
        )? {
            let date: Option<String> = r.get(2);
            known_sources.insert_stored(r.get(0), r.get(1), date.as_deref());
        }
        let next = |tx: &mut Transaction, table: &str| -> Result<i64> {
            Ok(tx
                .query_one(
                    &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
                    &[],
                )?
                .get(0))
        };
        let next_origin = next(tx, "origin")?;
        let next_unit = next(tx, "unit")?;
        let next_variant = next(tx, "variant")?;
        let first_sentence: i64 = tx
            .query_one(
                "SELECT nextval(pg_get_serial_sequence('subsegment', 'id'))",
                &[],
            )?
            .get(0);
        let languages = super::index::sentence_languages(tx)?;
        Ok(PgWriter {
            tx,
            policy,
            known_sources,
            positions: HashMap::new(),
            next_origin,
            next_unit,
            next_variant,
            next_sentence: first_sentence,
            first_sentence,
            units: Vec::new(),
            variants: Vec::new(),
            annotations: Vec::new(),
            sentences: Vec::new(),
            splitters: HashMap::new(),
            languages,
            indexed: Vec::new(),
            indexed_sentences: Vec::new(),
            superseded: 0,
        })
    }

    fn next_position(&mut self, origin: i64) -> Result<i64> {
        if let Some(p) = self.positions.get_mut(&origin) {
            *p += 1;
            return Ok(*p - 1);
        }
        let next: i64 = self
            .tx
            .query_one(
                "SELECT coalesce(max(position) + 1, 0) FROM unit WHERE origin_id = $1",
                &[&origin],
            )?
            .get(0);
        self.positions.insert(origin, next + 1);
        Ok(next)
    }

    /// Copies the buffered rows to the server.
    pub(super) fn flush(&mut self) -> Result<()> {
        if !self.units.is_empty() {
            let types = types("iiiitttiita");
            let sink = self.tx.copy_in(&format!(
                "COPY unit (id, origin_id, position, line, tuid, srclang, source_lang, \
                 source_hash, content_hash, segtype, {}) FROM STDIN (FORMAT binary)",
                crate::store::ATTRIBUTE_COLUMNS
            ))?;
            let mut w = BinaryCopyInWriter::new(sink, &types);
            for u in self.units.drain(..) {
                let mut row: Vec<&(dyn ToSql + Sync)> = vec![
                    &u.id,
                    &u.origin,
                    &u.position,
                    &u.line,
                    &u.tuid,
                    &u.srclang,
                    &u.source_lang,
                    &u.source_hash,
                    &u.content_hash,
                    &u.segtype,
                ];
                row.extend(u.attributes.iter().map(|a| a as &(dyn ToSql + Sync)));
                w.write(&row)?;
            }
            w.finish()?;
        }
        if !self.variants.is_empty() {
            let types = types("iiitttta");
            let sink = self.tx.copy_in(&format!(
                "COPY variant (id, unit_id, position, lang, lang_original, text, markup, {}) \
                 FROM STDIN (FORMAT binary)",
                crate::store::ATTRIBUTE_COLUMNS
            ))?;
            let mut w = BinaryCopyInWriter::new(sink, &types);
            for v in self.variants.drain(..) {
                let mut row: Vec<&(dyn ToSql + Sync)> = vec![
                    &v.id,
                    &v.unit,
                    &v.position,
                    &v.lang,
                    &v.lang_original,
                    &v.text,
                    &v.markup,
                ];
                row.extend(v.attributes.iter().map(|a| a as &(dyn ToSql + Sync)));
                w.write(&row)?;
            }
            w.finish()?;
        }
        if !self.annotations.is_empty() {
            let (props, notes): (Vec<_>, Vec<_>) =
                self.annotations.drain(..).partition(|a| a.kind.is_some());
            if !props.is_empty() {
                let sink = self.tx.copy_in(
                    "COPY prop (unit_id, tuv, ord, type, lang, o_encoding, value) \
                     FROM STDIN (FORMAT binary)",
                )?;
                let mut w = BinaryCopyInWriter::new(sink, &types("iiitttt"));
                for p in &props {
                    w.write(&[
                        &p.unit,
                        &p.tuv,
                        &p.ord,
                        &p.kind,
                        &p.lang,
                        &p.o_encoding,
                        &p.value,
                    ])?;
                }
                w.finish()?;
            }
            if !notes.is_empty() {
                let sink = self.tx.copy_in(
                    "COPY note (unit_id, tuv, ord, lang, o_encoding, text) \
                     FROM STDIN (FORMAT binary)",
                )?;
                let mut w = BinaryCopyInWriter::new(sink, &types("iiittt"));
                for n in &notes {
                    w.write(&[&n.unit, &n.tuv, &n.ord, &n.lang, &n.o_encoding, &n.value])?;
                }
                w.finish()?;
            }
        }
        if !self.sentences.is_empty() {
            let sink = self.tx.copy_in(
                "COPY subsegment (id, unit_id, n, m, lang, variant_id, start, \"end\") \
                 FROM STDIN (FORMAT binary)",
            )?;
            let mut w = BinaryCopyInWriter::new(sink, &types("iiiitiii"));
            for s in self.sentences.drain(..) {
                w.write(&[
                    &s.id, &s.unit, &s.n, &s.m, &s.lang, &s.variant, &s.start, &s.end,
                ])?;
            }
            w.finish()?;
        }
        Ok(())
    }

    /// Deletes unit `id` (an update replaces it), marking its variants dead in the index.
    fn remove(&mut self, id: i64) -> Result<Option<i64>> {
        let position: Option<i64> = self
            .tx
            .query_opt("SELECT position FROM unit WHERE id = $1", &[&id])?
            .map(|r| r.get(0));
        if position.is_none() {
            return Ok(None);
        }
        self.tx.execute(
            "INSERT INTO match_dead (variant_id) SELECT id FROM variant WHERE unit_id = $1
             ON CONFLICT DO NOTHING",
            &[&id],
        )?;
        for table in ["subsegment", "variant", "prop", "note"] {
            self.tx
                .execute(&format!("DELETE FROM {table} WHERE unit_id = $1"), &[&id])?;
        }
        self.tx.execute("DELETE FROM unit WHERE id = $1", &[&id])?;
        // As SQLite assigns rowids: the next id follows the largest stored one, which may
        // be one just freed (match_dead is cleared for reused ids when they are indexed).
        self.next_unit = next_id(self.tx, "unit")?;
        self.next_variant = next_id(self.tx, "variant")?;
        Ok(position)
    }

    fn annotations(&mut self, unit: i64, tuv: i64, props: &[Prop], notes: &[Note]) {
        for (i, p) in props.iter().enumerate() {
            self.annotations.push(AnnotationRow {
                unit,
                tuv,
                ord: i as i64,
                kind: Some(p.kind.clone()),
                lang: p.lang.clone(),
                o_encoding: p.o_encoding.clone(),
                value: p.value.clone(),
            });
        }
        for (i, n) in notes.iter().enumerate() {
            self.annotations.push(AnnotationRow {
                unit,
                tuv,
                ord: i as i64,
                kind: None,
                lang: n.lang.clone(),
                o_encoding: n.o_encoding.clone(),
                value: n.text.clone(),
            });
        }
    }

    /// Builds the postings of what this import stored, as new chunks per term, and those
    /// of its source-language sentences; then moves the subsegment sequence past them.
    fn index(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        let total = self.indexed.len() as u64;
        let mut next_term = next_chunk(self.tx)?;
        let variants = std::mem::take(&mut self.indexed);
        let sentences = std::mem::take(&mut self.indexed_sentences);
        let mut done = 0u64;
        for list in [variants, sentences] {
            let span = list.first().map(|v| v.0).zip(list.last().map(|v| v.0));
            for chunk in list.chunks(CHUNK_VARIANTS as usize) {
                let worker = Worker::start();
                for variants in chunk.chunks(BATCH) {
                    let mut batch = Batch::with_capacity(variants.len());
                    for (id, lang, text) in variants {
                        batch.push(*id, lang, text);
                    }
                    worker.send(batch);
                }
                next_term = write_chunks(self.tx, worker.finish()?, next_term)?;
                done += chunk.len() as u64;
                progress(done.min(total), total);
            }
            if let Some((first, last)) = span {
                // An id of a deleted variant used again by a new one is alive again.
                self.tx.execute(
                    "DELETE FROM match_dead WHERE variant_id BETWEEN $1 AND $2",
                    &[&first, &last],
                )?;
            }
        }
        self.settle_sequence()
    }

    /// Leaves what this import stored for `tmm index`: the first variant and sentence it
    /// stored are recorded (unless an earlier one waits already), and queries scan from
    /// there until the index is rebuilt.
    fn defer_index(&mut self) -> Result<()> {
        let variants = std::mem::take(&mut self.indexed);
        let sentences = std::mem::take(&mut self.indexed_sentences);
        for (key, list) in [
            ("uncovered_from", &variants),
            ("subsegments_uncovered_from", &sentences),
        ] {
            let (Some(first), Some(last)) = (list.first(), list.last()) else {
                continue;
            };
            self.tx.execute(
                "INSERT INTO match_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &first.0],
            )?;
            if key == "uncovered_from" {
                // An id of a deleted variant used again by a new one is alive again.
                self.tx.execute(
                    "DELETE FROM match_dead WHERE variant_id BETWEEN $1 AND $2",
                    &[&first.0, &last.0],
                )?;
            }
        }
        self.settle_sequence()
    }

    /// Moves the subsegment sequence past the ids this writer took.
    fn settle_sequence(&mut self) -> Result<()> {
        if self.next_sentence > self.first_sentence {
            self.tx.execute(
                "SELECT setval(pg_get_serial_sequence('subsegment', 'id'), $1)",
                &[&(self.next_sentence - 1)],
            )?;
        }
        Ok(())
    }

    /// Indexes what this writer stored row by row in `match_recent`, as SQLite does for a
    /// small write: for a unit added by hand, where a chunk per term would leave every
    /// term with one more row to read.
    pub(super) fn index_recent(&mut self) -> Result<()> {
        let (mut langs, mut term_ids, mut ids, mut lens) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let variants = std::mem::take(&mut self.indexed);
        let sentences = std::mem::take(&mut self.indexed_sentences);
        for (id, lang, text) in variants.iter().chain(&sentences) {
            let (terms, len) = terms(text);
            let key = lang_key(lang);
            for (term, _) in terms {
                langs.push(key.clone());
                term_ids.push(term as i64);
                ids.push(*id);
                lens.push(i64::from(len_byte(len)));
            }
        }
        self.tx.execute(
            "INSERT INTO match_recent (lang, term, variant_id, len)
             SELECT * FROM unnest($1::TEXT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[])
             ON CONFLICT (lang, term, variant_id) DO UPDATE SET len = excluded.len",
            &[&langs, &term_ids, &ids, &lens],
        )?;
        let variant_ids: Vec<i64> = variants.iter().map(|v| v.0).collect();
        self.tx.execute(
            "DELETE FROM match_dead WHERE variant_id = ANY($1)",
            &[&variant_ids],
        )?;
        self.settle_sequence()
    }
}

/// The id after the largest in `table` (1 when it is empty).
fn next_id(tx: &mut Transaction, table: &str) -> Result<i64> {
    Ok(tx
        .query_one(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
            &[],
        )?
        .get(0))
}

/// The next chunk number to write: past every stored chunk and what `next_chunk` says (a
/// memory migrated from SQLite keeps SQLite's count).
pub(super) fn next_chunk(tx: &mut Transaction) -> Result<i64> {
    Ok(tx
        .query_one(
            "SELECT greatest(coalesce((SELECT max(chunk) FROM match_term), 0) + 1,
                    coalesce((SELECT value FROM match_state WHERE key = 'next_chunk'), 1))",
            &[],
        )?
        .get(0))
}

/// Copies a builder's postings into `match_term`, one chunk per term, numbered from `next`
/// on, and records the next free number in `match_state` as SQLite does; returns it.
pub(super) fn write_chunks(
    tx: &mut Transaction,
    builder: PostingsBuilder,
    next: i64,
) -> Result<i64> {
    Ok(write_chunks_counted(tx, builder, next)?.0)
}

/// [`write_chunks`], with what the chunks hold.
pub(super) fn write_chunks_counted(
    tx: &mut Transaction,
    builder: PostingsBuilder,
    mut next: i64,
) -> Result<(i64, IndexStats)> {
    let sink =
        tx.copy_in("COPY match_term (chunk, lang, term, df, postings) FROM STDIN (FORMAT binary)")?;
    let mut w = BinaryCopyInWriter::new(sink, &types("itiib"));
    let (stats, _) = builder.into_chunks(|lang, term, df, blob| {
        w.write(&[&next, &lang, &(term as i64), &i64::from(df), &blob])?;
        next += 1;
        Ok(())
    })?;
    w.finish()?;
    tx.execute(
        "INSERT INTO match_state (key, value) VALUES ('next_chunk', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&next],
    )?;
    Ok((next, stats))
}

impl StoredUnits for PgWriter<'_, '_> {
    fn with_source(&mut self, source_hash: i64) -> Result<Vec<(i64, i64, Option<String>)>> {
        // The rules read the stored rows: this import's buffered ones go first.
        self.flush()?;
        Ok(self
            .tx
            .query(
                "SELECT id, content_hash, coalesce(changedate, creationdate) FROM unit
                 WHERE source_hash = $1 ORDER BY id DESC",
                &[&source_hash],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }
    fn langs(&mut self, id: i64) -> Result<Vec<String>> {
        Ok(self
            .tx
            .query("SELECT lang FROM variant WHERE unit_id = $1", &[&id])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }
}

impl UnitSink for PgWriter<'_, '_> {
    fn new_origin(&mut self, o: &NewOrigin) -> Result<i64> {
        let id = self.next_origin;
        self.next_origin += 1;
        let h = o.header;
        let a = &h.attributes;
        let extra = extra_json(a);
        let now = now_date();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
            &id,
            &o.kind,
            &o.path,
            &o.name,
            &o.content_hash,
            &o.size,
            &now,
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
        let attributes = attribute_texts(a, &extra);
        params.extend(attributes.iter().map(|a| a as &(dyn ToSql + Sync)));
        let placeholders: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
        self.tx.execute(
            &format!(
                "INSERT INTO origin (id, kind, path, name, content_hash, size, imported_at, \
                 encoding, tmx_version, document, title, document_date, srclang, adminlang, \
                 segtype, udes, {}) VALUES ({})",
                crate::store::ATTRIBUTE_COLUMNS,
                placeholders.join(", ")
            ),
            &params,
        )?;
        for (i, p) in h.props.iter().enumerate() {
            self.tx.execute(
                "INSERT INTO origin_prop (origin_id, ord, type, lang, o_encoding, value)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &(i as i64), &p.kind, &p.lang, &p.o_encoding, &p.value],
            )?;
        }
        for (i, n) in h.notes.iter().enumerate() {
            self.tx.execute(
                "INSERT INTO origin_note (origin_id, ord, lang, o_encoding, text)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&id, &(i as i64), &n.lang, &n.o_encoding, &n.text],
            )?;
        }
        Ok(id)
    }

    fn add(
        &mut self,
        origin: i64,
        unit: &TranslationUnit,
        line: Option<u64>,
        default_srclang: Option<&str>,
        // PostgreSQL stores text as it is: nothing is prepared.
        _prepared: super::super::import::Prepared,
    ) -> Result<Added> {
        let mut known = std::mem::take(&mut self.known_sources);
        let policy = self.policy;
        let planned = plan(self, policy, &mut known, unit, default_srclang);
        self.known_sources = known;
        let Some(Plan {
            source,
            source_hash,
            content_hash,
            replace,
            outcome,
            superseded,
        }) = planned?
        else {
            return Ok(Added::Duplicate);
        };
        for id in superseded {
            if self.remove(id)?.is_some() {
                self.superseded += 1;
            }
        }
        if let Some(id) = replace {
            self.remove(id)?;
        }
        // A unit updated from a file goes where that file puts it.
        let position = self.next_position(origin)?;
        let unit_id = replace.unwrap_or_else(|| {
            self.next_unit += 1;
            self.next_unit - 1
        });
        self.insert(
            origin,
            unit,
            line,
            source,
            (source_hash, content_hash),
            (unit_id, position),
        );
        if self.units.len() >= FLUSH_UNITS {
            self.flush()?;
        }
        Ok(outcome)
    }
}

impl PgWriter<'_, '_> {
    /// Replaces unit `id` by `unit` in its place (its id, origin and position), as the
    /// SQLite writer's `replace` does: the old rows go, their variants dead in the index,
    /// and `unit` is stored whatever else is, an exact copy of another unit included. False
    /// when there is no such unit or `unit` has no source variant.
    pub(super) fn replace(&mut self, id: i64, unit: &TranslationUnit) -> Result<bool> {
        // `remove` numbers the next variants from the stored rows: none may wait in a buffer.
        self.flush()?;
        let Some(origin): Option<i64> = self
            .tx
            .query_opt("SELECT origin_id FROM unit WHERE id = $1", &[&id])?
            .map(|r| r.get(0))
        else {
            return Ok(false);
        };
        let Some((source, hashes)) = replacement(unit, &mut self.known_sources) else {
            return Ok(false);
        };
        let Some(position) = self.remove(id)? else {
            return Ok(false);
        };
        self.insert(origin, unit, None, source, hashes, (id, position));
        Ok(true)
    }

    /// Buffers unit `unit_id` at `position` of `origin` with its variants, props, notes and
    /// sentence rows, and queues them for the index.
    fn insert(
        &mut self,
        origin: i64,
        unit: &TranslationUnit,
        line: Option<u64>,
        source: &Variant,
        (source_hash, content_hash): (i64, i64),
        (unit_id, position): (i64, i64),
    ) {
        let a = &unit.attributes;
        let extra = extra_json(a);
        self.units.push(UnitRow {
            id: unit_id,
            origin,
            position,
            line: line.map(|l| l as i64),
            tuid: unit.tuid.clone(),
            srclang: unit.srclang.clone(),
            source_lang: source.lang.to_string(),
            source_hash,
            content_hash,
            segtype: a.segtype.clone(),
            attributes: owned(attribute_texts(a, &extra)),
        });
        self.annotations(unit_id, 0, &unit.props, &unit.notes);
        let mut variant_ids = Vec::with_capacity(unit.variants.len());
        for (i, v) in unit.variants.iter().enumerate() {
            let id = self.next_variant;
            self.next_variant += 1;
            variant_ids.push(id);
            let extra = variant_extra_json(&v.attributes);
            self.variants.push(VariantRow {
                id,
                unit: unit_id,
                position: i as i64 + 1,
                lang: v.lang.to_string(),
                lang_original: v.lang_original.clone(),
                text: v.segment.text.clone(),
                markup: v.segment.markup.clone(),
                attributes: owned(attribute_texts(&v.attributes, &extra)),
            });
            self.indexed
                .push((id, v.lang.to_string(), v.segment.text.clone()));
            self.annotations(unit_id, i as i64 + 1, &v.props, &v.notes);
        }
        for (i, sentences) in unit_sentences(unit, source, self.languages, &mut self.splitters) {
            let (Some(&variant), Some(v)) = (variant_ids.get(i), unit.variants.get(i)) else {
                continue;
            };
            let m = sentences.len() as i64;
            for (n, range) in sentences.into_iter().enumerate() {
                let id = self.next_sentence;
                self.next_sentence += 1;
                self.indexed_sentences.push((
                    id,
                    subsegment::key(v.lang.as_str()),
                    v.segment.text[range.clone()].to_string(),
                ));
                self.sentences.push(SentenceRow {
                    id,
                    unit: unit_id,
                    n: n as i64 + 1,
                    m,
                    lang: v.lang.to_string(),
                    variant,
                    start: range.start as i64,
                    end: range.end as i64,
                });
            }
        }
    }
}
