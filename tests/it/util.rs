//! Runs the real binary in a fresh temporary directory with a clean environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The corpus of real files beside the project: `$TMM_CORPUS`, else `../shared/corpus`
/// when it is there. Most tests want [`corpus`], which says when it is not.
pub fn corpus_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TMM_CORPUS") {
        let dir = PathBuf::from(dir);
        // A folder named on purpose that is not there is a mistake, not a reason to skip.
        assert!(dir.is_dir(), "TMM_CORPUS={} is not a folder", dir.display());
        return Some(dir);
    }
    let dir = root().join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// The corpus, as [`corpus_dir`]. Absent, it prints one line saying that `what` did not run
/// and returns `None`, so a fresh clone passes; with `TMM_REQUIRE_CORPUS` set (as `.ci/run`
/// does) a missing corpus fails the test instead.
pub fn corpus(what: &str) -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.is_none() {
        assert!(
            std::env::var_os("TMM_REQUIRE_CORPUS").is_none(),
            "TMM_REQUIRE_CORPUS is set but ../shared/corpus is missing: {what} cannot run"
        );
        skipped(&format!(
            "../shared/corpus not found (set TMM_CORPUS); {what} did not run"
        ));
    }
    dir
}

/// Prints `skipped: MESSAGE` on the real stderr: the test harness captures `eprintln!` of
/// passing tests, and a skip must be seen.
pub fn skipped(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {message}");
}

/// True in the PostgreSQL pass of the suite (`TMM_TEST_BACKEND=postgres`, with `TMM_TEST_DB`
/// naming the server): every [`Sandbox`] then keeps its memory in a fresh PostgreSQL
/// database instead of a SQLite file.
pub fn on_postgres() -> bool {
    match std::env::var("TMM_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => false,
        Ok("postgres") => true,
        Ok(other) => panic!("TMM_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}

/// In the PostgreSQL pass, prints why the calling test does not run there (`what` is about
/// the SQLite file itself) and returns true; the test then returns early.
pub fn sqlite_only(what: &str) -> bool {
    let skip = on_postgres();
    if skip {
        skipped(&format!(
            "{what}: about the SQLite file, not run in the PostgreSQL pass"
        ));
    }
    skip
}

/// A temporary working directory with its own database: a SQLite file in the directory, or
/// in the PostgreSQL pass ([`on_postgres`]) a database made on first use and dropped with
/// the sandbox.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pg: std::sync::OnceLock<PgDb>,
}

/// The outcome of one run, printed in full when an assertion fails.
pub struct Run {
    pub command: String,
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn report(&self) -> String {
        format!(
            "command: {}\nstatus: {}\nstdout:\n{}\nstderr:\n{}",
            self.command,
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }
    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert!(
            self.output.status.success(),
            "expected success\n{}",
            self.report()
        );
        self
    }
    /// Asserts failure and returns self.
    #[track_caller]
    pub fn fails(self) -> Self {
        assert!(
            !self.output.status.success(),
            "expected failure\n{}",
            self.report()
        );
        self
    }
    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.report()
        );
        self
    }
    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.report()
        );
        self
    }
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
            pg: std::sync::OnceLock::new(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The sandbox's memory as `--db` takes it: the SQLite file `tm.db`, or in the
    /// PostgreSQL pass the URL of the sandbox's own database.
    pub fn db(&self) -> PathBuf {
        if !on_postgres() {
            return self.sqlite_db();
        }
        self.pg
            .get_or_init(|| {
                assert!(
                    std::env::var("TMM_TEST_DB").is_ok_and(|s| !s.is_empty()),
                    "TMM_TEST_BACKEND=postgres needs TMM_TEST_DB (a server's postgresql:// URL)"
                );
                PgDb::new("the PostgreSQL pass").expect("TMM_TEST_DB is set")
            })
            .url
            .clone()
    }

    /// The SQLite file `tm.db`, whatever the pass: for tests that compare the backends.
    pub fn sqlite_db(&self) -> PathBuf {
        self.path("tm.db")
    }

    /// Whether a command has made the sandbox's memory: the SQLite file exists, or the
    /// PostgreSQL database holds tables.
    pub fn db_exists(&self) -> bool {
        let db = self.db();
        if !tmm::store::is_postgres_location(&db) {
            return db.exists();
        }
        let mut client = postgres::Client::connect(db.to_str().unwrap(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("{}: {e}", db.display()));
        let tables: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                &[],
            )
            .unwrap()
            .get(0);
        tables > 0
    }

    /// Runs `tmm --db <sandbox db> ARGS` in the sandbox.
    pub fn tmm(&self, args: &[&str]) -> Run {
        self.tmm_db(&self.db(), args)
    }

    /// Runs `tmm --db DB ARGS` in the sandbox.
    pub fn tmm_db(&self, db: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tmm"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(self.dir.path())
            .arg("--db")
            .arg(db)
            .args(args);
        let command = format!("tmm --db {} {}", db.display(), args.join(" "));
        let output = cmd.output().expect("run tmm");
        Run { command, output }
    }
}

/// A fresh PostgreSQL database for one test, made on the server `TMM_TEST_DB` names and
/// dropped when the test ends; `None` (with a "skipped" line) when `TMM_TEST_DB` is unset,
/// a failure instead when `TMM_REQUIRE_PG=1`.
pub struct PgDb {
    admin: String,
    name: String,
    pub url: PathBuf,
}

impl PgDb {
    pub fn new(what: &str) -> Option<PgDb> {
        let Some(admin) = std::env::var("TMM_TEST_DB").ok().filter(|s| !s.is_empty()) else {
            assert!(
                std::env::var("TMM_REQUIRE_PG").as_deref() != Ok("1"),
                "TMM_REQUIRE_PG=1 but TMM_TEST_DB is unset: the PostgreSQL pass cannot run"
            );
            skipped(&format!(
                "TMM_TEST_DB not set; the PostgreSQL pass of {what} did not run"
            ));
            return None;
        };
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "tmm_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("TMM_TEST_DB={admin}: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = PathBuf::from(format!("{base}/{name}"));
        Some(PgDb { admin, name, url })
    }
}

impl PgDb {
    /// Empties the memory in the database as a new one would be: every table truncated and
    /// its sequences restarted (the schema stays), far cheaper than a new database, which
    /// `CREATE DATABASE` copies from a template.
    pub fn empty(&self) {
        let mut c = postgres::Client::connect(self.url.to_str().unwrap(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("{}: {e}", self.url.display()));
        let tables = pg_tables(&mut c);
        if !tables.is_empty() {
            c.batch_execute(&format!("TRUNCATE {} RESTART IDENTITY", tables.join(", ")))
                .expect("empty a test database");
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The backends a backend-agnostic test runs on: the sandbox's SQLite file, and a fresh
/// PostgreSQL database when `TMM_TEST_DB` is set (see [`PgDb`]). Keep the `PgDb` alive for
/// the test.
pub fn backends(sb: &Sandbox, what: &str) -> (Vec<PathBuf>, Option<PgDb>) {
    let pg = PgDb::new(what);
    let mut dbs = vec![sb.sqlite_db()];
    if let Some(p) = &pg {
        dbs.push(p.url.clone());
    }
    (dbs, pg)
}

/// The one integer `sql` selects, read straight from either backend's database.
pub fn query_i64(db: &Path, sql: &str) -> i64 {
    let location = db.to_str().unwrap();
    if tmm::store::is_postgres_location(db) {
        let mut c = postgres::Client::connect(location, postgres::NoTls).unwrap();
        c.query_one(sql, &[]).unwrap().get(0)
    } else {
        rusqlite::Connection::open(location)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }
}

/// The tables of a PostgreSQL test database.
fn pg_tables(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Everything a database holds, as bytes to search: the SQLite file itself, or every row of
/// every PostgreSQL table as text.
pub fn stored_bytes(db: &Path) -> Vec<u8> {
    if !tmm::store::is_postgres_location(db) {
        return std::fs::read(db).unwrap();
    }
    let mut c = postgres::Client::connect(db.to_str().unwrap(), postgres::NoTls).unwrap();
    let tables = pg_tables(&mut c);
    let mut out = Vec::new();
    for table in tables {
        let text: String = c
            .query_one(
                &format!("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t"),
                &[],
            )
            .unwrap()
            .get(0);
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// A throwaway store on the pass's backend: [`tmm::store::Store::open_temporary`], or in the
/// PostgreSQL pass a store on a fresh database, dropped after the store.
pub struct TempStore {
    store: tmm::store::Store,
    _pg: Option<PgDb>,
}

impl std::ops::Deref for TempStore {
    type Target = tmm::store::Store;
    fn deref(&self) -> &tmm::store::Store {
        &self.store
    }
}

/// Where a test that needs many throwaway stores in turn gets them ([`StoreSlot::store`]):
/// in the PostgreSQL pass one database, emptied for each store, instead of a new database
/// per store.
pub struct StoreSlot {
    pg: Option<PgDb>,
}

impl StoreSlot {
    pub fn new() -> Self {
        StoreSlot {
            pg: on_postgres().then(|| {
                let sb = Sandbox::new();
                sb.db();
                sb.pg.into_inner().expect("the sandbox's database")
            }),
        }
    }

    /// A store on an empty memory; the previous one from this slot must be dropped.
    pub fn store(&self) -> tmm::store::Store {
        match &self.pg {
            None => tmm::store::Store::open_temporary().expect("a temporary store"),
            Some(pg) => {
                pg.empty();
                tmm::store::Store::open(&pg.url)
                    .unwrap_or_else(|e| panic!("{}: {e}", pg.url.display()))
            }
        }
    }
}

pub fn temporary_store() -> TempStore {
    if !on_postgres() {
        return TempStore {
            store: tmm::store::Store::open_temporary().expect("a temporary store"),
            _pg: None,
        };
    }
    let sb = Sandbox::new();
    let url = sb.db();
    let store = tmm::store::Store::open(&url).unwrap_or_else(|e| panic!("{}: {e}", url.display()));
    TempStore {
        store,
        _pg: sb.pg.into_inner(),
    }
}

/// A TMX file of `units` generated units in three languages, a few multi-sentence.
pub fn generated(path: &Path, units: usize) {
    let words = [
        "develop",
        "partner",
        "south",
        "cooperation",
        "growth",
        "equity",
        "trade",
        "finance",
        "school",
        "health",
        "water",
        "energy",
        "climate",
        "peace",
        "rights",
        "report",
    ];
    let mut body = String::new();
    let mut x: u64 = 7;
    for i in 0..units {
        let mut pick = |n: usize| {
            (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    words[(x >> 33) as usize % words.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let en = if i % 10 == 0 {
            format!("{} {i}. {} again.", pick(6), pick(5))
        } else {
            format!("{} {i}", pick(8))
        };
        let fr = if i % 10 == 0 {
            format!("{} {i}. {} encore.", pick(6), pick(5))
        } else {
            format!("{} {i}", pick(7))
        };
        body.push_str(&format!(
            "<tu tuid=\"g{i}\" changedate=\"20240101T000000Z\"><prop type=\"x-n\">{i}</prop>\
             <tuv xml:lang=\"en\"><seg>{en}</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv>\
             <tuv xml:lang=\"de\"><seg>{}</seg></tuv></tu>\n",
            pick(6)
        ));
    }
    std::fs::write(
        path,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header creationtool=\"generated_file\" \
             creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" srclang=\"en\" \
             datatype=\"plaintext\"/><body>\n{body}</body></tmx>\n"
        ),
    )
    .unwrap();
}
