//! Each quirk of real TMX files, on the project's own fixtures (tests/fixtures/tmx): what
//! `tmm import` reports, what it stores, and that export → import → export gives the same
//! bytes as valid TMX 1.4. The corpus tests in `import.rs` check the same on the files of
//! real tools when ../shared/corpus is there; these run everywhere.

use crate::import::refused_without_change;
use crate::util::{Sandbox, fixture, root, skipped};
use crate::validate::assert_valid_tmx;

fn fx(rel: &str) -> String {
    fixture("tmx").join(rel).display().to_string()
}

/// Imports `rel` into a fresh sandbox, exports it, imports the export into a second store and
/// exports again: the two exports are the same bytes and valid TMX. Returns the sandbox, the
/// import run and the export.
fn round_trip(rel: &str) -> (Sandbox, crate::util::Run, String) {
    let sb = Sandbox::new();
    let imported = sb.tmm(&["import", &fx(rel)]).ok();
    sb.tmm(&["export", "-o", "a.tmx"]).ok();
    let db2 = sb.path("second.db");
    sb.tmm_db(&db2, &["import", "a.tmx"]).ok();
    sb.tmm_db(&db2, &["export", "-o", "b.tmx"]).ok();
    let a = std::fs::read(sb.path("a.tmx")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&a),
        String::from_utf8_lossy(&std::fs::read(sb.path("b.tmx")).unwrap()),
        "{rel}: the second export differs from the first"
    );
    assert_valid_tmx(&sb.path("a.tmx"));
    (sb, imported, String::from_utf8(a).unwrap())
}

/// The `<seg>…</seg>` elements of a TMX text, in order.
fn segs(tmx: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = tmx;
    while let Some(start) = rest.find("<seg") {
        let end = rest[start..]
            .find("</seg>")
            .map(|e| start + e + 6)
            .or_else(|| rest[start..].find("/>").map(|e| start + e + 2))
            .unwrap();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(fx(rel)).unwrap()
}

#[test]
fn utf16le_with_bom_is_read_as_utf16() {
    assert_eq!(&bytes("utf16le-bom.tmx")[..4], b"\xff\xfe<\0");
    let (_, import, out) = round_trip("utf16le-bom.tmx");
    assert!(!import.stderr().contains("warning:"), "{}", import.stderr());
    import.stderr_has("2 units read, 2 added, 0 alternatives added, 0 updated, 0 duplicates skipped, 0 invalid, 0 warnings");
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    assert!(
        out.contains("<seg>Insérez le <bpt i=\"1\">{\\b </bpt>disque<ept i=\"1\">}</ept>.</seg>"),
        "{out}"
    );
    assert!(out.contains("<seg>Redémarrez et patientez…</seg>"), "{out}");
    assert!(out.contains("<tuv xml:lang=\"fr-FR\">"), "{out}");
}

#[test]
fn utf16be_without_bom_is_recognised_from_its_first_bytes() {
    assert_eq!(&bytes("utf16be-nobom.tmx")[..4], b"\0<\0?");
    let (_, import, out) = round_trip("utf16be-nobom.tmx");
    import
        .stderr_has("2 units read, 2 added")
        .stderr_has("utf16be-nobom.tmx: <tmx> has no version; read as TMX 1.4");
    assert!(out.contains("<seg>翻译记忆库</seg>"), "{out}");
    assert!(
        out.contains("<seg>术语 <ph x=\"1\">&amp;nbsp;</ph>表</seg>"),
        "{out}"
    );
    assert!(out.contains("srclang=\"*all*\""), "{out}");
}

#[test]
fn utf16be_with_and_without_bom_store_the_same_memory() {
    assert_eq!(&bytes("utf16be-bom.tmx")[..4], b"\xfe\xff\0<");
    let (_, import, with_bom) = round_trip("utf16be-bom.tmx");
    import
        .stderr_has("2 units read, 2 added")
        .stderr_has("utf16be-bom.tmx: <tmx> has no version; read as TMX 1.4");
    let (_, _, without) = round_trip("utf16be-nobom.tmx");
    assert_eq!(with_bom, without);
}

/// Twin of `import::declared_utf16_that_is_utf8_is_read_with_a_warning` (memoQ).
#[test]
fn declared_utf16_that_is_utf8_is_read_as_utf8_with_a_warning() {
    let (_, import, out) = round_trip("declared-utf16-is-utf8.tmx");
    import
        .stderr_has("declared-utf16-is-utf8.tmx: declares encoding \"utf-16\" but the bytes are UTF-8; read as UTF-8")
        // The two copies differ only in their change date: the newer is kept.
        .stderr_has("2 units read, 1 added, 0 alternatives added, 1 updated");
    assert!(out.contains("changedate=\"20240113T155242Z\""), "{out}");
    assert!(!out.contains("20240112T155242Z"), "{out}");
    assert!(
        out.contains("<prop type=\"client\">Ministère</prop>"),
        "{out}"
    );
}

#[test]
fn windows_1252_letters_and_punctuation_are_decoded() {
    let raw = bytes("windows-1252.tmx");
    // “ ” – ’ … € ™ and Ž are single bytes 0x80–0x9F in windows-1252, not UTF-8.
    for b in [0x93, 0x94, 0x96, 0x92, 0x85, 0x80, 0x99, 0x8e] {
        assert!(raw.contains(&b), "byte {b:#x} missing");
    }
    assert!(std::str::from_utf8(&raw).is_err());
    let (_, import, out) = round_trip("windows-1252.tmx");
    import.stderr_has("2 units read, 2 added, 0 alternatives added, 0 updated, 0 duplicates skipped, 0 invalid, 0 warnings");
    assert!(
        out.contains("<seg>“Quoted” text – it’s here…</seg>"),
        "{out}"
    );
    assert!(
        out.contains("<seg>Prix : 5 € par œuvre™ à Žilina</seg>"),
        "{out}"
    );
}

#[test]
fn srclang_all_units_keep_any_language_as_source() {
    let (sb, import, out) = round_trip("srclang-all.tmx");
    assert!(!import.stderr().contains("warning:"), "{}", import.stderr());
    import
        .stderr_has("3 units read, 3 added")
        .stderr_has("languages: de-DE, en-US, zh-CN");
    assert!(out.contains("srclang=\"*all*\""), "{out}");
    assert!(out.contains("<tu srclang=\"de-DE\">"), "{out}");
    // A unit without the header's language is kept (there is none: any may be source).
    sb.tmm(&[
        "export", "--format", "tsv", "--from", "zh-CN", "--to", "de-DE", "-o", "-",
    ])
    .ok()
    .stdout_has("请发言。\tSie haben das Wort.\n");
}

#[test]
fn inline_markup_comes_back_element_for_element() {
    let original = std::fs::read_to_string(fx("inline-markup.tmx")).unwrap();
    let (sb, import, out) = round_trip("inline-markup.tmx");
    import
        .stderr_has("5 units read, 5 added")
        .stderr_has("0 invalid");
    assert_eq!(segs(&out), segs(&original));
    assert_eq!(segs(&out).len(), 10);
    assert!(out.contains("<bpt i=\"1\" x=\"1\" type=\"structure-only\"/>here<ept i=\"1\"/>"));
    // The plain text leaves out the native code, and <sub> text too.
    let run = sb
        .tmm(&[
            "export", "--format", "tsv", "--from", "en", "--to", "fr", "-o", "-",
        ])
        .ok();
    assert_eq!(
        run.stdout(),
        "Press Save to keep your work.\tAppuyez sur Enregistrer pour garder votre travail.\n\
         See the help.\tVoir l'aide.\n\
         continued from the previous line\tsuite de la ligne précédente\n\
         A translation memory stores segments.\tUne mémoire de traduction stocke des segments.\n\
         Click here now.\tCliquez ici maintenant.\n"
    );
}

#[test]
fn tmx_1_1_lang_attributes_are_read_and_written_as_xml_lang() {
    let (_, import, out) = round_trip("tmx11-lang-attribute.tmx");
    import
        .stderr_has("2 units read, 2 added")
        .stderr_has("languages: en, fr");
    assert!(out.contains("<tmx version=\"1.4\">"), "{out}");
    assert_eq!(out.matches("<tuv xml:lang=\"fr\">").count(), 2, "{out}");
    assert!(!out.contains(" lang="), "{out}");
    assert!(out.contains("<seg>Fermez la fenêtre.</seg>"), "{out}");
}

#[test]
fn a_file_without_header_is_read_with_a_warning() {
    let (_, import, out) = round_trip("no-header.tmx");
    import
        .stderr_has("no-header.tmx: no <header>")
        .stderr_has("2 units read, 2 added")
        .stderr_has("1 warnings");
    // The export's header has every attribute the DTD requires.
    assert!(
        out.contains("<header creationtool=\"unknown\" creationtoolversion=\"unknown\" datatype=\"unknown\" segtype=\"sentence\" adminlang=\"en\" srclang=\"*all*\" o-tmf=\"unknown\"/>"),
        "{out}"
    );
    assert!(out.contains("<prop type=\"tmgr:segNum\">2</prop>"), "{out}");
}

#[test]
fn zanata_prop_name_is_read_as_type_in_a_unit_of_eight_languages() {
    let (_, import, out) = round_trip("zanata-prop-name.tmx");
    import
        .stderr_has("zanata-prop-name.tmx:5: <prop name=\"gettext-context\"> read as type=\"gettext-context\"")
        .stderr_has("zanata-prop-name.tmx:5: <prop name=\"project\"> read as type=\"project\"")
        .stderr_has("1 units read, 1 added")
        .stderr_has("languages: ar, de, en-US, es, fr, ja, ru, zh-Hans");
    assert!(
        out.contains("<prop type=\"gettext-context\">menu</prop>"),
        "{out}"
    );
    assert_eq!(out.matches("<tuv ").count(), 8, "{out}");
}

#[test]
fn comments_in_body_units_and_variants_are_ignored() {
    let (_, import, out) = round_trip("comments-in-body.tmx");
    assert!(!import.stderr().contains("warning:"), "{}", import.stderr());
    import.stderr_has("2 units read, 2 added, 0 alternatives added, 0 updated, 0 duplicates skipped, 0 invalid, 0 warnings");
    assert!(out.contains("<seg>Buongiorno.</seg>"), "{out}");
    assert!(!out.contains("<!--"), "{out}");
}

#[test]
fn an_http_dtd_in_the_doctype_is_never_fetched() {
    let (_, import, out) = round_trip("doctype-http-dtd.tmx");
    import
        .stderr_has("1 units read, 1 added")
        .stderr_has("0 warnings");
    assert!(out.contains("<seg>Hyvää huomenta.</seg>"), "{out}");
    assert!(!out.contains("DOCTYPE"), "{out}");
    // Point the DOCTYPE at a server of our own: tmm must not connect to it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "http://127.0.0.1:{}/tmx14.dtd",
        listener.local_addr().unwrap().port()
    );
    let text = std::fs::read_to_string(fx("doctype-http-dtd.tmx")).unwrap();
    assert!(text.contains("\"http://www.lisa.org/tmx/tmx14.dtd\""));
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("local.tmx"),
        text.replace("http://www.lisa.org/tmx/tmx14.dtd", &url),
    )
    .unwrap();
    sb.tmm(&["import", "local.tmx"]).ok().stderr_has("1 added");
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("tmm connected to the DTD's address: {other:?}"),
    }
}

#[test]
fn characters_outside_the_bmp_are_kept_raw_or_from_references() {
    let (sb, import, out) = round_trip("outside-bmp.tmx");
    import.stderr_has("2 units read, 2 added");
    assert!(
        out.contains("<seg>Great job 😀 and a clef 𝄞</seg>"),
        "{out}"
    );
    // Character references come out as the characters.
    assert!(
        out.contains("<seg>The rare character 𠀀 and the globe 🌍</seg>"),
        "{out}"
    );
    let run = sb
        .tmm(&[
            "export", "--format", "jsonl", "--from", "en", "--to", "zh-TW", "-o", "-",
        ])
        .ok();
    // Only the second unit has zh-TW.
    let lines: Vec<String> = run.stdout().lines().map(String::from).collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout());
    let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["text"]["zh-TW"], "罕用字 𠀀 與地球 🌍");
}

#[test]
fn empty_and_blank_segments_are_stored_as_written_and_left_out_of_corpora() {
    let (sb, import, out) = round_trip("empty-segments.tmx");
    import
        .stderr_has("5 units read, 5 added")
        .stderr_has("0 invalid");
    // <seg/> comes back as <seg></seg>; blank text is kept byte for byte.
    assert_eq!(out.matches("<seg></seg>").count(), 2, "{out}");
    assert!(out.contains("<seg>   </seg>"), "{out}");
    assert!(out.contains("<seg> </seg>"), "{out}");
    assert!(out.contains("<seg>\n\t</seg>"), "{out}");
    sb.tmm(&[
        "export",
        "--format",
        "tsv",
        "--from",
        "en",
        "--to",
        "pt-BR",
        "-o",
        "pairs.tsv",
    ])
    .ok()
    .stderr_has("1 pairs written")
    .stderr_has("dropped: 4 empty");
    assert_eq!(
        std::fs::read_to_string(sb.path("pairs.tsv")).unwrap(),
        "Yes\tSim\n"
    );
}

#[test]
fn iso_8601_dates_are_converted_and_a_non_date_is_kept_aside() {
    let (_, import, out) = round_trip("iso8601-dates.tmx");
    import
        .stderr_has("iso8601-dates.tmx:5: creationdate \"2019-03-05T14:22:10Z\" converted to 20190305T142210Z")
        .stderr_has("iso8601-dates.tmx:5: changedate \"2019-03-06T08:00:00.123456+00:00\" converted to 20190306T080000Z")
        .stderr_has("iso8601-dates.tmx:13: creationdate \"yesterday\" is not a date; kept as an extra attribute")
        .stderr_has("3 units read, 3 added")
        .stderr_has("3 warnings");
    assert!(
        out.contains("<tu tuid=\"iso\" creationdate=\"20190305T142210Z\">"),
        "{out}"
    );
    assert!(
        out.contains("<tuv xml:lang=\"sl\" changedate=\"20190306T080000Z\">"),
        "{out}"
    );
    assert!(
        out.contains("<prop type=\"x-tmm-attribute:x-invalid-creationdate\">yesterday</prop>"),
        "{out}"
    );
}

/// Twin of `import::a_country_code_as_language_is_reported_and_kept_as_written` (Weblate).
#[test]
fn language_code_spellings_are_normalised_and_a_country_code_kept_as_written() {
    let (_, import, out) = round_trip("language-code-spellings.tmx");
    import
        .stderr_has("language-code-spellings.tmx:5: line 7: language tag \"SC\" is a code tools use for a script or country, not a language; kept as written")
        .stderr_has("languages: SC, en-US, pt-BR");
    assert!(out.contains("<tuv xml:lang=\"SC\">"), "{out}");
    assert_eq!(out.matches("<tuv xml:lang=\"en-US\">").count(), 2, "{out}");
    assert!(out.contains("<tuv xml:lang=\"pt-BR\">"), "{out}");
}

// Broken files: refused with FILE:LINE:COLUMN, the store left as it was.

/// Twin of `import::empty_file_is_refused_at_its_first_position` (Heartsome).
#[test]
fn the_empty_fixture_is_refused_at_its_first_position() {
    assert!(bytes("broken/empty.tmx").is_empty());
    let f = fx("broken/empty.tmx");
    refused_without_change(&f, &format!("{f}:1:1: no <tmx> element: the file is empty"));
}

/// Twin of `import::truncated_file_is_refused_at_its_end` (OmegaT).
#[test]
fn the_truncated_fixture_is_refused_at_its_end() {
    let f = fx("broken/truncated.tmx");
    refused_without_change(
        &f,
        &format!("{f}:13:1: unexpected end of file inside <body>"),
    );
}

/// Twin of `import::body_closed_early_is_refused_at_the_stray_unit` (Zend).
#[test]
fn the_body_closed_early_fixture_is_refused_at_the_stray_unit() {
    let f = fx("broken/body-closed-early.tmx");
    refused_without_change(
        &f,
        &format!("{f}:5:3: <tu> after the end of <body>: the body was closed early"),
    );
}

/// Twin of `import::bytes_that_are_not_the_files_encoding_are_located_exactly`, on a file.
#[test]
fn the_undecodable_fixture_is_refused_at_the_bad_byte() {
    let raw = bytes("broken/undecodable-bytes.tmx");
    assert!(raw.windows(4).any(|w| w == b"caf\xe9"));
    let f = fx("broken/undecodable-bytes.tmx");
    refused_without_change(
        &f,
        &format!("{f}:6:28: not valid UTF-8: the bytes do not match the file's encoding"),
    );
}

/// Twin of `import::unbalanced_inline_tags_skip_the_unit_with_its_line_or_fail_under_strict`.
#[test]
fn unbalanced_bpt_ept_skip_the_unit_or_fail_under_strict_storing_nothing() {
    let f = fx("broken/unbalanced-bpt-ept.tmx");
    let sb = Sandbox::new();
    sb.tmm(&["import", &f])
        .ok()
        .stderr_has("2 units read, 1 added")
        .stderr_has("1 invalid")
        .stderr_has(&format!("{f}:9: unit skipped: line 10: <ept i=\"1\"> has no matching <bpt> before it; line 11: <ept i=\"1\"> has no matching <bpt> before it"));
    sb.tmm(&["stats"]).ok().stdout_has("units      1\n");
    let strict = Sandbox::new();
    strict
        .tmm(&["import", "--strict", &f])
        .fails()
        .stderr_has(&format!(
            "{f}:9: line 10: <ept i=\"1\"> has no matching <bpt>"
        ));
    strict.tmm(&["stats"]).ok().stdout_has("units      0\n");
}

/// Twin of `import::one_bad_file_does_not_stop_the_others`.
#[test]
fn one_broken_fixture_does_not_stop_the_others() {
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx").display().to_string();
    sb.tmm(&["import", &fx("broken/truncated.tmx"), &sample])
        .fails()
        .stderr_has("1 of 2 files not imported")
        .stderr_has("7 added");
    sb.tmm(&["stats"]).ok().stdout_has("units      7\n");
}

/// The committed non-UTF-8 fixtures are what `encode.py` writes (when Python is there).
#[test]
fn encoded_fixtures_are_what_their_script_writes() {
    let out = tempfile::tempdir().unwrap();
    let script = fixture("tmx/encode.py");
    let run = match std::process::Command::new("python3")
        .arg(&script)
        .arg(out.path())
        .output()
    {
        Ok(run) => run,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            skipped("python3 not found; the check of tests/fixtures/tmx/encode.py did not run");
            return;
        }
        Err(e) => panic!("python3: {e}"),
    };
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written = String::from_utf8(run.stdout).unwrap();
    assert_eq!(written.lines().count(), 5, "{written}");
    for line in written.lines() {
        let name = line.split(':').next().unwrap();
        let committed = std::fs::read(fixture("tmx").join(name)).unwrap();
        assert_eq!(
            committed,
            std::fs::read(out.path().join(name)).unwrap(),
            "{name} differs from what encode.py writes"
        );
    }
}
