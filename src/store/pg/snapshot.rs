//! [`crate::store::Snapshot`]'s reads on PostgreSQL: the same statements as the SQLite view
//! (`store/snapshot.rs`, `store/subsegment.rs`), in one `REPEATABLE READ, READ ONLY`
//! transaction on a pooled connection.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::SimpleQueryMessage;
use postgres::types::ToSql;

use super::dollar;
use super::{Connection, PgStore};
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::matching::index::{IdMap, decode_postings, lang_key};
use crate::model::{OriginId, UnitId, VariantId};
use crate::store::snapshot::{lang_clause, sql};
use crate::store::subsegment::{self, StoredSentence, key};
use crate::store::{MatchedVariant, Provenance, StoredVariant, UnitMetadata};

/// A pooled connection inside its read transaction.
pub(crate) struct PgSnapshot<'c> {
    client: RefCell<&'c mut Connection>,
    facts: &'c RefCell<Facts>,
}

/// What every lookup asks before it reads a posting: whether `match_recent` holds rows, where
/// the index's coverage ends, which languages and sentence spaces the memory holds. They
/// depend only on what the snapshot sees, and a snapshot equal to an earlier one
/// (`pg_current_snapshot()`: the same transactions committed, the same ones in flight) sees
/// the same rows: so they are read once and kept until a transaction commits or starts
/// writing anywhere on the server, instead of costing each lookup five round trips.
#[derive(Default, Clone)]
pub(crate) struct Facts {
    snapshot: String,
    recent: bool,
    uncovered_from: Option<i64>,
    subsegments_uncovered_from: Option<i64>,
    /// `holds_language` and `holds_subsegments` answers, by tag.
    languages: HashMap<String, bool>,
    subsegments: HashMap<String, bool>,
}

/// Opens the read transaction and reads the snapshot's identity and the index's state in the
/// same round trip.
const START: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
    SELECT pg_current_snapshot()::text, EXISTS (SELECT 1 FROM match_recent),
        (SELECT value FROM match_state WHERE key = 'uncovered_from'),
        (SELECT value FROM match_state WHERE key = 'subsegments_uncovered_from')";

fn stored_sentence(r: &postgres::Row) -> StoredSentence {
    let whole: String = r.get(5);
    let (start, end): (i64, i64) = (r.get(6), r.get(7));
    StoredSentence {
        unit_id: UnitId(r.get(0)),
        variant_id: VariantId(r.get(1)),
        n: r.get::<_, i64>(2) as u32,
        m: r.get::<_, i64>(3) as u32,
        lang: r.get(4),
        text: subsegment::slice(&whole, start, end),
        range: start.max(0) as usize..end.max(0) as usize,
        whole,
    }
}

/// The facts of the snapshot `START` opened, the last snapshot's when it is the same one.
fn facts(messages: &[SimpleQueryMessage], last: &Facts) -> Result<Facts> {
    let row = messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .ok_or(crate::Error::Internal("the snapshot query returned no row"))?;
    let snapshot = row.get(0).unwrap_or_default();
    if snapshot == last.snapshot {
        return Ok(last.clone());
    }
    let number = |i: usize| -> Result<Option<i64>> {
        row.get(i)
            .map(|v| {
                v.parse()
                    .map_err(|_| crate::Error::Internal("match_state holds a non-integer"))
            })
            .transpose()
    };
    Ok(Facts {
        snapshot: snapshot.to_string(),
        recent: row.get(1) == Some("t"),
        uncovered_from: number(2)?,
        subsegments_uncovered_from: number(3)?,
        ..Facts::default()
    })
}

impl PgStore {
    /// Runs `f` on one consistent view of the memory.
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(PgSnapshot) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let client = &mut *client;
        let messages = client.client.simple_query(START)?;
        let last = self
            .facts
            .lock()
            .map_err(|_| crate::Error::Internal("a lookup panicked"))?
            .clone();
        let result = facts(&messages, &last).and_then(|facts| {
            let facts = RefCell::new(facts);
            let value = f(PgSnapshot {
                client: RefCell::new(&mut *client),
                facts: &facts,
            })?;
            Ok((value, facts.into_inner()))
        });
        // Nothing was written: ending the transaction either way loses nothing.
        let ended = client
            .client
            .batch_execute(if result.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let (value, learnt) = result?;
        ended?;
        if let Ok(mut kept) = self.facts.lock() {
            *kept = learnt;
        }
        Ok(value)
    }
}

/// The `sql::provenance_columns` of row `r` from column `at` on.
fn provenance(r: &postgres::Row, at: usize) -> Provenance {
    Provenance {
        origin: r.get(at),
        document: r.get(at + 1),
        date: r.get(at + 2),
        tuid: r.get(at + 3),
        position: r.get(at + 4),
        changeid: r.get(at + 5),
    }
}

/// A row of `filter::METADATA_SQL`, without the props.
fn metadata(r: &postgres::Row) -> UnitMetadata {
    UnitMetadata {
        unit_id: UnitId(r.get(0)),
        origin_id: OriginId(r.get(1)),
        origin: r.get(2),
        document: r.get(3),
        date: r.get(4),
        changeid: r.get(5),
        props: Vec::new(),
    }
}

impl PgStore {
    /// [`crate::Store::find_units`] on PostgreSQL, in one read transaction.
    pub(crate) fn find_units(
        &self,
        filter: &crate::store::UnitFilter,
        limit: Option<usize>,
    ) -> Result<Vec<UnitId>> {
        self.snapshot(|s| {
            let (sql, params) = crate::store::filter::find_sql(filter);
            let params: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let rows = s.rows(&dollar(&sql), &params)?;
            crate::store::filter::admitted(
                rows.iter().map(|r| Ok(metadata(r))),
                filter,
                limit,
                |unit| s.props_of(unit),
            )
        })
    }
}

impl PgSnapshot<'_> {
    fn opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<postgres::Row>> {
        let mut c = self.client.borrow_mut();
        let statement = c.prepared(sql)?;
        Ok(c.client.query_opt(&statement, params)?)
    }

    pub(super) fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>> {
        let mut c = self.client.borrow_mut();
        let statement = c.prepared(sql)?;
        Ok(c.client.query(&statement, params)?)
    }

    pub(crate) fn holds_language(&self, lang: &LanguageTag) -> Result<bool> {
        if let Some(&held) = self.facts.borrow().languages.get(lang.as_str()) {
            return Ok(held);
        }
        let key = lang_key(lang.as_str());
        let (exact, like) = lang_clause(lang);
        let held = self.holds_key(&key)?
            || self
                .opt(&dollar(sql::LANG_EXISTS), &[&exact, &like])?
                .is_some();
        self.facts
            .borrow_mut()
            .languages
            .insert(lang.to_string(), held);
        Ok(held)
    }

    /// True when the index holds a term under language key `key`, in chunks or (a small
    /// write) row by row in `match_recent`.
    fn holds_key(&self, key: &str) -> Result<bool> {
        Ok(self.opt(&dollar(sql::TERM_EXISTS), &[&key])?.is_some()
            || (self.recent() && self.opt(&dollar(sql::RECENT_EXISTS), &[&key])?.is_some()))
    }

    fn recent(&self) -> bool {
        self.facts.borrow().recent
    }

    pub(crate) fn document_frequency(&self, lang: &str, term: u64) -> Result<u64> {
        let term = term as i64;
        let df: Option<i64> = self
            .opt(&dollar(sql::DF), &[&lang, &term])?
            .and_then(|r| r.get(0));
        let recent: i64 = if self.recent() {
            self.opt(&dollar(sql::RECENT_DF), &[&lang, &term])?
                .map_or(0, |r| r.get(0))
        } else {
            0
        };
        Ok((df.unwrap_or(0) + recent) as u64)
    }

    pub(crate) fn document_frequencies(&self, lang: &str, terms: &[u64]) -> Result<Vec<u64>> {
        let keys: Vec<i64> = terms.iter().map(|&t| t as i64).collect();
        let mut df: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        let mut add = |sql: &str| -> Result<()> {
            for r in self.rows(&dollar(sql), &[&lang, &keys])? {
                *df.entry(r.get(0)).or_default() += r.get::<_, Option<i64>>(1).unwrap_or(0);
            }
            Ok(())
        };
        add(sql::DFS)?;
        if self.recent() {
            add(sql::RECENT_DFS)?;
        }
        Ok(keys
            .iter()
            .map(|k| df.get(k).copied().unwrap_or(0) as u64)
            .collect())
    }

    pub(crate) fn postings(&self, lang: &str, term: u64, mut f: impl FnMut(i64, u8)) -> Result<()> {
        let term = term as i64;
        // A term's chunks, oldest first: their ids follow on.
        for r in self.rows(&dollar(sql::POSTINGS), &[&lang, &term])? {
            decode_postings(r.get(0), &mut f);
        }
        if self.recent() {
            for r in self.rows(&dollar(sql::RECENT_POSTINGS), &[&lang, &term])? {
                f(r.get(0), r.get::<_, i64>(1) as u8);
            }
        }
        Ok(())
    }

    pub(crate) fn is_dead(&self, id: VariantId) -> Result<bool> {
        Ok(self.opt(&dollar(sql::IS_DEAD), &[&id.0])?.is_some())
    }

    pub(crate) fn uncovered_from(&self) -> Result<Option<VariantId>> {
        Ok(self.facts.borrow().uncovered_from.map(VariantId))
    }

    pub(crate) fn texts_in(
        &self,
        ids: &[i64],
        lang: &LanguageTag,
    ) -> Result<IdMap<i64, (String, bool)>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .rows(&dollar(sql::TEXTS_IN), &[&ids, &exact, &like])?
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect())
    }

    pub(crate) fn scan(
        &self,
        lang: &LanguageTag,
        from: Option<VariantId>,
        mut f: impl FnMut(VariantId, &str),
    ) -> Result<u64> {
        let (exact, like) = lang_clause(lang);
        let from = from.map_or(i64::MIN, |v| v.0);
        let rows = self.rows(&dollar(sql::SCAN), &[&exact, &like, &from])?;
        for r in &rows {
            f(VariantId(r.get(0)), r.get(1));
        }
        Ok(rows.len() as u64)
    }

    pub(crate) fn variant(&self, id: VariantId) -> Result<Option<StoredVariant>> {
        Ok(self
            .opt(&dollar(sql::VARIANT), &[&id.0])?
            .map(|r| StoredVariant {
                unit_id: UnitId(r.get(0)),
                lang: r.get(1),
                text: r.get(2),
                markup: r.get(3),
            }))
    }

    pub(crate) fn matched_variants(
        &self,
        ids: &[i64],
        to: &LanguageTag,
    ) -> Result<IdMap<i64, MatchedVariant>> {
        let (exact, like) = lang_clause(to);
        let rows = self.rows(&dollar(sql::MATCHED_VARIANTS), &[&ids, &exact, &like])?;
        Ok(rows
            .iter()
            .map(|r| {
                let translation: Option<String> = r.get(5);
                let matched = MatchedVariant {
                    variant: StoredVariant {
                        unit_id: UnitId(r.get(1)),
                        lang: r.get(2),
                        text: r.get(3),
                        markup: r.get(4),
                    },
                    provenance: translation.is_some().then(|| provenance(r, 8)),
                    translation: translation.map(|lang| (lang, r.get(6), r.get(7))),
                };
                (r.get(0), matched)
            })
            .collect())
    }

    pub(crate) fn translation(
        &self,
        unit: UnitId,
        lang: &LanguageTag,
    ) -> Result<Option<(String, String, Option<String>)>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(&dollar(sql::TRANSLATION), &[&unit.0, &exact, &like])?
            .map(|r| (r.get(0), r.get(1), r.get(2))))
    }

    pub(crate) fn provenance(&self, unit: UnitId) -> Result<Provenance> {
        let rows = self.rows(&dollar(sql::PROVENANCE), &[&unit.0])?;
        let r = rows
            .first()
            .ok_or(crate::Error::Internal("a matched unit has no row"))?;
        Ok(provenance(r, 0))
    }

    pub(crate) fn unit_metadata(&self, unit: UnitId) -> Result<Option<UnitMetadata>> {
        let Some(r) = self.opt(
            &dollar(&format!(
                "{} WHERE u.id = ?1",
                crate::store::filter::METADATA_SQL
            )),
            &[&unit.0],
        )?
        else {
            return Ok(None);
        };
        let mut meta = metadata(&r);
        meta.props = self.props_of(unit.0)?;
        Ok(Some(meta))
    }

    /// The props of unit `unit` and of its variants, as (`type`, `value`).
    fn props_of(&self, unit: i64) -> Result<Vec<(String, String)>> {
        Ok(self
            .rows(&dollar(sql::PROPS_OF), &[&unit])?
            .iter()
            .map(|p| (p.get(0), p.get(1)))
            .collect())
    }

    pub(crate) fn neighbour_text(
        &self,
        unit: UnitId,
        lang: &str,
        step: i64,
    ) -> Result<Option<String>> {
        Ok(self
            .opt(&dollar(sql::NEIGHBOUR_TEXT), &[&unit.0, &lang, &step])?
            .map(|r| r.get(0)))
    }

    pub(crate) fn variant_ids_from(&self, from: VariantId, lang: &LanguageTag) -> Result<Vec<i64>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .rows(&dollar(sql::VARIANT_IDS_FROM), &[&from.0, &exact, &like])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    pub(crate) fn variant_in(
        &self,
        id: VariantId,
        lang: &LanguageTag,
    ) -> Result<Option<(UnitId, String, String)>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(&dollar(sql::VARIANT_IN), &[&id.0, &exact, &like])?
            .map(|r| (UnitId(r.get(0)), r.get(1), r.get(2))))
    }

    pub(crate) fn holds_subsegments(&self, lang: &LanguageTag) -> Result<bool> {
        if let Some(&held) = self.facts.borrow().subsegments.get(lang.as_str()) {
            return Ok(held);
        }
        let held = self.holds_key(&key(lang.as_str()))? || {
            let from = self.facts.borrow().subsegments_uncovered_from;
            match from {
                None => false,
                Some(from) => {
                    let (exact, like) = lang_clause(lang);
                    self.opt(
                        &dollar(sql::UNCOVERED_SENTENCE_EXISTS),
                        &[&from, &exact, &like],
                    )?
                    .is_some()
                }
            }
        };
        self.facts
            .borrow_mut()
            .subsegments
            .insert(lang.to_string(), held);
        Ok(held)
    }

    pub(crate) fn subsegments_uncovered_from(&self) -> Result<Option<i64>> {
        Ok(self.facts.borrow().subsegments_uncovered_from)
    }

    pub(crate) fn subsegment_in(
        &self,
        id: i64,
        lang: &LanguageTag,
    ) -> Result<Option<StoredSentence>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(&dollar(sql::SENTENCE_IN), &[&id, &exact, &like])?
            .as_ref()
            .map(stored_sentence))
    }

    pub(crate) fn subsegment_of(
        &self,
        unit: UnitId,
        n: u32,
        lang: &LanguageTag,
    ) -> Result<Option<StoredSentence>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(
                &dollar(sql::SENTENCE_OF),
                &[&unit.0, &i64::from(n), &exact, &like],
            )?
            .as_ref()
            .map(stored_sentence))
    }

    pub(crate) fn scan_subsegments(
        &self,
        lang: &LanguageTag,
        from: i64,
        mut f: impl FnMut(i64, &str),
    ) -> Result<u64> {
        let (exact, like) = lang_clause(lang);
        let rows = self.rows(&dollar(sql::SCAN_SENTENCES), &[&exact, &like, &from])?;
        for r in &rows {
            f(r.get(0), &subsegment::slice(r.get(1), r.get(2), r.get(3)));
        }
        Ok(rows.len() as u64)
    }
}
