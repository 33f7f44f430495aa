//! The shareable store: many readers while an import writes, and imports from streams.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tmm::lang::LanguageTag;
use tmm::matching::{Matcher, Query, SuggestOptions};
use tmm::store::{ImportOptions, Store};

use crate::util::{Sandbox, generated, query_i64, root, sqlite_only};

fn tag(s: &str) -> LanguageTag {
    LanguageTag::parse(s).unwrap()
}

/// The words of unit `i` of [`big_tmx`].
fn words_of(i: usize) -> String {
    let words = [
        "cooperation",
        "development",
        "partnership",
        "growth",
        "equity",
        "knowledge",
        "technology",
        "regional",
        "countries",
        "south",
    ];
    // The digits of `i` spelled as words, so that no two units share all their words.
    let digits = format!("{i:05}");
    digits
        .bytes()
        .map(|d| words[usize::from(d - b'0')])
        .chain(["for", "the", "regions"])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A TMX file of `n` English–French units, each with a number of its own, so that a query
/// finds them once they are stored.
fn big_tmx(path: &std::path::Path, n: usize) {
    let mut body = String::with_capacity(n * 200);
    for i in 0..n {
        let en = words_of(i);
        body.push_str(&format!(
            "<tu><tuv xml:lang=\"en\"><seg>batch {en} unit {i}</seg></tuv><tuv xml:lang=\"fr\"><seg>lot {en} unité {i}</seg></tuv></tu>\n"
        ));
    }
    std::fs::write(
        path,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/>
<body>
{body}</body></tmx>
"#
        ),
    )
    .unwrap();
}

// Regression: the writer closed before the pooled readers, so a read-only connection was the
// file's last and left the WAL whole; every later process read it all again on open (130 ms
// for each `tmm suggest` after a 1M import).
#[test]
fn a_closed_store_leaves_no_wal_behind_after_an_import_and_lookups() {
    let sb = Sandbox::new();
    let tmx = sb.path("big.tmx");
    big_tmx(&tmx, 3000);
    // The WAL is SQLite's.
    let db = sb.sqlite_db();
    let wal = sb.path(&format!(
        "{}-wal",
        db.file_name().unwrap().to_string_lossy()
    ));
    {
        let store = Store::open(&db).unwrap();
        store
            .import_tmx(&tmx, &ImportOptions::default(), &mut ())
            .unwrap();
        let found = en_fr(&store, &format!("batch {} unit 7", words_of(7)));
        assert_eq!(found[0].score, 100);
        assert!(wal.exists(), "the store writes through a WAL while open");
    }
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(left, 0, "{} bytes of WAL left", left);
    // The same through the command line.
    sb.tmm_db(&db, &["suggest", "--from", "en", "--to", "fr", "batch"])
        .ok();
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
}

#[test]
fn eight_readers_see_none_or_all_of_an_import_and_never_fail() {
    let sb = Sandbox::new();
    let store = Store::open(&sb.db()).unwrap();
    store
        .import_tmx(
            &root().join("tmx/un-ssc-2012.tmx"),
            &ImportOptions::default(),
            &mut (),
        )
        .unwrap();
    let base = store.stats().unwrap().units;
    let n = 6_000;
    let big = sb.path("big.tmx");
    big_tmx(&big, n);
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..8)
        .map(|r| {
            let store = store.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let matcher = Matcher::new(&store);
                let options = SuggestOptions::new(tag("en"), tag("fr"));
                let (mut rounds, mut saw_all) = (0u64, false);
                loop {
                    // A round that starts once the import has returned must see all of it.
                    let finished = done.load(Ordering::SeqCst);
                    let units = store.stats().expect("stats").units;
                    assert!(
                        units == base || units == base + n as i64,
                        "reader {r} saw {units} units: part of an import"
                    );
                    saw_all |= units == base + n as i64;
                    let stored = matcher
                        .suggest(
                            &Query {
                                text: "VIENNA, 12 September (UN Information Service) - The past decade has shown the power of partnerships to advance development. More children are in school, more mothers survive pregnancy and childbirth, and more infants and toddlers live to adulthood.",
                                ..Default::default()
                            },
                            &options,
                        )
                        .expect("suggest");
                    assert!(!stored.suggestions.is_empty(), "reader {r} lost the sample");
                    let hits = matcher
                        .concordance("South-South", &tag("en"), Some(&tag("fr")), 5)
                        .expect("concordance");
                    assert!(!hits.is_empty());
                    rounds += 1;
                    if finished && rounds >= 3 {
                        break;
                    }
                }
                (rounds, saw_all)
            })
        })
        .collect();
    let summary = store
        .import_tmx(&big, &ImportOptions::default(), &mut ())
        .unwrap();
    assert_eq!(summary.added, n as u64);
    done.store(true, Ordering::SeqCst);
    for r in readers {
        let (rounds, saw_all) = r.join().expect("a reader failed");
        assert!(rounds >= 3);
        assert!(saw_all, "every reader ends up seeing the whole import");
    }
    // The new units are found once the import has returned.
    let text = format!("batch {} unit 4321", words_of(4321));
    let found = Matcher::new(&store)
        .suggest(
            &Query {
                text: &text,
                ..Default::default()
            },
            &SuggestOptions::new(tag("en"), tag("fr")),
        )
        .unwrap();
    assert!(
        found
            .suggestions
            .iter()
            .any(|s| s.score == 100 && s.target.ends_with("unité 4321")),
        "{:?}",
        found.suggestions.first()
    );
}

#[test]
fn a_tmx_piped_to_import_dash_is_imported_like_the_file() {
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tmm"))
        .arg("--db")
        .arg(sb.db())
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&std::fs::read(&sample).unwrap()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("7 units read, 7 added"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same bytes from the file are recognised as already imported.
    sb.tmm(&["import", sample.to_str().unwrap()])
        .ok()
        .stderr_has("7 duplicates skipped");
    let stats = sb.tmm(&["stats", "--json"]).ok().stdout();
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["origins"].as_array().unwrap().len(), 1, "{stats}");
}

#[test]
fn a_broken_tmx_on_standard_input_names_its_line_and_stores_nothing() {
    let sb = Sandbox::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tmm"))
        .arg("--db")
        .arg(sb.db())
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"<tmx version=\"1.4\"><header srclang=\"en\"/>\n<body>\n<tu><tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"fr\"><seg>b</seg></tuv></tu>\n<tu><tuv xml:lang=\"en\"><seg>x</sog></tuv></tu>\n</body></tmx>\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("-:4:"), "{err}");
    let stats: serde_json::Value =
        serde_json::from_str(&sb.tmm(&["stats", "--json"]).ok().stdout()).unwrap();
    assert_eq!(stats["units"], 0);
}

// Regression: an endless stream that is not TMX was read without end.
#[test]
fn dev_zero_is_refused_at_once() {
    let sb = Sandbox::new();
    let started = std::time::Instant::now();
    sb.tmm(&["import", "/dev/zero"])
        .fails()
        .stderr_has("/dev/zero: binary data");
    sb.tmm(&["import", "--format", "tmx", "/dev/zero"])
        .fails()
        .stderr_has("NUL byte");
    // Refused within the first bytes, not after reading for a while (generous bound).
    assert!(started.elapsed().as_secs() < 30);
}

/// A copy of `tests/fixtures/db/NAME.db` in the sandbox, migrated by its first open (an
/// export), which must give the bytes the code that made it exported (`NAME.export.tmx`).
fn migrated_fixture(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let db = sb.path(&format!("{name}.db"));
    std::fs::copy(root().join(format!("tests/fixtures/db/{name}.db")), &db).unwrap();
    let out = sb.path("out.tmx");
    sb.tmm_db(&db, &["export", "-o", out.to_str().unwrap()])
        .ok();
    let before = std::fs::read(root().join(format!("tests/fixtures/db/{name}.export.tmx")));
    assert!(
        std::fs::read(&out).unwrap() == before.unwrap(),
        "the migrated database exports other bytes"
    );
    db
}

/// The en → fr suggestions for `text`.
fn en_fr(store: &Store, text: &str) -> Vec<tmm::matching::Suggestion> {
    let query = Query {
        text,
        ..Default::default()
    };
    Matcher::new(store)
        .suggest(&query, &SuggestOptions::new(tag("en"), tag("fr")))
        .unwrap()
        .suggestions
}

// A database made before migration 7 (tests/fixtures/db/v6.db, by commit 7ac02a0: the
// sample, two bulk imports, a small one and an update) migrates on open, exports the same
// bytes, and finds what it found: a unit of a bulk chunk, the updated unit (its old variant
// dead, the new one row by row) and a sentence of a paragraph unit.
#[test]
fn a_version_6_database_migrates_and_exports_the_same_tmx() {
    let sb = Sandbox::new();
    let db = migrated_fixture(&sb, "v6");
    let version: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, tmm::store::SCHEMA_VERSION);
    let store = Store::open(&db).unwrap();
    let lookup = |text: &str| en_fr(&store, text);
    let bulk = lookup("mu zeta theta alpha gamma delta b7");
    assert_eq!(bulk[0].score, 100, "{bulk:?}");
    assert_eq!(bulk[0].target, "alpha beta alpha mu");
    let updated = lookup("nu mu pi alpha pi beta kappa upsilon a5");
    assert_eq!(updated[0].score, 100, "{updated:?}");
    assert_eq!(updated[0].target, "nouveau texte");
    assert_eq!(
        updated.len(),
        1,
        "the replaced variant is dead: {updated:?}"
    );
    let sentence = lookup(
        "South-South cooperation has the potential to balance growth and equity on a global scale.",
    );
    assert_eq!(sentence[0].score, 100, "{sentence:?}");
    assert!(
        sentence[0].target.starts_with("La coopération Sud-Sud"),
        "{sentence:?}"
    );
    assert_eq!(store.index_pending().unwrap(), 0);
}

// A database made before migration 5 (tests/fixtures/db/v4.db) migrates on open, exports
// what it did, and its migrated index still finds units of a bulk chunk and of a small
// import.
#[test]
fn a_version_4_database_migrates_and_exports_the_same_tmx() {
    let sb = Sandbox::new();
    let db = migrated_fixture(&sb, "v4");
    let store = Store::open(&db).unwrap();
    let lookup = |text: &str| en_fr(&store, text);
    // A unit of the bulk import (its postings in a chunk), and one the update replaced (the
    // old variant dead, the new one row by row).
    let bulk = lookup("mu epsilon lambda iota sigma gamma 9");
    assert_eq!(bulk[0].score, 100, "{bulk:?}");
    assert_eq!(
        bulk[0].target,
        "kappa lambda kappa zeta gamma epsilon kappa"
    );
    let updated = lookup("zeta delta mu pi theta 1");
    assert_eq!(updated[0].score, 100, "{updated:?}");
    assert_eq!(updated[0].target, "nouveau texte");
    assert_eq!(store.index_pending().unwrap(), 0);
}

// A database made before migration 8 (tests/fixtures/db/v7.db, by commit fbac656: the
// sample, a bulk import of 1,300 en–fr units, some with inline markup, and a small one)
// migrates on open with its text as it was, exports the same bytes and finds what it
// found; the next import large enough trains the languages' dictionaries, and the units
// stored before still export as they did.
#[test]
fn a_version_7_database_migrates_and_keeps_its_text_beside_compressed_text() {
    if sqlite_only("migration 8") {
        return;
    }
    let sb = Sandbox::new();
    let db = migrated_fixture(&sb, "v7");
    assert_eq!(
        query_i64(&db, "PRAGMA user_version"),
        tmm::store::SCHEMA_VERSION
    );
    assert_eq!(query_i64(&db, "SELECT count(*) FROM text_dictionary"), 0);
    {
        let store = Store::open(&db).unwrap();
        let bulk = en_fr(
            &store,
            "Press water growth climate partner south cooperation energy partner 0",
        );
        // 99: the stored source has inline tags the query lacks.
        assert_eq!(bulk[0].score, 99, "{bulk:?}");
        assert_eq!(
            bulk[0].target,
            "trade partner south peace peace south finance 0"
        );
    }
    let more = sb.path("more.tmx");
    generated(&more, 4_500);
    sb.tmm_db(&db, &["import", more.to_str().unwrap()]).ok();
    assert_eq!(query_i64(&db, "SELECT count(*) FROM text_dictionary"), 3);
    assert!(
        query_i64(
            &db,
            "SELECT count(*) FROM variant WHERE typeof(text) = 'blob'"
        ) > 12_000
    );
    let out = sb.path("after.tmx");
    sb.tmm_db(&db, &["export", "-o", out.to_str().unwrap()])
        .ok();
    let after = std::fs::read_to_string(&out).unwrap();
    let before = std::fs::read_to_string(root().join("tests/fixtures/db/v7.export.tmx")).unwrap();
    let body = |t: &str| {
        let start = t.find("<body>").unwrap() + "<body>".len();
        t[start..t.rfind("</body>").unwrap()].trim_end().to_string()
    };
    assert!(
        body(&after).starts_with(&body(&before)),
        "the units stored before migration export as they did"
    );
}

/// The `<seg>` elements of a TMX, in order.
fn segments(tmx: &str) -> Vec<&str> {
    tmx.split("<seg>")
        .skip(1)
        .map(|s| &s[..s.find("</seg>").unwrap()])
        .collect()
}

// Variants' text and markup are stored compressed once a language has 4,000 of them
// (src/store/packed.rs). What comes out is what went in: the same segments as a memory of
// the same units imported in files of 2,000, stored plain until the second brings the
// recent variants of each language to 4,000; lookups find them; a later import compresses
// with the dictionaries stored.
#[test]
fn text_stored_compressed_exports_and_matches_as_it_went_in() {
    if sqlite_only("compressed text") {
        return;
    }
    let sb = Sandbox::new();
    let whole = sb.path("whole.tmx");
    generated(&whole, 6_000);
    let text = std::fs::read_to_string(&whole).unwrap();
    let (head, units) = text.split_at(text.find("<tu ").unwrap());
    let units: Vec<&str> = units.lines().filter(|l| l.starts_with("<tu ")).collect();
    // Inline markup on some units, so that markup is compressed too.
    let units: Vec<String> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            if i % 5 == 0 {
                u.replacen("<seg>", "<seg><ph x=\"1\">&lt;br/&gt;</ph>", 1)
            } else {
                u.to_string()
            }
        })
        .collect();
    let file = |name: &str, part: &[String]| {
        let path = sb.path(name);
        std::fs::write(&path, format!("{head}{}\n</body></tmx>\n", part.join("\n"))).unwrap();
        path
    };
    let packed = sb.path("packed.db");
    let parts = sb.path("parts.db");
    let all = file("all.tmx", &units);
    sb.tmm_db(&packed, &["import", all.to_str().unwrap()]).ok();
    let blobs = |db: &std::path::Path, column: &str| {
        query_i64(
            db,
            &format!("SELECT count(*) FROM variant WHERE typeof({column}) = 'blob'"),
        )
    };
    for (n, part) in units.chunks(2_000).enumerate() {
        let part = file(&format!("part{n}.tmx"), part);
        sb.tmm_db(&parts, &["import", part.to_str().unwrap()]).ok();
        if n == 0 {
            assert_eq!(
                blobs(&parts, "text"),
                0,
                "2,000 of each language stay plain"
            );
        }
    }
    assert_eq!(blobs(&parts, "text"), blobs(&packed, "text"));
    assert!(
        blobs(&packed, "text") > 15_000,
        "{}",
        blobs(&packed, "text")
    );
    assert!(
        blobs(&packed, "markup") > 1_000,
        "{}",
        blobs(&packed, "markup")
    );
    let export = |db: &std::path::Path, name: &str| {
        let out = sb.path(name);
        sb.tmm_db(db, &["export", "-o", out.to_str().unwrap()]).ok();
        std::fs::read_to_string(out).unwrap()
    };
    let (a, b) = (export(&packed, "a.tmx"), export(&parts, "b.tmx"));
    assert_eq!(segments(&a).len(), 18_000);
    let input = std::fs::read_to_string(&all).unwrap();
    assert_eq!(segments(&a), segments(&input));
    assert_eq!(segments(&a), segments(&b));
    // The suggestion shows the stored translation, decompressed.
    let store = Store::open(&packed).unwrap();
    let en = segments(&a)[3 * 17].to_string();
    let fr = segments(&a)[3 * 17 + 1].to_string();
    let found = en_fr(&store, &en);
    assert_eq!(found[0].score, 100, "{found:?}");
    assert_eq!(found[0].target, fr);
    drop(store);
    // The next import compresses from its first variant.
    let next = file(
        "next.tmx",
        &units[..10]
            .iter()
            .map(|u| {
                u.replace("tuid=\"g", "tuid=\"n")
                    .replace("</seg>", " next</seg>")
            })
            .collect::<Vec<_>>(),
    );
    let before = blobs(&packed, "text");
    sb.tmm_db(&packed, &["import", next.to_str().unwrap()]).ok();
    assert_eq!(blobs(&packed, "text"), before + 30);
}
