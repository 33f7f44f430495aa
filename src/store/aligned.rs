//! Storing aligned documents: one origin of kind `align` per alignment (with the document's
//! symbol, title and date), its units in document order with their bead and confidence.

use serde::Serialize;

use super::Store;
use super::import::{Added, NewOrigin, UnitSink, UnitWriter, insert_origin};
use crate::align::{Alignment, DocumentInfo};
use crate::error::Result;
use crate::model::OriginId;
use crate::store::DuplicatePolicy;

/// What storing an alignment did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlignSummary {
    /// The new origin, `None` when every unit was already stored (nothing was written).
    pub origin_id: Option<OriginId>,
    pub rows: u64,
    pub added: u64,
    pub alternatives_added: u64,
    pub duplicates_skipped: u64,
    /// Rows with text in one language only, not stored.
    pub unpaired: u64,
    pub low_confidence: u64,
}

impl Store {
    /// Stores the units of an alignment in one transaction. Their position in the origin is
    /// their order in the document, so a unit's neighbours are its context; the pivot text
    /// of the previous and next unit is also kept as `x-context-prev`/`x-context-next`
    /// props. When every unit is already stored, nothing is written.
    ///
    /// # Errors
    /// [`crate::Error::Database`] when SQLite fails; nothing is stored then.
    pub fn store_alignment(
        &self,
        alignment: &Alignment,
        info: &DocumentInfo,
    ) -> Result<AlignSummary> {
        let prepared = Prepared::new(alignment, info);
        let mut summary = prepared.summary.clone();
        let srclang = alignment.languages[0].to_string();
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            summary.origin_id = pg.store_alignment(
                &prepared.origin(info),
                &prepared.units,
                &srclang,
                &mut summary,
            )?;
            return Ok(summary);
        }
        let stored = self.write("store_alignment", |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let origin_id = insert_origin(&tx, &prepared.origin(info))?;
            {
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                for u in &prepared.units {
                    summary.count(writer.add(
                        origin_id,
                        &u.unit,
                        None,
                        Some(&srclang),
                        Vec::new(),
                    )?);
                }
                writer.finish()?;
            }
            if summary.stored() {
                tx.commit()?;
                return Ok(Some(OriginId(origin_id)));
            }
            Ok(None)
        })?;
        if stored.is_some() {
            self.catch_up_index(&mut |_, _| {})?;
        }
        summary.origin_id = stored;
        Ok(summary)
    }
}

impl AlignSummary {
    /// Counts one unit the writer was given.
    pub(crate) fn count(&mut self, added: Added) {
        match added {
            Added::New | Added::Updated => self.added += 1,
            Added::Alternative => self.alternatives_added += 1,
            Added::Duplicate => self.duplicates_skipped += 1,
        }
    }

    /// True when a unit was stored: else nothing is written, not even the origin.
    pub(crate) fn stored(&self) -> bool {
        self.added + self.alternatives_added > 0
    }
}

/// What storing an alignment writes, on either backend: its units, its origin's name,
/// pivot path and header, and the counts known before writing.
struct Prepared {
    units: Vec<crate::align::AlignedUnit>,
    summary: AlignSummary,
    pivot: String,
    name: String,
    header: crate::model::Header,
}

impl Prepared {
    fn new(alignment: &Alignment, info: &DocumentInfo) -> Self {
        let summary = AlignSummary {
            rows: alignment.rows.len() as u64,
            unpaired: alignment
                .rows
                .iter()
                .filter(|r| r.languages_present() < 2)
                .count() as u64,
            low_confidence: alignment.low_rows() as u64,
            ..AlignSummary::default()
        };
        let pivot = alignment.paths[0].display().to_string();
        let name = info.document.clone().unwrap_or_else(|| {
            alignment.paths[0]
                .file_name()
                .map_or_else(|| pivot.clone(), |n| n.to_string_lossy().into_owned())
        });
        Prepared {
            units: alignment.units(info),
            summary,
            pivot,
            name,
            header: alignment.header(info),
        }
    }

    fn origin<'a>(&'a self, info: &'a DocumentInfo) -> NewOrigin<'a> {
        NewOrigin {
            kind: "align",
            path: Some(&self.pivot),
            name: &self.name,
            content_hash: None,
            size: None,
            encoding: None,
            tmx_version: None,
            document: info.document.as_deref(),
            title: info.title.as_deref(),
            document_date: info.date.as_deref(),
            header: &self.header,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::{AlignOptions, Document, align};
    use crate::lang::LanguageTag;

    #[test]
    fn aligned_units_keep_order_bead_confidence_and_document() -> Result<()> {
        let doc = |lang: &str, text: &str| {
            Document::from_text(
                LanguageTag::parse(lang).unwrap(),
                format!("{lang}.txt"),
                text,
            )
        };
        let alignment = align(
            &[
                doc("en", "First one here.\n\nSecond one there.\n\nThird."),
                doc("fr", "Le premier ici.\n\nLe second là-bas.\n\nTroisième."),
            ],
            &AlignOptions::default(),
        )?;
        let info = DocumentInfo {
            document: Some("SG/SM/1".into()),
            title: Some("T".into()),
            date: Some("2012-09-12".into()),
        };
        let store = Store::open_temporary()?;
        let summary = store.store_alignment(&alignment, &info)?;
        assert_eq!((summary.added, summary.rows), (3, 3));
        // The bead and confidence are props, as `tmm align --tmx` writes them.
        let rows: Vec<(i64, String, f64, String)> = store.read("test", |c| {
            Ok(c.prepare(
                "SELECT u.position, b.value, CAST(k.value AS REAL), tmm_text(v.text) FROM unit u
                 JOIN prop b ON b.unit_id = u.id AND b.tuv = 0 AND b.type = 'x-align-bead'
                 JOIN prop k ON k.unit_id = u.id AND k.tuv = 0 AND k.type = 'x-align-confidence'
                 JOIN variant v ON v.unit_id = u.id AND v.lang = 'fr' ORDER BY u.position",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?)
        })?;
        assert_eq!(rows[1].0, 1);
        assert_eq!(rows[1].1, "1-1");
        assert!(rows[1].2 > 0.5);
        assert_eq!(rows[1].3, "Le second là-bas.");
        let (kind, document, date): (String, String, String) = store.read("test", |c| {
            Ok(c.query_row(
                "SELECT kind, document, document_date FROM origin",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })?;
        assert_eq!((kind.as_str(), document.as_str()), ("align", "SG/SM/1"));
        assert_eq!(date, "2012-09-12");
        // The same alignment again adds nothing, not even an origin.
        let again = store.store_alignment(&alignment, &info)?;
        assert_eq!((again.added, again.origin_id), (0, None));
        assert_eq!(store.stats()?.origins.len(), 1);
        Ok(())
    }
}
