//! The SQLite store: opening and migrating the database file, importing, querying and
//! exporting translation units.
//!
//! The schema is `schema.sql` at the top of the project; `PRAGMA user_version` records which
//! migration a file has reached. The database runs in WAL mode, so readers keep working
//! while an import writes.

mod aligned;
mod bilingual;
mod export;
mod import;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};

pub use aligned::AlignSummary;
pub use bilingual::{Delimited, DelimitedOptions};
pub use export::{ExportFilter, StoredUnit, TmxExport, lang_matches};
pub use import::{DuplicatePolicy, ImportObserver, ImportOptions, ImportSummary, Warning};

/// Migrations, in order: entry `n` brings a database from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[include_str!("../../schema.sql")];

/// `PRAGMA application_id` of a tmm database ("TMM1"), so other programs' files are told apart.
const APPLICATION_ID: i64 = 0x544D_4D31;

/// The attribute columns origin, unit and variant share, in the order the store binds and
/// reads them (see `import::attribute_values` and `export::attributes`).
pub(crate) const ATTRIBUTE_COLUMNS: &str = "datatype, o_tmf, o_encoding, usagecount, lastusagedate, \
    creationtool, creationtoolversion, creationdate, creationid, changedate, changeid, extra";

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A translation memory in one SQLite file.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

/// What `tmm stats` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub units: i64,
    pub variants: i64,
    /// Variants per language, most first.
    pub languages: Vec<(String, i64)>,
    pub origins: Vec<OriginStats>,
    /// Bytes on disk: the database file and its write-ahead log.
    pub database_bytes: u64,
}

/// One origin (imported file or aligned document) in [`Stats`].
#[derive(Debug, Clone, Serialize)]
pub struct OriginStats {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub document: Option<String>,
    pub imported_at: String,
    pub units: i64,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// [`Error::Io`] when the folder cannot be created, [`Error::Database`] when SQLite fails,
    /// [`Error::SchemaTooNew`] when a newer tmm wrote the file.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path)?;
        Self::setup(conn, Some(path.to_path_buf()))
    }

    /// A store in memory, for tests and one-off work.
    ///
    /// # Errors
    /// [`Error::Database`] when SQLite fails.
    pub fn open_in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory()?, None)
    }

    /// Opens an existing database for reading: never creates one, and works on a file the
    /// user may only read (without bringing an old schema up to date).
    ///
    /// # Errors
    /// [`Error::Invalid`] when there is no database at `path`, or it is not tmm's;
    /// [`Error::Database`] when SQLite fails.
    pub fn open_existing(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::Invalid(format!(
                "{}: no database here (`tmm import` creates one)",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match Connection::open_with_flags(path, flags) {
            Ok(conn) => Self::setup(conn, Some(path.to_path_buf())),
            Err(_) => {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(10))?;
                let store = Store {
                    conn,
                    path: Some(path.to_path_buf()),
                };
                store.check_application()?;
                let version: i64 = store
                    .conn
                    .pragma_query_value(None, "user_version", |r| r.get(0))?;
                if version != SCHEMA_VERSION {
                    return Err(Error::Invalid(format!(
                        "{}: schema version {version}, this tmm reads {SCHEMA_VERSION}; open it once with write access to upgrade it",
                        path.display()
                    )));
                }
                Ok(store)
            }
        }
    }

    fn setup(conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut store = Store { conn, path };
        store.check_application()?;
        let conn = &store.conn;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -32768)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        store.migrate()?;
        Ok(store)
    }

    /// Refuses a SQLite file that belongs to another application.
    fn check_application(&self) -> Result<()> {
        let id: i64 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        let foreign = (id != 0 && id != APPLICATION_ID) || (version == 0 && tables > 0);
        if foreign {
            let name = self
                .path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            return Err(Error::Invalid(format!(
                "{name}: a SQLite database of another application; tmm leaves it alone"
            )));
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The underlying connection, for queries the store does not wrap.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Counts of units, variants per language and origins, and the size on disk.
    ///
    /// # Errors
    /// [`Error::Database`] when SQLite fails.
    pub fn stats(&self) -> Result<Stats> {
        let c = &self.conn;
        let units = c.query_row("SELECT count(*) FROM unit", [], |r| r.get(0))?;
        let variants = c.query_row("SELECT count(*) FROM variant", [], |r| r.get(0))?;
        let languages = c
            .prepare("SELECT lang, count(*) FROM variant GROUP BY lang ORDER BY 2 DESC, 1")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let origins = c
            .prepare(
                "SELECT o.id, o.kind, o.name, o.document, o.imported_at,
                        (SELECT count(*) FROM unit u WHERE u.origin_id = o.id)
                 FROM origin o ORDER BY o.id",
            )?
            .query_map([], |r| {
                Ok(OriginStats {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    document: r.get(3)?,
                    imported_at: r.get(4)?,
                    units: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let database_bytes = match &self.path {
            Some(p) => {
                let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                let mut wal = p.as_os_str().to_owned();
                wal.push("-wal");
                size(p) + size(Path::new(&wal))
            }
            None => {
                let pages: i64 = c.pragma_query_value(None, "page_count", |r| r.get(0))?;
                let page: i64 = c.pragma_query_value(None, "page_size", |r| r.get(0))?;
                (pages * page) as u64
            }
        };
        Ok(Stats {
            units,
            variants,
            languages,
            origins,
            database_bytes,
        })
    }

    /// The id of the origin named by `key`: its id, file name, path or document symbol.
    ///
    /// # Errors
    /// [`Error::Invalid`] when no origin matches.
    pub fn find_origin(&self, key: &str) -> Result<i64> {
        let found = self
            .conn
            .query_row(
                "SELECT id FROM origin
                 WHERE CAST(id AS TEXT) = ?1 OR name = ?1 OR path = ?1 OR document = ?1
                 ORDER BY id DESC LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()?;
        found.ok_or_else(|| {
            Error::Invalid(format!(
                "no origin \"{key}\" in the store (see `tmm stats` for the list)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_store_is_at_the_current_schema_version() -> Result<()> {
        let store = Store::open_in_memory()?;
        let v: i64 = store
            .connection()
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(store.stats()?.units, 0);
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tm.db");
        Store::open(&path)?
            .connection()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)?;
        assert!(matches!(
            Store::open(&path),
            Err(Error::SchemaTooNew { .. })
        ));
        Ok(())
    }

    #[test]
    fn reopening_keeps_the_data() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/tm.db");
        Store::open(&path)?;
        Store::open(&path)?;
        assert!(path.exists());
        Ok(())
    }

    #[test]
    fn readers_keep_working_while_an_import_writes() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tm.db");
        let mut writer = Store::open(&path)?;
        let reader = Store::open(&path)?;
        let tx = writer.conn.transaction()?;
        tx.execute(
            "INSERT INTO origin (kind, name, imported_at) VALUES ('tmx', 'a', '20260101T000000Z')",
            [],
        )?;
        // The write transaction is open: the other connection still reads, and sees the
        // store as it was.
        assert_eq!(reader.stats()?.origins.len(), 0);
        tx.commit()?;
        assert_eq!(reader.stats()?.origins.len(), 1);
        Ok(())
    }
}
