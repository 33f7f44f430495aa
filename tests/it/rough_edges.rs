//! The rough edges a new user hit (issue 11), each with its regression test.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{Run, Sandbox, root};

fn json(run: Run) -> Value {
    let run = run.ok();
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
}

fn sample() -> Sandbox {
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", sample.to_str().unwrap()]).ok();
    sb
}

fn tmx(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header creationtool=\"t\" \
         creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" srclang=\"en\" \
         datatype=\"plaintext\"/><body>\n{body}</body></tmx>\n"
    )
}

/// `tmm ARGS` in the sandbox with stdout sent to `stdout`.
fn tmm_to(sb: &Sandbox, stdout: Stdio, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tmm"))
        .env_clear()
        .current_dir(sb.dir.path())
        .arg("--db")
        .arg(sb.db())
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

// Regression (2): a mistyped --db created an empty memory for read commands.
#[test]
fn read_commands_on_a_missing_database_say_no_database_at_path() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("new.txt"), "Hello there.\n").unwrap();
    let commands: [&[&str]; 7] = [
        &["suggest", "--from", "en", "--to", "fr", "Hello"],
        &["concordance", "Hello", "--from", "en"],
        &["analyze", "--from", "en", "--to", "fr", "new.txt"],
        &[
            "pretranslate",
            "--from",
            "en",
            "--to",
            "fr",
            "new.txt",
            "-o",
            "d.tmx",
        ],
        &["index"],
        &["origins"],
        &["clean", "--dry-run"],
    ];
    // PostgreSQL names the database as user@host:port/name.
    let db = sb.db().display().to_string();
    let named = db.strip_prefix("postgresql://").unwrap_or(&db);
    for args in commands {
        sb.tmm(args)
            .fails()
            .stderr_has(&format!("no database at {named}"));
        assert!(!sb.db_exists(), "{args:?} created a database");
    }
    // Import does not grow folders for a mistyped --db either.
    let deep = sb.path("no/such/dir/x.db");
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm_db(&deep, &["import", sample.to_str().unwrap()])
        .fails()
        .stderr_has("no folder");
    assert!(!sb.path("no").exists());
}

// Regression (3): analyze panicked on a full disk; --help to /dev/full exited 0.
#[test]
fn a_full_disk_fails_every_command_and_a_closed_pipe_is_quiet() {
    let sb = sample();
    std::fs::write(
        sb.path("new.txt"),
        "The past decade has shown the power of partnerships.\n",
    )
    .unwrap();
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let cases: [&[&str]; 6] = [
        &["analyze", "--from", "en", "--to", "fr", "new.txt"],
        &["stats"],
        &["origins"],
        &["--help"],
        &["--version"],
        &["completions", "bash"],
    ];
    for args in cases {
        let out = tmm_to(&sb, full(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded on a full disk");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A reader that stops early is not an error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmm"))
        .env_clear()
        .current_dir(sb.dir.path())
        .args([
            "--db",
            sb.db().to_str().unwrap(),
            "analyze",
            "--from",
            "en",
            "--to",
            "fr",
            "new.txt",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// Regression (13): a header row was stored as a unit; a semicolon file exited 0 with nothing.
#[test]
fn csv_headers_are_detected_delimiters_given_and_a_file_with_no_row_fails() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("g.csv"), "English,French\nGood morning,Bonjour\n").unwrap();
    let s = json(sb.tmm(&["import", "--from", "en", "--to", "fr", "g.csv", "--json"]));
    assert_eq!(s["added"], 1, "{s}");
    std::fs::write(
        sb.path("semi.csv"),
        "Good evening;Bonsoir\nGood night;Bonne nuit\n",
    )
    .unwrap();
    sb.tmm(&["import", "--from", "en", "--to", "fr", "semi.csv"])
        .fails()
        .stderr_has("no row imported")
        .stderr_has("--delimiter");
    let s = json(sb.tmm(&[
        "import",
        "--from",
        "en",
        "--to",
        "fr",
        "--delimiter",
        ";",
        "semi.csv",
        "--json",
    ]));
    assert_eq!(s["added"], 2, "{s}");
    // --header takes the first row as a header whatever it says.
    std::fs::write(sb.path("h.csv"), "a,b\nSee you,À bientôt\n").unwrap();
    let s = json(sb.tmm(&[
        "import", "--from", "en", "--to", "fr", "--header", "h.csv", "--json",
    ]));
    assert_eq!(s["added"], 1, "{s}");
    // Regression (14): spreadsheet and JSON Lines origins were recorded as tsv.
    std::fs::write(
        sb.path("j.jsonl"),
        "{\"text\":{\"en\":\"Thank you\",\"fr\":\"Merci\"}}\n",
    )
    .unwrap();
    sb.tmm(&["import", "j.jsonl"]).ok();
    let kinds: Vec<String> = json(sb.tmm(&["origins", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["csv", "csv", "csv", "jsonl"]);
}

// Regression (15): the flags differed from command to command.
#[test]
fn flags_share_one_vocabulary_with_the_old_spellings_as_aliases() {
    let sb = sample();
    let by_from = json(sb.tmm(&["concordance", "partnerships", "--from", "en", "--json"]));
    let by_lang = json(sb.tmm(&["concordance", "partnerships", "--lang", "en", "--json"]));
    assert_eq!(by_from, by_lang);
    assert!(!by_from.as_array().unwrap().is_empty());
    // `suggest -` reads the segments from standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmm"))
        .env_clear()
        .current_dir(sb.dir.path())
        .args([
            "--db",
            sb.db().to_str().unwrap(),
            "suggest",
            "--from",
            "en",
            "--to",
            "fr",
            "--min",
            "20",
            "--json",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"The past decade has shown the power of partnerships to advance development.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["segment"], 1, "{v}");
    assert!(!v[0]["matches"].as_array().unwrap().is_empty(), "{v}");
    // analyze reports every band: a --min would be ignored, so it is refused.
    std::fs::write(sb.path("n.txt"), "Hello.\n").unwrap();
    sb.tmm(&[
        "analyze", "--from", "en", "--to", "fr", "--min", "90", "n.txt",
    ])
    .fails()
    .stderr_has("--min");
    // align and pretranslate print JSON too.
    let p = json(sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "fr",
        "n.txt",
        "-o",
        "d.tmx",
        "--json",
    ]));
    assert_eq!(p["segments"], 1, "{p}");
    std::fs::write(sb.path("en.txt"), "One.\n\nTwo.\n").unwrap();
    std::fs::write(sb.path("fr.txt"), "Un.\n\nDeux.\n").unwrap();
    let a = json(sb.tmm(&["align", "en=en.txt", "fr=fr.txt", "--json"]));
    assert_eq!(a["rows"], 2, "{a}");
    // Regression (24): --width outside 40-1000 was accepted.
    sb.tmm(&[
        "align",
        "en=en.txt",
        "fr=fr.txt",
        "--preview",
        "--width",
        "5",
    ])
    .fails()
    .stderr_has("40..=1000");
}

// Regression (16): without colour, diff markers were confused with brackets in the text.
#[test]
fn diff_markers_cannot_be_confused_with_the_text() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx(
            "<tu><tuv xml:lang=\"en\"><seg>Open view[0] to see the [-x-] list now.</seg></tuv>\
             <tuv xml:lang=\"fr\"><seg>Ouvrez view[0] pour voir la liste.</seg></tuv></tu>\n",
        ),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    let run = sb
        .tmm(&[
            "suggest",
            "--from",
            "en",
            "--to",
            "fr",
            "--color",
            "never",
            "Open view[0] to see the [-x-] list today.",
        ])
        .ok();
    let out = run.stdout();
    // The text's own `[-` is escaped; the real deletion is marked.
    assert!(
        out.contains("the \\[-x\\-] list [-now-] {+today+}."),
        "{out}"
    );
    assert!(!out.contains("\x1b["), "{out}");
}

// Regression (18): a translation with inline tags was shown as plain text.
#[test]
fn suggestions_show_inline_tags_as_placeholders_and_give_the_markup_in_json() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx("<tu><tuv xml:lang=\"en\"><seg>Click <bpt i=\"1\">&lt;b&gt;</bpt>Save<ept i=\"1\">&lt;/b&gt;</ept> to keep it.</seg></tuv>\
             <tuv xml:lang=\"fr\"><seg>Cliquez sur <bpt i=\"1\">&lt;b&gt;</bpt>Enregistrer<ept i=\"1\">&lt;/b&gt;</ept> pour le garder.</seg></tuv></tu>\n"),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    let q = "Click Save to keep it.";
    sb.tmm(&[
        "suggest", "--from", "en", "--to", "fr", "--color", "never", q,
    ])
    .ok()
    .stdout_has("Cliquez sur {1}Enregistrer{/1} pour le garder.");
    let v = json(sb.tmm(&["suggest", "--from", "en", "--to", "fr", "--json", q]));
    assert!(
        v[0]["target_markup"]
            .as_str()
            .unwrap()
            .contains("<bpt i=\"1\">"),
        "{v}"
    );
}

// Regression (21): import's summary went to stdout, export's to stderr; no -q.
#[test]
fn data_goes_to_stdout_talk_to_stderr_and_q_silences_the_talk() {
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx");
    let run = sb.tmm(&["import", sample.to_str().unwrap()]).ok();
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert!(run.stderr().contains("7 added"), "{}", run.stderr());
    let quiet = sb.tmm(&["-q", "import", sample.to_str().unwrap()]).ok();
    assert!(quiet.stderr().is_empty(), "{}", quiet.stderr());
    let ids = sb.tmm(&["-q", "units", "find", "--limit", "2"]).ok();
    assert_eq!(ids.stdout(), "1\n2\n");
    assert!(ids.stderr().is_empty(), "{}", ids.stderr());
}

// (22): completions and a man page are generated from the command line itself.
#[test]
fn completions_and_man_page_cover_the_commands() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        sb.tmm(&["completions", shell]).ok().stdout_has("clean");
    }
    sb.tmm(&["man"])
        .ok()
        .stdout_has(".TH tmm")
        .stdout_has("origins");
    assert!(!sb.db_exists(), "completions need no database");
}

// Regression (11): suggestions showed the import date, not who translated it and when.
#[test]
fn suggestions_say_who_changed_the_translation_and_when() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx("<tu changedate=\"20190304T101500Z\" changeid=\"lena\"><tuv xml:lang=\"en\"><seg>The item is closed.</seg></tuv>\
             <tuv xml:lang=\"fr\"><seg>Le point est clos.</seg></tuv></tu>\n"),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "The item is closed.",
    ])
    .ok()
    .stdout_has("2019-03-04 by lena");
}

// Regression (1): pretranslate dropped the warnings suggest gives.
#[test]
fn pretranslation_carries_every_warning_in_every_format() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx("<tu><tuv xml:lang=\"en\"><seg>Chapter 3 describes the method in detail.</seg></tuv>\
             <tuv xml:lang=\"fr\"><seg>Le chapitre trois décrit la méthode en détail.</seg></tuv></tu>\n"),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    std::fs::write(
        sb.path("new.txt"),
        "Chapter 4 describes the method in detail.\n",
    )
    .unwrap();
    let base = ["pretranslate", "--from", "en", "--to", "fr", "new.txt"];
    let mut tsv = base.to_vec();
    tsv.extend(["--format", "tsv", "-o", "-"]);
    let out = sb.tmm(&tsv).ok().stdout();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("source\ttarget\tscore\ttype\tnotes"));
    let row: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(row[3], "fuzzy", "{out}");
    assert!(
        row[4].contains("numbers not found in the translation, check by hand: 3"),
        "{out}"
    );
    let mut draft = base.to_vec();
    draft.extend(["-o", "d.tmx"]);
    sb.tmm(&draft).ok();
    let d = std::fs::read_to_string(sb.path("d.tmx")).unwrap();
    assert!(
        d.contains("<note>numbers not found in the translation, check by hand: 3</note>"),
        "{d}"
    );
    assert!(
        d.contains("<prop type=\"x-match-type\">fuzzy</prop>"),
        "{d}"
    );
}

// Regression (24): plain TMX export refused --since and --document, which its help listed,
// and a bad date got "this filter works on a language pair".
#[test]
fn plain_tmx_export_takes_dates_and_documents_and_bad_dates_say_so() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx("<tu changedate=\"20100101T000000Z\"><tuv xml:lang=\"en\"><seg>Old text here.</seg></tuv><tuv xml:lang=\"fr\"><seg>Vieux texte ici.</seg></tuv></tu>\n\
             <tu changedate=\"20240101T000000Z\"><tuv xml:lang=\"en\"><seg>New text here.</seg></tuv><tuv xml:lang=\"fr\"><seg>Texte neuf ici.</seg></tuv></tu>\n"),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    sb.tmm(&["export", "-o", "new.tmx", "--since", "2020-01-01"])
        .ok();
    let out = std::fs::read_to_string(sb.path("new.tmx")).unwrap();
    assert!(
        out.contains("New text here.") && !out.contains("Old text here."),
        "{out}"
    );
    sb.tmm(&["export", "-o", "x.tmx", "--since", "2024-02-30"])
        .fails()
        .stderr_has("`2024-02-30` is not a date");
    sb.tmm(&["export", "-o", "x.tmx", "--document", "SG/SM/1"])
        .ok()
        .stderr_has("0 units exported");
    sb.tmm(&["export", "-o", "x.tmx", "--min-words", "3"])
        .fails()
        .stderr_has("--min-words");
}

// Regression (12): JSON Lines keys changed from line to line with the stored tags.
#[test]
fn jsonl_lines_are_keyed_by_the_languages_asked_for() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx("<tu><tuv xml:lang=\"en-US\"><seg>One apple.</seg></tuv><tuv xml:lang=\"zh-CN\"><seg>一个苹果。</seg></tuv></tu>\n\
             <tu><tuv xml:lang=\"en\"><seg>Two pears.</seg></tuv><tuv xml:lang=\"zh\"><seg>两个梨。</seg></tuv></tu>\n"),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    let out = sb
        .tmm(&[
            "export", "--format", "jsonl", "--from", "en", "--to", "zh", "-o", "-",
        ])
        .ok()
        .stdout();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    for l in &lines {
        let keys: Vec<&String> = l["text"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["en", "zh"], "{out}");
    }
    assert_eq!(lines[0]["lang"]["en"], "en-US", "{out}");
    assert_eq!(lines[0]["lang"]["zh"], "zh-CN", "{out}");
    assert_eq!(lines[1]["lang"]["en"], "en", "{out}");
    // Imported back, the stored tags come back too.
    std::fs::write(sb.path("c.jsonl"), &out).unwrap();
    let db2 = sb.path("two.db");
    sb.tmm_db(&db2, &["import", "c.jsonl"]).ok();
    let langs = sb.tmm_db(&db2, &["langs", "--json"]).ok().stdout();
    assert!(
        langs.contains("en-US") && langs.contains("zh-CN"),
        "{langs}"
    );
}

/// A TMX file of `n` distinct units.
fn big_tmx(n: usize) -> String {
    let mut body = String::new();
    for i in 0..n {
        body.push_str(&format!(
            "<tu><tuv xml:lang=\"en\"><seg>Sentence number {i} of a long memory to export.</seg></tuv>\
             <tuv xml:lang=\"fr\"><seg>Phrase numéro {i} d’une longue mémoire à exporter.</seg></tuv></tu>\n"
        ));
    }
    tmx(&body)
}

// Regression (10): an interrupted export left `.tmm-XXXXXX` files behind.
#[test]
fn an_interrupted_export_leaves_no_temporary_file() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("big.tmx"), big_tmx(40_000)).unwrap();
    sb.tmm(&["import", "--defer-index", "big.tmx"]).ok();
    let out_dir = sb.path("out");
    std::fs::create_dir(&out_dir).unwrap();
    // A file left by a process that was killed outright is cleaned by the next export.
    std::fs::write(out_dir.join(".tmm-4294967295-left"), "half").unwrap();
    let temps = || {
        std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(".tmm-"))
            .collect::<Vec<_>>()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmm"))
        .env_clear()
        .current_dir(sb.dir.path())
        .args([
            "--db",
            sb.db().to_str().unwrap(),
            "export",
            "-o",
            "out/all.tmx",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let names = temps();
        if names.iter().any(|n| !n.ends_with("-left")) {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the export ended before it could be interrupted"
        );
        assert!(
            started.elapsed().as_secs() < 60,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(
        !temps().iter().any(|n| n.ends_with("-left")),
        "the stale file is gone"
    );
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(temps().is_empty(), "{:?}", temps());
    assert!(!out_dir.join("all.tmx").exists());
}

// (9): a database in a folder the user may not write to is read as it is.
#[test]
fn a_database_in_a_read_only_folder_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    if crate::util::sqlite_only("a database file in a read-only folder") {
        return;
    }
    let sb = sample();
    let dir = sb.path("ro");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("tm.db");
    std::fs::copy(sb.db(), &db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let privileged = std::fs::File::create(dir.join("probe")).is_ok();
    if privileged {
        let _ = std::fs::remove_file(dir.join("probe"));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        crate::util::skipped(
            "rough_edges::a_database_in_a_read_only_folder_can_be_read: running with the right to write anywhere (root), so no folder is read-only",
        );
        return;
    }
    sb.tmm_db(&db, &["stats"]).ok().stdout_has("units      7");
    sb.tmm_db(
        &db,
        &[
            "suggest",
            "--from",
            "en",
            "--to",
            "fr",
            "--min",
            "20",
            "The past decade has shown the power of partnerships.",
        ],
    )
    .ok();
    sb.tmm_db(&db, &["concordance", "partnerships", "--from", "en"])
        .ok();
    sb.tmm_db(&db, &["export", "-o", "-"]).ok();
    sb.tmm_db(&db, &["origins"]).ok();
    sb.tmm_db(&db, &["units", "find", "--limit", "1"]).ok();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// Regression (4): a control character in a header attribute imported silently, then made
// every export of the origin fail.
#[test]
fn a_control_character_in_the_header_is_replaced_on_the_way_in() {
    let sb = Sandbox::new();
    let file = tmx("<tu><tuv xml:lang=\"en\"><seg>Hello.</seg></tuv><tuv xml:lang=\"fr\"><seg>Bonjour.</seg></tuv></tu>\n")
        .replace("creationtool=\"t\"", "creationtool=\"t&#1;\"");
    std::fs::write(sb.path("c.tmx"), file).unwrap();
    sb.tmm(&["import", "c.tmx"])
        .ok()
        .stderr_has("header: creationtool held U+0001, which XML 1.0 forbids; replaced by U+FFFD");
    sb.tmm(&["export", "-o", "out.tmx", "--origin", "c.tmx"])
        .ok()
        .stderr_has("1 units exported");
    let out = std::fs::read_to_string(sb.path("out.tmx")).unwrap();
    assert!(out.contains("creationtool=\"t\u{FFFD}\""), "{out}");
}

// Regression (6): attribute errors were reported at 1:1.
#[test]
fn attribute_errors_give_their_line_and_column() {
    let sb = Sandbox::new();
    let cases = [
        ("<tu tuid=abc>", "3:12: an attribute value not in quotes"),
        (
            "<tu tuid=\"a\" tuid=\"b\">",
            "3:16: a duplicate attribute (the first is at column 7)",
        ),
        (
            "<tu tuid=\"a&nbsp;b\">",
            "3:14: attribute tuid: &nbsp; is not one of XML's five",
        ),
        (
            "<tu tuid=\"x&#xD800;\">",
            "3:14: attribute tuid: &#xD800; names no character",
        ),
    ];
    for (tag, want) in cases {
        let file = tmx(&format!(
            "  {tag}<tuv xml:lang=\"en\"><seg>Hello.</seg></tuv><tuv xml:lang=\"fr\"><seg>Bonjour.</seg></tuv></tu>\n"
        ));
        std::fs::write(sb.path("bad.tmx"), file).unwrap();
        sb.tmm(&["import", "bad.tmx"])
            .fails()
            .stderr_has(&format!("bad.tmx:{want}"));
    }
}

// Regression (7): a lone UTF-16 surrogate became U+FFFD without a word.
#[test]
fn a_lone_utf16_surrogate_is_reported_with_its_position() {
    let sb = Sandbox::new();
    let text = tmx("<tu><tuv xml:lang=\"en\"><seg>Hello LONE.</seg></tuv><tuv xml:lang=\"fr\"><seg>Bonjour.</seg></tuv></tu>\n")
        .replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let mut units: Vec<u16> = vec![0xFEFF];
    for u in text.encode_utf16() {
        units.push(u);
    }
    // Put a lone high surrogate where "LONE" was.
    let lone: Vec<u16> = "LONE".encode_utf16().collect();
    let at = units.windows(4).position(|w| w == lone.as_slice()).unwrap();
    units.splice(at..at + 4, [0xD800]);
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    std::fs::write(sb.path("s.tmx"), bytes).unwrap();
    // The unit's line is 3; "Hello " starts at column 30 of it.
    let line3 = text.lines().nth(2).unwrap();
    let column = line3[..line3.find("LONE").unwrap()].chars().count() + 1;
    sb.tmm(&["import", "s.tmx"]).ok().stderr_has(&format!(
        "line 3, column {column}: a lone UTF-16 surrogate, replaced by U+FFFD"
    ));
}

// Regression (19): `--on-duplicate update` replaced only the newest of several alternatives.
#[test]
fn update_replaces_the_newest_and_removes_the_alternatives_it_supersedes() {
    let sb = Sandbox::new();
    let unit = |fr: &str| {
        format!(
            "<tu><tuv xml:lang=\"en\"><seg>The meeting is adjourned.</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv></tu>\n"
        )
    };
    std::fs::write(sb.path("a.tmx"), tmx(&unit("La séance est suspendue."))).unwrap();
    std::fs::write(sb.path("b.tmx"), tmx(&unit("La réunion est ajournée."))).unwrap();
    // The same source into Chinese: another language, it stays.
    std::fs::write(
        sb.path("zh.tmx"),
        tmx("<tu><tuv xml:lang=\"en\"><seg>The meeting is adjourned.</seg></tuv><tuv xml:lang=\"zh\"><seg>休会。</seg></tuv></tu>\n"),
    )
    .unwrap();
    for f in ["a.tmx", "b.tmx", "zh.tmx"] {
        sb.tmm(&["import", f]).ok();
    }
    let q = [
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "--json",
        "The meeting is adjourned.",
    ];
    assert_eq!(
        json(sb.tmm(&q)).as_array().unwrap().len(),
        2,
        "two alternatives"
    );
    std::fs::write(sb.path("c.tmx"), tmx(&unit("La séance est levée."))).unwrap();
    let s = json(sb.tmm(&["import", "--on-duplicate", "update", "c.tmx", "--json"]));
    assert_eq!(s["updated"], 1, "{s}");
    assert_eq!(s["superseded_removed"], 1, "{s}");
    let fr: Vec<Value> = json(sb.tmm(&q)).as_array().unwrap().clone();
    assert_eq!(fr.len(), 1, "{fr:?}");
    assert_eq!(fr[0]["target"], "La séance est levée.");
    let zh = json(sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "zh",
        "--json",
        "The meeting is adjourned.",
    ]));
    assert_eq!(zh[0]["target"], "休会。");
}

// Regression (23): one 50 MB segment made import and concordance use gigabytes; segments
// over the documented 1 MiB are refused with their line instead.
#[test]
fn a_segment_over_the_size_limit_is_refused_with_its_line() {
    let sb = Sandbox::new();
    let huge = "word ".repeat(300_000);
    std::fs::write(
        sb.path("big.tmx"),
        tmx(&format!(
            "<tu><tuv xml:lang=\"en\"><seg>{huge}</seg></tuv><tuv xml:lang=\"fr\"><seg>mot</seg></tuv></tu>\n\
             <tu><tuv xml:lang=\"en\"><seg>Small one.</seg></tuv><tuv xml:lang=\"fr\"><seg>Petit.</seg></tuv></tu>\n"
        )),
    )
    .unwrap();
    sb.tmm(&["import", "big.tmx"])
        .ok()
        .stderr_has("big.tmx:3: unit skipped")
        .stderr_has("over tmm's limit of 1 MiB")
        .stderr_has("1 added");
    std::fs::write(sb.path("big.tsv"), format!("{huge}\tmot\nHello\tBonjour\n")).unwrap();
    sb.tmm(&["import", "--from", "en", "--to", "fr", "big.tsv"])
        .ok()
        .stderr_has("over tmm's limit of 1 MiB")
        .stderr_has("1 added");
}

// Regression (8): an unknown header segtype lost its prop on the second export, and inline
// constructs the DTD forbids were written back verbatim.
#[test]
fn non_dtd_segtypes_and_inline_constructs_round_trip_in_props_and_exports_stay_valid() {
    let sb = Sandbox::new();
    let file = tmx(
        "<tu segtype=\"clause\"><tuv xml:lang=\"en\"><seg>Hello <b>bold</b> and <bpt>x</bpt>y.</seg></tuv>\
         <tuv xml:lang=\"fr\"><seg>Bonjour <it>q</it> <sub>s</sub>.</seg></tuv></tu>\n\
         <tu><tuv xml:lang=\"en\"><seg>Keep <bpt i=\"1\">&lt;b&gt;</bpt>this<ept i=\"1\">&lt;/b&gt;</ept>.</seg></tuv>\
         <tuv xml:lang=\"fr\"><seg>Garde <ph>&lt;br/&gt;</ph>ça.</seg></tuv></tu>\n",
    )
    .replace("segtype=\"sentence\"", "segtype=\"bogus\"");
    std::fs::write(sb.path("odd.tmx"), file).unwrap();
    sb.tmm(&["import", "odd.tmx"]).ok();
    sb.tmm(&["export", "-o", "one.tmx"]).ok();
    let db2 = sb.path("two.db");
    sb.tmm_db(&db2, &["import", "one.tmx"]).ok();
    sb.tmm_db(&db2, &["export", "-o", "two.tmx"]).ok();
    let one = std::fs::read_to_string(sb.path("one.tmx")).unwrap();
    let two = std::fs::read_to_string(sb.path("two.tmx")).unwrap();
    assert_eq!(one, two, "the second export is the first");
    assert!(
        one.contains("<prop type=\"x-tmm-attribute:segtype\">bogus</prop>"),
        "{one}"
    );
    assert!(
        one.contains("<prop type=\"x-tmm-attribute:segtype\">clause</prop>"),
        "{one}"
    );
    assert!(one.contains("<seg>Hello bold and y.</seg>"), "{one}");
    // Valid markup is written as it is.
    assert!(
        one.contains(
            "<seg>Keep <bpt i=\"1\">&lt;b&gt;</bpt>this<ept i=\"1\">&lt;/b&gt;</ept>.</seg>"
        ),
        "{one}"
    );
    crate::validate::assert_valid_tmx(&sb.path("one.tmx"));
    // The exact markup came back.
    let unit = json(sb.tmm_db(&db2, &["units", "show", "1", "--json"]));
    assert_eq!(
        unit["variants"][0]["segment"]["markup"],
        "Hello <b>bold</b> and <bpt>x</bpt>y."
    );
}

// Regression (20): `tmm import DIR` failed with "Is a directory".
#[test]
fn a_folder_imports_every_tmx_file_under_it_in_name_order_one_transaction_each() {
    let sb = Sandbox::new();
    let dir = sb.path("memories");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let unit = |en: &str, fr: &str| {
        tmx(&format!(
            "<tu><tuv xml:lang=\"en\"><seg>{en}</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv></tu>\n"
        ))
    };
    std::fs::write(dir.join("b.tmx"), unit("Second file.", "Deuxième fichier.")).unwrap();
    std::fs::write(
        dir.join("sub/a.TMX"),
        unit("Nested file.", "Fichier imbriqué."),
    )
    .unwrap();
    std::fs::write(dir.join("a.tmx"), unit("First file.", "Premier fichier.")).unwrap();
    std::fs::write(dir.join("broken.tmx"), "<tmx version=\"1.4\"><header").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a memory").unwrap();
    sb.tmm(&["import", "memories"])
        .fails()
        .stderr_has("broken.tmx")
        .stderr_has("1 of 4 files not imported");
    let names: Vec<String> = json(sb.tmm(&["origins", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a.tmx", "b.tmx", "a.TMX"]);
}

/// Runs `tmm ARGS` on a pseudo-terminal (util-linux `script`), with `NO_COLOR` set or not;
/// None when `script` is missing.
fn on_a_terminal(sb: &Sandbox, no_color: Option<&str>, args: &[&str]) -> Option<String> {
    let mut line = format!(
        "'{}' --db '{}'",
        env!("CARGO_BIN_EXE_tmm"),
        sb.db().display()
    );
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let mut cmd = Command::new("script");
    cmd.env_remove("NO_COLOR")
        .current_dir(sb.dir.path())
        .args(["-qec", &line, "/dev/null"]);
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().ok()?;
    assert!(out.status.success(), "{line}: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

// Rough edge: colour on a terminal must yield to NO_COLOR (https://no-color.org: set and
// not empty), and only on a terminal is it on by default.
#[test]
fn no_color_turns_the_diff_colours_off_on_a_terminal() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("a.tmx"),
        tmx(
            "<tu><tuv xml:lang=\"en\"><seg>Open the file list now.</seg></tuv>\
             <tuv xml:lang=\"fr\"><seg>Ouvrez la liste des fichiers.</seg></tuv></tu>\n",
        ),
    )
    .unwrap();
    sb.tmm(&["import", "a.tmx"]).ok();
    let args = [
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "Open the file list today.",
    ];
    let Some(coloured) = on_a_terminal(&sb, None, &args) else {
        crate::util::skipped(
            "no_color_turns_the_diff_colours_off_on_a_terminal: `script` (util-linux) not found",
        );
        return;
    };
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    let plain = on_a_terminal(&sb, Some("1"), &args).unwrap();
    assert!(!plain.contains("\x1b["), "{plain:?}");
    assert!(plain.contains("[-now-] {+today+}"), "{plain:?}");
    // Empty means unset.
    let empty = on_a_terminal(&sb, Some(""), &args).unwrap();
    assert!(empty.contains("\x1b["), "{empty:?}");
    // Not a terminal: no colour without NO_COLOR either.
    let piped = sb.tmm(&args).ok();
    assert!(!piped.stdout().contains("\x1b["), "{}", piped.stdout());
}
