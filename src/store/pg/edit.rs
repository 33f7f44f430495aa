//! Writes other than imports on PostgreSQL: a unit added by hand (`tmm serve`'s
//! `POST /api/v1/units`) and the server's tokens, with the statements of the SQLite side.

use std::time::Duration;

use super::{PgStore, dollar};
use crate::error::Result;
use crate::model::{Header, TranslationUnit, UnitId};
use crate::store::edit::{EDIT_KIND, EDIT_ORIGIN_SQL, IDENTICAL_UNIT_SQL, edit_origin};
use crate::store::import::{Added, DuplicatePolicy, UnitSink, content_hash};
use crate::store::token::{sql, taken, token_infos};
use crate::store::{Role, TokenInfo};

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
            let added = writer.add(origin_id, unit, None, None)?;
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
