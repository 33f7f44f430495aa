//! [`crate::store::Snapshot`]'s reads on PostgreSQL: the same statements as the SQLite view
//! (`store/snapshot.rs`, `store/subsegment.rs`), in one `REPEATABLE READ, READ ONLY`
//! transaction on a pooled connection.

use std::cell::RefCell;

use postgres::Client;
use postgres::types::ToSql;

use super::PgStore;
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::matching::index::{decode_postings, lang_key};
use crate::model::{OriginId, UnitId, VariantId};
use crate::store::snapshot::lang_clause;
use crate::store::subsegment::{StoredSentence, key};
use crate::store::{Provenance, StoredVariant, UnitMetadata};

/// A pooled connection inside its read transaction.
pub(crate) struct PgSnapshot<'c> {
    client: RefCell<&'c mut Client>,
    recent: bool,
}

const UNCOVERED: &str = "subsegments_uncovered_from";

/// The sub-segments matched against: those in their unit's source language.
const MATCHED: &str = "FROM subsegment s JOIN variant v ON v.id = s.variant_id
    JOIN unit u ON u.id = s.unit_id WHERE s.lang = u.source_lang";

const SENTENCE_COLUMNS: &str = "s.unit_id, s.variant_id, s.n, s.m, s.lang, v.text, s.start,
    s.\"end\", s.sentences, s.bead, s.confidence";

fn slice(text: &str, start: i64, end: i64) -> String {
    text.get(start.max(0) as usize..end.max(0) as usize)
        .unwrap_or("")
        .to_string()
}

fn stored_sentence(r: &postgres::Row) -> StoredSentence {
    StoredSentence {
        unit_id: UnitId(r.get(0)),
        variant_id: VariantId(r.get(1)),
        n: r.get::<_, i64>(2) as u32,
        m: r.get::<_, i64>(3) as u32,
        lang: r.get(4),
        text: slice(r.get(5), r.get(6), r.get(7)),
        sentences: r.get::<_, i64>(8) as u32,
        bead: r.get(9),
        confidence: r.get(10),
    }
}

impl PgStore {
    /// Runs `f` on one consistent view of the memory.
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(PgSnapshot) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        client.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        let recent = client
            .query_opt("SELECT 1 FROM match_recent LIMIT 1", &[])
            .map(|r| r.is_some());
        let result = recent.map_err(Into::into).and_then(|recent| {
            f(PgSnapshot {
                client: RefCell::new(&mut client),
                recent,
            })
        });
        // Nothing was written: ending the transaction either way loses nothing.
        let ended = client.batch_execute(if result.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let value = result?;
        ended?;
        Ok(value)
    }
}

impl PgSnapshot<'_> {
    fn opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<postgres::Row>> {
        Ok(self.client.borrow_mut().query_opt(sql, params)?)
    }

    pub(super) fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>> {
        Ok(self.client.borrow_mut().query(sql, params)?)
    }

    fn state(&self, key: &str) -> Result<Option<i64>> {
        Ok(self
            .opt("SELECT value FROM match_state WHERE key = $1", &[&key])?
            .and_then(|r| r.get(0)))
    }

    pub(crate) fn holds_language(&self, lang: &LanguageTag) -> Result<bool> {
        let key = lang_key(lang.as_str());
        let indexed = self
            .opt("SELECT 1 FROM match_term WHERE lang = $1 LIMIT 1", &[&key])?
            .is_some()
            || (self.recent
                && self
                    .opt(
                        "SELECT 1 FROM match_recent WHERE lang = $1 LIMIT 1",
                        &[&key],
                    )?
                    .is_some());
        if indexed {
            return Ok(true);
        }
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(
                "SELECT 1 FROM variant WHERE lang = $1 OR lang LIKE $2 LIMIT 1",
                &[&exact, &like],
            )?
            .is_some())
    }

    pub(crate) fn document_frequency(&self, lang: &str, term: u64) -> Result<u64> {
        let term = term as i64;
        let df: Option<i64> = self
            .opt(
                "SELECT sum(df)::BIGINT FROM match_term WHERE lang = $1 AND term = $2",
                &[&lang, &term],
            )?
            .and_then(|r| r.get(0));
        let recent: i64 = if self.recent {
            self.opt(
                "SELECT count(*) FROM match_recent WHERE lang = $1 AND term = $2",
                &[&lang, &term],
            )?
            .map_or(0, |r| r.get(0))
        } else {
            0
        };
        Ok((df.unwrap_or(0) + recent) as u64)
    }

    pub(crate) fn postings(&self, lang: &str, term: u64, mut f: impl FnMut(i64, u8)) -> Result<()> {
        let term = term as i64;
        // A term's chunks, oldest first: their ids follow on.
        for r in self.rows(
            "SELECT postings FROM match_term WHERE lang = $1 AND term = $2 ORDER BY id",
            &[&lang, &term],
        )? {
            decode_postings(r.get(0), &mut f);
        }
        if self.recent {
            for r in self.rows(
                "SELECT variant_id, len FROM match_recent WHERE lang = $1 AND term = $2 ORDER BY variant_id",
                &[&lang, &term],
            )? {
                f(r.get(0), r.get::<_, i64>(1) as u8);
            }
        }
        Ok(())
    }

    pub(crate) fn is_dead(&self, id: VariantId) -> Result<bool> {
        Ok(self
            .opt("SELECT 1 FROM match_dead WHERE variant_id = $1", &[&id.0])?
            .is_some())
    }

    pub(crate) fn uncovered_from(&self) -> Result<Option<VariantId>> {
        Ok(self.state("uncovered_from")?.map(VariantId))
    }

    pub(crate) fn text_in(&self, id: VariantId, lang: &LanguageTag) -> Result<Option<String>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(
                "SELECT text FROM variant WHERE id = $1 AND (lang = $2 OR lang LIKE $3)",
                &[&id.0, &exact, &like],
            )?
            .map(|r| r.get(0)))
    }

    pub(crate) fn scan(
        &self,
        lang: &LanguageTag,
        from: Option<VariantId>,
        mut f: impl FnMut(VariantId, &str),
    ) -> Result<u64> {
        let (exact, like) = lang_clause(lang);
        let from = from.map_or(i64::MIN, |v| v.0);
        let rows = self.rows(
            "SELECT id, text FROM variant WHERE id >= $3 AND (lang = $1 OR lang LIKE $2) ORDER BY id",
            &[&exact, &like, &from],
        )?;
        for r in &rows {
            f(VariantId(r.get(0)), r.get(1));
        }
        Ok(rows.len() as u64)
    }

    pub(crate) fn variant(&self, id: VariantId) -> Result<Option<StoredVariant>> {
        Ok(self
            .opt(
                "SELECT unit_id, lang, text, markup FROM variant WHERE id = $1",
                &[&id.0],
            )?
            .map(|r| StoredVariant {
                unit_id: UnitId(r.get(0)),
                lang: r.get(1),
                text: r.get(2),
                markup: r.get(3),
            }))
    }

    pub(crate) fn translation(
        &self,
        unit: UnitId,
        lang: &LanguageTag,
    ) -> Result<Option<(String, String, Option<String>)>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(
                "SELECT lang, text, markup FROM variant
                 WHERE unit_id = $1 AND (lang = $2 OR lang LIKE $3)
                 ORDER BY position LIMIT 1",
                &[&unit.0, &exact, &like],
            )?
            .map(|r| (r.get(0), r.get(1), r.get(2))))
    }

    pub(crate) fn provenance(&self, unit: UnitId) -> Result<Provenance> {
        let rows = self.rows(
            "SELECT o.name, coalesce(o.document,
                    (SELECT value FROM origin_prop p WHERE p.origin_id = o.id
                     AND p.type = 'x-document' ORDER BY p.ord LIMIT 1)),
                coalesce(u.changedate,
                    (SELECT max(v.changedate) FROM variant v WHERE v.unit_id = u.id),
                    u.creationdate, o.document_date, o.creationdate, o.imported_at),
                u.tuid, u.position,
                coalesce(u.changeid,
                    (SELECT v.changeid FROM variant v WHERE v.unit_id = u.id
                     AND v.changeid IS NOT NULL
                     ORDER BY v.changedate DESC NULLS LAST, v.position LIMIT 1),
                    u.creationid)
             FROM unit u JOIN origin o ON o.id = u.origin_id WHERE u.id = $1",
            &[&unit.0],
        )?;
        let r = rows
            .first()
            .ok_or(crate::Error::Internal("a matched unit has no row"))?;
        Ok(Provenance {
            origin: r.get(0),
            document: r.get(1),
            date: r.get(2),
            tuid: r.get(3),
            position: r.get(4),
            changeid: r.get(5),
        })
    }

    pub(crate) fn unit_metadata(&self, unit: UnitId) -> Result<Option<UnitMetadata>> {
        let Some(r) = self.opt(
            "SELECT u.id, o.id, o.name,
                coalesce(o.document, (SELECT p.value FROM origin_prop p WHERE p.origin_id = o.id
                    AND p.type = 'x-document' ORDER BY p.ord LIMIT 1)),
                coalesce(u.changedate,
                    (SELECT max(v.changedate) FROM variant v WHERE v.unit_id = u.id),
                    u.creationdate, o.imported_at),
                coalesce(u.changeid,
                    (SELECT v.changeid FROM variant v WHERE v.unit_id = u.id
                     AND v.changeid IS NOT NULL
                     ORDER BY v.changedate DESC NULLS LAST, v.position LIMIT 1),
                    u.creationid)
             FROM unit u JOIN origin o ON o.id = u.origin_id WHERE u.id = $1",
            &[&unit.0],
        )?
        else {
            return Ok(None);
        };
        let props = self
            .rows(
                "SELECT type, value FROM prop WHERE unit_id = $1 ORDER BY tuv, ord",
                &[&unit.0],
            )?
            .iter()
            .map(|p| (p.get(0), p.get(1)))
            .collect();
        Ok(Some(UnitMetadata {
            unit_id: UnitId(r.get(0)),
            origin_id: OriginId(r.get(1)),
            origin: r.get(2),
            document: r.get(3),
            date: r.get(4),
            changeid: r.get(5),
            props,
        }))
    }

    pub(crate) fn previous_text(&self, unit: UnitId, lang: &str) -> Result<Option<String>> {
        Ok(self
            .opt(
                "SELECT v.text FROM unit u
                 JOIN unit p ON p.origin_id = u.origin_id AND p.position = u.position - 1
                 JOIN variant v ON v.unit_id = p.id AND v.lang = $2
                 WHERE u.id = $1 LIMIT 1",
                &[&unit.0, &lang],
            )?
            .map(|r| r.get(0)))
    }

    pub(crate) fn variant_ids_from(&self, from: VariantId, lang: &LanguageTag) -> Result<Vec<i64>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .rows(
                "SELECT id FROM variant WHERE id >= $1 AND (lang = $2 OR lang LIKE $3) ORDER BY id",
                &[&from.0, &exact, &like],
            )?
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
            .opt(
                "SELECT unit_id, lang, text FROM variant WHERE id = $1 AND (lang = $2 OR lang LIKE $3)",
                &[&id.0, &exact, &like],
            )?
            .map(|r| (UnitId(r.get(0)), r.get(1), r.get(2))))
    }

    pub(crate) fn holds_subsegments(&self, lang: &LanguageTag) -> Result<bool> {
        if self
            .opt(
                "SELECT 1 FROM match_term WHERE lang = $1 LIMIT 1",
                &[&key(lang.as_str())],
            )?
            .is_some()
        {
            return Ok(true);
        }
        let Some(from) = self.state(UNCOVERED)? else {
            return Ok(false);
        };
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(
                &format!(
                    "SELECT 1 {MATCHED} AND s.id >= $1 AND (s.lang = $2 OR s.lang LIKE $3) LIMIT 1"
                ),
                &[&from, &exact, &like],
            )?
            .is_some())
    }

    pub(crate) fn subsegments_uncovered_from(&self) -> Result<Option<i64>> {
        self.state(UNCOVERED)
    }

    pub(crate) fn subsegment_in(
        &self,
        id: i64,
        lang: &LanguageTag,
    ) -> Result<Option<StoredSentence>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .opt(
                &format!(
                    "SELECT {SENTENCE_COLUMNS} FROM subsegment s JOIN variant v ON v.id = s.variant_id
                     WHERE s.id = $1 AND (s.lang = $2 OR s.lang LIKE $3)"
                ),
                &[&id, &exact, &like],
            )?
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
                &format!(
                    "SELECT {SENTENCE_COLUMNS} FROM subsegment s JOIN variant v ON v.id = s.variant_id
                     WHERE s.unit_id = $1 AND s.n = $2 AND (s.lang = $3 OR s.lang LIKE $4)
                     ORDER BY s.id LIMIT 1"
                ),
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
        let rows = self.rows(
            &format!(
                "SELECT s.id, v.text, s.start, s.\"end\" {MATCHED}
                 AND s.id >= $3 AND (s.lang = $1 OR s.lang LIKE $2) ORDER BY s.id"
            ),
            &[&exact, &like, &from],
        )?;
        for r in &rows {
            f(r.get(0), &slice(r.get(1), r.get(2), r.get(3)));
        }
        Ok(rows.len() as u64)
    }
}
