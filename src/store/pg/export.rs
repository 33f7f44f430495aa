//! Reading units back out of PostgreSQL for export: units in id order, a page at a time
//! (memory bounded whatever the memory's size), with their variants, props and notes, put
//! together by the same code as the SQLite export (`store::export`).

use std::collections::HashMap;

use postgres::types::ToSql;

use super::PgSnapshot;
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::model::{Header, Note, OriginId, Prop, Segment, TranslationUnit, UnitId, Variant};
use crate::store::export::attributes_of;
use crate::store::{ATTRIBUTE_COLUMNS, ExportFilter, StoredUnit};

/// Units read per round trip.
const PAGE: i64 = 2_000;

/// The attribute columns from `start` on.
fn attributes(r: &postgres::Row, start: usize) -> crate::model::Attributes {
    let mut values: [Option<String>; 12] = Default::default();
    for (i, v) in values.iter_mut().enumerate() {
        *v = r.get(start + i);
    }
    attributes_of(values)
}

/// The filter's unit clause with PostgreSQL placeholders from `$first` on, and its values.
fn unit_where(filter: &ExportFilter, first: usize) -> (String, Vec<Box<dyn ToSql + Sync>>) {
    let mut clauses = Vec::new();
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut n = first;
    let mut next = || {
        n += 1;
        n - 1
    };
    if let Some(o) = filter.origin {
        clauses.push(format!("origin_id = ${}", next()));
        params.push(Box::new(o.0));
    }
    if let Some(u) = filter.unit {
        clauses.push(format!("id = ${}", next()));
        params.push(Box::new(u.0));
    }
    if let Some(src) = &filter.source_lang {
        let (exact, like) = crate::store::snapshot::lang_clause(src);
        clauses.push(format!(
            "(source_lang = ${} OR source_lang LIKE ${})",
            next(),
            next()
        ));
        params.push(Box::new(exact));
        params.push(Box::new(like));
    }
    if clauses.is_empty() {
        ("TRUE".into(), params)
    } else {
        (clauses.join(" AND "), params)
    }
}

impl PgSnapshot<'_> {
    /// [`crate::Store::for_each_unit`] on PostgreSQL.
    pub(crate) fn for_each_unit(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        let (clause, params) = unit_where(filter, 2);
        let units_sql = format!(
            "SELECT id, origin_id, tuid, srclang, segtype, {ATTRIBUTE_COLUMNS}
             FROM unit WHERE id > $1 AND {clause} ORDER BY id LIMIT {PAGE}"
        );
        let mut after = i64::MIN;
        let mut count = 0;
        loop {
            let mut args: Vec<&(dyn ToSql + Sync)> = vec![&after];
            args.extend(params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)));
            let rows = self.rows(&units_sql, &args)?;
            let Some(last) = rows.last() else {
                break;
            };
            let (first, last): (i64, i64) = (rows[0].get(0), last.get(0));
            let range: [&(dyn ToSql + Sync); 2] = [&first, &last];
            let mut variants: HashMap<i64, Vec<Variant>> = HashMap::new();
            for r in self.rows(
                &format!(
                    "SELECT unit_id, lang, lang_original, text, markup, {ATTRIBUTE_COLUMNS}
                     FROM variant WHERE unit_id BETWEEN $1 AND $2 ORDER BY unit_id, position"
                ),
                &range,
            )? {
                let lang: String = r.get(1);
                variants.entry(r.get(0)).or_default().push(Variant {
                    lang: LanguageTag::verbatim(&lang),
                    lang_original: r.get(2),
                    segment: Segment {
                        text: r.get(3),
                        markup: r.get(4),
                    },
                    attributes: attributes(&r, 5),
                    props: Vec::new(),
                    notes: Vec::new(),
                });
            }
            let mut props: HashMap<i64, Vec<(i64, Prop)>> = HashMap::new();
            for r in self.rows(
                "SELECT unit_id, tuv, type, lang, o_encoding, value FROM prop
                 WHERE unit_id BETWEEN $1 AND $2 ORDER BY unit_id, tuv, ord",
                &range,
            )? {
                props.entry(r.get(0)).or_default().push((
                    r.get(1),
                    Prop {
                        kind: r.get(2),
                        lang: r.get(3),
                        o_encoding: r.get(4),
                        value: r.get(5),
                    },
                ));
            }
            let mut notes: HashMap<i64, Vec<(i64, Note)>> = HashMap::new();
            for r in self.rows(
                "SELECT unit_id, tuv, lang, o_encoding, text FROM note
                 WHERE unit_id BETWEEN $1 AND $2 ORDER BY unit_id, tuv, ord",
                &range,
            )? {
                notes.entry(r.get(0)).or_default().push((
                    r.get(1),
                    Note {
                        lang: r.get(2),
                        o_encoding: r.get(3),
                        text: r.get(4),
                    },
                ));
            }
            for r in &rows {
                let id: i64 = r.get(0);
                let mut attributes = attributes(r, 5);
                attributes.segtype = r.get(4);
                let mut unit = TranslationUnit {
                    tuid: r.get(2),
                    srclang: r.get(3),
                    attributes,
                    variants: variants.remove(&id).unwrap_or_default(),
                    ..Default::default()
                };
                if !filter.units.is_empty()
                    && !self
                        .unit_metadata(UnitId(id))?
                        .is_some_and(|m| filter.units.admits(&m))
                {
                    continue;
                }
                let (p, n) = (
                    props.remove(&id).unwrap_or_default(),
                    notes.remove(&id).unwrap_or_default(),
                );
                if !filter.finish_unit(&mut unit, p, n) {
                    continue;
                }
                count += 1;
                f(StoredUnit {
                    id: UnitId(id),
                    origin_id: OriginId(r.get(1)),
                    unit,
                })?;
            }
            after = last;
        }
        Ok(count)
    }

    /// [`crate::Store::export_header`] on PostgreSQL.
    pub(crate) fn export_header(&self, filter: &ExportFilter) -> Result<Header> {
        let (clause, params) = unit_where(filter, 1);
        let args: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let origins: Vec<i64> = self
            .rows(
                &format!("SELECT DISTINCT origin_id FROM unit WHERE {clause} LIMIT 2"),
                &args,
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let header = match origins.as_slice() {
            [only] => self.origin_header(*only)?,
            _ => {
                let langs: Vec<String> = self
                    .rows(
                        &format!("SELECT DISTINCT source_lang FROM unit WHERE {clause} LIMIT 2"),
                        &args,
                    )?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                ExportFilter::mixed_header(&langs)
            }
        };
        Ok(filter.restrict_header(header))
    }

    fn origin_header(&self, origin: i64) -> Result<Header> {
        let rows = self.rows(
            &format!(
                "SELECT srclang, adminlang, segtype, udes, {ATTRIBUTE_COLUMNS} FROM origin WHERE id = $1"
            ),
            &[&origin],
        )?;
        let r = rows
            .first()
            .ok_or(crate::Error::Internal("a unit's origin has no row"))?;
        let mut attributes = attributes(r, 4);
        attributes.segtype = r.get(2);
        let props = self
            .rows(
                "SELECT type, lang, o_encoding, value FROM origin_prop WHERE origin_id = $1 ORDER BY ord",
                &[&origin],
            )?
            .iter()
            .map(|p| Prop {
                kind: p.get(0),
                lang: p.get(1),
                o_encoding: p.get(2),
                value: p.get(3),
            })
            .collect();
        let notes = self
            .rows(
                "SELECT lang, o_encoding, text FROM origin_note WHERE origin_id = $1 ORDER BY ord",
                &[&origin],
            )?
            .iter()
            .map(|n| Note {
                lang: n.get(0),
                o_encoding: n.get(1),
                text: n.get(2),
            })
            .collect();
        Ok(Header {
            srclang: r.get(0),
            adminlang: r.get(1),
            attributes,
            props,
            notes,
            udes: r.get(3),
        })
    }
}
