//! `tmm import` on broken, invalid and duplicate input: precise errors, nothing half-stored.

use std::path::Path;

use crate::util::{Sandbox, corpus, root};

fn sample() -> String {
    root().join("tmx/un-ssc-2012.tmx").display().to_string()
}

fn corpus_file(corpus: &Path, rel: &str) -> String {
    corpus.join("tmx").join(rel).display().to_string()
}

/// The whole store as TMX, to compare before and after a failed import.
fn snapshot(sb: &Sandbox) -> Vec<u8> {
    sb.tmm(&["export", "-o", "snapshot.tmx"]).ok();
    std::fs::read(sb.path("snapshot.tmx")).unwrap()
}

/// Imports the sample, then `file`, expecting failure with `error`; the store is unchanged.
pub fn refused_without_change(file: &str, error: &str) {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    let before = snapshot(&sb);
    sb.tmm(&["import", file]).fails().stderr_has(error);
    assert_eq!(
        before,
        snapshot(&sb),
        "the store changed after a refused import"
    );
    sb.tmm(&["stats"]).ok().stdout_has("units      7\n");
}

#[test]
fn empty_file_is_refused_at_its_first_position() {
    let Some(corpus) =
        corpus("the corpus test import::empty_file_is_refused_at_its_first_position")
    else {
        return;
    };
    let f = corpus_file(&corpus, "heartsome/ImportTMXTest0_empty-file.tmx");
    refused_without_change(&f, &format!("{f}:1:1: no <tmx> element: the file is empty"));
}

#[test]
fn truncated_file_is_refused_at_its_end() {
    let Some(corpus) = corpus("the corpus test import::truncated_file_is_refused_at_its_end")
    else {
        return;
    };
    let f = corpus_file(
        &corpus,
        "excerpts/omegat-6.0.0_en-ru_TRUNCATED-no-closing-tags_malformed.tmx",
    );
    refused_without_change(
        &f,
        &format!("{f}:23:1: unexpected end of file inside <body>"),
    );
}

#[test]
fn body_closed_early_is_refused_at_the_stray_unit() {
    let Some(corpus) =
        corpus("the corpus test import::body_closed_early_is_refused_at_the_stray_unit")
    else {
        return;
    };
    let f = corpus_file(&corpus, "zf1-translate/failed.tmx");
    refused_without_change(
        &f,
        &format!("{f}:7:3: <tu> after the end of <body>: the body was closed early"),
    );
}

#[test]
fn missing_file_is_named() {
    refused_without_change(
        "no-such-file.tmx",
        "no-such-file.tmx: No such file or directory",
    );
}

#[test]
fn a_file_that_is_not_tmx_is_refused() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("x.xml"), "<html><body/></html>").unwrap();
    sb.tmm(&["import", "x.xml"])
        .fails()
        .stderr_has("x.xml: not a TMX file: the root element is <html>");
}

#[test]
fn unknown_declared_encoding_is_refused() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("x.tmx"),
        "<?xml version=\"1.0\" encoding=\"klingon-8\"?><tmx/>",
    )
    .unwrap();
    sb.tmm(&["import", "x.tmx"])
        .fails()
        .stderr_has("x.tmx: unknown encoding \"klingon-8\"");
}

#[test]
fn custom_entities_are_never_expanded() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("x.tmx"),
        "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [<!ENTITY boom \"BOOM\">]>\n<tmx version=\"1.4\"><header/><body>\n<tu><tuv xml:lang=\"en\"><seg>&boom;</seg></tuv></tu></body></tmx>\n",
    )
    .unwrap();
    sb.tmm(&["import", "x.tmx"])
        .fails()
        .stderr_has("x.tmx:4:")
        .stderr_has("entity &boom; is not one of XML's five");
    sb.tmm(&["stats"]).ok().stdout_has("units      0\n");
}

#[test]
fn unbalanced_inline_tags_skip_the_unit_with_its_line_or_fail_under_strict() {
    let Some(corpus) = corpus(
        "the corpus test import::unbalanced_inline_tags_skip_the_unit_with_its_line_or_fail_under_strict",
    ) else {
        return;
    };
    let f = corpus_file(&corpus, "omegat/tmx__invalid.tmx");
    let sb = Sandbox::new();
    sb.tmm(&["import", &f])
        .ok()
        .stderr_has("1 units read, 0 added")
        .stderr_has("1 invalid")
        .stderr_has(":9: unit skipped: line 11: <ept i=\"1\"> has no matching <bpt> before it");
    sb.tmm(&["import", "--strict", &f])
        .fails()
        .stderr_has(&format!(
            "{f}:9: line 11: <ept i=\"1\"> has no matching <bpt>"
        ));
}

#[test]
fn a_variant_without_seg_is_reported_and_the_rest_imported() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("x.tmx"),
        "<tmx version=\"1.4\"><header/><body>\n<tu><tuv xml:lang=\"en\"><seg>ok</seg></tuv><tuv xml:lang=\"fr\"><seg>oui</seg></tuv></tu>\n<tu><tuv xml:lang=\"en\"></tuv></tu>\n<tu><tuv><seg>no language</seg></tuv></tu>\n</body></tmx>\n",
    )
    .unwrap();
    sb.tmm(&["import", "x.tmx"])
        .ok()
        .stderr_has("3 units read, 1 added")
        .stderr_has("2 invalid")
        .stderr_has("x.tmx:3: unit skipped: line 3: <tuv xml:lang=\"en\"> has no <seg>")
        .stderr_has("x.tmx:4: unit skipped: line 4: <tuv> has no xml:lang");
}

#[test]
fn declared_utf16_that_is_utf8_is_read_with_a_warning() {
    let Some(corpus) =
        corpus("the corpus test import::declared_utf16_that_is_utf8_is_read_with_a_warning")
    else {
        return;
    };
    let f = corpus_file(&corpus, "memoq/technitrad-tmxcleaner__sample.tmx");
    let sb = Sandbox::new();
    sb.tmm(&["import", &f])
        .ok()
        .stderr_has("declares encoding \"utf-16\" but the bytes are UTF-8")
        // The two copies differ only in their change date: the newer is kept.
        .stderr_has("2 units read, 1 added, 0 alternatives added, 1 updated");
    sb.tmm(&["export", "-o", "out.tmx"]).ok();
    let out = std::fs::read_to_string(sb.path("out.tmx")).unwrap();
    assert!(out.contains("changedate=\"20240113T155242Z\""), "{out}");
    assert!(!out.contains("20240112T155242Z"), "{out}");
}

#[test]
fn a_country_code_as_language_is_reported_and_kept_as_written() {
    let Some(corpus) = corpus(
        "the corpus test import::a_country_code_as_language_is_reported_and_kept_as_written",
    ) else {
        return;
    };
    let f = corpus_file(&corpus, "weblate/memory2.tmx");
    let sb = Sandbox::new();
    sb.tmm(&["import", &f])
        .ok()
        .stderr_has("language tag \"SC\" is a code tools use for a script or country");
    sb.tmm(&["export", "-o", "out.tmx"]).ok();
    let out = std::fs::read_to_string(sb.path("out.tmx")).unwrap();
    assert!(out.contains("<tuv xml:lang=\"SC\""), "{out}");
}

#[test]
fn reimport_adds_nothing() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    sb.tmm(&["import", &sample()])
        .ok()
        .stderr_has("7 units read, 0 added, 0 alternatives added, 0 updated, 7 duplicates skipped");
    sb.tmm(&["stats", "--json"]).ok().stdout_has("\"units\": 7");
}

fn pair(sb: &Sandbox, name: &str, fr: &str) {
    std::fs::write(
        sb.path(name),
        format!(
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body><tu><tuv xml:lang=\"en\"><seg>Hello</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv></tu></body></tmx>"
        ),
    )
    .unwrap();
}

fn french(sb: &Sandbox) -> String {
    sb.tmm(&["export", "-o", "out.tmx"]).ok();
    std::fs::read_to_string(sb.path("out.tmx")).unwrap()
}

#[test]
fn on_duplicate_keep_adds_a_new_translation_as_an_alternative() {
    let sb = Sandbox::new();
    pair(&sb, "a.tmx", "Bonjour");
    pair(&sb, "b.tmx", "Salut");
    sb.tmm(&["import", "a.tmx"]).ok();
    sb.tmm(&["import", "b.tmx"])
        .ok()
        .stderr_has("1 alternatives added");
    let out = french(&sb);
    assert!(out.contains("Bonjour") && out.contains("Salut"), "{out}");
}

#[test]
fn on_duplicate_skip_keeps_the_stored_translation() {
    let sb = Sandbox::new();
    pair(&sb, "a.tmx", "Bonjour");
    pair(&sb, "b.tmx", "Salut");
    sb.tmm(&["import", "a.tmx"]).ok();
    sb.tmm(&["import", "--on-duplicate", "skip", "b.tmx"])
        .ok()
        .stderr_has("1 duplicates skipped");
    let out = french(&sb);
    assert!(out.contains("Bonjour") && !out.contains("Salut"), "{out}");
}

#[test]
fn on_duplicate_update_replaces_the_stored_translation() {
    let sb = Sandbox::new();
    pair(&sb, "a.tmx", "Bonjour");
    pair(&sb, "b.tmx", "Salut");
    sb.tmm(&["import", "a.tmx"]).ok();
    sb.tmm(&["import", "--on-duplicate", "update", "b.tmx"])
        .ok()
        .stderr_has("1 updated");
    let out = french(&sb);
    assert!(!out.contains("Bonjour") && out.contains("Salut"), "{out}");
    sb.tmm(&["stats", "--json"]).ok().stdout_has("\"units\": 1");
}

#[test]
fn json_summary_has_the_counts() {
    let sb = Sandbox::new();
    let run = sb.tmm(&["import", "--json", &sample()]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(v["units_read"], 7);
    assert_eq!(v["added"], 7);
    assert_eq!(v["languages"].as_array().unwrap().len(), 6);
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let Some(corpus) = corpus("the corpus test import::one_bad_file_does_not_stop_the_others")
    else {
        return;
    };
    let sb = Sandbox::new();
    let bad = corpus_file(&corpus, "heartsome/ImportTMXTest0_empty-file.tmx");
    sb.tmm(&["import", &bad, &sample()])
        .fails()
        .stderr_has("1 of 2 files not imported")
        .stderr_has("7 added");
}

#[test]
fn bytes_that_are_not_the_files_encoding_are_located_exactly() {
    let sb = Sandbox::new();
    let mut doc = b"<tmx version=\"1.4\"><header/><body>\n".to_vec();
    for i in 0..2000 {
        doc.extend(format!("<tu><tuv xml:lang=\"en\"><seg>line {i}</seg></tuv></tu>\n").bytes());
    }
    // A Latin-1 é in a file that declares nothing, so is read as UTF-8.
    doc.extend(b"<tu><tuv xml:lang=\"fr\"><seg>caf\xe9</seg></tuv></tu>\n</body></tmx>\n");
    std::fs::write(sb.path("latin1.tmx"), doc).unwrap();
    let run = sb.tmm(&["import", "latin1.tmx"]).fails().stderr_has(
        "latin1.tmx:2002:32: not valid UTF-8: the bytes do not match the file's encoding",
    );
    assert_eq!(run.stderr().lines().count(), 1, "{}", run.stderr());
    assert!(run.stdout().is_empty(), "{}", run.stdout());
}

#[test]
fn extra_tsv_columns_are_reported_not_dropped_silently() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("three.tsv"), "a\tb\tc\n").unwrap();
    sb.tmm(&["import", "--from", "en", "--to", "fr", "three.tsv"])
        .ok()
        .stderr_has("three.tsv:1: row has 3 columns; only the first two (en and fr) are imported");
}
