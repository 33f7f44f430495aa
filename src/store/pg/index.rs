//! `tmm index` on PostgreSQL: the match index rebuilt from every variant and source-language
//! sentence, in chunks of at most `CHUNK_VARIANTS`, in one transaction (as
//! `store::index::build` does in SQLite), reading through a cursor so memory stays bounded.

use std::collections::HashMap;

use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;

use super::import::{next_chunk, types, write_chunks_counted};
use super::{PgStore, dollar};
use crate::error::Result;
use crate::matching::index::{BATCH, Batch, CHUNK_VARIANTS, IndexStats, Worker};
use crate::store::snapshot::sql;
use crate::store::subsegment::{self, SentenceLanguages};

impl PgStore {
    /// [`crate::Store::rebuild_index`] on PostgreSQL.
    pub(crate) fn rebuild_index(
        &self,
        languages: Option<SentenceLanguages>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<IndexStats> {
        self.write(None, |tx| {
            for sql in languages
                .map(subsegment::set_languages_sql)
                .unwrap_or_default()
            {
                tx.execute(sql, &[])?;
            }
            make_missing(tx)?;
            let total: i64 = tx.query_one("SELECT count(*) FROM variant", &[])?.get(0);
            tx.batch_execute(
                "DELETE FROM match_term; DELETE FROM match_recent; DELETE FROM match_dead;
                 DELETE FROM match_state WHERE key IN ('uncovered_from',
                     'subsegments_uncovered_from', 'subsegment_units_from');",
            )?;
            let mut next = 1;
            let mut stats = IndexStats::default();
            let variants = "SELECT id, lang, text FROM variant ORDER BY id".to_string();
            build(tx, &variants, false, &mut next, &mut stats, &mut |done| {
                progress(done, total as u64)
            })?;
            let sentences = dollar(&format!(
                "SELECT s.id, s.lang, v.text, s.start, s.\"end\" {} ORDER BY s.id",
                sql::MATCHED
            ));
            let mut sentence_stats = IndexStats::default();
            build(
                tx,
                &sentences,
                true,
                &mut next,
                &mut sentence_stats,
                &mut |_| {},
            )?;
            progress(stats.variants, total as u64);
            Ok(stats)
        })
    }

    /// [`crate::Store::catch_up_index`] on PostgreSQL: an import indexes before it commits,
    /// so only one with `--defer-index` (or a memory migrated with work pending) leaves any;
    /// the index is then rebuilt.
    pub(crate) fn catch_up_index(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexStats> {
        let pending: i64 = self.read(|tx| {
            Ok(tx
                .query_one(
                    "SELECT count(*) FROM match_state WHERE key IN ('uncovered_from',
                     'subsegments_uncovered_from', 'subsegment_units_from')",
                    &[],
                )?
                .get(0))
        })?;
        if pending == 0 {
            return Ok(IndexStats::default());
        }
        self.rebuild_index(None, progress)
    }
}

/// Which languages' sentences the memory stores (see `subsegment::SentenceLanguages`).
pub(super) fn sentence_languages(tx: &mut Transaction) -> Result<SentenceLanguages> {
    Ok(
        match tx.query_opt(
            "SELECT 1 FROM match_state WHERE key = 'subsegment_languages'",
            &[],
        )? {
            Some(_) => SentenceLanguages::Every,
            None => SentenceLanguages::Source,
        },
    )
}

/// Makes the sentences of the units stored without them (a memory migrated from schema 5),
/// as `subsegment::make_missing` does in SQLite, copied in bulk.
fn make_missing(tx: &mut Transaction) -> Result<()> {
    let Some(from) = tx
        .query_opt(
            "SELECT value FROM match_state WHERE key = 'subsegment_units_from'",
            &[],
        )?
        .map(|r| r.get::<_, i64>(0))
    else {
        return Ok(());
    };
    let last: i64 = tx
        .query_one("SELECT coalesce(max(id), 0) FROM unit", &[])?
        .get(0);
    let select = tx.prepare(&dollar(sql::UNITS_WITHOUT_SENTENCES))?;
    let languages = sentence_languages(tx)?;
    let mut splitters = HashMap::new();
    for lo in (from..=last).step_by(subsegment::MISSING_BATCH as usize) {
        let rows = tx.query(&select, &[&lo, &(lo + subsegment::MISSING_BATCH)])?;
        let units = subsegment::group_units(
            rows.iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))),
        );
        let sink = tx.copy_in(
            "COPY subsegment (unit_id, n, m, lang, variant_id, start, \"end\") \
             FROM STDIN (FORMAT binary)",
        )?;
        let mut w = BinaryCopyInWriter::new(sink, &types("iiitiii"));
        for unit in &units {
            for (variant, lang, sentences) in
                subsegment::stored_unit_sentences(unit, languages, &mut splitters)
            {
                let m = sentences.len() as i64;
                for (n, r) in sentences.iter().enumerate() {
                    let (n, start, end) = (n as i64 + 1, r.start as i64, r.end as i64);
                    w.write(&[&unit.0, &n, &m, &lang, &variant, &start, &end])?;
                }
            }
        }
        w.finish()?;
    }
    tx.execute(
        "DELETE FROM match_state WHERE key = 'subsegment_units_from'",
        &[],
    )?;
    Ok(())
}

/// Makes and indexes the sentences of the units stored without them, in the transaction that
/// migrated the memory, so that it suggests sentences as before as soon as it is open.
pub(super) fn make_missing_indexed(tx: &mut Transaction) -> Result<()> {
    let before: i64 = tx
        .query_one("SELECT coalesce(max(id), 0) FROM subsegment", &[])?
        .get(0);
    make_missing(tx)?;
    let sentences = format!(
        "SELECT s.id, s.lang, v.text, s.start, s.\"end\" {} AND s.id > {before} ORDER BY s.id",
        sql::MATCHED
    );
    let mut next = next_chunk(tx)?;
    build(
        tx,
        &sentences,
        true,
        &mut next,
        &mut IndexStats::default(),
        &mut |_| {},
    )
}

/// Indexes the rows of `select` (id, language, text, and for sentences their byte range) in
/// chunks, through a cursor.
fn build(
    tx: &mut Transaction,
    select: &str,
    sentences: bool,
    next: &mut i64,
    stats: &mut IndexStats,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    tx.batch_execute(&format!("DECLARE tmm_index NO SCROLL CURSOR FOR {select}"))?;
    let mut worker = Worker::start();
    let mut in_chunk = 0u64;
    let mut done = 0u64;
    loop {
        let rows = tx.query(&format!("FETCH {BATCH} FROM tmm_index"), &[])?;
        if rows.is_empty() {
            break;
        }
        let mut batch = Batch::with_capacity(rows.len());
        for r in &rows {
            let lang: &str = r.get(1);
            let text: &str = r.get(2);
            if sentences {
                batch.push(
                    r.get(0),
                    &subsegment::key(lang),
                    &subsegment::slice(text, r.get(3), r.get(4)),
                );
            } else {
                batch.push(r.get(0), lang, text);
            }
        }
        worker.send(batch);
        in_chunk += rows.len() as u64;
        done += rows.len() as u64;
        if in_chunk >= CHUNK_VARIANTS {
            let full = std::mem::replace(&mut worker, Worker::start());
            let (n, s) = write_chunks_counted(tx, full.finish()?, *next)?;
            *next = n;
            stats.add(s);
            in_chunk = 0;
            progress(done);
        }
    }
    let (n, s) = write_chunks_counted(tx, worker.finish()?, *next)?;
    *next = n;
    stats.add(s);
    tx.batch_execute("CLOSE tmm_index")?;
    Ok(())
}
