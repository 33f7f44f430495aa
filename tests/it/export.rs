//! `tmm export`: DTD-valid, deterministic TMX with filters.

use std::process::Command;

use crate::util::{Sandbox, root};

fn sample() -> String {
    root().join("tmx/un-ssc-2012.tmx").display().to_string()
}

/// Validates a file against the TMX 1.4 DTD with xmllint (installed by .ci/run).
pub fn assert_dtd_valid(path: &std::path::Path) {
    let dtd = crate::util::corpus().join("spec/tmx14.dtd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--dtdvalid")
        .arg(&dtd)
        .arg(path)
        .output()
        .expect("xmllint is needed for the DTD tests (apt-get install libxml2-utils)");
    assert!(
        out.status.success(),
        "{} is not valid TMX 1.4:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sample_export_is_dtd_valid() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    sb.tmm(&["export", "-o", "out.tmx"])
        .ok()
        .stderr_has("7 units exported");
    assert_dtd_valid(&sb.path("out.tmx"));
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
    assert_dtd_valid(&sb.path("fr-zh.tmx"));
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
    assert_dtd_valid(&sb.path("o.tmx"));
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
