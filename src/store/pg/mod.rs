//! The PostgreSQL backend: the same tables as the SQLite file (`schema.pg.sql`, checked
//! against `schema.sql` by a test), reached through a pool of connections.
//!
//! The store is synchronous, as with SQLite: it uses the `postgres` crate's blocking client
//! (which drives its own small runtime), so it is called from plain threads and from the
//! server's blocking tasks, never from inside an async task. Reads take a pooled connection
//! and run in one `REPEATABLE READ, READ ONLY` transaction, the counterpart of SQLite's read
//! transaction. Writers serialise on a transaction-level advisory lock, across every process
//! on the database: a second writer waits, as SQLite's one writer does.

mod edit;
mod export;
mod import;
mod index;
mod migrate;

pub use migrate::MigrateSummary;
mod snapshot;

pub(crate) use snapshot::PgSnapshot;

use postgres::{Client, IsolationLevel, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::{OriginStats, SCHEMA_VERSION, Stats};
use crate::error::{Error, Result};
use crate::model::OriginId;

/// The schema of a new PostgreSQL memory.
const SCHEMA: &str = include_str!("../../../schema.pg.sql");

/// The version the PostgreSQL backend began at.
const FIRST_VERSION: i64 = 5;

/// `migrations/N.pg.sql` for each version N past [`FIRST_VERSION`], in order.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/6.pg.sql"),
    include_str!("../migrations/7.pg.sql"),
    include_str!("../migrations/8.pg.sql"),
];

const _: () = assert!(FIRST_VERSION + MIGRATIONS.len() as i64 == SCHEMA_VERSION);

/// The advisory lock every writer holds for its transaction ("TMM1", as SQLite's
/// application id).
const WRITER_LOCK: i64 = 0x544D_4D31;

/// Connections the pool keeps at most: readers and the writer.
const POOL_SIZE: u32 = 16;

/// True when `location` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgresql://") || location.starts_with("postgres://")
}

type Pool = r2d2::Pool<Manager>;

/// A pooled connection with the statements it has prepared: a repeated read then costs one
/// round trip (bind and execute), not two (parse, then execute).
pub(crate) struct Connection {
    pub(crate) client: Client,
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl Connection {
    /// `sql` prepared on this connection, once.
    pub(crate) fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// r2d2's manager for [`Connection`]s (`r2d2_postgres` underneath).
pub(crate) struct Manager(PostgresConnectionManager<NoTls>);

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<Connection, postgres::Error> {
        Ok(Connection {
            client: self.0.connect()?,
            statements: std::collections::HashMap::new(),
        })
    }

    fn is_valid(&self, c: &mut Connection) -> std::result::Result<(), postgres::Error> {
        self.0.is_valid(&mut c.client)
    }

    fn has_broken(&self, c: &mut Connection) -> bool {
        self.0.has_broken(&mut c.client)
    }
}

/// A memory in a PostgreSQL database.
pub(crate) struct PgStore {
    /// `None` only while the store is dropped (see `Drop`).
    pool: Option<Pool>,
    /// The server and database, without the password, for messages.
    server: String,
    /// What the last snapshot learnt of the memory, reused while nothing commits.
    facts: std::sync::Mutex<snapshot::Facts>,
}

/// Closing a connection blocks on the driver's own runtime, which must not happen on a
/// thread that drives async tasks (the server drops its store inside its runtime): the
/// pool is closed on a thread of its own.
impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// `user@host:port/dbname`, never the password.
fn describe(config: &postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

impl PgStore {
    /// Connects to the database at `url` and, when `create`, makes the schema of a new
    /// memory in an empty database; an existing memory must be at [`SCHEMA_VERSION`].
    pub(crate) fn open(url: &str, create: bool) -> Result<Self> {
        let config: postgres::Config =
            url.parse().map_err(|e: postgres::Error| Error::Connect {
                server: "the URL given".into(),
                reason: e.to_string(),
            })?;
        let server = describe(&config);
        let manager = Manager(PostgresConnectionManager::new(config, NoTls));
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            // A broken connection is dropped when it comes back (has_broken); testing each
            // one on the way out would cost every read a round trip.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| Error::Connect {
                server: server.clone(),
                reason: e.to_string(),
            })?;
        let store = PgStore {
            pool: Some(pool),
            server,
            facts: std::sync::Mutex::default(),
        };
        store.prepare_schema(create)?;
        Ok(store)
    }

    pub(crate) fn client(&self) -> Result<r2d2::PooledConnection<Manager>> {
        let pool = self
            .pool
            .as_ref()
            .ok_or(Error::Internal("the connection pool is closed"))?;
        pool.get().map_err(|e| Error::Connect {
            server: self.server.clone(),
            reason: e.to_string(),
        })
    }

    /// Runs `f` in one read-only transaction that sees the memory as of one commit.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let mut tx = client
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in a write transaction holding the writers' lock (waiting for it, or for at
    /// most `wait`: [`Error::Busy`]); commits when `f` succeeds, else rolls back.
    pub(crate) fn write<T>(
        &self,
        wait: Option<std::time::Duration>,
        f: impl FnOnce(&mut Transaction) -> Result<T>,
    ) -> Result<T> {
        let mut client = self.client()?;
        let mut tx = client.client.transaction()?;
        lock_writer(&mut tx, wait)?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn prepare_schema(&self, create: bool) -> Result<()> {
        let mut client = self.client()?;
        let mut tx = client.client.transaction()?;
        lock_writer(&mut tx, None)?;
        match schema_version(&mut tx)? {
            Some(v) if v == SCHEMA_VERSION => Ok(()),
            Some(v) if v > SCHEMA_VERSION => Err(Error::SchemaTooNew {
                found: v,
                supported: SCHEMA_VERSION,
            }),
            // The PostgreSQL backend began at version 5: an older one cannot exist. Each
            // migrations/N.sql past it comes with its N.pg.sql (a test checks that), applied
            // here in one transaction.
            Some(v) if v < FIRST_VERSION => Err(Error::SchemaTooOld {
                path: self.server.clone().into(),
                found: v,
                supported: SCHEMA_VERSION,
            }),
            Some(v) => {
                for sql in &MIGRATIONS[(v - FIRST_VERSION) as usize..] {
                    tx.batch_execute(sql)?;
                }
                index::make_missing_indexed(&mut tx)?;
                tx.batch_execute(&format!(
                    "COMMENT ON TABLE origin IS 'tmm schema {SCHEMA_VERSION}'"
                ))?;
                tx.commit()?;
                Ok(())
            }
            None => {
                let tables: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                        &[],
                    )?
                    .get(0);
                if tables > 0 {
                    return Err(Error::NotTmmDatabase {
                        path: self.server.clone().into(),
                    });
                }
                if !create {
                    return Err(Error::NoDatabase {
                        path: self.server.clone().into(),
                    });
                }
                tx.batch_execute(SCHEMA)?;
                tx.batch_execute(&format!(
                    "COMMENT ON TABLE origin IS 'tmm schema {SCHEMA_VERSION}'"
                ))?;
                tx.commit()?;
                Ok(())
            }
        }
    }

    pub(crate) fn stats(&self) -> Result<Stats> {
        self.read(|tx| {
            let units: i64 = tx.query_one("SELECT count(*) FROM unit", &[])?.get(0);
            let variants: i64 = tx.query_one("SELECT count(*) FROM variant", &[])?.get(0);
            let languages = tx
                .query(
                    "SELECT lang, count(*) FROM variant GROUP BY lang ORDER BY 2 DESC, 1",
                    &[],
                )?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            let bytes: i64 = tx
                .query_one("SELECT pg_database_size(current_database())", &[])?
                .get(0);
            Ok(Stats {
                units,
                variants,
                languages,
                origins: origins(tx)?,
                database_bytes: bytes as u64,
            })
        })
    }

    pub(crate) fn origins(&self) -> Result<Vec<OriginStats>> {
        self.read(origins)
    }

    pub(crate) fn find_origin(&self, key: &str) -> Result<Option<i64>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    "SELECT id FROM origin
                     WHERE CAST(id AS TEXT) = $1 OR name = $1 OR path = $1 OR document = $1
                     ORDER BY id DESC LIMIT 1",
                    &[&key],
                )?
                .map(|r| r.get(0)))
        })
    }

    pub(crate) fn unit_count(&self) -> Result<u64> {
        self.read(|tx| {
            Ok(tx
                .query_one("SELECT count(*) FROM unit", &[])?
                .get::<_, i64>(0) as u64)
        })
    }

    pub(crate) fn origin_labels(
        &self,
    ) -> Result<std::collections::HashMap<OriginId, (String, Option<String>)>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT o.id, o.name, coalesce(o.document,
                        (SELECT p.value FROM origin_prop p WHERE p.origin_id = o.id
                         AND p.type = 'x-document' ORDER BY p.ord LIMIT 1))
                     FROM origin o",
                    &[],
                )?
                .iter()
                .map(|r| (OriginId(r.get(0)), (r.get(1), r.get(2))))
                .collect())
        })
    }

    /// Variants the index does not cover: those of an import with `--defer-index` (and
    /// after it) until `tmm index`.
    pub(crate) fn index_pending(&self) -> Result<u64> {
        self.read(|tx| {
            let from: Option<i64> = state(tx, "uncovered_from")?;
            Ok(match from {
                None => 0,
                Some(from) => tx
                    .query_one("SELECT count(*) FROM variant WHERE id >= $1", &[&from])?
                    .get::<_, i64>(0) as u64,
            })
        })
    }
}

/// A statement in SQLite's spelling (`?1` placeholders) in PostgreSQL's (`$1`), so the
/// reads are written once for both backends.
pub(crate) fn dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// Takes the writers' advisory lock for the rest of the transaction.
fn lock_writer(tx: &mut Transaction, wait: Option<std::time::Duration>) -> Result<()> {
    match wait {
        None => {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])?;
        }
        Some(wait) => {
            let deadline = std::time::Instant::now() + wait;
            loop {
                let got: bool = tx
                    .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&WRITER_LOCK])?
                    .get(0);
                if got {
                    break;
                }
                if std::time::Instant::now() >= deadline {
                    return Err(Error::Busy);
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
    Ok(())
}

/// The schema version recorded on table origin, `None` when there is no such table (or it
/// is not tmm's: then the caller finds other tables).
fn schema_version(tx: &mut Transaction) -> Result<Option<i64>> {
    let comment: Option<Option<String>> = tx
        .query_opt(
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c
             WHERE c.relname = 'origin' AND c.relnamespace = current_schema()::regnamespace",
            &[],
        )?
        .map(|r| r.get(0));
    Ok(comment
        .flatten()
        .and_then(|c| c.strip_prefix("tmm schema ")?.parse().ok()))
}

pub(crate) fn state(tx: &mut Transaction, key: &str) -> Result<Option<i64>> {
    Ok(tx
        .query_opt("SELECT value FROM match_state WHERE key = $1", &[&key])?
        .and_then(|r| r.get(0)))
}

fn origins(tx: &mut Transaction) -> Result<Vec<OriginStats>> {
    Ok(tx
        .query(
            "SELECT o.id, o.kind, o.name, o.document, o.imported_at,
                    (SELECT count(*) FROM unit u WHERE u.origin_id = o.id)
             FROM origin o ORDER BY o.id",
            &[],
        )?
        .iter()
        .map(|r| OriginStats {
            id: OriginId(r.get(0)),
            kind: r.get(1),
            name: r.get(2),
            document: r.get(3),
            imported_at: r.get(4),
            units: r.get(5),
        })
        .collect())
}

/// A client that is not from the pool, for a one-off job (tests, migration).
#[allow(dead_code)]
pub(crate) fn connect(url: &str) -> Result<Client> {
    Ok(Client::connect(url, NoTls)?)
}

#[cfg(test)]
mod tests {
    /// `(table, its columns)` and index names, in order, from a schema file: what both
    /// backends must agree on.
    fn shape(sql: &str) -> (Vec<(String, Vec<String>)>, Vec<String>) {
        let mut tables = Vec::new();
        let mut indexes = Vec::new();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in sql.lines() {
            let line = line.split("--").next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == '(' || c == ',')
                .filter(|w| !w.is_empty())
                .collect();
            if let Some(table) = &mut current {
                if line.starts_with(')') {
                    tables.push(current.take().unwrap());
                    continue;
                }
                let first = words[0].trim_matches('"');
                if !["PRIMARY", "CHECK", "UNIQUE", "FOREIGN", "CONSTRAINT"].contains(&first) {
                    table.1.push(first.to_string());
                }
            } else if line.starts_with("CREATE TABLE") {
                let name = words[2].to_string();
                // A one-line table: `CREATE TABLE t (a TYPE ...);`
                if line.ends_with(';') {
                    let inner = &line[line.find('(').unwrap() + 1..];
                    let col = inner.split_whitespace().next().unwrap().to_string();
                    tables.push((name, vec![col]));
                } else {
                    current = Some((name, Vec::new()));
                }
            } else if line.starts_with("CREATE INDEX") || line.starts_with("CREATE UNIQUE INDEX") {
                let at = words.iter().position(|w| *w == "INDEX").unwrap();
                indexes.push(words[at + 1].to_string());
            }
        }
        (tables, indexes)
    }

    fn version(sql: &str) -> Option<i64> {
        let at = sql.find("schema, version ")? + "schema, version ".len();
        sql[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    }

    #[test]
    fn the_postgresql_schema_has_the_tables_columns_and_version_of_schema_sql() {
        let sqlite = include_str!("../../../schema.sql");
        let pg = super::SCHEMA;
        let (tables, indexes) = shape(sqlite);
        assert!(tables.len() >= 12, "{tables:?}");
        assert!(
            tables
                .iter()
                .any(|(t, c)| t == "subsegment" && c.contains(&"end".into()))
        );
        assert_eq!(shape(pg), (tables, indexes));
        assert_eq!(version(sqlite), Some(super::SCHEMA_VERSION));
        assert_eq!(version(pg), Some(super::SCHEMA_VERSION));
    }

    // A migration to a new version must come with its PostgreSQL counterpart.
    #[test]
    fn every_migration_past_the_postgresql_start_has_a_pg_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/migrations");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let Some(n) = name
                .strip_suffix(".sql")
                .and_then(|n| n.parse::<i64>().ok())
            else {
                continue;
            };
            if n > 5 {
                assert!(
                    std::path::Path::new(dir)
                        .join(format!("{n}.pg.sql"))
                        .exists(),
                    "migrations/{n}.sql has no {n}.pg.sql"
                );
            }
        }
    }

    // Regression: once PostgreSQL had statistics on match_term (autovacuum analyzes it after
    // an import), the prepared language probe's generic plan was a sequential scan, 8.5 ms a
    // probe on a 100k memory and a 35 ms lookup instead of 1.3 ms (benches/RESULTS.md).
    #[test]
    fn language_probes_walk_the_primary_key_on_an_analyzed_table() {
        let Some(admin) = std::env::var("TMM_TEST_DB").ok().filter(|s| !s.is_empty()) else {
            assert!(
                std::env::var("TMM_REQUIRE_PG").as_deref() != Ok("1"),
                "TMM_REQUIRE_PG=1 but TMM_TEST_DB is unset"
            );
            eprintln!("TMM_TEST_DB not set; the language-probe plan test did not run");
            return;
        };
        let mut c = super::connect(&admin).expect("TMM_TEST_DB");
        let schema = format!("tmm_probe_{}", std::process::id());
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path = {schema}"
        ))
        .unwrap();
        c.batch_execute(super::SCHEMA).unwrap();
        // One indexed language, enough rows for a sequential scan to cost.
        c.batch_execute(
            "INSERT INTO match_term SELECT 'en', t, 0, 1, '\\x00' FROM generate_series(1, 20000) t;
             INSERT INTO match_recent SELECT 'en', t, t, 3 FROM generate_series(1, 20000) t;
             ANALYZE match_term; ANALYZE match_recent;
             SET plan_cache_mode = force_generic_plan",
        )
        .unwrap();
        let mut plans = Vec::new();
        for (name, probe) in [
            ("term", crate::store::snapshot::sql::TERM_EXISTS),
            ("recent", crate::store::snapshot::sql::RECENT_EXISTS),
        ] {
            c.batch_execute(&format!(
                "PREPARE {name}_probe(text) AS {}",
                super::dollar(probe)
            ))
            .unwrap();
            for lang in ["fr", "en"] {
                let plan: Vec<String> = c
                    .query(&format!("EXPLAIN EXECUTE {name}_probe('{lang}')"), &[])
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                plans.push((name, lang, plan.join("\n")));
            }
        }
        c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
        for (name, lang, plan) in plans {
            assert!(
                !plan.contains("Seq Scan"),
                "the {name} probe for {lang} scans the table:\n{plan}"
            );
        }
    }
}
