//! Merging language tags: memories gathered from several tools hold `en`, `en-US` and
//! `en-GB` apart; merging rewrites the variants of some tags to one, keeping each variant's
//! original tag in a prop, in one transaction.

use std::time::Duration;

use serde::Serialize;

use super::import::UnitWriter;
use super::{DuplicatePolicy, ExportFilter, Store, StoredUnit};
use crate::error::{Error, Result};
use crate::lang::LanguageTag;
use crate::model::Prop;

/// The prop type that keeps a variant's tag from before a merge.
pub const ORIGINAL_LANG_PROP: &str = "x-tmm-original-lang";

/// What [`Store::merge_languages`] changed (or would change, in a dry run).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LangMerge {
    pub into: String,
    /// Variants retagged, per tag merged.
    pub variants: Vec<(String, u64)>,
    /// Units rewritten.
    pub units: u64,
    pub dry_run: bool,
}

/// `unit` with its variants tagged `from` retagged `into`; `None` when it has none.
fn retagged(
    stored: &StoredUnit,
    from: &[LanguageTag],
    into: &LanguageTag,
    counts: &mut [(String, u64)],
) -> Option<crate::model::TranslationUnit> {
    let mut unit = stored.unit.clone();
    let mut changed = false;
    for v in &mut unit.variants {
        let Some(k) = from.iter().position(|f| *f == v.lang) else {
            continue;
        };
        counts[k].1 += 1;
        changed = true;
        let original = v.lang_original.take().unwrap_or_else(|| v.lang.to_string());
        if !v.props.iter().any(|p| p.kind == ORIGINAL_LANG_PROP) {
            v.props.push(Prop {
                kind: ORIGINAL_LANG_PROP.into(),
                lang: None,
                o_encoding: None,
                value: original,
            });
        }
        v.lang = into.clone();
    }
    if let Some(src) = &unit.srclang
        && let Ok(tag) = LanguageTag::parse(src)
        && from.contains(&tag)
    {
        unit.srclang = Some(into.to_string());
    }
    changed.then_some(unit)
}

impl Store {
    /// Retags every variant in one of `from` (exact tags: `en-US` does not take `en-US-x`)
    /// as `into`, keeping the old tag in an `x-tmm-original-lang` prop of the variant. With
    /// `dry_run`, counts and changes nothing.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `into` is among `from` or `from` is empty;
    /// [`Error::Busy`]; [`Error::Database`].
    pub fn merge_languages(
        &self,
        from: &[LanguageTag],
        into: &LanguageTag,
        dry_run: bool,
        wait: Option<Duration>,
    ) -> Result<LangMerge> {
        if from.is_empty() {
            return Err(Error::option("langs", "name the tags to merge"));
        }
        if from.contains(into) {
            return Err(Error::option(
                "into",
                format!("{into} is both merged and the tag merged into"),
            ));
        }
        let mut merge = LangMerge {
            into: into.to_string(),
            variants: from.iter().map(|f| (f.to_string(), 0)).collect(),
            units: 0,
            dry_run,
        };
        let filter = ExportFilter::default();
        if dry_run {
            self.for_each_unit(&filter, |stored| {
                if retagged(&stored, from, into, &mut merge.variants).is_some() {
                    merge.units += 1;
                }
                Ok(())
            })?;
            return Ok(merge);
        }
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            merge.units = pg.rewrite_units(
                |stored| retagged(stored, from, into, &mut merge.variants),
                wait,
            )?;
            return Ok(merge);
        }
        self.write_within("merge_languages", wait, |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut changed = Vec::new();
            super::export::for_each_unit_on(&tx, &filter, |stored| {
                if let Some(unit) = retagged(&stored, from, into, &mut merge.variants) {
                    changed.push((stored.id, unit));
                }
                Ok(())
            })?;
            {
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                for (id, unit) in &changed {
                    writer.replace(id.0, unit)?;
                }
                writer.finish()?;
            }
            tx.commit()?;
            merge.units = changed.len() as u64;
            Ok(())
        })?;
        Ok(merge)
    }
}
