//! Changing the memory unit by unit: a translator's new translation, an edit, a deletion,
//! and removing or renaming a whole origin. Each call is one transaction, and the match
//! index follows.

use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use super::import::{Added, NewOrigin, UnitSink, UnitWriter, insert_origin};
use super::{DuplicatePolicy, ExportFilter, Store, StoredUnit};
use crate::error::{Error, Result};
use crate::model::{Header, OriginId, TranslationUnit, UnitId};

/// The `origin.kind` of units entered by hand (through the server, or `tmm units edit`).
pub const EDIT_KIND: &str = "edit";

impl Store {
    /// The unit `id`, with its origin, if it exists.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn unit(&self, id: UnitId) -> Result<Option<StoredUnit>> {
        let mut found = None;
        self.for_each_unit(
            &ExportFilter {
                unit: Some(id),
                ..Default::default()
            },
            |u| {
                found = Some(u);
                Ok(())
            },
        )?;
        Ok(found)
    }

    /// Adds a unit entered by hand to the origin of kind `edit` named `origin` (made on
    /// first use), waiting at most `wait` for the writer.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a unit with fewer than two variants; [`Error::Busy`];
    /// [`Error::Database`].
    pub fn add_unit(
        &self,
        unit: &TranslationUnit,
        origin: &str,
        wait: Option<Duration>,
    ) -> Result<UnitId> {
        if unit.variants.len() < 2 {
            return Err(Error::option(
                "variants",
                "a unit needs segments in at least two languages",
            ));
        }
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.add_unit(unit, origin, wait);
        }
        let id = self.write_within("add_unit", wait, |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let existing: Option<i64> = tx
                .query_row(EDIT_ORIGIN_SQL, params![EDIT_KIND, origin], |r| r.get(0))
                .optional()?;
            let origin_id = match existing {
                Some(id) => id,
                None => insert_origin(&tx, &edit_origin(origin, &Header::default()))?,
            };
            let id = {
                // Kept beside a stored translation of the same source: both are offered.
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                let added = writer.add(origin_id, unit, None, None, Vec::new())?;
                writer.finish()?;
                match added {
                    Added::Duplicate => None,
                    _ => Some(tx.last_insert_rowid()),
                }
            };
            let id = match id {
                // The same unit is stored: that one is the answer.
                None => identical_unit(&tx, unit)?,
                Some(_) => tx.query_row(
                    "SELECT max(id) FROM unit WHERE origin_id = ?1",
                    [origin_id],
                    |r| r.get(0),
                )?,
            };
            tx.commit()?;
            Ok(UnitId(id))
        })?;
        Ok(id)
    }

    /// Replaces unit `id` by `unit` (its id, origin and position stay), waiting at most
    /// `wait` for the writer; false when there is no such unit.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a unit with fewer than two variants; [`Error::Busy`];
    /// [`Error::Database`].
    pub fn replace_unit(
        &self,
        id: UnitId,
        unit: &TranslationUnit,
        wait: Option<Duration>,
    ) -> Result<bool> {
        if unit.variants.len() < 2 {
            return Err(Error::option(
                "variants",
                "a unit needs segments in at least two languages",
            ));
        }
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.replace_unit(id, unit, wait);
        }
        self.write_within("replace_unit", wait, |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let done = {
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                let done = writer.replace(id.0, unit)?;
                writer.finish()?;
                done
            };
            tx.commit()?;
            Ok(done)
        })
    }

    /// Deletes these units; returns how many there were.
    ///
    /// # Errors
    /// [`Error::Busy`]; [`Error::Database`].
    pub fn delete_units(&self, ids: &[UnitId], wait: Option<Duration>) -> Result<u64> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.delete_units(ids, wait);
        }
        self.write_within("delete_units", wait, |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut n = 0;
            {
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                for id in ids {
                    n += u64::from(writer.remove(id.0)?.is_some());
                }
                writer.finish()?;
            }
            tx.commit()?;
            Ok(n)
        })
    }

    /// Deletes an origin and all its units; returns how many units went, `None` when there
    /// is no such origin.
    ///
    /// # Errors
    /// [`Error::Busy`]; [`Error::Database`].
    pub fn delete_origin(&self, id: OriginId, wait: Option<Duration>) -> Result<Option<u64>> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.delete_origin(id, wait);
        }
        self.write_within("delete_origin", wait, |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let exists = tx
                .query_row(sql::ORIGIN_EXISTS, [id.0], |_| Ok(()))
                .optional()?
                .is_some();
            if !exists {
                return Ok(None);
            }
            let units: Vec<i64> = tx
                .prepare(sql::ORIGIN_UNITS)?
                .query_map([id.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            {
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                for u in &units {
                    writer.remove(*u)?;
                }
                writer.finish()?;
            }
            for statement in sql::DELETE_ORIGIN {
                tx.execute(statement, [id.0])?;
            }
            tx.commit()?;
            Ok(Some(units.len() as u64))
        })
    }

    /// Renames an origin (what `--origin` and provenance show); false when there is none.
    ///
    /// # Errors
    /// [`Error::Busy`]; [`Error::Database`].
    pub fn rename_origin(&self, id: OriginId, name: &str, wait: Option<Duration>) -> Result<bool> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.rename_origin(id, name, wait);
        }
        self.write_within("rename_origin", wait, |conn| {
            Ok(conn.execute(sql::RENAME_ORIGIN, params![name, id.0])? > 0)
        })
    }
}

/// The statements of the edits, in SQLite's spelling; the PostgreSQL side rewrites `?N`.
pub(crate) mod sql {
    /// Whether origin `?1` exists.
    pub(crate) const ORIGIN_EXISTS: &str = "SELECT 1 FROM origin WHERE id = ?1";
    /// The units of origin `?1`.
    pub(crate) const ORIGIN_UNITS: &str = "SELECT id FROM unit WHERE origin_id = ?1";
    /// What goes with origin `?1` once its units are gone, in order.
    pub(crate) const DELETE_ORIGIN: [&str; 3] = [
        "DELETE FROM origin_prop WHERE origin_id = ?1",
        "DELETE FROM origin_note WHERE origin_id = ?1",
        "DELETE FROM origin WHERE id = ?1",
    ];
    /// Names origin `?2` `?1`.
    pub(crate) const RENAME_ORIGIN: &str = "UPDATE origin SET name = ?1 WHERE id = ?2";
    /// The position of unit `?1`, and whether it exists.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const UNIT_POSITION: &str = "SELECT position FROM unit WHERE id = ?1";
    /// Marks the variants of unit `?1` dead in the match index (their postings stay until
    /// a rebuild; lookups skip them).
    pub(crate) const MARK_DEAD: &str = "INSERT INTO match_dead (variant_id)
        SELECT id FROM variant WHERE unit_id = ?1 ON CONFLICT DO NOTHING";
    /// The rows of unit `?1`, in an order the foreign keys allow.
    pub(crate) const DELETE_UNIT: [&str; 5] = [
        "DELETE FROM subsegment WHERE unit_id = ?1",
        "DELETE FROM variant WHERE unit_id = ?1",
        "DELETE FROM prop WHERE unit_id = ?1",
        "DELETE FROM note WHERE unit_id = ?1",
        "DELETE FROM unit WHERE id = ?1",
    ];
}

/// The id of the stored unit identical to `unit` (as the duplicate check saw it).
/// The origin of units entered by hand under the name `origin`.
pub(crate) const EDIT_ORIGIN_SQL: &str =
    "SELECT id FROM origin WHERE kind = ?1 AND name = ?2 ORDER BY id LIMIT 1";

/// The newest stored unit with a content hash.
pub(crate) const IDENTICAL_UNIT_SQL: &str =
    "SELECT id FROM unit WHERE content_hash = ?1 ORDER BY id DESC LIMIT 1";

/// A new origin of kind `edit` named `origin`.
pub(crate) fn edit_origin<'a>(origin: &'a str, header: &'a Header) -> NewOrigin<'a> {
    NewOrigin {
        kind: EDIT_KIND,
        path: None,
        name: origin,
        content_hash: None,
        size: None,
        encoding: None,
        tmx_version: None,
        document: None,
        title: None,
        document_date: None,
        header,
    }
}

fn identical_unit(tx: &rusqlite::Transaction, unit: &TranslationUnit) -> Result<i64> {
    let hash = super::import::content_hash(unit);
    Ok(tx.query_row(IDENTICAL_UNIT_SQL, [hash], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::LanguageTag;
    use crate::matching::{Matcher, Query, SuggestOptions};
    use crate::model::Variant;

    fn tag(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    fn unit(en: &str, fr: &str) -> TranslationUnit {
        TranslationUnit {
            variants: vec![Variant::new(tag("en"), en), Variant::new(tag("fr"), fr)],
            ..Default::default()
        }
    }

    fn best(store: &Store, text: &str) -> Option<String> {
        let m = Matcher::new(store)
            .suggest(
                &Query {
                    text,
                    ..Default::default()
                },
                &SuggestOptions::new(tag("en"), tag("fr")),
            )
            .ok()?;
        m.suggestions.into_iter().next().map(|s| s.target)
    }

    #[test]
    fn added_edited_and_deleted_units_are_what_matching_sees() -> Result<()> {
        let store = Store::open_temporary()?;
        let id = store.add_unit(
            &unit("Good morning everyone.", "Bonjour à tous."),
            "api",
            None,
        )?;
        assert_eq!(
            best(&store, "Good morning everyone.").as_deref(),
            Some("Bonjour à tous.")
        );
        // The same unit again is the same unit.
        assert_eq!(
            store.add_unit(
                &unit("Good morning everyone.", "Bonjour à tous."),
                "api",
                None
            )?,
            id
        );
        assert!(store.replace_unit(
            id,
            &unit("Good morning everyone.", "Bonjour à toutes et à tous."),
            None
        )?);
        assert_eq!(
            best(&store, "Good morning everyone.").as_deref(),
            Some("Bonjour à toutes et à tous.")
        );
        let stored = store.unit(id)?.unwrap();
        assert_eq!(
            stored.unit.variants[1].segment.text,
            "Bonjour à toutes et à tous."
        );
        assert_eq!(store.delete_units(&[id, UnitId(999)], None)?, 1);
        assert!(store.unit(id)?.is_none());
        assert_eq!(best(&store, "Good morning everyone."), None);
        Ok(())
    }

    #[test]
    fn deleting_an_origin_takes_its_units_and_their_index_entries() -> Result<()> {
        let store = Store::open_temporary()?;
        store.add_unit(&unit("One small step.", "Un petit pas."), "a", None)?;
        store.add_unit(
            &unit("Another small step.", "Un autre petit pas."),
            "b",
            None,
        )?;
        let origins = store.origins()?;
        assert_eq!(origins.len(), 2);
        assert_eq!(store.delete_origin(origins[0].id, None)?, Some(1));
        assert_eq!(store.delete_origin(origins[0].id, None)?, None);
        assert_eq!(best(&store, "One small step."), None);
        assert_eq!(
            best(&store, "Another small step.").as_deref(),
            Some("Un autre petit pas.")
        );
        assert!(store.rename_origin(origins[1].id, "renamed", None)?);
        assert_eq!(store.origins()?[0].name, "renamed");
        Ok(())
    }

    #[test]
    fn a_busy_writer_is_reported_not_waited_for_forever() -> Result<()> {
        let store = Store::open_temporary()?;
        let other = store.clone();
        let result = store.write("test", |_| {
            Ok(other.add_unit(
                &unit("Hello there.", "Salut."),
                "api",
                Some(Duration::from_millis(20)),
            ))
        })?;
        assert!(matches!(result, Err(Error::Busy)), "{result:?}");
        Ok(())
    }
}
