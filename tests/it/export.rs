//! `tmm export`: DTD-valid, deterministic TMX with filters.

use std::process::Command;

use crate::util::{Sandbox, root};
use crate::validate::assert_valid_tmx;

fn sample() -> String {
    root().join("tmx/un-ssc-2012.tmx").display().to_string()
}

#[test]
fn sample_export_is_dtd_valid() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    sb.tmm(&["export", "-o", "out.tmx"])
        .ok()
        .stderr_has("7 units exported");
    assert_valid_tmx(&sb.path("out.tmx"));
}

#[test]
fn langs_filter_keeps_only_those_variants() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    sb.tmm(&["export", "-o", "fr-zh.tmx", "--langs", "fr,zh"])
        .ok();
    let out = std::fs::read_to_string(sb.path("fr-zh.tmx")).unwrap();
    assert_eq!(out.matches("<tuv xml:lang=\"fr\"").count(), 7);
    assert_eq!(out.matches("<tuv xml:lang=\"zh\"").count(), 7);
    assert!(!out.contains("xml:lang=\"en\""), "{out}");
    // The file's source language is gone, so the header says any variant may be source.
    assert!(out.contains("srclang=\"*all*\""), "{out}");
    assert_valid_tmx(&sb.path("fr-zh.tmx"));
}

#[test]
fn units_left_with_one_language_are_dropped() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("x.tmx"),
        "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\
         <tu><tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"fr-FR\"><seg>b</seg></tuv></tu>\
         <tu><tuv xml:lang=\"en\"><seg>c</seg></tuv><tuv xml:lang=\"de\"><seg>d</seg></tuv></tu>\
         </body></tmx>",
    )
    .unwrap();
    sb.tmm(&["import", "x.tmx"]).ok();
    sb.tmm(&["export", "-o", "o.tmx", "--langs", "en,fr"])
        .ok()
        .stderr_has("1 units exported");
}

#[test]
fn origin_and_source_lang_filters() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    std::fs::write(
        sb.path("other.tmx"),
        "<tmx version=\"1.4\"><header srclang=\"fr\"/><body><tu><tuv xml:lang=\"fr\"><seg>Oui</seg></tuv><tuv xml:lang=\"en\"><seg>Yes</seg></tuv></tu></body></tmx>",
    )
    .unwrap();
    sb.tmm(&["import", "other.tmx"]).ok();
    sb.tmm(&["export", "-o", "a.tmx", "--origin", "other.tmx"])
        .ok()
        .stderr_has("1 units exported");
    sb.tmm(&["export", "-o", "b.tmx", "--source-lang", "en"])
        .ok()
        .stderr_has("7 units exported");
    sb.tmm(&["export", "-o", "c.tmx", "--origin", "nope"])
        .fails()
        .stderr_has("no origin \"nope\"");
    assert!(!sb.path("c.tmx").exists(), "a failed export left a file");
}

#[test]
fn control_characters_go_out_as_placeholders() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("x.tmx"),
        "<tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"en\"><seg>bell&#7;here</seg></tuv><tuv xml:lang=\"fr\"><seg>x</seg></tuv></tu></body></tmx>",
    )
    .unwrap();
    sb.tmm(&["import", "x.tmx"]).ok();
    sb.tmm(&["export", "-o", "o.tmx"]).ok();
    let out = std::fs::read_to_string(sb.path("o.tmx")).unwrap();
    assert!(
        out.contains("bell<ph type=\"x-tmm-control\">&amp;#x7;</ph>here"),
        "{out}"
    );
    assert_valid_tmx(&sb.path("o.tmx"));
}

#[test]
fn broken_pipe_exits_quietly() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmm"))
        .arg("--db")
        .arg(sb.db())
        .args(["export", "-o", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty() || String::from_utf8_lossy(&out.stderr).contains("exported"));
}

#[test]
fn a_unit_with_a_control_character_outside_its_text_is_left_out_and_named() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("x.tmx"),
        "<tmx version=\"1.4\"><header/><body>\n<tu tuid=\"bad\"><prop type=\"x\">a&#7;b</prop><tuv xml:lang=\"en\"><seg>a</seg></tuv><tuv xml:lang=\"fr\"><seg>b</seg></tuv></tu>\n<tu><tuv xml:lang=\"en\"><seg>c</seg></tuv><tuv xml:lang=\"fr\"><seg>d</seg></tuv></tu>\n</body></tmx>",
    )
    .unwrap();
    sb.tmm(&["import", "x.tmx"])
        .ok()
        .stderr_has("x.tmx:2: prop \"x\" contains U+0007")
        .stderr_has("2 added");
    sb.tmm(&["export", "-o", "o.tmx"])
        .ok()
        .stderr_has("not exported: unit tuid=\"bad\": prop \"x\" contains U+0007")
        .stderr_has("1 units exported");
    assert_valid_tmx(&sb.path("o.tmx"));
}

#[test]
fn export_follows_a_link_and_writes_special_files_in_place() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    std::fs::write(sb.path("real.tmx"), "old").unwrap();
    std::os::unix::fs::symlink(sb.path("real.tmx"), sb.path("link.tmx")).unwrap();
    sb.tmm(&["export", "-o", "link.tmx"]).ok();
    assert!(
        std::fs::symlink_metadata(sb.path("link.tmx"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(sb.path("real.tmx"))
            .unwrap()
            .contains("<tmx")
    );
    sb.tmm(&["export", "-o", "/dev/null"]).ok();
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}

#[test]
fn reading_commands_never_create_a_database() {
    let sb = Sandbox::new();
    sb.tmm(&["stats"]).fails().stderr_has("no database at ");
    sb.tmm(&["export", "-o", "x.tmx"])
        .fails()
        .stderr_has("no database at ");
    assert!(!sb.db_exists());
}

#[test]
fn another_applications_sqlite_file_is_left_alone() {
    if crate::util::sqlite_only("another application's SQLite file") {
        return;
    }
    let sb = Sandbox::new();
    let conn = rusqlite::Connection::open(sb.path("other.db")).unwrap();
    conn.execute_batch("CREATE TABLE foo (x)").unwrap();
    drop(conn);
    let other = sb.path("other.db");
    sb.tmm_db(&other, &["stats"])
        .fails()
        .stderr_has("a SQLite database of another application");
    sb.tmm_db(&other, &["import", &sample()]).fails();
    let conn = rusqlite::Connection::open(&other).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
}

#[test]
fn stats_into_a_closed_pipe_exits_quietly() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    let out = Command::new(env!("CARGO_BIN_EXE_tmm"))
        .arg("--db")
        .arg(sb.db())
        .arg("stats")
        .stdout(std::process::Stdio::from(
            // A pipe whose reading end is already closed.
            {
                let mut child = Command::new("true")
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                let stdin = child.stdin.take().unwrap();
                child.wait().unwrap();
                stdin
            },
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
