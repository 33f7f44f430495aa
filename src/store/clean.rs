//! Writing a cleaning plan: units deleted and units rewritten without some variants, all in
//! one transaction with the index following (the rules themselves are in [`crate::clean`]).

use std::time::Duration;

use super::import::UnitWriter;
use super::{DuplicatePolicy, Store};
use crate::error::Result;
use crate::model::{TranslationUnit, UnitId};

impl Store {
    /// Deletes the units `delete` and replaces each unit of `replace` by its new content, in
    /// one transaction: either all of it is stored or none. Returns (units deleted, units
    /// replaced), counting only units that existed.
    ///
    /// # Errors
    /// [`crate::Error::Busy`]; [`crate::Error::Database`].
    pub fn apply_changes(
        &self,
        delete: &[UnitId],
        replace: &[(UnitId, TranslationUnit)],
        wait: Option<Duration>,
    ) -> Result<(u64, u64)> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.apply_changes(delete, replace, wait);
        }
        self.write_within("apply_changes", wait, |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut counts = (0, 0);
            {
                let mut writer =
                    UnitWriter::new(&tx, DuplicatePolicy::Keep, self.text_dictionaries()?)?;
                for id in delete {
                    counts.0 += u64::from(writer.remove(id.0)?.is_some());
                }
                for (id, unit) in replace {
                    counts.1 += u64::from(writer.replace(id.0, unit)?);
                }
                writer.finish()?;
            }
            tx.commit()?;
            Ok(counts)
        })
    }
}
