//! Selecting units by their metadata: origin, document, change date, who changed them and
//! their props. Matching, concordance, analysis, pretranslation and `units find` share the
//! one [`UnitFilter`].

use rusqlite::{Connection, OptionalExtension};

use super::Store;
use crate::error::Result;
use crate::model::{OriginId, UnitId};

/// Which units to consider, by metadata. The default admits every unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFilter {
    /// Only units of these origins (any of them); empty: every origin.
    pub origins: Vec<OriginId>,
    /// Only units of this document (the origin's symbol, or its header's `x-document` prop).
    pub document: Option<String>,
    /// Only units changed on or after this moment (`YYYYMMDDhhmmss`, as
    /// [`crate::corpus::parse_date_bound`] gives it).
    pub since: Option<u64>,
    /// Only units changed on or before this moment.
    pub until: Option<u64>,
    /// Only units whose `changeid` (else `creationid`) is this one.
    pub changeid: Option<String>,
    /// Only units with every one of these props (`type`, `value`) on the unit or a variant.
    pub props: Vec<(String, String)>,
}

impl UnitFilter {
    /// True when the filter admits every unit.
    pub fn is_empty(&self) -> bool {
        *self == UnitFilter::default()
    }

    /// True when `meta` passes every condition.
    pub fn admits(&self, meta: &UnitMetadata) -> bool {
        if !self.origins.is_empty() && !self.origins.contains(&meta.origin_id) {
            return false;
        }
        if let Some(doc) = &self.document
            && meta.document.as_deref() != Some(doc.as_str())
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let key = meta.date.as_deref().and_then(date_key);
            let inside = key.is_some_and(|t| {
                self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
            });
            if !inside {
                return false;
            }
        }
        if let Some(who) = &self.changeid
            && meta.changeid.as_deref() != Some(who.as_str())
        {
            return false;
        }
        self.props
            .iter()
            .all(|(k, v)| meta.props.iter().any(|(pk, pv)| pk == k && pv == v))
    }
}

/// What a [`UnitFilter`] looks at, for one unit.
#[derive(Debug, Clone)]
pub struct UnitMetadata {
    pub unit_id: UnitId,
    pub origin_id: OriginId,
    /// The origin's file name.
    pub origin: String,
    pub document: Option<String>,
    /// The change date: the unit's `changedate`, else its newest variant's, else its
    /// `creationdate`, else when it was imported (TMX form).
    pub date: Option<String>,
    /// Who changed it last: the unit's `changeid`, else a variant's, else the `creationid`.
    pub changeid: Option<String>,
    /// Its props and its variants' props, as (`type`, `value`).
    pub props: Vec<(String, String)>,
}

/// `YYYYMMDDThhmmssZ` as the number `YYYYMMDDhhmmss`.
fn date_key(date: &str) -> Option<u64> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' {
        return None;
    }
    b[..8].iter().chain(&b[9..15]).try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

pub(crate) const METADATA_SQL: &str = "SELECT u.id, u.origin_id, o.name,
        coalesce(o.document, (SELECT p.value FROM origin_prop p WHERE p.origin_id = o.id
                              AND p.type = 'x-document' ORDER BY p.ord LIMIT 1)),
        coalesce(u.changedate, (SELECT max(v.changedate) FROM variant v WHERE v.unit_id = u.id),
                 u.creationdate, o.imported_at),
        coalesce(u.changeid,
                 (SELECT v.changeid FROM variant v WHERE v.unit_id = u.id
                  AND v.changeid IS NOT NULL ORDER BY v.changedate DESC NULLS LAST, v.position LIMIT 1),
                 u.creationid)
     FROM unit u JOIN origin o ON o.id = u.origin_id";

fn read_metadata(r: &rusqlite::Row) -> rusqlite::Result<UnitMetadata> {
    Ok(UnitMetadata {
        unit_id: UnitId(r.get(0)?),
        origin_id: OriginId(r.get(1)?),
        origin: r.get(2)?,
        document: r.get(3)?,
        date: r.get(4)?,
        changeid: r.get(5)?,
        props: Vec::new(),
    })
}

fn props_of(conn: &Connection, unit: i64) -> Result<Vec<(String, String)>> {
    Ok(conn
        .prepare_cached(super::snapshot::sql::PROPS_OF)?
        .query_map([unit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The metadata of unit `id`, if it exists.
pub(crate) fn unit_metadata(conn: &Connection, id: UnitId) -> Result<Option<UnitMetadata>> {
    let meta = conn
        .prepare_cached(&format!("{METADATA_SQL} WHERE u.id = ?1"))?
        .query_row([id.0], read_metadata)
        .optional()?;
    match meta {
        None => Ok(None),
        Some(mut m) => {
            m.props = props_of(conn, id.0)?;
            Ok(Some(m))
        }
    }
}

impl Store {
    /// The metadata a [`UnitFilter`] looks at, of unit `id`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn unit_metadata(&self, id: UnitId) -> Result<Option<UnitMetadata>> {
        #[cfg(feature = "postgres")]
        if self.postgres().is_some() {
            return self.snapshot(|s| s.unit_metadata(id));
        }
        self.read("unit_metadata", |c| unit_metadata(c, id))
    }

    /// The ids of the units the filter admits, in storage order, at most `limit`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn find_units(&self, filter: &UnitFilter, limit: Option<usize>) -> Result<Vec<UnitId>> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.find_units(filter, limit);
        }
        self.read("find_units", |c| {
            let (sql, params) = find_sql(filter);
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params), read_metadata)?
                .map(|r| r.map_err(Into::into));
            admitted(rows, filter, limit, |unit| props_of(c, unit))
        })
    }
}

/// The statement [`Store::find_units`] runs (SQLite's spelling), and its parameters: every
/// unit's metadata in storage order, narrowed to the filter's origins.
pub(crate) fn find_sql(filter: &UnitFilter) -> (String, Vec<i64>) {
    let mut sql = METADATA_SQL.to_string();
    let params: Vec<i64> = filter.origins.iter().map(|o| o.0).collect();
    if !params.is_empty() {
        let marks: Vec<String> = (1..=params.len()).map(|i| format!("?{i}")).collect();
        sql.push_str(&format!(" WHERE u.origin_id IN ({})", marks.join(",")));
    }
    sql.push_str(" ORDER BY u.id");
    (sql, params)
}

/// The units of `rows` (in storage order) that `filter` admits, at most `limit`; `props`
/// gives a unit's props, asked only when the filter looks at them.
pub(crate) fn admitted(
    rows: impl IntoIterator<Item = Result<UnitMetadata>>,
    filter: &UnitFilter,
    limit: Option<usize>,
    mut props: impl FnMut(i64) -> Result<Vec<(String, String)>>,
) -> Result<Vec<UnitId>> {
    let mut found = Vec::new();
    for meta in rows {
        if limit.is_some_and(|l| found.len() >= l) {
            break;
        }
        let mut meta = meta?;
        if !filter.props.is_empty() {
            meta.props = props(meta.unit_id.0)?;
        }
        if filter.admits(&meta) {
            found.push(meta.unit_id);
        }
    }
    Ok(found)
}
