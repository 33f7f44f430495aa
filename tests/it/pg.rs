//! The same commands on SQLite and PostgreSQL (`TMM_TEST_DB`, see `util::PgDb`): imports,
//! exports, matching and `tmm migrate` give the same bytes on both, and PostgreSQL keeps
//! its promises to several handles and writers.

use std::path::{Path, PathBuf};

use crate::util::{PgDb, Sandbox, backends, corpus, fixture, generated, root};

/// The shipped sample and every fixture TMX file that imports.
fn memory_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("tmx/un-ssc-2012.tmx")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(fixture("tmx"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tmx"))
        .collect();
    more.sort();
    files.extend(more);
    files
}

fn export(sb: &Sandbox, db: &Path, name: &str) -> Vec<u8> {
    let out = sb.path(name);
    sb.tmm_db(db, &["export", "-o", out.to_str().unwrap()]).ok();
    std::fs::read(out).unwrap()
}

#[test]
fn imports_exports_and_suggestions_are_the_same_bytes_on_both_backends() {
    let sb = Sandbox::new();
    let (dbs, _pg) = backends(&sb, "the import/export/suggest comparison");
    let files = memory_files();
    let generated_file = sb.path("gen.tmx");
    generated(&generated_file, 3_000);
    let mut args: Vec<&str> = vec!["import"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.push(generated_file.to_str().unwrap());
    let mut summaries = Vec::new();
    let mut exports = Vec::new();
    let mut suggestions = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        let first = sb.tmm_db(db, &args).stderr();
        // Idempotent: the same files again add nothing.
        let again = sb.tmm_db(db, &args).stderr();
        assert!(
            again.contains(" 0 added, 0 alternatives added, 0 updated"),
            "{again}"
        );
        summaries.push((first, again));
        exports.push(export(&sb, db, &format!("out{i}.tmx")));
        let mut s = String::new();
        for (from, to) in [("en", "fr"), ("zh", "ar"), ("fr", "en")] {
            let file = root().join(format!("tests/fixtures/release-2013/{from}.txt"));
            s += &sb
                .tmm_db(
                    db,
                    &[
                        "suggest",
                        "--from",
                        from,
                        "--to",
                        to,
                        "--json",
                        "--file",
                        file.to_str().unwrap(),
                    ],
                )
                .ok()
                .stdout();
        }
        s += &sb
            .tmm_db(
                db,
                &[
                    "suggest",
                    "--from",
                    "en",
                    "--to",
                    "fr",
                    "--json",
                    "--min",
                    "50",
                    "school health water energy climate 12",
                ],
            )
            .ok()
            .stdout();
        // A rebuilt index suggests the same.
        sb.tmm_db(db, &["index"]).ok();
        let mut rebuilt = String::new();
        for (from, to) in [("en", "fr"), ("zh", "ar"), ("fr", "en")] {
            let file = root().join(format!("tests/fixtures/release-2013/{from}.txt"));
            rebuilt += &sb
                .tmm_db(
                    db,
                    &[
                        "suggest",
                        "--from",
                        from,
                        "--to",
                        to,
                        "--json",
                        "--file",
                        file.to_str().unwrap(),
                    ],
                )
                .ok()
                .stdout();
        }
        assert!(
            s.starts_with(&rebuilt),
            "tmm index changed the suggestions on {}",
            db.display()
        );
        suggestions.push(s);
    }
    assert!(exports[0].len() > 100_000, "the export holds the memory");
    assert!(suggestions[0].contains("\"score\""), "{}", suggestions[0]);
    for i in 1..dbs.len() {
        assert_eq!(summaries[i], summaries[0]);
        assert!(
            exports[i] == exports[0],
            "the TMX exports differ between backends"
        );
        let differs = suggestions[i]
            .lines()
            .zip(suggestions[0].lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        assert!(differs.is_none(), "suggestions differ at line {differs:?}");
        assert_eq!(suggestions[i].len(), suggestions[0].len());
    }
}

#[test]
fn migrate_there_and_back_keeps_the_export_byte_for_byte() {
    let sb = Sandbox::new();
    let Some(pg) = PgDb::new("tmm migrate") else {
        return;
    };
    let generated_file = sb.path("gen.tmx");
    generated(&generated_file, 20_000);
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm_db(
        &sb.sqlite_db(),
        &[
            "import",
            sample.to_str().unwrap(),
            generated_file.to_str().unwrap(),
        ],
    )
    .ok();
    let before = export(&sb, &sb.sqlite_db(), "a.tmx");
    let to = pg.url.to_str().unwrap();
    sb.tmm_db(
        Path::new("unused.db"),
        &[
            "migrate",
            "--from",
            sb.sqlite_db().to_str().unwrap(),
            "--to",
            to,
        ],
    )
    .ok();
    assert!(
        export(&sb, &pg.url, "b.tmx") == before,
        "SQLite → PostgreSQL changed the export"
    );
    let back = sb.path("back.db");
    sb.tmm_db(
        Path::new("unused.db"),
        &["migrate", "--from", to, "--to", back.to_str().unwrap()],
    )
    .ok();
    assert!(
        export(&sb, &back, "c.tmx") == before,
        "PostgreSQL → SQLite changed the export"
    );
    // A target that holds a memory is refused, and left as it was.
    sb.tmm_db(
        Path::new("unused.db"),
        &["migrate", "--from", back.to_str().unwrap(), "--to", to],
    )
    .fails()
    .stderr_has("--to: the target already holds a memory");
    assert!(export(&sb, &pg.url, "d.tmx") == before);
}

#[test]
fn a_broken_or_killed_import_leaves_nothing_on_postgresql() {
    let sb = Sandbox::new();
    let Some(pg) = PgDb::new("the broken-import check") else {
        return;
    };
    for broken in ["truncated.tmx", "body-closed-early.tmx"] {
        let f = fixture(&format!("tmx/broken/{broken}"));
        sb.tmm_db(&pg.url, &["import", f.to_str().unwrap()]).fails();
    }
    // Killed halfway: the transaction rolls back.
    let generated_file = sb.path("big.tmx");
    generated(&generated_file, 60_000);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tmm"))
        .args([
            "--db",
            pg.url.to_str().unwrap(),
            "import",
            generated_file.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let finished = child.try_wait().unwrap().is_some();
    child.kill().ok();
    child.wait().unwrap();
    assert!(
        !finished,
        "the import ended before it could be killed; use a bigger file"
    );
    let stats = sb.tmm_db(&pg.url, &["stats", "--json"]).ok().stdout();
    assert!(stats.contains("\"units\": 0"), "{stats}");
    assert!(stats.contains("\"origins\": []"), "{stats}");
}

#[test]
fn a_second_handle_sees_a_new_unit_and_concurrent_writers_do_not_duplicate() {
    let sb = Sandbox::new();
    let Some(pg) = PgDb::new("the two-handle check") else {
        return;
    };
    let sample = root().join("tmx/un-ssc-2012.tmx");
    let one = tmm::store::Store::open(&pg.url).unwrap();
    let two = tmm::store::Store::open(&pg.url).unwrap();
    let en = tmm::lang::LanguageTag::parse("en").unwrap();
    assert!(!two.holds_language(&en).unwrap());
    one.import_tmx(&sample, &Default::default(), &mut ())
        .unwrap();
    // The other handle (another process would be the same: it shares only the server).
    assert!(two.holds_language(&en).unwrap());
    assert_eq!(two.unit_count().unwrap(), 7);
    // Two processes importing the same new file at once: the second waits for the first,
    // then finds every unit stored.
    let generated_file = sb.path("gen.tmx");
    generated(&generated_file, 5_000);
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tmm"))
            .args([
                "--db",
                pg.url.to_str().unwrap(),
                "import",
                generated_file.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a.status.success() && b.status.success());
    assert_eq!(one.unit_count().unwrap(), 5_007);
    assert_eq!(one.origins().unwrap().len(), 2);
}

/// What one command did on one backend: its exit status, output and error output, then the
/// memory's `tmm export` and the suggestions for `probe`.
#[derive(Debug, PartialEq)]
struct Step {
    status: Option<i32>,
    stdout: String,
    stderr: String,
    export: Vec<u8>,
    suggestions: String,
    /// The variant ids the match index holds as deleted.
    dead: Vec<i64>,
}

impl Step {
    /// Asserts that the command exited with `status` and printed `needle`.
    #[track_caller]
    fn printed(&self, status: i32, needle: &str) {
        assert_eq!(self.status, Some(status), "{}", self.stderr);
        assert!(self.stdout.contains(needle), "{}", self.stdout);
    }

    /// Asserts that the command succeeded and said `needle` on its error output.
    #[track_caller]
    fn said(&self, needle: &str) {
        assert_eq!(self.status, Some(0), "{}", self.stderr);
        assert!(self.stderr.contains(needle), "{}", self.stderr);
    }
}

/// `text` with every TMX date from `since` (`YYYYMMDD`) on written `NOW`: what an edit
/// stamps differs by the second between two runs.
fn unstamped(text: &[u8], since: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let stamp = text.get(i..i + 16).filter(|w| {
            w.iter().enumerate().all(|(k, c)| match k {
                8 => *c == b'T',
                15 => *c == b'Z',
                _ => c.is_ascii_digit(),
            }) && &w[..8] >= since.as_bytes()
        });
        if stamp.is_some() {
            out.extend_from_slice(b"NOW");
            i += 16;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// The variant ids in `match_dead`, read straight from either backend: a deleted unit's
/// postings stay until a rebuild, so lookups must know to skip them.
fn dead_variants(db: &Path) -> Vec<i64> {
    let sql = "SELECT variant_id FROM match_dead ORDER BY variant_id";
    let location = db.to_str().unwrap();
    if tmm::store::is_postgres_location(db) {
        let mut c = postgres::Client::connect(location, postgres::NoTls).unwrap();
        c.query(sql, &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    } else {
        let c = rusqlite::Connection::open(location).unwrap();
        let mut stmt = c.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }
}

/// The en segment of unit `id` in `db`.
fn english_of(sb: &Sandbox, db: &Path, id: &str) -> String {
    let shown = sb
        .tmm_db(db, &["units", "show", id, "--json"])
        .ok()
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["lang"] == "en")
        .and_then(|v| v["segment"]["text"].as_str())
        .unwrap()
        .to_string()
}

/// Imports the sample and 60 generated units into every backend, then runs `commands` in
/// turn on each; asserts that every step is the same on all of them and returns the steps
/// of the SQLite file (the first backend), with the state before them first.
fn same_on_both_backends(what: &str, commands: &[&[&str]], probe_unit: &str) -> Vec<Step> {
    let sb = Sandbox::new();
    let (dbs, _pg) = backends(&sb, what);
    let generated_file = sb.path("gen.tmx");
    generated(&generated_file, 60);
    let sample = root().join("tmx/un-ssc-2012.tmx");
    let today = tmm::formats::tmx::now_date()[..8].to_string();
    let mut all = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        sb.tmm_db(
            db,
            &[
                "import",
                sample.to_str().unwrap(),
                generated_file.to_str().unwrap(),
            ],
        )
        .ok();
        let probe = english_of(&sb, db, probe_unit);
        let step = |run: Option<crate::util::Run>, n: usize| {
            let suggestions = sb
                .tmm_db(
                    db,
                    &["suggest", "--from", "en", "--to", "fr", "--json", &probe],
                )
                .ok()
                .stdout();
            let text = |t: String| String::from_utf8(unstamped(t.as_bytes(), &today)).unwrap();
            Step {
                status: run.as_ref().and_then(|r| r.output.status.code()),
                stdout: text(
                    run.as_ref()
                        .map(crate::util::Run::stdout)
                        .unwrap_or_default(),
                ),
                stderr: text(
                    run.as_ref()
                        .map(crate::util::Run::stderr)
                        .unwrap_or_default(),
                ),
                export: unstamped(&export(&sb, db, &format!("out{i}-{n}.tmx")), &today),
                suggestions: text(suggestions),
                dead: dead_variants(db),
            }
        };
        let mut steps = vec![step(None, 0)];
        for (n, args) in commands.iter().enumerate() {
            let run = sb.tmm_db(db, args);
            steps.push(step(Some(run), n + 1));
        }
        all.push(steps);
    }
    for steps in &all[1..] {
        for (n, (a, b)) in all[0].iter().zip(steps).enumerate() {
            let label = if n == 0 {
                "the import".to_string()
            } else {
                commands[n - 1].join(" ")
            };
            assert_eq!(
                (a.status, &a.stdout, &a.stderr, &a.suggestions, &a.dead),
                (b.status, &b.stdout, &b.stderr, &b.suggestions, &b.dead),
                "{label}: the backends differ"
            );
            assert!(
                a.export == b.export,
                "{label}: the exports differ between backends"
            );
        }
    }
    all.swap_remove(0)
}

#[test]
fn units_delete_is_the_same_on_both_backends() {
    let steps = same_on_both_backends(
        "units delete",
        &[
            &["units", "delete", "12", "13", "--json"],
            // One missing: the others still go, and the exit status says so.
            &["units", "delete", "12", "14", "--json"],
            &["units", "delete", "-n", "15"],
        ],
        "12",
    );
    steps[1].printed(0, "\"deleted\":2");
    assert!(steps[1].export != steps[0].export, "the units went");
    assert_ne!(
        steps[1].suggestions, steps[0].suggestions,
        "a deleted unit is no longer suggested"
    );
    assert!(
        !steps[1].dead.is_empty(),
        "the index knows the variants are gone"
    );
    steps[2].printed(1, "\"deleted\":1");
    assert!(
        steps[3].export == steps[2].export,
        "a dry run changes nothing"
    );
}

#[test]
fn origins_rename_and_delete_are_the_same_on_both_backends() {
    let steps = same_on_both_backends(
        "origins rename/delete",
        &[
            &["origins", "rename", "2", "renamed.tmx"],
            &["origins", "delete", "-n", "renamed.tmx"],
            &["origins", "delete", "--json", "renamed.tmx"],
            &["origins", "delete", "2"],
            &["origins", "rename", "9", "x"],
        ],
        "20",
    );
    assert_eq!(steps[1].status, Some(0), "{}", steps[1].stderr);
    assert!(
        steps[1].suggestions.contains("\"origin\": \"renamed.tmx\""),
        "{}",
        steps[1].suggestions
    );
    assert!(
        steps[2].export == steps[1].export,
        "a dry run changes nothing"
    );
    steps[3].printed(0, "\"units\": 60");
    assert!(
        !steps[3].suggestions.contains("renamed.tmx"),
        "{}",
        steps[3].suggestions
    );
    assert_ne!(steps[4].status, Some(0), "the origin is gone");
    assert_ne!(steps[5].status, Some(0), "no origin 9");
}

#[test]
fn units_find_is_the_same_on_both_backends() {
    let steps = same_on_both_backends(
        "units find",
        &[
            &["units", "find"],
            &["units", "find", "--origin", "2", "--limit", "5", "--json"],
            &["units", "find", "--prop", "x-n=12"],
            &["units", "find", "--prop", "x-paragraph=3", "--origin", "1"],
            &["units", "find", "--since", "2013-01-01"],
            &[
                "units",
                "find",
                "--lang",
                "fr",
                "--contains",
                "water",
                "--limit",
                "3",
            ],
            &["units", "find", "--document", "nowhere"],
        ],
        "12",
    );
    steps[1].printed(0, "\n67\n");
    assert_eq!(steps[1].stdout.lines().count(), 67);
    steps[2].printed(0, "[8,9,10,11,12]");
    assert_eq!(steps[3].stdout, "20\n");
    assert_eq!(steps[4].stdout, "3\n");
    assert_eq!(
        steps[5].stdout.lines().count(),
        60,
        "the generated units' date"
    );
    assert_eq!(steps[6].stdout.lines().count(), 3);
    steps[7].printed(0, "");
    assert!(steps[7].stdout.is_empty());
}

#[test]
fn units_edit_and_clean_are_the_same_on_both_backends() {
    let steps = same_on_both_backends(
        "units edit and clean",
        &[
            &[
                "units",
                "edit",
                "12",
                "--lang",
                "fr",
                "--text",
                "Un autre texte.",
            ],
            &[
                "units", "edit", "30", "--lang", "it", "--text", "Nuovo", "--json",
            ],
            &[
                "units", "edit", "-n", "31", "--lang", "fr", "--text", "Rien",
            ],
            &["units", "edit", "999", "--lang", "fr", "--text", "x"],
            // A translation equal to its source, a number that differs: clean finds both.
            &[
                "units",
                "edit",
                "40",
                "--lang",
                "fr",
                "--text",
                "Same text here.",
            ],
            &[
                "units",
                "edit",
                "40",
                "--lang",
                "en",
                "--text",
                "Same text here.",
            ],
            &["units", "edit", "41", "--lang", "fr", "--text", "Numéro 77"],
            &["clean", "--dry-run", "--json"],
            &["clean", "--json"],
            &["units", "show", "40"],
        ],
        "12",
    );
    steps[1].printed(0, "");
    assert!(
        steps[1].suggestions.contains("Un autre texte."),
        "{}",
        steps[1].suggestions
    );
    assert!(steps[1].export != steps[0].export);
    steps[2].printed(0, "Nuovo");
    assert!(
        steps[3].export == steps[2].export,
        "a dry run changes nothing"
    );
    assert_ne!(steps[4].status, Some(0));
    assert!(
        steps[9].export != steps[7].export,
        "clean changed the memory"
    );
    assert!(!steps[9].dead.is_empty());
}

#[test]
fn langs_merge_is_the_same_on_both_backends() {
    let steps = same_on_both_backends(
        "langs merge",
        &[
            &["langs", "merge", "-n", "de", "it"],
            &["langs", "merge", "de", "it"],
            &["langs", "merge", "es", "ru", "--into", "pt"],
            &["langs", "merge", "fr", "fr"],
            &["langs"],
            &["units", "show", "20", "--json"],
        ],
        "20",
    );
    steps[1].printed(0, "");
    assert!(
        steps[1].export == steps[0].export,
        "a dry run changes nothing"
    );
    assert!(steps[2].export != steps[1].export);
    assert_ne!(steps[4].status, Some(0));
    assert!(!steps[5].stdout.contains("de "), "{}", steps[5].stdout);
    steps[6].printed(0, "x-tmm-original-lang");
    assert!(!steps[6].dead.is_empty());
}

#[test]
fn align_is_the_same_on_both_backends() {
    let seed: Vec<String> = ["en", "fr", "es", "ru", "zh", "ar"]
        .iter()
        .map(|l| {
            let f = root().join(format!("tests/fixtures/seed-2012/{l}.txt"));
            format!("{l}={}", f.display())
        })
        .collect();
    let mut align = vec!["align", "--document", "SG/SM/14499", "--date", "2012-09-12"];
    align.extend(seed.iter().map(String::as_str));
    let steps = same_on_both_backends("align", &[&align, &align, &["origins"]], "20");
    steps[1].said("7 paragraphs aligned");
    assert!(
        steps[1].export != steps[0].export,
        "the aligned units are stored"
    );
    assert!(
        steps[2].export == steps[1].export,
        "the same alignment again adds nothing"
    );
}

// Once refused on PostgreSQL: its import writer took the copy for a duplicate. Both now
// store a second unit, under the replaced unit's id and in its place.
#[test]
fn replacing_a_unit_by_an_exact_copy_of_another_is_the_same_on_both_backends() {
    let sb = Sandbox::new();
    let (dbs, _pg) = backends(&sb, "the exact-copy edit");
    let sample = root().join("tmx/un-ssc-2012.tmx");
    let today = tmm::formats::tmx::now_date()[..8].to_string();
    let mut outcomes = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        let store = tmm::store::Store::open(db).unwrap();
        store
            .import_tmx(&sample, &Default::default(), &mut ())
            .unwrap();
        let first = store.unit(tmm::store::UnitId(1)).unwrap().unwrap().unit;
        let before = export(&sb, db, &format!("before{i}.tmx"));
        let replaced = store
            .replace_unit(tmm::store::UnitId(2), &first, None)
            .unwrap();
        assert!(replaced, "{}: the copy is stored", db.display());
        assert_eq!(store.unit_count().unwrap(), 7, "{}", db.display());
        let copy = store.unit(tmm::store::UnitId(2)).unwrap().unwrap().unit;
        assert_eq!(copy, first, "{}", db.display());
        let after = export(&sb, db, &format!("after{i}.tmx"));
        assert!(after != before, "{}: the export changed", db.display());
        let probe = english_of(&sb, db, "1");
        let suggested = sb
            .tmm_db(
                db,
                &["suggest", "--from", "en", "--to", "fr", "--json", &probe],
            )
            .ok()
            .stdout();
        // Both units now offer the same translation, the copy under id 2.
        assert!(suggested.contains("\"unit_id\": 2"), "{suggested}");
        drop(store);
        outcomes.push((
            unstamped(&after, &today),
            unstamped(suggested.as_bytes(), &today),
            dead_variants(db),
        ));
    }
    for other in &outcomes[1..] {
        assert!(
            other.0 == outcomes[0].0,
            "the exports differ between backends"
        );
        assert_eq!(
            String::from_utf8_lossy(&other.1),
            String::from_utf8_lossy(&outcomes[0].1),
            "the suggestions differ between backends"
        );
        assert_eq!(other.2, outcomes[0].2, "the dead variants differ");
    }
}

#[test]
fn the_whole_corpus_in_one_memory_exports_the_same_bytes_from_both_backends() {
    let Some(corpus) = corpus("the whole-corpus export on both backends") else {
        return;
    };
    let sb = Sandbox::new();
    let (dbs, _pg) = backends(&sb, "the whole-corpus export");
    let mut files = Vec::new();
    crate::roundtrip::tmx_files(&corpus.join("tmx"), &mut files);
    files.retain(|f| {
        let name = f.file_name().unwrap().to_string_lossy();
        !crate::roundtrip::BROKEN.contains(&name.as_ref())
    });
    assert!(files.len() >= 150, "{} files", files.len());
    let mut args = vec!["import"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let mut exports = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        let summary = sb.tmm_db(db, &args).ok().stderr();
        let exported = export(&sb, db, &format!("corpus{i}.tmx"));
        assert!(exported.len() > 1_000_000, "{}", exported.len());
        exports.push((summary, exported));
    }
    for (summary, exported) in &exports[1..] {
        assert_eq!(summary, &exports[0].0, "the import summaries differ");
        assert!(
            exported == &exports[0].1,
            "the exports of the whole corpus differ between backends"
        );
    }
}

#[test]
fn document_frequencies_read_at_once_are_those_read_one_by_one_on_both_backends() {
    let sb = Sandbox::new();
    let Some(pg) = PgDb::new("the batched document-frequency check") else {
        return;
    };
    let sample = root().join("tmx/un-ssc-2012.tmx");
    let sentence = "South-South cooperation has the potential to balance growth and equity.";
    let mut terms = tmm::text::token::content_ids(sentence);
    terms.push(u64::MAX - 7); // a term no text holds
    let mut seen = Vec::new();
    for db in [sb.db(), pg.url.clone()] {
        let store = tmm::store::Store::open(&db).unwrap();
        store
            .import_tmx(&sample, &Default::default(), &mut ())
            .unwrap();
        let (one_by_one, at_once) = store
            .snapshot(|s| {
                let one: Vec<u64> = terms
                    .iter()
                    .map(|&t| s.document_frequency("en", t))
                    .collect::<tmm::error::Result<_>>()?;
                Ok((one, s.document_frequencies("en", &terms)?))
            })
            .unwrap();
        assert_eq!(one_by_one, at_once, "{}", db.display());
        assert!(at_once.iter().any(|&df| df > 0) && at_once.last() == Some(&0));
        seen.push(at_once);
    }
    assert_eq!(seen[0], seen[1]);
}

/// A lookup keeps what it learnt of the memory (the languages held, the index's state) only
/// while no transaction commits: every write through another handle is seen by the next
/// lookup, whichever way it was stored.
#[test]
fn a_lookup_sees_each_kind_of_write_another_handle_commits() {
    let sb = Sandbox::new();
    let Some(pg) = PgDb::new("the check that lookups see new writes") else {
        return;
    };
    let tag = |t: &str| tmm::lang::LanguageTag::parse(t).unwrap();
    let reader = tmm::store::Store::open(&pg.url).unwrap();
    let writer = tmm::store::Store::open(&pg.url).unwrap();
    let matcher = tmm::matching::Matcher::new(&reader);
    let options = tmm::matching::SuggestOptions::new(tag("en"), tag("de"));
    let best = |text: &str| {
        let query = tmm::matching::Query {
            text,
            ..Default::default()
        };
        matcher
            .suggest(&query, &options)
            .map(|m| m.suggestions.first().map(|s| s.target.clone()))
    };
    let tmx = |name: &str, en: &str, de: &str| {
        let path = sb.path(name);
        std::fs::write(
            &path,
            format!(
                r#"<?xml version="1.0"?><tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body><tu><tuv xml:lang="en"><seg>{en}</seg></tuv><tuv xml:lang="de"><seg>{de}</seg></tuv></tu></body></tmx>"#
            ),
        )
        .unwrap();
        path
    };
    let water = "The water report is ready for the council today.";
    let energy = "The energy report is ready for the assembly tomorrow.";
    let health = "The health report is ready for the committee next week.";
    // Nothing in German yet: refused, twice (the second from what the first learnt).
    for _ in 0..2 {
        assert!(matches!(best(water), Err(tmm::Error::NoSegments { .. })));
    }
    // An ordinary import: found through the index.
    let path = tmx("a.tmx", water, "Der Wasserbericht liegt dem Rat heute vor.");
    writer
        .import_tmx(&path, &Default::default(), &mut ())
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            best(water).unwrap().as_deref(),
            Some("Der Wasserbericht liegt dem Rat heute vor.")
        );
    }
    // A unit added one by one, indexed row by row (`match_recent`, empty until now).
    let unit = tmm::model::TranslationUnit {
        variants: vec![
            tmm::model::Variant::new(tag("en"), energy),
            tmm::model::Variant::new(tag("de"), "Der Energiebericht liegt morgen vor."),
        ],
        ..Default::default()
    };
    writer.add_unit(&unit, "hand", None).unwrap();
    assert_eq!(
        best(energy).unwrap().as_deref(),
        Some("Der Energiebericht liegt morgen vor.")
    );
    // An import whose index is deferred: found by scanning what the index does not cover.
    let deferred = tmm::store::ImportOptions {
        defer_index: true,
        ..Default::default()
    };
    let path = tmx(
        "b.tmx",
        health,
        "Der Gesundheitsbericht liegt nächste Woche vor.",
    );
    writer.import_tmx(&path, &deferred, &mut ()).unwrap();
    assert_eq!(
        best(health).unwrap().as_deref(),
        Some("Der Gesundheitsbericht liegt nächste Woche vor.")
    );
    // `tmm index` covers it: found through the index.
    writer.rebuild_index(&mut |_, _| {}).unwrap();
    assert_eq!(writer.index_pending().unwrap(), 0);
    assert_eq!(
        best(health).unwrap().as_deref(),
        Some("Der Gesundheitsbericht liegt nächste Woche vor.")
    );
    // Then the deletion of everything in German again.
    let all: Vec<tmm::model::UnitId> = writer.find_units(&Default::default(), None).unwrap();
    assert_eq!(all.len(), 3);
    writer.delete_units(&all, None).unwrap();
    assert_eq!(best(health).unwrap(), None);
}

// A memory at schema 5 (a row per aligned sentence row and language) is brought to 6 when
// opened: its sentences made again from the source and indexed, suggested as before.
#[test]
fn a_schema_5_memory_on_postgresql_migrates_with_its_sentences_on_open() {
    let sb = Sandbox::new();
    let Some(pg) = PgDb::new("the migration from schema 5") else {
        return;
    };
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm_db(&pg.url, &["import", sample.to_str().unwrap()])
        .ok();
    let before = export(&sb, &pg.url, "before.tmx");
    let mut c = postgres::Client::connect(pg.url.to_str().unwrap(), postgres::NoTls).unwrap();
    // Schema 5's tables: sub-segments with a row per variant as its rows were per language,
    // match_term keyed by its primary key (before migration 7), no text dictionaries
    // (before migration 8).
    c.batch_execute(
        "DROP TABLE subsegment;
         CREATE TABLE subsegment (
             id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
             unit_id BIGINT NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
             n BIGINT NOT NULL, m BIGINT NOT NULL, lang TEXT NOT NULL,
             variant_id BIGINT NOT NULL, start BIGINT NOT NULL, \"end\" BIGINT NOT NULL,
             sentences BIGINT NOT NULL, bead TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL);
         CREATE INDEX subsegment_by_unit ON subsegment (unit_id, n);
         INSERT INTO subsegment (unit_id, n, m, lang, variant_id, start, \"end\", sentences, bead, confidence)
         SELECT unit_id, 1, 1, lang, id, 0, length(text), 1, '1-1', 1.0 FROM variant;
         DELETE FROM match_term WHERE lang LIKE '%:s';
         DROP INDEX match_term_key;
         ALTER TABLE match_term ADD PRIMARY KEY (lang, term, chunk);
         DROP TABLE text_dictionary;
         DROP FUNCTION tmm_text;
         COMMENT ON TABLE origin IS 'tmm schema 5'",
    )
    .unwrap();
    let run = sb
        .tmm_db(
            &pg.url,
            &[
                "suggest",
                "--from",
                "en",
                "--to",
                "fr",
                "--json",
                "South-South cooperation has the potential to balance growth and equity on a global scale.",
            ],
        )
        .ok();
    let all: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(all[0]["type"], "sub-segment", "{all}");
    assert_eq!(all[0]["score"], 100);
    assert!(
        all[0]["target"]
            .as_str()
            .unwrap()
            .starts_with("La coopération Sud-Sud"),
        "{all}"
    );
    let one =
        |c: &mut postgres::Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(one(&mut c, "SELECT count(*) FROM subsegment"), 12);
    assert_eq!(
        one(
            &mut c,
            "SELECT count(*) FROM information_schema.columns
             WHERE table_name = 'subsegment' AND column_name = 'bead'"
        ),
        0
    );
    let comment: String = c
        .query_one("SELECT obj_description('origin'::regclass)", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        comment,
        format!("tmm schema {}", tmm::store::SCHEMA_VERSION)
    );
    // Migration 7: the chunks are found through match_term_key, which holds their df.
    assert_eq!(
        one(
            &mut c,
            "SELECT count(*) FROM pg_indexes
             WHERE tablename = 'match_term' AND indexname = 'match_term_key'
             AND indexdef LIKE '%INCLUDE (df)%'"
        ),
        1
    );
    drop(c);
    assert_eq!(export(&sb, &pg.url, "after.tmx"), before);
}
