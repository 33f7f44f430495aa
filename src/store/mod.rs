//! The SQLite store: opening and migrating the database file, importing, querying and
//! exporting translation units.
//!
//! The schema is `schema.sql` at the top of the project; `PRAGMA user_version` records which
//! migration a file has reached. The database runs in WAL mode, so readers keep working
//! while an import writes.

mod aligned;
mod clean;
pub(crate) mod edit;
pub(crate) mod export;
mod filter;
mod import;
mod index;
mod langs;
pub(crate) mod packed;
#[cfg(feature = "postgres")]
pub(crate) mod pg;
pub(crate) mod snapshot;
pub(crate) mod subsegment;
pub(crate) mod token;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
pub use crate::model::{OriginId, UnitId, VariantId};

pub use aligned::AlignSummary;
pub use edit::EDIT_KIND;
pub use export::{ExportFilter, StoredUnit, TmxExport, lang_matches};
pub use filter::{UnitFilter, UnitMetadata};
pub use import::{DuplicatePolicy, ImportObserver, ImportOptions, ImportSummary, Warning};
pub use langs::{LangMerge, ORIGINAL_LANG_PROP};
#[cfg(feature = "postgres")]
pub use pg::MigrateSummary;
pub use snapshot::{MatchedVariant, Provenance, Snapshot, StoredVariant};
pub use subsegment::{SentenceLanguages, StoredSentence, key as subsegment_key};
pub use token::{Role, TokenInfo};

/// The schema of a new database, at [`SCHEMA_VERSION`].
const SCHEMA: &str = include_str!("../../schema.sql");

/// Migrations, in order: entry `n - 1` brings a database from version `n` to `n + 1`. A test
/// checks that migrating a database of every older version gives the schema of a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/2.sql"),
    include_str!("migrations/3.sql"),
    include_str!("migrations/4.sql"),
    include_str!("migrations/5.sql"),
    include_str!("migrations/6.sql"),
    include_str!("migrations/7.sql"),
    include_str!("migrations/8.sql"),
];

/// `PRAGMA application_id` of a tmm database ("TMM1"), so other programs' files are told apart.
const APPLICATION_ID: i64 = 0x544D_4D31;

/// The attribute columns origin, unit and variant share, in the order the store binds and
/// reads them (see `import::attribute_values` and `export::attributes`).
pub(crate) const ATTRIBUTE_COLUMNS: &str = "datatype, o_tmf, o_encoding, usagecount, lastusagedate, \
    creationtool, creationtoolversion, creationdate, creationid, changedate, changeid, extra";

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64 + 1;

/// A translation memory in one SQLite file: a handle that is cheap to clone and can be shared
/// between threads. Reads run on a pool of read-only connections, each in one read
/// transaction, so they see the memory as of a commit and never wait for a writer; writes
/// queue for the one writer connection.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
}

/// Where the memory lives. Each public method of [`Store`] goes to its backend; one the
/// backend does not offer yet returns [`Error::Unsupported`].
enum Backend {
    Sqlite(Sqlite),
    #[cfg(feature = "postgres")]
    Postgres(pg::PgStore),
}

// The fields drop in this order: the readers close before the writer, so that the writer is
// the file's last connection and SQLite checkpoints the WAL into the file and deletes it. Closed
// last, a read-only connection leaves the WAL whole (500 MB after a 1M import), and every later
// process reads all of it again to rebuild the WAL index on open: 130 ms for each `tmm
// suggest` instead of a few.
struct Sqlite {
    /// The database file.
    path: PathBuf,
    /// Idle read connections.
    readers: Mutex<Vec<Connection>>,
    /// The one writer; `None` when the file may only be read.
    writer: Option<Mutex<Connection>>,
    /// Set for a temporary store: the folder holding its file, removed on drop.
    _temporary: Option<tempfile::TempDir>,
    /// Open the file immutable (a read-only folder: no WAL index can be made).
    immutable: bool,
    /// The text dictionaries its connections have read (`packed`).
    dictionaries: Arc<packed::Dictionaries>,
}

/// Idle read connections kept for reuse; more are opened while many threads read.
const POOL_IDLE: usize = 16;

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
    pub id: OriginId,
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
    /// [`Error::NotTmmDatabase`] for another program's SQLite file,
    /// [`Error::SchemaTooNew`] when a newer tmm wrote the file.
    pub fn open(path: &Path) -> Result<Self> {
        #[cfg(feature = "postgres")]
        if let Some(url) = postgres_url(path) {
            return Self::postgres_store(pg::PgStore::open(url, true)?);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path)?;
        Self::with_writer(conn, path.to_path_buf(), None)
    }

    /// A throwaway store in a temporary file, removed when the last handle is dropped: for
    /// tests and one-off work.
    ///
    /// # Errors
    /// [`Error::Io`] when no temporary file can be made; [`Error::Database`].
    pub fn open_temporary() -> Result<Self> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let path = dir.path().join("tm.db");
        let conn = Connection::open(&path)?;
        Self::with_writer(conn, path, Some(dir))
    }

    /// Opens an existing database: never creates one. A file the user may only read is
    /// opened for reading (without bringing an old schema up to date); writes then fail.
    ///
    /// # Errors
    /// [`Error::NoDatabase`] when there is no file at `path`; [`Error::NotTmmDatabase`];
    /// [`Error::SchemaTooOld`] for an old schema that cannot be upgraded read-only;
    /// [`Error::Database`] when SQLite fails.
    pub fn open_existing(path: &Path) -> Result<Self> {
        #[cfg(feature = "postgres")]
        if let Some(url) = postgres_url(path) {
            return Self::postgres_store(pg::PgStore::open(url, false)?);
        }
        if !path.is_file() {
            return Err(Error::NoDatabase {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let writable = std::fs::OpenOptions::new().append(true).open(path).is_ok();
        if writable && let Ok(conn) = Connection::open_with_flags(path, flags) {
            return Self::with_writer(conn, path.to_path_buf(), None);
        }
        // A folder the user may not write to cannot hold the WAL index: read the file as
        // immutable then.
        let dir_writable = path
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .and_then(|d| std::fs::metadata(d).ok())
            .is_some_and(|m| !m.permissions().readonly())
            && writable;
        let immutable = !dir_writable;
        let store = Store::sqlite(Sqlite {
            path: path.to_path_buf(),
            _temporary: None,
            writer: None,
            readers: Mutex::new(Vec::new()),
            immutable,
            dictionaries: Arc::new(dictionaries(path, immutable)),
        });
        store.read("open_existing", |c| {
            check_application(c, path)?;
            let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version != SCHEMA_VERSION {
                return Err(Error::SchemaTooOld {
                    path: path.to_path_buf(),
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            Ok(())
        })?;
        Ok(store)
    }

    fn with_writer(
        conn: Connection,
        path: PathBuf,
        temporary: Option<tempfile::TempDir>,
    ) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let dictionaries = Arc::new(dictionaries(&path, false));
        configure(&conn, &dictionaries)?;
        check_application(&conn, &path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -32768)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mut conn = conn;
        migrate(&mut conn)?;
        Ok(Store::sqlite(Sqlite {
            path,
            _temporary: temporary,
            writer: Some(Mutex::new(conn)),
            readers: Mutex::new(Vec::new()),
            immutable: false,
            dictionaries,
        }))
    }

    #[cfg(feature = "postgres")]
    #[allow(clippy::unnecessary_wraps)]
    fn postgres_store(pg: pg::PgStore) -> Result<Self> {
        Ok(Store {
            inner: Arc::new(Inner {
                backend: Backend::Postgres(pg),
            }),
        })
    }

    fn sqlite(sqlite: Sqlite) -> Self {
        Store {
            inner: Arc::new(Inner {
                backend: Backend::Sqlite(sqlite),
            }),
        }
    }

    /// The SQLite side of the store, or [`Error::Unsupported`] naming `what` on another
    /// backend.
    #[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
    fn sqlite_backend(&self, what: &'static str) -> Result<&Sqlite> {
        match &self.inner.backend {
            Backend::Sqlite(s) => Ok(s),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Err(Error::Unsupported {
                what,
                backend: "PostgreSQL",
            }),
        }
    }

    /// The text dictionaries of the SQLite store, for a writer's [`packed::Packer`].
    pub(crate) fn text_dictionaries(&self) -> Result<Arc<packed::Dictionaries>> {
        Ok(self
            .sqlite_backend("text dictionaries")?
            .dictionaries
            .clone())
    }

    /// The PostgreSQL side of the store, when the memory lives there.
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres(&self) -> Option<&pg::PgStore> {
        match &self.inner.backend {
            Backend::Postgres(p) => Some(p),
            Backend::Sqlite(_) => None,
        }
    }

    /// Which engine holds the memory: `SQLite` or `PostgreSQL`.
    pub fn backend_name(&self) -> &'static str {
        match &self.inner.backend {
            Backend::Sqlite(_) => "SQLite",
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => "PostgreSQL",
        }
    }

    /// Runs `f` on a read connection inside one read transaction: it sees the memory as of
    /// one commit, whatever is written meanwhile.
    /// `what` names the operation, for [`Error::Unsupported`] on a backend other than SQLite.
    pub(crate) fn read<T>(
        &self,
        what: &'static str,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let sqlite = self.sqlite_backend(what)?;
        let conn = match sqlite.readers.lock().ok().and_then(|mut p| p.pop()) {
            Some(c) => c,
            None => sqlite.open_reader()?,
        };
        conn.execute_batch("BEGIN")?;
        let result = f(&conn);
        // Nothing was written: ending the transaction cannot lose anything.
        let ended = conn.execute_batch("COMMIT");
        if ended.is_ok()
            && let Ok(mut pool) = sqlite.readers.lock()
            && pool.len() < POOL_IDLE
        {
            pool.push(conn);
        }
        let value = result?;
        ended?;
        Ok(value)
    }
}

impl Sqlite {
    fn open_reader(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = if self.immutable {
            Connection::open_with_flags(immutable_uri(&self.path), flags)?
        } else {
            Connection::open_with_flags(&self.path, flags)?
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        configure(&conn, &self.dictionaries)?;
        conn.pragma_update(None, "cache_size", -16384)?;
        // Reading through a memory map saves a copy per page read.
        conn.pragma_update(None, "mmap_size", 1i64 << 32)?;
        Ok(conn)
    }
}

impl Store {
    /// Runs `f` with the one writer connection, waiting for it as long as it takes; `f`
    /// opens its own transaction.
    ///
    /// # Errors
    /// [`Error::Io`] (permission denied) when the store was opened read-only, or what `f`
    /// returns.
    pub(crate) fn write<T>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        self.write_within(what, None, f)
    }

    /// As [`write`](Self::write), giving up with [`Error::Busy`] when the writer stays busy
    /// for longer than `wait`.
    pub(crate) fn write_within<T>(
        &self,
        what: &'static str,
        wait: Option<std::time::Duration>,
        f: impl FnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let sqlite = self.sqlite_backend(what)?;
        let Some(writer) = &sqlite.writer else {
            return Err(Error::io(
                &sqlite.path,
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "the database is open read-only",
                ),
            ));
        };
        let mut guard = match wait {
            None => writer
                .lock()
                .map_err(|_| Error::Internal("a writer panicked"))?,
            Some(wait) => {
                let deadline = std::time::Instant::now() + wait;
                loop {
                    match writer.try_lock() {
                        Ok(g) => break g,
                        Err(std::sync::TryLockError::Poisoned(_)) => {
                            return Err(Error::Internal("a writer panicked"));
                        }
                        Err(std::sync::TryLockError::WouldBlock) => {
                            if std::time::Instant::now() >= deadline {
                                return Err(Error::Busy);
                            }
                            std::thread::sleep(std::time::Duration::from_millis(2));
                        }
                    }
                }
            }
        };
        f(&mut guard)
    }

    /// The database file, or `None` for an in-memory store.
    /// Counts of units, variants per language and origins, and the size on disk.
    ///
    /// # Errors
    /// [`Error::Database`] when SQLite fails.
    pub fn stats(&self) -> Result<Stats> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.stats();
        }
        let mut stats = self.read("stats", |c| {
            let units = c.query_row("SELECT count(*) FROM unit", [], |r| r.get(0))?;
            let variants = c.query_row("SELECT count(*) FROM variant", [], |r| r.get(0))?;
            let languages = c
                .prepare("SELECT lang, count(*) FROM variant GROUP BY lang ORDER BY 2 DESC, 1")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Stats {
                units,
                variants,
                languages,
                origins: origins(c)?,
                database_bytes: 0,
            })
        })?;
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let path = &self.sqlite_backend("stats")?.path;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        stats.database_bytes = size(path) + size(Path::new(&wal));
        Ok(stats)
    }

    /// Every origin (imported file or aligned document) with its unit count, oldest first.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn origins(&self) -> Result<Vec<OriginStats>> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.origins();
        }
        self.read("origins", origins)
    }

    /// The id of the origin named by `key`: its id, file name, path or document symbol.
    ///
    /// # Errors
    /// [`Error::UnknownOrigin`] when no origin matches.
    pub fn find_origin(&self, key: &str) -> Result<OriginId> {
        #[cfg(feature = "postgres")]
        let found = match self.postgres() {
            Some(pg) => pg.find_origin(key)?,
            None => self.find_origin_sqlite(key)?,
        };
        #[cfg(not(feature = "postgres"))]
        let found = self.find_origin_sqlite(key)?;
        found.map(OriginId).ok_or_else(|| Error::UnknownOrigin {
            key: key.to_string(),
        })
    }

    fn find_origin_sqlite(&self, key: &str) -> Result<Option<i64>> {
        self.read("find_origin", |c| {
            Ok(c.query_row(
                "SELECT id FROM origin
                 WHERE CAST(id AS TEXT) = ?1 OR name = ?1 OR path = ?1 OR document = ?1
                 ORDER BY id DESC LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
        })
    }
}

impl Store {
    /// How many units the memory holds.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn unit_count(&self) -> Result<u64> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.unit_count();
        }
        self.read("unit_count", |c| {
            Ok(c.query_row("SELECT count(*) FROM unit", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }

    /// Each origin's file name and document symbol (its own, or its header's `x-document`).
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn origin_labels(
        &self,
    ) -> Result<std::collections::HashMap<OriginId, (String, Option<String>)>> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.origin_labels();
        }
        self.read("origin_labels", |c| {
            let mut stmt = c.prepare(
                "SELECT o.id, o.name, coalesce(o.document,
                    (SELECT p.value FROM origin_prop p WHERE p.origin_id = o.id
                     AND p.type = 'x-document' ORDER BY p.ord LIMIT 1))
                 FROM origin o",
            )?;
            let map = stmt
                .query_map([], |r| Ok((OriginId(r.get(0)?), (r.get(1)?, r.get(2)?))))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(map)
        })
    }
}

fn origins(c: &Connection) -> Result<Vec<OriginStats>> {
    Ok(c.prepare(
        "SELECT o.id, o.kind, o.name, o.document, o.imported_at,
                (SELECT count(*) FROM unit u WHERE u.origin_id = o.id)
         FROM origin o ORDER BY o.id",
    )?
    .query_map([], |r| {
        Ok(OriginStats {
            id: OriginId(r.get(0)?),
            kind: r.get(1)?,
            name: r.get(2)?,
            document: r.get(3)?,
            imported_at: r.get(4)?,
            units: r.get(5)?,
        })
    })?
    .collect::<rusqlite::Result<_>>()?)
}

/// The URL in `location` when it names a PostgreSQL database (`postgresql://…`).
#[cfg(feature = "postgres")]
fn postgres_url(location: &Path) -> Option<&str> {
    location.to_str().filter(|s| pg::is_url(s))
}

/// True when `location` (a `--db` value) names a PostgreSQL database, not a SQLite file.
pub fn is_postgres_location(location: &Path) -> bool {
    location
        .to_str()
        .is_some_and(|s| s.starts_with("postgresql://") || s.starts_with("postgres://"))
}

/// `location` as it may be shown: a PostgreSQL URL without its password.
pub fn location_label(location: &Path) -> String {
    let text = location.display().to_string();
    if !is_postgres_location(location) {
        return text;
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return text;
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let user = user.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        _ => text,
    }
}

/// How long a connection waits for another process's lock before SQLite gives up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A path as the path part of a SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
}

/// Refuses a SQLite file that belongs to another application.
fn check_application(conn: &Connection, path: &Path) -> Result<()> {
    let id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if (id != 0 && id != APPLICATION_ID) || (version == 0 && tables > 0) {
        return Err(Error::NotTmmDatabase {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// What every connection needs before it runs a statement: steady plans and `tmm_text`.
fn configure(conn: &Connection, dictionaries: &Arc<packed::Dictionaries>) -> Result<()> {
    steady_plans(conn)?;
    packed::register(conn, dictionaries.clone())?;
    Ok(())
}

/// The file at `path` opened immutable, as a URI.
fn immutable_uri(path: &Path) -> String {
    format!("file:{}?immutable=1", uri_path(path))
}

/// The text dictionaries of the database at `path`, read as its connections are opened.
fn dictionaries(path: &Path, immutable: bool) -> packed::Dictionaries {
    if immutable {
        packed::Dictionaries::new(immutable_uri(path).into(), true)
    } else {
        packed::Dictionaries::new(path.to_path_buf(), false)
    }
}

/// Keeps each prepared statement's plan whatever values are bound to it (SQLite's query
/// planner stability guarantee). Without it SQLite compiles a statement again at its next step
/// whenever a parameter its planner looked at is bound anew: the `lang LIKE ?` of the language
/// clauses and the term of the postings read (its `ORDER BY chunk`), so nearly every statement
/// of a lookup was parsed and planned again each time it ran (295 times in 295 postings reads
/// of 30 lookups). tmm's statements need no plan that depends on a bound value.
fn steady_plans(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// Brings the schema to [`SCHEMA_VERSION`]: a new file gets `schema.sql` whole, an older one
/// each migration after its version, in one transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    // A migration may rebuild a table others refer to: foreign keys are checked once, after
    // it (the pragma cannot change inside a transaction).
    conn.pragma_update(None, "foreign_keys", false)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    if version == 0 {
        tx.execute_batch(SCHEMA)?;
    } else {
        for sql in &MIGRATIONS[version as usize - 1..] {
            tx.execute_batch(sql)?;
        }
        // The sentences a migration left to make (see migrations 4 and 6), made and indexed
        // now, so that the memory suggests them as soon as it is open.
        subsegment::catch_up_in(&tx)?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(Error::Internal(
            "a migration broke a foreign key; nothing was changed",
        ));
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ExportFilter;

    #[test]
    fn new_store_is_at_the_current_schema_version() -> Result<()> {
        let store = Store::open_temporary()?;
        let v: i64 = store.read("test", |c| {
            Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?)
        })?;
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(store.stats()?.units, 0);
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tm.db");
        Store::open(&path)?.write("test", |c| {
            Ok(c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?)
        })?;
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
        let writer = Store::open(&path)?;
        let reader = Store::open(&path)?;
        writer.write("test", |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO origin (kind, name, imported_at) VALUES ('tmx', 'a', '20260101T000000Z')",
                [],
            )?;
            // The write transaction is open: the other handle, and this one, still read,
            // and see the store as it was.
            assert_eq!(reader.stats()?.origins.len(), 0);
            assert_eq!(writer.stats()?.origins.len(), 0);
            tx.commit()?;
            Ok(())
        })?;
        assert_eq!(reader.stats()?.origins.len(), 1);
        Ok(())
    }

    /// Every table's columns and every index, as SQLite describes them.
    fn shape(store: &Store) -> Result<Vec<String>> {
        store.read("test", |c| {
            let tables: Vec<(String, String)> = c
                .prepare(
                    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'
                     ORDER BY type, name",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::new();
            for (kind, name) in tables {
                let pragma = if kind == "table" {
                    "table_xinfo"
                } else {
                    "index_xinfo"
                };
                let cols: Vec<String> = c
                    .prepare(&format!("SELECT * FROM pragma_{pragma}('{name}')"))?
                    .query_map([], |r| {
                        let n = r.as_ref().column_count();
                        Ok((0..n)
                            .map(|i| format!("{:?}", r.get_ref(i).map(|v| v.data_type())))
                            .collect::<Vec<_>>()
                            .join(",")
                            + &format!("{:?}", r.get::<_, rusqlite::types::Value>(1)))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                out.push(format!("{kind} {name}: {}", cols.join(" | ")));
            }
            Ok(out)
        })
    }

    /// A copy in `dir` of the database fixture `name` (tests/fixtures/db/).
    fn fixture_copy(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db");
        std::fs::copy(fixture.join(name), &path).unwrap();
        path
    }

    /// A database written by tmm 0.1 (schema 1), with an import and an alignment.
    fn version_1_copy(dir: &Path) -> PathBuf {
        fixture_copy(dir, "v1.db")
    }

    #[test]
    fn a_version_1_database_migrates_to_the_schema_of_a_new_one() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let old = Store::open(&version_1_copy(dir.path()))?;
        let new = Store::open_temporary()?;
        assert_eq!(shape(&old)?, shape(&new)?);
        let v: i64 = old.read("test", |c| {
            Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?)
        })?;
        assert_eq!(v, SCHEMA_VERSION);
        Ok(())
    }

    // Regression: the bead and confidence of aligned units sat in columns no export read.
    #[test]
    fn a_migrated_database_exports_what_it_did_plus_the_alignment_props() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&version_1_copy(dir.path()))?;
        assert_eq!(store.stats()?.units, 14);
        let mut out = Vec::new();
        store.export_tmx(
            &ExportFilter::default(),
            &mut out,
            Path::new("out.tmx"),
            false,
        )?;
        let out = String::from_utf8(out).unwrap();
        let (align, rest): (Vec<&str>, Vec<&str>) = out
            .split_inclusive('\n')
            .partition(|l| l.contains("<prop type=\"x-align-"));
        assert_eq!(align.len(), 14, "a bead and a confidence per aligned unit");
        assert!(
            align[0].contains("<prop type=\"x-align-bead\">1-1</prop>"),
            "{}",
            align[0]
        );
        let before = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/db/v1.export.tmx"
        ))
        .unwrap();
        assert_eq!(rest.concat(), before);
        Ok(())
    }

    type Indexed = Vec<(String, i64, Vec<i64>)>;

    /// Every (language key, term) of the index with the ids its postings give, dead
    /// variants left out, as queries read them.
    fn indexed(c: &Connection) -> Result<Indexed> {
        let keys: Vec<(String, i64)> = c
            .prepare(
                "SELECT lang, term FROM match_term UNION SELECT lang, term FROM match_recent
                 ORDER BY 1, 2",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (lang, term) in keys {
            let mut ids = Vec::new();
            // Dead ids are variants'; sub-segment keys (`en:s`) hold other ids.
            let variants = !lang.ends_with(":s");
            index::postings(c, &lang, term as u64, true, |id, _| {
                if !(variants && index::is_dead(c, id).unwrap_or(true)) {
                    ids.push(id)
                }
            })?;
            ids.sort_unstable();
            out.push((lang, term, ids));
        }
        Ok(out)
    }

    /// Opens a copy of fixture `name` (imports small and bulk: chunks, row-by-row postings,
    /// deleted variants, sub-segments) and checks that the migrated file has the schema of a
    /// new one, keeps its variants' chunks and indexes what a rebuild does; with `kept`, that
    /// it indexes exactly what it did before the migration.
    fn migrates_with_its_index_as_a_rebuild_makes_it(name: &str, kept: bool) -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = fixture_copy(dir.path(), name);
        // The variants' chunks are kept; the sentences' may be made again (migration 6).
        const VARIANT_CHUNKS: &str = "SELECT count(*) FROM match_term WHERE lang NOT LIKE '%:s'";
        let (chunks_before, before): (i64, Option<Indexed>) = {
            let c = Connection::open(&path)?;
            let chunks = c.query_row(VARIANT_CHUNKS, [], |r| r.get(0))?;
            (chunks, if kept { Some(indexed(&c)?) } else { None })
        };
        assert!(chunks_before > 0, "the fixture has chunks to migrate");
        let store = Store::open(&path)?;
        assert_eq!(shape(&store)?, shape(&Store::open_temporary()?)?);
        let migrated = store.read("test", indexed)?;
        assert!(
            migrated.iter().any(|(lang, _, _)| lang.ends_with(":s")),
            "the sentences are indexed on open"
        );
        if let Some(before) = before {
            assert_eq!(before, migrated);
        }
        let chunks: i64 = store.read("test", |c| {
            Ok(c.query_row(VARIANT_CHUNKS, [], |r| r.get(0))?)
        })?;
        assert_eq!(chunks, chunks_before);
        store.rebuild_index(&mut |_, _| {})?;
        let rebuilt = store.read("test", indexed)?;
        let differ: Vec<_> = migrated
            .iter()
            .filter(|m| !rebuilt.contains(m))
            .chain(rebuilt.iter().filter(|r| !migrated.contains(r)))
            .collect();
        assert!(differ.is_empty(), "{differ:?}");
        Ok(())
    }

    /// A database written by the code before migration 5 (schema 4, commit 394b4cc).
    #[test]
    fn a_version_4_database_migrates_with_its_index_as_a_rebuild_makes_it() -> Result<()> {
        migrates_with_its_index_as_a_rebuild_makes_it("v4.db", false)
    }

    /// A database written by the code before migration 7 (schema 6, commit 7ac02a0): its
    /// chunks move out of the table without rowid as they are, sentences' included.
    #[test]
    fn a_version_6_database_keeps_its_index_through_migration_7() -> Result<()> {
        migrates_with_its_index_as_a_rebuild_makes_it("v6.db", true)
    }

    // Regression: a database made before the index had no match_* tables and failed.
    #[test]
    fn a_database_without_the_index_tables_gets_them_and_waits_for_a_rebuild() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let path = version_1_copy(dir.path());
        {
            let c = Connection::open(&path)?;
            c.execute_batch(
                "DROP TABLE match_term; DROP TABLE match_recent; DROP TABLE match_dead;
                 DROP TABLE match_state;",
            )?;
        }
        let store = Store::open(&path)?;
        // The old segments wait for the rebuild, and queries scan them meanwhile.
        assert_eq!(store.index_pending()?, store.stats()?.variants as u64);
        store.rebuild_index(&mut |_, _| {})?;
        assert_eq!(store.index_pending()?, 0);
        Ok(())
    }
}
