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

/// A temporary working directory with its own database.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
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
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("tm.db")
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
    let mut dbs = vec![sb.db()];
    if let Some(p) = &pg {
        dbs.push(p.url.clone());
    }
    (dbs, pg)
}
