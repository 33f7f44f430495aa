//! Typed reads for matching and lookup, on one consistent view of the memory.
//!
//! [`Store::snapshot`] runs a closure on a [`Snapshot`]: a read connection inside one read
//! transaction, so every statement of a query sees the same commit, never waits for a
//! writer, and never writes.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoredSentence, index};
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::matching::index::IdMap;
use crate::model::{UnitId, VariantId};

/// Where a stored unit came from.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub origin: String,
    pub document: Option<String>,
    /// The unit's change or creation date, else the document's date.
    pub date: Option<String>,
    /// Who translated or last changed it: the unit's `changeid`, else a variant's, else
    /// the `creationid`.
    pub changeid: Option<String>,
    pub tuid: Option<String>,
    /// The unit's 0-based position in its origin.
    pub position: i64,
}

/// A stored variant: its unit, language, text and inline markup.
#[derive(Debug, Clone)]
pub struct StoredVariant {
    pub unit_id: UnitId,
    pub lang: String,
    pub text: String,
    pub markup: Option<String>,
}

/// A matched variant with what its suggestion shows.
#[derive(Debug, Clone)]
pub struct MatchedVariant {
    pub variant: StoredVariant,
    /// The unit's first variant in the target language: its tag, text and markup.
    pub translation: Option<(String, String, Option<String>)>,
    /// Where the unit came from (read when it has a translation).
    pub provenance: Option<Provenance>,
}

/// One consistent view of the memory for the length of a query, on its backend.
pub struct Snapshot<'c> {
    view: View<'c>,
}

enum View<'c> {
    Sqlite(SqliteView<'c>),
    #[cfg(feature = "postgres")]
    Postgres(super::pg::PgSnapshot<'c>),
}

/// A SQLite read connection inside its read transaction.
pub(super) struct SqliteView<'c> {
    pub(super) conn: &'c Connection,
    recent: bool,
}

/// Calls the view's method of the same name on whichever backend holds the memory.
macro_rules! on_view {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.view {
            View::Sqlite(v) => v.$method($($arg),*),
            #[cfg(feature = "postgres")]
            View::Postgres(v) => v.$method($($arg),*),
        }
    };
}

/// `lang = exact OR lang LIKE like`: a tag selects itself, a bare language its regions.
pub(super) fn lang_clause(lang: &LanguageTag) -> (String, String) {
    let exact = lang.to_string();
    let like = if lang.as_str().contains('-') {
        exact.clone()
    } else {
        format!("{exact}-%")
    };
    (exact, like)
}

impl Store {
    /// Runs `f` on one consistent view of the memory.
    ///
    /// # Errors
    /// [`crate::Error::Database`], or what `f` returns.
    pub fn snapshot<T>(&self, f: impl FnOnce(&Snapshot) -> Result<T>) -> Result<T> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.snapshot(|view| {
                f(&Snapshot {
                    view: View::Postgres(view),
                })
            });
        }
        self.read("snapshot", |conn| {
            let snapshot = Snapshot {
                view: View::Sqlite(SqliteView {
                    conn,
                    recent: index::has_recent(conn)?,
                }),
            };
            f(&snapshot)
        })
    }

    /// True when the memory holds segments in `lang` (`fr` also finds `fr-FR`).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn holds_language(&self, lang: &LanguageTag) -> Result<bool> {
        self.snapshot(|s| s.holds_language(lang))
    }
}

impl Snapshot<'_> {
    /// True when the memory holds segments in `lang`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn holds_language(&self, lang: &LanguageTag) -> Result<bool> {
        on_view!(self.holds_language(lang))
    }

    /// How many indexed variants of language key `lang` hold `term`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn document_frequency(&self, lang: &str, term: u64) -> Result<u64> {
        on_view!(self.document_frequency(lang, term))
    }

    /// [`document_frequency`](Self::document_frequency) of each of `terms`, in their order:
    /// one round trip on a server, not one per term.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn document_frequencies(&self, lang: &str, terms: &[u64]) -> Result<Vec<u64>> {
        match &self.view {
            View::Sqlite(v) => terms
                .iter()
                .map(|&t| v.document_frequency(lang, t))
                .collect(),
            #[cfg(feature = "postgres")]
            View::Postgres(v) => v.document_frequencies(lang, terms),
        }
    }

    /// True when the variant was deleted since the index was built.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn is_dead(&self, id: VariantId) -> Result<bool> {
        on_view!(self.is_dead(id))
    }

    /// The first variant the index does not cover yet, if any.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn uncovered_from(&self) -> Result<Option<VariantId>> {
        on_view!(self.uncovered_from())
    }

    /// The text of each of `ids` that is in `lang`, with whether the variant was deleted
    /// since the index was built: one round trip on a server, not two per variant.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn texts_in(&self, ids: &[i64], lang: &LanguageTag) -> Result<IdMap<i64, (String, bool)>> {
        on_view!(self.texts_in(ids, lang))
    }

    /// The variant `id`, if it exists.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn variant(&self, id: VariantId) -> Result<Option<StoredVariant>> {
        on_view!(self.variant(id))
    }

    /// What the suggestion of each of the matched variants `ids` shows (those that exist):
    /// the variant, its unit's first variant in `to`, and, when there is one, where the unit
    /// came from. One round trip on a server, not three per suggestion.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn matched_variants(
        &self,
        ids: &[i64],
        to: &LanguageTag,
    ) -> Result<IdMap<i64, MatchedVariant>> {
        on_view!(self.matched_variants(ids, to))
    }

    /// The unit's first variant in `lang`: its tag, text and markup.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn translation(
        &self,
        unit: UnitId,
        lang: &LanguageTag,
    ) -> Result<Option<(String, String, Option<String>)>> {
        on_view!(self.translation(unit, lang))
    }

    /// Where the unit came from.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn provenance(&self, unit: UnitId) -> Result<Provenance> {
        on_view!(self.provenance(unit))
    }

    /// What a [`super::UnitFilter`] looks at, of unit `unit`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn unit_metadata(&self, unit: UnitId) -> Result<Option<super::UnitMetadata>> {
        on_view!(self.unit_metadata(unit))
    }

    /// The text in `lang` of the unit stored before this one in the same origin.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn previous_text(&self, unit: UnitId, lang: &str) -> Result<Option<String>> {
        on_view!(self.neighbour_text(unit, lang, -1))
    }

    /// The text in `lang` of the unit stored after this one in the same origin.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn next_text(&self, unit: UnitId, lang: &str) -> Result<Option<String>> {
        on_view!(self.neighbour_text(unit, lang, 1))
    }

    /// Ids of the variants in `lang` from id `from` on.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn variant_ids_from(&self, from: VariantId, lang: &LanguageTag) -> Result<Vec<i64>> {
        on_view!(self.variant_ids_from(from, lang))
    }

    /// The variant `id` when it is in `lang`: its unit, tag and text.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn variant_in(
        &self,
        id: VariantId,
        lang: &LanguageTag,
    ) -> Result<Option<(UnitId, String, String)>> {
        on_view!(self.variant_in(id, lang))
    }

    /// True when the memory holds sentence sub-segments in `lang` to match against.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn holds_subsegments(&self, lang: &LanguageTag) -> Result<bool> {
        on_view!(self.holds_subsegments(lang))
    }

    /// The first sub-segment not indexed yet, if any (queries scan from there).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn subsegments_uncovered_from(&self) -> Result<Option<i64>> {
        on_view!(self.subsegments_uncovered_from())
    }

    /// The sub-segment `id` when it is in `lang` (`None` too when its unit was deleted).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn subsegment_in(&self, id: i64, lang: &LanguageTag) -> Result<Option<StoredSentence>> {
        on_view!(self.subsegment_in(id, lang))
    }

    /// Sentence row `n` of unit `unit` in `lang`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn subsegment_of(
        &self,
        unit: UnitId,
        n: u32,
        lang: &LanguageTag,
    ) -> Result<Option<StoredSentence>> {
        on_view!(self.subsegment_of(unit, n, lang))
    }

    /// Calls `f(variant id, length in tokens)` for each indexed variant of language key
    /// `lang` holding `term`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn postings(&self, lang: &str, term: u64, f: impl FnMut(i64, u8)) -> Result<()> {
        on_view!(self.postings(lang, term, f))
    }

    /// Calls `f` with every variant in `lang` (from id `from` on, when given).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn scan(
        &self,
        lang: &LanguageTag,
        from: Option<VariantId>,
        f: impl FnMut(VariantId, &str),
    ) -> Result<u64> {
        on_view!(self.scan(lang, from, f))
    }

    /// Calls `f(id, text)` with every sub-segment matched against in `lang` from id `from`
    /// on.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn scan_subsegments(
        &self,
        lang: &LanguageTag,
        from: i64,
        f: impl FnMut(i64, &str),
    ) -> Result<u64> {
        on_view!(self.scan_subsegments(lang, from, f))
    }
}

impl SqliteView<'_> {
    /// True when the memory holds segments in `lang`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn holds_language(&self, lang: &LanguageTag) -> Result<bool> {
        let key = crate::matching::index::lang_key(lang.as_str());
        let indexed = self
            .conn
            .prepare_cached(sql::TERM_EXISTS)?
            .query_row([&key], |_| Ok(()))
            .optional()?
            .is_some()
            || (self.recent
                && self
                    .conn
                    .prepare_cached(sql::RECENT_EXISTS)?
                    .query_row([&key], |_| Ok(()))
                    .optional()?
                    .is_some());
        if indexed {
            return Ok(true);
        }
        // Not indexed (or only its uncovered part): look at the variants themselves.
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::LANG_EXISTS)?
            .query_row([exact, like], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// How many indexed variants of language key `lang` hold `term`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn document_frequency(&self, lang: &str, term: u64) -> Result<u64> {
        index::document_frequency(self.conn, lang, term, self.recent)
    }

    /// Calls `f(variant id, length in tokens)` for each indexed variant of language key
    /// `lang` holding `term`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn postings(&self, lang: &str, term: u64, f: impl FnMut(i64, u8)) -> Result<()> {
        index::postings(self.conn, lang, term, self.recent, f)
    }

    /// True when the variant was deleted since the index was built.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn is_dead(&self, id: VariantId) -> Result<bool> {
        index::is_dead(self.conn, id.0)
    }

    /// The first variant the index does not cover yet, if any.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn uncovered_from(&self) -> Result<Option<VariantId>> {
        index::uncovered_from(self.conn)
    }

    /// The text of each of `ids` that is in `lang`, with whether it is dead.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn texts_in(&self, ids: &[i64], lang: &LanguageTag) -> Result<IdMap<i64, (String, bool)>> {
        let (exact, like) = lang_clause(lang);
        let mut stmt = self.conn.prepare_cached(sql::TEXT_IN)?;
        let mut texts = IdMap::default();
        for &id in ids {
            if let Some(text) = stmt
                .query_row(params![id, exact, like], |r| r.get(0))
                .optional()?
            {
                texts.insert(id, (text, self.is_dead(VariantId(id))?));
            }
        }
        Ok(texts)
    }

    /// Calls `f` with every variant in `lang` (from id `from` on, when given).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn scan(
        &self,
        lang: &LanguageTag,
        from: Option<VariantId>,
        mut f: impl FnMut(VariantId, &str),
    ) -> Result<u64> {
        let (exact, like) = lang_clause(lang);
        let mut stmt = self.conn.prepare_cached(sql::SCAN)?;
        let mut rows = stmt.query(params![exact, like, from.map_or(i64::MIN, |v| v.0)])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            n += 1;
            f(VariantId(r.get(0)?), r.get_ref(1)?.as_str().unwrap_or(""));
        }
        Ok(n)
    }

    /// The variant `id`, if it exists.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn variant(&self, id: VariantId) -> Result<Option<StoredVariant>> {
        Ok(self
            .conn
            .prepare_cached(sql::VARIANT)?
            .query_row([id.0], |r| {
                Ok(StoredVariant {
                    unit_id: UnitId(r.get(0)?),
                    lang: r.get(1)?,
                    text: r.get(2)?,
                    markup: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// The unit's first variant in `lang`: its tag, text and markup.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn translation(
        &self,
        unit: UnitId,
        lang: &LanguageTag,
    ) -> Result<Option<(String, String, Option<String>)>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::TRANSLATION)?
            .query_row(params![unit.0, exact, like], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    /// What the suggestion of each of the matched variants `ids` shows, a statement each.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn matched_variants(
        &self,
        ids: &[i64],
        to: &LanguageTag,
    ) -> Result<IdMap<i64, MatchedVariant>> {
        let mut matched = IdMap::default();
        for &id in ids {
            let Some(variant) = self.variant(VariantId(id))? else {
                continue;
            };
            let translation = self.translation(variant.unit_id, to)?;
            let provenance = match translation {
                Some(_) => Some(self.provenance(variant.unit_id)?),
                None => None,
            };
            matched.insert(
                id,
                MatchedVariant {
                    variant,
                    translation,
                    provenance,
                },
            );
        }
        Ok(matched)
    }

    /// Where the unit came from.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn provenance(&self, unit: UnitId) -> Result<Provenance> {
        Ok(self
            .conn
            .prepare_cached(sql::PROVENANCE)?
            .query_row([unit.0], |r| {
                Ok(Provenance {
                    origin: r.get(0)?,
                    document: r.get(1)?,
                    date: r.get(2)?,
                    tuid: r.get(3)?,
                    position: r.get(4)?,
                    changeid: r.get(5)?,
                })
            })?)
    }

    /// What a [`super::UnitFilter`] looks at, of unit `unit`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn unit_metadata(&self, unit: UnitId) -> Result<Option<super::UnitMetadata>> {
        super::filter::unit_metadata(self.conn, unit)
    }

    /// The text in `lang` of the unit stored `step` places from this one in the same
    /// origin (-1: the one before).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn neighbour_text(&self, unit: UnitId, lang: &str, step: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(sql::NEIGHBOUR_TEXT)?
            .query_row(params![unit.0, lang, step], |r| r.get(0))
            .optional()?)
    }

    /// Ids of the variants in `lang` from id `from` on.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn variant_ids_from(&self, from: VariantId, lang: &LanguageTag) -> Result<Vec<i64>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::VARIANT_IDS_FROM)?
            .query_map(params![from.0, exact, like], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The variant `id` when it is in `lang`: its unit, tag and text.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn variant_in(
        &self,
        id: VariantId,
        lang: &LanguageTag,
    ) -> Result<Option<(UnitId, String, String)>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::VARIANT_IN)?
            .query_row(params![id.0, exact, like], |r| {
                Ok((UnitId(r.get(0)?), r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }
}

/// The statements of the reads, written once for both backends in SQLite's spelling
/// (`?1`); the PostgreSQL view rewrites the placeholders (`store::pg::dollar`).
pub(crate) mod sql {
    /// The sub-segments matched against: every stored sentence (they are in their unit's
    /// source language).
    macro_rules! matched {
        () => {
            "FROM subsegment s JOIN variant v ON v.id = s.variant_id WHERE TRUE"
        };
    }
    macro_rules! sentence_columns {
        () => {
            "SELECT s.unit_id, s.variant_id, s.n, s.m, s.lang, tmm_text(v.text), s.start, s.\"end\"
             FROM subsegment s JOIN variant v ON v.id = s.variant_id"
        };
    }
    /// The units of ids `?1` to `?2` (excluded) that have no sentences stored (a migrated
    /// memory's), with their variants in order, for `subsegment::group_units`.
    pub const UNITS_WITHOUT_SENTENCES: &str = "SELECT u.id, u.source_lang, v.id, v.lang, tmm_text(v.text)
         FROM unit u JOIN variant v ON v.unit_id = u.id
         WHERE u.id >= ?1 AND u.id < ?2 AND NOT EXISTS (SELECT 1 FROM subsegment s WHERE s.unit_id = u.id)
         ORDER BY u.id, v.position";
    pub const MATCHED: &str = matched!();
    pub const UNCOVERED_SENTENCE_EXISTS: &str = concat!(
        "SELECT 1 ",
        matched!(),
        " AND s.id >= ?1 AND (s.lang = ?2 OR s.lang LIKE ?3) LIMIT 1"
    );
    pub const SENTENCE_IN: &str = concat!(
        sentence_columns!(),
        " WHERE s.id = ?1 AND (s.lang = ?2 OR s.lang LIKE ?3)"
    );
    pub const SENTENCE_OF: &str = concat!(
        sentence_columns!(),
        " WHERE s.unit_id = ?1 AND s.n = ?2 AND (s.lang = ?3 OR s.lang LIKE ?4)
         ORDER BY s.id LIMIT 1"
    );
    pub const SCAN_SENTENCES: &str = concat!(
        "SELECT s.id, tmm_text(v.text), s.start, s.\"end\" ",
        matched!(),
        " AND s.id >= ?3 AND (s.lang = ?1 OR s.lang LIKE ?2) ORDER BY s.id"
    );
    pub const STATE: &str = "SELECT value FROM match_state WHERE key = ?1";
    pub const HAS_RECENT: &str = "SELECT 1 FROM match_recent LIMIT 1";
    pub const POSTINGS: &str =
        "SELECT postings FROM match_term WHERE lang = ?1 AND term = ?2 ORDER BY chunk";
    pub const RECENT_POSTINGS: &str = "SELECT variant_id, len FROM match_recent WHERE lang = ?1 AND term = ?2 ORDER BY variant_id";
    pub const DF: &str =
        "SELECT CAST(sum(df) AS BIGINT) FROM match_term WHERE lang = ?1 AND term = ?2";
    pub const RECENT_DF: &str = "SELECT count(*) FROM match_recent WHERE lang = ?1 AND term = ?2";
    // PostgreSQL only (an array parameter): the document frequencies of many terms at once.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub const DFS: &str = "SELECT term, CAST(sum(df) AS BIGINT) FROM match_term WHERE lang = ?1 AND term = ANY(?2) GROUP BY term";
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub const RECENT_DFS: &str =
        "SELECT term, count(*) FROM match_recent WHERE lang = ?1 AND term = ANY(?2) GROUP BY term";
    pub const IS_DEAD: &str = "SELECT 1 FROM match_dead WHERE variant_id = ?1";
    pub const PROPS_OF: &str = "SELECT type, value FROM prop WHERE unit_id = ?1 ORDER BY tuv, ord";
    // Ordered by the primary key so that the probe is a descent of its B-tree on both
    // backends: without the ORDER BY, PostgreSQL's generic plan for the prepared statement,
    // once the table is analyzed (autovacuum does it after an import), is a sequential scan
    // up to the language's first row, or through the whole table for a language it does not
    // hold: 8.5 ms a probe at 100k units, three probes a lookup (benches/RESULTS.md).
    pub const TERM_EXISTS: &str =
        "SELECT 1 FROM match_term WHERE lang = ?1 ORDER BY lang, term, chunk LIMIT 1";
    pub const RECENT_EXISTS: &str =
        "SELECT 1 FROM match_recent WHERE lang = ?1 ORDER BY lang, term, variant_id LIMIT 1";
    pub const LANG_EXISTS: &str = "SELECT 1 FROM variant WHERE lang = ?1 OR lang LIKE ?2 LIMIT 1";
    pub const TEXT_IN: &str =
        "SELECT tmm_text(text) FROM variant WHERE id = ?1 AND (lang = ?2 OR lang LIKE ?3)";
    // PostgreSQL only (an array parameter): many variants' texts and dead marks at once.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub const TEXTS_IN: &str = "SELECT v.id, v.text,
        EXISTS (SELECT 1 FROM match_dead d WHERE d.variant_id = v.id)
        FROM variant v WHERE v.id = ANY(?1) AND (v.lang = ?2 OR v.lang LIKE ?3)";
    pub const SCAN: &str = "SELECT id, tmm_text(text) FROM variant WHERE id >= ?3 AND (lang = ?1 OR lang LIKE ?2) ORDER BY id";
    pub const VARIANT: &str =
        "SELECT unit_id, lang, tmm_text(text), tmm_text(markup) FROM variant WHERE id = ?1";
    pub const TRANSLATION: &str = "SELECT lang, tmm_text(text), tmm_text(markup) FROM variant
     WHERE unit_id = ?1 AND (lang = ?2 OR lang LIKE ?3)
     ORDER BY position LIMIT 1";
    /// Where a unit `u` of origin `o` came from, as [`super::Provenance`] lists it.
    macro_rules! provenance_columns {
        () => {
            "o.name, coalesce(o.document,
                (SELECT value FROM origin_prop p WHERE p.origin_id = o.id
                 AND p.type = 'x-document' ORDER BY p.ord LIMIT 1)),
            coalesce(u.changedate,
                (SELECT max(v.changedate) FROM variant v WHERE v.unit_id = u.id),
                u.creationdate, o.document_date, o.creationdate, o.imported_at),
            u.tuid, u.position,
            coalesce(u.changeid,
                (SELECT v.changeid FROM variant v WHERE v.unit_id = u.id AND v.changeid IS NOT NULL
                 ORDER BY v.changedate DESC NULLS LAST, v.position LIMIT 1),
                u.creationid)"
        };
    }
    pub const PROVENANCE: &str = concat!(
        "SELECT ",
        provenance_columns!(),
        " FROM unit u JOIN origin o ON o.id = u.origin_id WHERE u.id = ?1"
    );
    // PostgreSQL only (an array parameter): what the suggestions of many matched variants
    // show, VARIANT, TRANSLATION and PROVENANCE of each at once.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub const MATCHED_VARIANTS: &str = concat!(
        "SELECT m.id, m.unit_id, m.lang, m.text, m.markup, t.lang, t.text, t.markup, ",
        provenance_columns!(),
        " FROM variant m JOIN unit u ON u.id = m.unit_id JOIN origin o ON o.id = u.origin_id
         LEFT JOIN LATERAL (SELECT w.lang, w.text, w.markup FROM variant w
             WHERE w.unit_id = m.unit_id AND (w.lang = ?2 OR w.lang LIKE ?3)
             ORDER BY w.position LIMIT 1) t ON true
         WHERE m.id = ANY(?1)"
    );
    pub const NEIGHBOUR_TEXT: &str = "SELECT tmm_text(v.text) FROM unit u
     JOIN unit p ON p.origin_id = u.origin_id AND p.position = u.position + ?3
     JOIN variant v ON v.unit_id = p.id AND v.lang = ?2
     WHERE u.id = ?1 LIMIT 1";
    pub const VARIANT_IDS_FROM: &str =
        "SELECT id FROM variant WHERE id >= ?1 AND (lang = ?2 OR lang LIKE ?3) ORDER BY id";
    pub const VARIANT_IN: &str = "SELECT unit_id, lang, tmm_text(text) FROM variant WHERE id = ?1 AND (lang = ?2 OR lang LIKE ?3)";
}
