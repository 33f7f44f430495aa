//! Writes other than imports on PostgreSQL: a unit added by hand (`tmm serve`'s
//! `POST /api/v1/units`), units and origins deleted or renamed, and the server's tokens,
//! with the statements of the SQLite side (`store::edit::sql`).

use std::time::Duration;

use postgres::Transaction;

use super::{PgStore, dollar};
use crate::error::Result;
use crate::model::{Header, OriginId, TranslationUnit, UnitId};
use crate::store::edit::{
    EDIT_KIND, EDIT_ORIGIN_SQL, IDENTICAL_UNIT_SQL, edit_origin, sql as edit_sql,
};
use crate::store::import::{Added, DuplicatePolicy, UnitSink, content_hash};
use crate::store::token::{sql, taken, token_infos};
use crate::store::{ExportFilter, Role, StoredUnit, TokenInfo};

impl PgStore {
    /// [`crate::Store::add_unit`] on PostgreSQL: the unit's postings go in row by row
    /// (`match_recent`), as SQLite indexes a small write, not as a chunk per term.
    pub(crate) fn add_unit(
        &self,
        unit: &TranslationUnit,
        origin: &str,
        wait: Option<Duration>,
    ) -> Result<UnitId> {
        self.write(wait, |tx| {
            let existing: Option<i64> = tx
                .query_opt(&dollar(EDIT_ORIGIN_SQL), &[&EDIT_KIND, &origin])?
                .map(|r| r.get(0));
            let mut writer = super::import::PgWriter::new(tx, DuplicatePolicy::Keep)?;
            let origin_id = match existing {
                Some(id) => id,
                None => writer.new_origin(&edit_origin(origin, &Header::default()))?,
            };
            // Kept beside a stored translation of the same source: both are offered.
            let added = writer.add(origin_id, unit, None, None, Vec::new())?;
            writer.flush()?;
            writer.index_recent()?;
            let id: i64 = match added {
                // The same unit is stored: that one is the answer.
                Added::Duplicate => tx
                    .query_one(&dollar(IDENTICAL_UNIT_SQL), &[&content_hash(unit)])?
                    .get(0),
                _ => tx
                    .query_one(
                        "SELECT max(id) FROM unit WHERE origin_id = $1",
                        &[&origin_id],
                    )?
                    .get(0),
            };
            Ok(UnitId(id))
        })
    }

    /// [`crate::Store::delete_units`] on PostgreSQL.
    pub(crate) fn delete_units(&self, ids: &[UnitId], wait: Option<Duration>) -> Result<u64> {
        self.write(wait, |tx| {
            let mut n = 0;
            for id in ids {
                n += u64::from(remove_unit(tx, id.0)?.is_some());
            }
            Ok(n)
        })
    }

    /// [`crate::Store::replace_unit`] on PostgreSQL.
    pub(crate) fn replace_unit(
        &self,
        id: UnitId,
        unit: &TranslationUnit,
        wait: Option<Duration>,
    ) -> Result<bool> {
        self.write(wait, |tx| Ok(replace_units(tx, [(id, unit)])? > 0))
    }

    /// [`crate::Store::apply_changes`] on PostgreSQL: one transaction.
    pub(crate) fn apply_changes(
        &self,
        delete: &[UnitId],
        replace: &[(UnitId, TranslationUnit)],
        wait: Option<Duration>,
    ) -> Result<(u64, u64)> {
        self.write(wait, |tx| {
            let mut counts = (0, 0);
            for id in delete {
                counts.0 += u64::from(remove_unit(tx, id.0)?.is_some());
            }
            counts.1 = replace_units(tx, replace.iter().map(|(id, unit)| (*id, unit)))?;
            Ok(counts)
        })
    }

    /// Replaces every unit for which `rewrite` gives new content, in one transaction (for
    /// [`crate::Store::merge_languages`]); returns how many. The units are read once the
    /// writers' lock is held, so no other writer's change falls between reading and writing.
    pub(crate) fn rewrite_units(
        &self,
        mut rewrite: impl FnMut(&StoredUnit) -> Option<TranslationUnit>,
        wait: Option<Duration>,
    ) -> Result<u64> {
        self.write(wait, |tx| {
            let mut changed = Vec::new();
            self.snapshot(|view| {
                view.for_each_unit(&ExportFilter::default(), |stored| {
                    if let Some(unit) = rewrite(&stored) {
                        changed.push((stored.id, unit));
                    }
                    Ok(())
                })
            })?;
            replace_units(tx, changed.iter().map(|(id, unit)| (*id, unit)))?;
            Ok(changed.len() as u64)
        })
    }

    /// [`crate::Store::store_alignment`] on PostgreSQL: the origin and its units in one
    /// transaction, indexed row by row as a small write; nothing stays when every unit was
    /// stored already. Returns the new origin.
    pub(crate) fn store_alignment(
        &self,
        origin: &crate::store::import::NewOrigin,
        units: &[crate::align::AlignedUnit],
        srclang: &str,
        summary: &mut crate::store::AlignSummary,
    ) -> Result<Option<OriginId>> {
        self.write(None, |tx| {
            let mut writer = super::import::PgWriter::new(tx, DuplicatePolicy::Keep)?;
            let origin_id = writer.new_origin(origin)?;
            for u in units {
                summary.count(writer.add(origin_id, &u.unit, None, Some(srclang), Vec::new())?);
            }
            writer.flush()?;
            writer.index_recent()?;
            if summary.stored() {
                return Ok(Some(OriginId(origin_id)));
            }
            for statement in edit_sql::DELETE_ORIGIN {
                tx.execute(&dollar(statement), &[&origin_id])?;
            }
            Ok(None)
        })
    }

    /// [`crate::Store::delete_origin`] on PostgreSQL.
    pub(crate) fn delete_origin(
        &self,
        id: OriginId,
        wait: Option<Duration>,
    ) -> Result<Option<u64>> {
        self.write(wait, |tx| {
            if tx
                .query_opt(&dollar(edit_sql::ORIGIN_EXISTS), &[&id.0])?
                .is_none()
            {
                return Ok(None);
            }
            let units: Vec<i64> = tx
                .query(&dollar(edit_sql::ORIGIN_UNITS), &[&id.0])?
                .iter()
                .map(|r| r.get(0))
                .collect();
            for u in &units {
                remove_unit(tx, *u)?;
            }
            for statement in edit_sql::DELETE_ORIGIN {
                tx.execute(&dollar(statement), &[&id.0])?;
            }
            Ok(Some(units.len() as u64))
        })
    }

    /// [`crate::Store::rename_origin`] on PostgreSQL.
    pub(crate) fn rename_origin(
        &self,
        id: OriginId,
        name: &str,
        wait: Option<Duration>,
    ) -> Result<bool> {
        self.write(wait, |tx| {
            Ok(tx.execute(&dollar(edit_sql::RENAME_ORIGIN), &[&name, &id.0])? > 0)
        })
    }

    pub(crate) fn add_token(&self, name: &str, role: Role, hash: &str) -> Result<()> {
        self.write(None, |tx| {
            if tx.query_opt(&dollar(sql::TAKEN), &[&name])?.is_some() {
                return Err(taken(name));
            }
            let now = crate::formats::tmx::now_date();
            tx.execute(&dollar(sql::ADD), &[&name, &role.as_str(), &hash, &now])?;
            Ok(())
        })
    }

    pub(crate) fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = self.read(|tx| {
            Ok(tx
                .query(&dollar(sql::LIST), &[])?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect())
        })?;
        token_infos(rows)
    }

    pub(crate) fn revoke_token(&self, name: &str) -> Result<bool> {
        self.write(None, |tx| {
            Ok(tx.execute(&dollar(sql::REVOKE), &[&name])? > 0)
        })
    }

    pub(crate) fn token_by_hash(&self, hash: &str) -> Result<Option<(String, String)>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(&dollar(sql::BY_HASH), &[&hash])?
                .map(|r| (r.get(0), r.get(1))))
        })
    }
}

/// Deletes unit `id` with its variants, props, notes and sub-segments, marking its variants
/// dead in the match index, as the SQLite writer does; its position, `None` when there was
/// no such unit.
pub(super) fn remove_unit(tx: &mut Transaction, id: i64) -> Result<Option<i64>> {
    let Some(position) = tx
        .query_opt(&dollar(edit_sql::UNIT_POSITION), &[&id])?
        .map(|r| r.get::<_, i64>(0))
    else {
        return Ok(None);
    };
    tx.execute(&dollar(edit_sql::MARK_DEAD), &[&id])?;
    for statement in edit_sql::DELETE_UNIT {
        tx.execute(&dollar(statement), &[&id])?;
    }
    Ok(Some(position))
}

/// Replaces each unit `id` by its `unit`, keeping its id, origin and position, as the SQLite
/// writer does: the old rows go (their variants dead in the index), the new ones are written
/// by one import writer and indexed row by row. Returns how many were replaced: a missing
/// unit, or one without a source variant, is not.
pub(super) fn replace_units<'u>(
    tx: &mut Transaction,
    units: impl IntoIterator<Item = (UnitId, &'u TranslationUnit)>,
) -> Result<u64> {
    let mut writer = super::import::PgWriter::new(tx, DuplicatePolicy::Keep)?;
    let mut n = 0;
    for (id, unit) in units {
        n += u64::from(writer.replace(id.0, unit)?);
    }
    writer.flush()?;
    writer.index_recent()?;
    Ok(n)
}
