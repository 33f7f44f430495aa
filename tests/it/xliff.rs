//! XLIFF 1.x/2.x and PO: reading as memory, writing, pretranslating in place; on our own
//! fixtures and, when it is beside the project, on the shared corpus of real files.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use tmm::formats::po::{PoOptions, PoReader, PoWriter};
use tmm::formats::tmx::{TmxReader, TmxWriter};
use tmm::formats::xliff::{
    Candidate, PretranslateOptions, SegmentQuery, Version, Xliff2Writer, XliffOptions, XliffReader,
    XliffWriter, pretranslate, text_to_xliff,
};
use tmm::formats::{Item, UnitSource};
use tmm::lang::LanguageTag;
use tmm::model::TranslationUnit;

use crate::util::root;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

fn read_items(path: &Path, options: XliffOptions) -> tmm::Result<(XliffReader, Vec<Item>)> {
    let bytes = std::fs::read(path).unwrap();
    let mut r = XliffReader::new(path.to_path_buf(), Box::new(Cursor::new(bytes)), options)?;
    let mut items = Vec::new();
    while let Some(i) = r.next_item()? {
        items.push(i);
    }
    Ok((r, items))
}

fn units(items: &[Item]) -> Vec<&TranslationUnit> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Unit(u) => Some(&u.unit),
            _ => None,
        })
        .collect()
}

fn skipped(items: &[Item]) -> Vec<&'static str> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Skipped { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

fn prop<'a>(props: &'a [tmm::model::Prop], kind: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.kind == kind)
        .map(|p| p.value.as_str())
}

fn tool(name: &str) -> bool {
    let ok = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipped: {name} is not installed");
    }
    ok
}

/// The shared corpus, or `None` (printed) when it is absent.
fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TMM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"));
    if dir.join("xliff").is_dir() {
        Some(dir)
    } else {
        println!("skipped: no corpus at {}", dir.display());
        None
    }
}

/// Writes units as TMX, checks it against the DTD when xmllint and the DTD are there, and
/// reads it back.
fn tmx_roundtrip(units: &[&TranslationUnit], dtd: Option<&Path>) -> Vec<TranslationUnit> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.tmx");
    let header = tmm::model::Header {
        srclang: Some("*all*".into()),
        ..Default::default()
    };
    let mut w = TmxWriter::new(Vec::new(), &header).unwrap();
    for u in units {
        w.write_unit(u).unwrap();
    }
    std::fs::write(&path, w.finish().unwrap()).unwrap();
    if let Some(dtd) = dtd {
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--dtdvalid"])
            .arg(dtd)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "TMX not DTD-valid: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut r = TmxReader::open(&path).unwrap();
    let mut back = Vec::new();
    while let Some(i) = r.next_item().unwrap() {
        match i {
            Item::Unit(u) => back.push(u.unit),
            other => panic!("TMX read back: {other:?}"),
        }
    }
    back
}

#[test]
fn trados_segments_groups_and_files_become_units() {
    let (r, items) =
        read_items(&fixture("xliff/trados.sdlxliff"), XliffOptions::default()).unwrap();
    assert_eq!(r.info().version.as_deref(), Some("1.2"));
    let u = units(&items);
    assert_eq!(u.len(), 3, "{items:#?}");
    assert_eq!(u[0].tuid.as_deref(), Some("tu2#1"));
    assert_eq!(u[0].variants[0].lang.as_str(), "en-US");
    assert_eq!(u[0].variants[1].lang.as_str(), "de-DE");
    assert_eq!(u[0].variants[0].segment.text, "Press Start.");
    assert_eq!(u[0].variants[1].segment.text, "Drücken Sie Start.");
    assert!(
        u[0].variants[1]
            .segment
            .markup
            .as_deref()
            .unwrap()
            .contains("<bpt i=\"1\" x=\"5\">")
    );
    assert_eq!(
        prop(&u[0].variants[1].props, "x-tmm-xliff1"),
        Some("Drücken Sie <g id=\"5\">Start</g>.")
    );
    assert_eq!(prop(&u[0].props, "x-sdl-conf"), Some("Translated"));
    assert_eq!(
        prop(&u[0].props, "x-context"),
        Some("C:\\docs\\manual.docx#tu2")
    );
    assert_eq!(u[1].variants[1].segment.text, "Schließen Sie den Deckel");
    assert_eq!(prop(&u[2].props, "x-xliff-original"), Some("second.txt"));
    // The untranslatable structure unit has no target; mrk 2 has an empty one.
    assert_eq!(skipped(&items), ["no-target", "empty-target"]);
}

#[test]
fn memoq_states_notes_context_and_codes_are_kept() {
    let (_, items) = read_items(&fixture("xliff/memoq.mqxliff"), XliffOptions::default()).unwrap();
    let u = units(&items);
    assert_eq!(u.len(), 2, "{items:#?}");
    let first = u[0];
    assert_eq!(first.variants[1].segment.text, "Ouvrez le fichier");
    assert_eq!(prop(&first.props, "x-xliff-resname"), Some("title"));
    assert_eq!(prop(&first.props, "x-xliff-approved"), Some("yes"));
    assert_eq!(prop(&first.props, "x-xliff-context:linenumber"), Some("12"));
    assert_eq!(
        prop(&first.variants[1].props, "x-xliff-state"),
        Some("translated")
    );
    assert_eq!(
        prop(&first.variants[1].props, "x-xliff-state-qualifier"),
        Some("leveraged-tm")
    );
    assert_eq!(first.notes[0].text, "Keep it short");
    assert_eq!(
        u[1].variants[1].segment.markup.as_deref(),
        Some("Enregistrez <it pos=\"begin\" x=\"9\">&lt;i&gt;</it>maintenant")
    );
    assert_eq!(
        skipped(&items),
        [
            "alt-trans",
            "state-new",
            "state-needs-translation",
            "empty-target",
            "no-target"
        ]
    );
    // With --alt-trans the proposal is a unit too, in its own language.
    let (_, items) = read_items(
        &fixture("xliff/memoq.mqxliff"),
        XliffOptions {
            alt_trans: true,
            ..Default::default()
        },
    )
    .unwrap();
    let alt = units(&items)
        .into_iter()
        .find(|u| prop(&u.props, "x-xliff-alt-trans").is_some())
        .unwrap();
    assert_eq!(alt.variants[0].segment.text, "Open the files");
    assert_eq!(prop(&alt.props, "x-xliff-match-quality"), Some("75"));
}

#[test]
fn xliff2_modules_states_and_original_data_are_kept() {
    let (r, items) = read_items(&fixture("xliff/modules.xlf"), XliffOptions::default()).unwrap();
    assert_eq!(r.info().version.as_deref(), Some("2.0"));
    let u = units(&items);
    assert_eq!(u.len(), 2, "{items:#?}");
    let g = u[0];
    assert_eq!(g.variants[1].lang.as_str(), "ja");
    assert_eq!(g.variants[0].segment.text, "Hello dear !");
    assert_eq!(prop(&g.props, "x-mda:tool:key"), Some("app.greeting"));
    assert_eq!(g.notes[0].text, "Shown on start");
    assert_eq!(
        prop(&g.variants[1].props, "x-xliff-substate"),
        Some("tool:checked")
    );
    assert!(
        g.variants[0]
            .segment
            .markup
            .as_deref()
            .unwrap()
            .contains("<ph x=\"2\">{name}</ph>")
    );
    assert!(
        prop(&g.variants[0].props, "x-tmm-xliff2-data")
            .unwrap()
            .contains("{name}")
    );
    assert_eq!(u[1].variants[1].segment.text, "Début gras et terme");
    assert_eq!(
        skipped(&items),
        ["state-initial", "no-target", "empty-target"]
    );
}

#[test]
fn rule_breaks_import_what_is_valid_and_say_where() {
    let (r, items) =
        read_items(&fixture("xliff/rule-breaks.xlf"), XliffOptions::default()).unwrap();
    let w = &r.info().warnings;
    assert!(w.iter().any(|w| w.contains("line 2: a DOCTYPE")), "{w:?}");
    assert!(
        w.iter()
            .any(|w| w.contains("line 15") && w.contains("used twice")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("line 19") && w.contains("ext:")),
        "{w:?}"
    );
    let invalid: Vec<(u64, &str)> = items
        .iter()
        .filter_map(|i| match i {
            Item::Invalid { line, message } => Some((*line, message.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(invalid.len(), 2, "{invalid:?}");
    assert_eq!(invalid[0].0, 6);
    assert!(
        invalid[0]
            .1
            .contains("<ec startRef=\"1\"> comes before its <sc>")
    );
    assert_eq!(invalid[1].0, 10);
    assert!(invalid[1].1.contains("without <source>"));
    let texts: Vec<&str> = units(&items)
        .iter()
        .map(|u| u.variants[0].segment.text.as_str())
        .collect();
    assert_eq!(
        texts,
        [" text", "Valid", "Same id", "After an undeclared prefix"]
    );
}

#[test]
fn documents_that_are_not_xml_or_not_xliff_are_refused_with_line_and_column() {
    for (name, line, column, needle) in [
        ("xliff/truncated.xlf", 5, 37, "not closed"),
        ("xliff/wrong-root.xlf", 2, 1, "root element is <xlif>"),
        ("xliff/empty.xlf", 1, 1, "empty"),
    ] {
        match read_items(&fixture(name), XliffOptions::default()) {
            Err(tmm::Error::Syntax {
                line: l,
                column: c,
                message,
                ..
            }) => {
                assert_eq!((l, c), (line, column), "{name}: {message}");
                assert!(message.contains(needle), "{name}: {message}");
            }
            Err(e) => panic!("{name}: {e}"),
            Ok(_) => panic!("{name}: accepted"),
        }
    }
    let (_, items) = read_items(
        &fixture("xliff/nothing-translated.xlf"),
        XliffOptions::default(),
    )
    .unwrap();
    assert!(units(&items).is_empty());
    assert_eq!(skipped(&items), ["no-target", "state-new"]);
}

#[test]
fn utf16_and_a_lying_declaration_read_like_utf8() {
    let text = std::fs::read_to_string(fixture("xliff/memoq.mqxliff")).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            text.replace("UTF-8", "UTF-16")
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    let read = |bytes: Vec<u8>| {
        let mut r = XliffReader::new(
            "m.xlf".into(),
            Box::new(Cursor::new(bytes)),
            XliffOptions::default(),
        )
        .unwrap();
        let mut out = Vec::new();
        while let Some(item) = r.next_item().unwrap() {
            if let Item::Unit(u) = item {
                out.push(u.unit);
            }
        }
        (r.info().encoding, r.info().warnings.clone(), out)
    };
    let (enc, _, a) = read(utf16);
    assert_eq!(enc, "UTF-16LE");
    let (_, warnings, b) = read(text.replace("UTF-8", "UTF-16").into_bytes());
    assert!(
        warnings.iter().any(|w| w.contains("UTF-16")),
        "{warnings:?}"
    );
    let (_, _, c) = read(text.into_bytes());
    assert_eq!(a, c);
    assert_eq!(b, c);
}

#[test]
fn xliff_to_tmx_and_back_gives_the_same_units() {
    for name in [
        "xliff/trados.sdlxliff",
        "xliff/memoq.mqxliff",
        "xliff/modules.xlf",
    ] {
        let (_, items) = read_items(&fixture(name), XliffOptions::default()).unwrap();
        let u = units(&items);
        let back = tmx_roundtrip(&u, None);
        let original: Vec<TranslationUnit> = u.into_iter().cloned().collect();
        assert_eq!(back, original, "{name}");
    }
}

#[test]
fn exported_xliff_restores_the_original_inline_codes() {
    let en = LanguageTag::parse("en").unwrap();
    for (name, target, v2) in [
        ("xliff/memoq.mqxliff", "fr", false),
        ("xliff/modules.xlf", "ja", true),
        ("xliff/modules.xlf", "ja", false),
    ] {
        let (_, items) = read_items(&fixture(name), XliffOptions::default()).unwrap();
        let target = LanguageTag::parse(target).unwrap();
        let wanted = units(&items);
        let bytes = if v2 {
            let mut w = Xliff2Writer::new(Vec::new(), &en, &target, "m").unwrap();
            for u in &wanted {
                assert!(w.write_unit(u).unwrap());
            }
            w.finish().unwrap()
        } else {
            let mut w = XliffWriter::new(Vec::new(), &en, &target, "m").unwrap();
            for u in &wanted {
                assert!(w.write_unit(u).unwrap());
            }
            w.finish().unwrap()
        };
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut r = XliffReader::new(
            "w.xlf".into(),
            Box::new(Cursor::new(bytes)),
            XliffOptions::default(),
        )
        .unwrap();
        let mut back = Vec::new();
        while let Some(i) = r.next_item().unwrap() {
            if let Item::Unit(u) = i {
                back.push(u.unit);
            }
        }
        assert_eq!(back.len(), wanted.len(), "{name}: {text}");
        for (a, b) in wanted.iter().zip(&back) {
            for (va, vb) in a.variants.iter().zip(&b.variants) {
                assert_eq!(va.segment.text, vb.segment.text, "{name}: {text}");
                // Codes restored from the same generation come back exactly.
                if v2 == va.props.iter().any(|p| p.kind == "x-tmm-xliff2") {
                    assert_eq!(va.segment, vb.segment, "{name}: {text}");
                }
            }
        }
    }
    // The original codes are in the output as they were.
    let (_, items) = read_items(&fixture("xliff/modules.xlf"), XliffOptions::default()).unwrap();
    let mut w =
        Xliff2Writer::new(Vec::new(), &en, &LanguageTag::parse("ja").unwrap(), "m").unwrap();
    w.write_unit(units(&items)[0]).unwrap();
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(out.contains("<pc id=\"1\" dataRefStart=\"d1\" dataRefEnd=\"d2\">dear</pc> <ph id=\"2\" dataRef=\"d3\"/>"), "{out}");
    assert!(out.contains("<data id=\"d3\">{name}</data>"), "{out}");
}

#[test]
fn no_truncation_of_a_catalog_panics() {
    let bytes = std::fs::read(fixture("po/app.de.po")).unwrap();
    for cut in 0..bytes.len() {
        let part = bytes[..cut].to_vec();
        if let Ok(mut r) = PoReader::new(
            "cut.po".into(),
            Box::new(Cursor::new(part.clone())),
            PoOptions::default(),
        ) {
            while r.next_item().unwrap().is_some() {}
        }
        let _ = pretranslate(
            Path::new("cut.po"),
            &part,
            &PretranslateOptions::default(),
            &mut fake,
        );
    }
}

#[test]
fn no_truncation_of_a_document_panics() {
    for name in [
        "xliff/trados.sdlxliff",
        "xliff/memoq.mqxliff",
        "xliff/modules.xlf",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let end = bytes.windows(8).rposition(|w| w == b"</xliff>").unwrap() + 7;
        for cut in 0..end {
            let part = bytes[..cut].to_vec();
            let result = XliffReader::new(
                "cut.xlf".into(),
                Box::new(Cursor::new(part.clone())),
                XliffOptions::default(),
            );
            // A truncated document is never well-formed.
            assert!(
                matches!(
                    result,
                    Err(tmm::Error::Syntax { .. } | tmm::Error::Format { .. })
                ),
                "{name} cut at {cut}"
            );
            let _ = pretranslate(
                Path::new("cut.xlf"),
                &part,
                &PretranslateOptions::default(),
                &mut |_| Vec::new(),
            );
        }
    }
}

/// A fake matcher: a fixed translation for every segment, scored by its length.
fn fake(q: &SegmentQuery) -> Vec<Candidate> {
    let score = if q.text.len() % 2 == 0 { 100 } else { 85 };
    let mut warnings = Vec::new();
    if q.text.contains(char::is_numeric) {
        warnings.push("number 10 not placed".into());
    }
    vec![Candidate {
        score,
        source_text: q.text.clone(),
        target_text: format!("[fr] {}", q.text),
        target_markup: q.markup.clone().map(|m| format!("[fr] {m}")),
        origin: "fake-tm".into(),
        warnings,
        plural_forms: Vec::new(),
    }]
}

/// Checks `file` against an XLIFF schema offline; `None` when xmllint or the schemas are
/// missing.
fn validate(corpus: &Path, file: &Path, v2: bool) -> Option<Result<(), String>> {
    let spec = corpus.join("spec/xliff");
    if !spec.is_dir() {
        return None;
    }
    let schema = if v2 {
        // The core schema and the matches module together.
        let driver = file.with_extension("xsd");
        std::fs::write(
            &driver,
            format!(
                "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<xs:import namespace=\"urn:oasis:names:tc:xliff:document:2.0\" schemaLocation=\"{}\"/>\n<xs:import namespace=\"urn:oasis:names:tc:xliff:matches:2.0\" schemaLocation=\"{}\"/>\n</xs:schema>\n",
                spec.join("2.0/xliff_core_2.0.xsd").display(),
                spec.join("2.0/modules/matches.xsd").display()
            ),
        )
        .unwrap();
        driver
    } else {
        spec.join("xliff-core-1.2-transitional.xsd")
    };
    let out = Command::new("xmllint")
        .env("XML_CATALOG_FILES", spec.join("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(&schema)
        .arg(file)
        .output()
        .ok()?;
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn pretranslation_fills_targets_and_adds_match_metadata_only() {
    let bytes = std::fs::read(fixture("xliff/memoq.mqxliff")).unwrap();
    let r = pretranslate(
        Path::new("m.xlf"),
        &bytes,
        &PretranslateOptions::default(),
        &mut fake,
    )
    .unwrap();
    let out = String::from_utf8(r.bytes).unwrap();
    // "Not yet" (7 chars) 85, "Empty" 85, "No target here" (14) 100.
    assert_eq!((r.segments, r.exact, r.fuzzy), (3, 1, 2), "{out}");
    assert!(out.contains("<target state=\"needs-review-translation\" state-qualifier=\"fuzzy-match\">[fr] Not yet</target>"), "{out}");
    assert!(out.contains("<source>No target here</source>\n        <target state=\"translated\" state-qualifier=\"exact-match\">[fr] No target here</target>"), "{out}");
    assert!(out.contains("<alt-trans match-quality=\"100\" origin=\"tmm\"><source>No target here</source><target xml:lang=\"fr\">[fr] No target here</target><note from=\"tmm\">origin: fake-tm</note></alt-trans>"), "{out}");
    // Translated units are untouched, as is everything around the targets.
    let original = String::from_utf8(bytes).unwrap();
    assert!(out.starts_with(&original[..original.find("<trans-unit id=\"2\"").unwrap()]));
    assert!(out.ends_with(&original[original.find("      </trans-unit>\n    </body>").unwrap()..]));

    let bytes = std::fs::read(fixture("xliff/modules.xlf")).unwrap();
    let r = pretranslate(
        Path::new("m.xlf"),
        &bytes,
        &PretranslateOptions::default(),
        &mut fake,
    )
    .unwrap();
    let out = String::from_utf8(r.bytes).unwrap();
    assert_eq!(r.segments, 2, "{out}");
    assert!(
        out.contains("<segment state=\"translated\" id=\"tmm-s1\"><source>To translate</source>"),
        "{out}"
    );
    assert!(
        out.contains(
            "<mtc:match ref=\"#tmm-s1\" similarity=\"100\" type=\"tm\" origin=\"fake-tm\">"
        ),
        "{out}"
    );
    assert!(out.contains("<target>[fr] Also this one</target>"), "{out}");

    let bytes = std::fs::read(fixture("xliff/trados.sdlxliff")).unwrap();
    let r = pretranslate(
        Path::new("t.xlf"),
        &bytes,
        &PretranslateOptions::default(),
        &mut fake,
    )
    .unwrap();
    let out = String::from_utf8(r.bytes).unwrap();
    // The empty second segment is filled, with a note for the unplaced number.
    assert!(
        out.contains("<mrk mtype=\"seg\" mid=\"2\">[fr] Then wait 10 seconds.</mrk>"),
        "{out}"
    );
    assert!(
        out.contains("<note from=\"tmm\">number 10 not placed</note>"),
        "{out}"
    );
    assert!(out.contains("<alt-trans mid=\"2\""), "{out}");
    // Trados' segment status follows: a fuzzy draft from memory; the translated one stays.
    assert!(
        out.contains("<sdl:seg-defs><sdl:seg id=\"1\" conf=\"Translated\"/><sdl:seg id=\"2\" conf=\"Draft\" origin=\"tm\" origin-system=\"fake-tm\" percent=\"85\"/></sdl:seg-defs>"),
        "{out}"
    );
}

#[test]
fn inline_codes_of_the_source_are_carried_into_the_target() {
    let doc = r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" source-language="en" target-language="fr" datatype="plaintext"><body>
<trans-unit id="1"><source>Click <g id="1">here</g><x id="2"/></source></trans-unit>
<trans-unit id="2"><source>Press <g id="3">OK</g></source></trans-unit>
</body></file></xliff>"#;
    let mut find = |q: &SegmentQuery| {
        let (text, markup) = if q.text.starts_with("Click") {
            (
                "Cliquez ici".to_string(),
                Some("Cliquez <bpt i=\"1\">&lt;b&gt;</bpt>ici<ept i=\"1\">&lt;/b&gt;</ept><ph>x</ph>".to_string()),
            )
        } else {
            ("Appuyez sur OK".to_string(), None)
        };
        vec![Candidate {
            score: 100,
            source_text: q.text.clone(),
            target_text: text,
            target_markup: markup,
            origin: "tm".into(),
            ..Default::default()
        }]
    };
    let r = pretranslate(
        Path::new("c.xlf"),
        doc.as_bytes(),
        &PretranslateOptions::default(),
        &mut find,
    )
    .unwrap();
    let out = String::from_utf8(r.bytes).unwrap();
    assert!(
        out.contains(">Cliquez <g id=\"1\">ici</g><x id=\"2\"/></target>"),
        "{out}"
    );
    // A match without the codes: the codes follow the text, and the state says to review.
    assert!(out.contains("<target state=\"needs-review-translation\" state-qualifier=\"leveraged-tm\">Appuyez sur OK<g id=\"3\">"), "{out}");
    assert!(out.contains("inline codes differ"), "{out}");
}

#[test]
fn writers_and_pretranslations_validate_against_the_schemas() {
    let Some(corpus) = corpus() else { return };
    if !tool("xmllint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let en = LanguageTag::parse("en").unwrap();
    let de = LanguageTag::parse("de-DE").unwrap();
    let ja = LanguageTag::parse("ja").unwrap();
    let mut all: Vec<TranslationUnit> = Vec::new();
    for name in [
        "xliff/trados.sdlxliff",
        "xliff/memoq.mqxliff",
        "xliff/modules.xlf",
    ] {
        let (_, items) = read_items(&fixture(name), XliffOptions::default()).unwrap();
        all.extend(units(&items).into_iter().cloned());
    }
    for (i, (src, tgt)) in [
        (&LanguageTag::parse("en-US").unwrap(), &de),
        (&en, &ja),
        (&en, &LanguageTag::parse("fr").unwrap()),
    ]
    .into_iter()
    .enumerate()
    {
        let mut w1 = XliffWriter::new(Vec::new(), src, tgt, "memory").unwrap();
        let mut w2 = Xliff2Writer::new(Vec::new(), src, tgt, "memory").unwrap();
        let mut written = 0;
        for u in &all {
            if w1.write_unit(u).unwrap() {
                written += 1;
            }
            w2.write_unit(u).unwrap();
        }
        assert!(written > 0);
        let p1 = dir.path().join(format!("w{i}.xlf"));
        let p2 = dir.path().join(format!("w{i}.xlf2"));
        std::fs::write(&p1, w1.finish().unwrap()).unwrap();
        std::fs::write(&p2, w2.finish().unwrap()).unwrap();
        validate(&corpus, &p1, false).unwrap().unwrap();
        validate(&corpus, &p2, true).unwrap().unwrap();
        // What the writers wrote reads back as the same texts.
        let (_, back) = read_items(&p2, XliffOptions::default()).unwrap();
        assert_eq!(units(&back).len(), written);
    }
    for (name, v2) in [("xliff/memoq.mqxliff", false), ("xliff/modules.xlf", true)] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let r = pretranslate(
            Path::new(name),
            &bytes,
            &PretranslateOptions::default(),
            &mut fake,
        )
        .unwrap();
        let p = dir.path().join(format!("p{v2}.xlf"));
        std::fs::write(&p, &r.bytes).unwrap();
        validate(&corpus, &p, v2).unwrap().unwrap();
    }
    let segments = vec![
        "First sentence.".to_string(),
        "Second & last <one>.".to_string(),
    ];
    for (v, v2) in [(Version::V1, false), (Version::V2, true)] {
        let doc = text_to_xliff(&segments, &en, &de, "doc.txt", v);
        let r = pretranslate(
            Path::new("doc"),
            doc.as_bytes(),
            &PretranslateOptions::default(),
            &mut fake,
        )
        .unwrap();
        assert_eq!(r.segments, 2);
        let p = dir.path().join(format!("t{v2}.xlf"));
        std::fs::write(&p, &r.bytes).unwrap();
        validate(&corpus, &p, v2).unwrap().unwrap();
    }
}

/// An independent count of the units a file should give: ElementTree, by the rules of the
/// module docs (1.x: trans-units or seg mrks with a non-blank target; 2.x: segments with a
/// non-blank target; in both, the state is not one skipped by default).
const COUNT_PY: &str = r#"
import sys, xml.etree.ElementTree as ET
def local(e): return e.tag.rsplit('}', 1)[-1]
NATIVE = {'bpt', 'ept', 'it', 'ph'}
def plain(e):
    s = e.text or ''
    for c in e:
        if local(c) in NATIVE:
            s += ''.join(plain(x) for x in c.iter() if local(x) == 'sub')
        elif local(c) == 'cp':
            s += 'X'
        else:
            s += plain(c)
        s += c.tail or ''
    return s
def segs(e, out):
    for c in e:
        if local(c) == 'mrk' and c.get('mtype') == 'seg': out.append(c)
        else: segs(c, out)
    return out
root = ET.parse(sys.argv[1]).getroot()
v2 = (root.get('version') or '').startswith('2') or 'document:2' in root.tag
n = 0
if v2:
    for f in root:
        if local(f) != 'file': continue
        for u in f.iter():
            if local(u) != 'unit': continue
            for s in u:
                if local(s) != 'segment': continue
                kids = {local(k): k for k in reversed(list(s))}
                if 'source' not in kids or 'target' not in kids: continue
                if s.get('state') in ('new', 'needs-translation', 'initial'): continue
                if plain(kids['target']).strip(): n += 1
else:
    def walk(e):
        global n
        for c in e:
            if local(c) == 'group': walk(c)
            elif local(c) == 'trans-unit':
                kids = {}
                for k in c:
                    kids.setdefault(local(k), k)
                if 'source' not in kids or 'target' not in kids: continue
                t = kids['target']
                if t.get('state') in ('new', 'needs-translation', 'initial'): continue
                marks = segs(kids['seg-source'], []) if 'seg-source' in kids else []
                tm = {m.get('mid'): m for m in segs(t, [])}
                if marks and tm:
                    n += sum(1 for m in marks if m.get('mid') in tm and plain(tm[m.get('mid')]).strip())
                elif plain(t).strip():
                    n += 1
    for f in root:
        if local(f) == 'file':
            for b in f:
                if local(b) == 'body': walk(b)
print(n)
"#;

#[test]
fn corpus_files_import_with_independent_counts_and_give_dtd_valid_tmx() {
    let Some(corpus) = corpus() else { return };
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let xmllint = tool("xmllint");
    if !python {
        println!("skipped counts: python3 is not installed");
    }
    let dir = corpus.join("xliff");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut checked = 0;
    let mut total_units = 0;
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, notes) = (cols[0], cols.last().copied().unwrap_or(""));
        if notes.starts_with("NEGATIVE") || notes.starts_with("BROKEN") {
            continue;
        }
        let path = dir.join(file);
        let (_, items) =
            read_items(&path, XliffOptions::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let u = units(&items);
        let no_lang = items
            .iter()
            .filter(
                |i| matches!(i, Item::Invalid { message, .. } if message.contains("declares no")),
            )
            .count();
        let other_invalid: Vec<&Item> = items
            .iter()
            .filter(
                |i| matches!(i, Item::Invalid { message, .. } if !message.contains("declares no")),
            )
            .collect();
        assert!(other_invalid.is_empty(), "{file}: {other_invalid:?}");
        if python {
            let out = Command::new("python3")
                .arg("-c")
                .arg(COUNT_PY)
                .arg(&path)
                .output()
                .unwrap();
            let expected: usize = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .unwrap_or_else(|_| {
                    panic!(
                        "{file}: count failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )
                });
            assert_eq!(u.len() + no_lang, expected, "{file}: {items:?}");
        }
        let dtd = corpus.join("spec/tmx14.dtd");
        let back = tmx_roundtrip(&u, (xmllint && dtd.is_file()).then_some(dtd.as_path()));
        let original: Vec<TranslationUnit> = u.iter().map(|u| (*u).clone()).collect();
        assert_eq!(back, original, "{file}: TMX round trip");
        total_units += u.len();
        checked += 1;
    }
    println!("{checked} corpus files, {total_units} units");
    assert!(checked > 40);
}

#[test]
fn corpus_files_broken_on_purpose_are_refused_precisely() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("xliff");
    // file → Err(line, column) for a syntax error, or Ok(a warning / invalid item's text).
    let expected: HashMap<&str, Result<&str, (u64, u64)>> = [
        ("symfony/symfony-translation__empty.xlf", Err((1, 1))),
        ("weblate/weblate__memory-invalid.xliff", Err((29, 1))),
        (
            "angular/angular-t9n__xlf2__messages.invalid-xliff.xlf",
            Err((2, 1)),
        ),
        (
            "angular/angular-t9n__xlf__messages.encoding-mismatch.xlf",
            Ok("declares encoding \"UTF-16\""),
        ),
        (
            "symfony/symfony-translation__withdoctype.xlf",
            Ok("a DOCTYPE is not allowed"),
        ),
        (
            "matecat/matecat__context-group.xlf",
            Ok("the prefix slr: of <slr:profiles> is not declared"),
        ),
        (
            "matecat/matecat__v1-duplicate-ids.xliff",
            Ok("is used twice"),
        ),
        // Raw control characters: not XML (the references on line 10 alone would be kept).
        ("okapi/okapi__invalid_xml_entity.xlf", Err((8, 29))),
        // Broken upstream: a <target> opened after its segment and never closed.
        ("oasis/xliff-22__Good-pgs_plural.xlf", Err((20, 3))),
        (
            "oasis/xliff-22__bad_EcBeforeSc.xlf",
            Ok("comes before its <sc>"),
        ),
        (
            "oasis/xliff-22__bad_SegmentWithoutSource.xlf",
            Ok("<segment> without <source>"),
        ),
    ]
    .into_iter()
    .collect();
    for (file, want) in &expected {
        let path = dir.join(file);
        if !path.is_file() {
            println!("skipped: {file} is not in the corpus");
            continue;
        }
        let got = read_items(&path, XliffOptions::default());
        match (want, got) {
            (
                Err((line, column)),
                Err(tmm::Error::Syntax {
                    line: l, column: c, ..
                }),
            ) => {
                assert_eq!((*line, *column), (l, c), "{file}")
            }
            (Ok(text), Ok((r, items))) => {
                let said: Vec<String> = r
                    .info()
                    .warnings
                    .iter()
                    .cloned()
                    .chain(items.iter().filter_map(|i| match i {
                        Item::Invalid { line, message } => Some(format!("line {line}: {message}")),
                        _ => None,
                    }))
                    .collect();
                assert!(said.iter().any(|s| s.contains(text)), "{file}: {said:?}");
            }
            (want, got) => panic!(
                "{file}: wanted {want:?}, got {:?}",
                got.map(|(_, i)| i.len())
            ),
        }
    }
}

#[test]
fn corpus_pretranslations_validate_and_change_only_targets_and_match_metadata() {
    let Some(corpus) = corpus() else { return };
    if !tool("xmllint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sample = [
        ("angular/angular-t9n__xlf__messages.de.xlf", false),
        ("symfony/symfony-validator__validators.ja.xlf", false),
        ("xcode/matecat__long-segment-id.xliff", false),
        ("angular/angular-t9n__xlf2__messages.de.xlf", true),
        ("weblate/weblate__cs.xliff2", true),
        (
            "symfony/symfony-translation__resources-notes-meta.xlf",
            true,
        ),
        ("trados/okapi__TS09-12-Test01.xlf", false),
        ("trados/matecat__piazza.sdlxliff", false),
        ("memoq/okapi__MQ-12-Test01.xlf", false),
        ("okapi/okapi__NSTest01.xlf", false),
        ("oasis/xliff-21__everything-core.xlf", true),
        ("matecat/matecat__pcec.xlf", true),
    ];
    let canon = |p: &Path| -> String {
        let out = Command::new("xmllint")
            .arg("--c14n")
            .arg(p)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for (file, v2) in sample {
        let path = corpus.join("xliff").join(file);
        if !path.is_file() {
            println!("skipped: {file} is not in the corpus");
            continue;
        }
        // Every target taken out first, so that there is something to fill.
        let original = std::fs::read_to_string(&path).unwrap();
        let no_targets = fancy_regex::Regex::new(r"(?s)<target[^>]*/>|<target[^>]*>.*?</target>")
            .unwrap()
            .replace_all(&original, "")
            .into_owned();
        let path = dir.path().join(format!("in-{}", file.replace('/', "_")));
        std::fs::write(&path, &no_targets).unwrap();
        let bytes = no_targets.into_bytes();
        let r = pretranslate(&path, &bytes, &PretranslateOptions::default(), &mut fake).unwrap();
        assert!(
            r.exact + r.fuzzy > 0,
            "{file}: nothing filled of {}",
            r.segments
        );
        assert_eq!(r.unmatched, 0, "{file}");
        let out = dir.path().join(file.replace('/', "_"));
        std::fs::write(&out, &r.bytes).unwrap();
        validate(&corpus, &out, v2)
            .unwrap()
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        // Canonical XML with our additions removed equals the input's.
        let mut after = canon(&out);
        let before = canon(&path);
        for pattern in [
            r"(?s)<(\w+:)?alt-trans\b.*?</(\w+:)?alt-trans>",
            r"(?s)<mtc:matches\b.*?</mtc:matches>",
            r#"(?s)<(\w+:)?note (from="tmm"|appliesTo="target" category="tmm")>.*?</(\w+:)?note>"#,
            r"<(\w+:)?notes></(\w+:)?notes>",
        ] {
            after = fancy_regex::Regex::new(pattern)
                .unwrap()
                .replace_all(&after, "")
                .into_owned();
        }
        let strip = |s: &str| -> String {
            // Targets and states are where a pretranslation writes.
            let re_target = fancy_regex::Regex::new(
                r"(?s)<(\w+:)?target\b[^>]*>.*?</(\w+:)?target>|<(\w+:)?target\b[^>]*/>",
            )
            .unwrap();
            let re_state =
                fancy_regex::Regex::new(r#" (state|state-qualifier|id)="[^"]*""#).unwrap();
            // And Trados' segment status (sdl:seg conf, percent, origin…).
            let re_sdl_seg = fancy_regex::Regex::new(r"<(\w+:)?seg\b[^>]*>").unwrap();
            let re_sdl_status = fancy_regex::Regex::new(
                r#" (conf|origin|origin-system|percent|text-match)="[^"]*""#,
            )
            .unwrap();
            let s = re_target.replace_all(s, "");
            let s = re_sdl_seg.replace_all(&s, |c: &fancy_regex::Captures<str>| {
                re_sdl_status.replace_all(&c[0], "").into_owned()
            });
            let s = re_state.replace_all(&s, "");
            s.split_whitespace().collect::<String>()
        };
        let (b, a) = (strip(&before), strip(&after));
        if b != a {
            let at = b.chars().zip(a.chars()).take_while(|(x, y)| x == y).count();
            let show = |s: &str| {
                s.chars()
                    .skip(at.saturating_sub(80))
                    .take(300)
                    .collect::<String>()
            };
            panic!(
                "{file}: differs after char {at}:\n{}\n---\n{}",
                show(&b),
                show(&a)
            );
        }
        if v2 {
            continue;
        }
        let po = dir.path().join("x.po");
        match Command::new("xliff2po").arg(&out).arg(&po).output() {
            Ok(o) => {
                assert!(
                    o.status.success(),
                    "{file}: xliff2po: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                // translate-toolkit sees the filled targets as translations.
                let text = std::fs::read_to_string(&po).unwrap();
                assert!(text.contains("msgstr \"[fr] "), "{file}: {text}");
            }
            Err(_) => println!("skipped: xliff2po (translate-toolkit) is not installed"),
        }
    }
}

#[test]
fn po_catalogs_import_pretranslate_and_pass_msgfmt() {
    let path = fixture("po/app.de.po");
    let mut r = PoReader::open(&path, PoOptions::default()).unwrap();
    let mut items = Vec::new();
    while let Some(i) = r.next_item().unwrap() {
        items.push(i);
    }
    let u = units(&items);
    assert_eq!(u.len(), 2);
    assert_eq!(
        prop(&u[1].variants[1].props, "x-po-msgstr[1]"),
        Some("%d Dateien gelöscht")
    );
    assert_eq!(skipped(&items), ["fuzzy", "untranslated", "obsolete"]);
    let back = tmx_roundtrip(&u, None);
    assert_eq!(back, u.iter().map(|u| (*u).clone()).collect::<Vec<_>>());
    if !tool("msgfmt") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let r = pretranslate(&path, &bytes, &PretranslateOptions::default(), &mut fake).unwrap();
    let out = dir.path().join("p.po");
    std::fs::write(&out, &r.bytes).unwrap();
    assert_eq!(r.segments, 1);
    let check = Command::new("msgfmt")
        .args(["--check", "-o", "/dev/null"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    match Command::new("po2xliff")
        .arg(&out)
        .arg(dir.path().join("p.xlf"))
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "po2xliff: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => println!("skipped: po2xliff (translate-toolkit) is not installed"),
    }
    // Exported as PO, the units pass msgfmt too.
    let mut w = PoWriter::new(
        Vec::new(),
        &LanguageTag::parse("en").unwrap(),
        &LanguageTag::parse("de").unwrap(),
    )
    .unwrap();
    for x in &u {
        w.write_unit(x).unwrap();
    }
    let exported = dir.path().join("e.po");
    std::fs::write(&exported, w.finish().unwrap()).unwrap();
    let check = Command::new("msgfmt")
        .args(["--check", "-o", "/dev/null"])
        .arg(&exported)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn debian_catalogs_import_with_their_plural_forms() {
    if !tool("msgunfmt") || !tool("msgfmt") {
        return;
    }
    let mut mos: Vec<PathBuf> = std::fs::read_dir("/usr/share/locale")
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|d| {
            std::fs::read_dir(d.path().join("LC_MESSAGES"))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mo"))
        .collect();
    mos.sort();
    if mos.is_empty() {
        println!("skipped: no .mo catalogs in /usr/share/locale");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut plural_units = 0;
    let mut all_units = 0;
    for mo in mos.iter().step_by((mos.len() / 25).max(1)) {
        let out = Command::new("msgunfmt").arg(mo).output().unwrap();
        if !out.status.success() {
            continue;
        }
        let po = dir.path().join("c.po");
        std::fs::write(&po, &out.stdout).unwrap();
        let plurals_in_file = String::from_utf8_lossy(&out.stdout)
            .matches("\nmsgid_plural ")
            .count();
        // The catalog's language is the folder it is installed in.
        let lang = mo
            .ancestors()
            .nth(2)
            .and_then(|d| d.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| LanguageTag::parse(n.split(['@', '.']).next().unwrap_or(n)).ok())
            .unwrap_or_else(|| LanguageTag::parse("und").unwrap());
        let options = PoOptions {
            target_lang: Some(lang.clone()),
            ..Default::default()
        };
        let mut r =
            PoReader::open(&po, options).unwrap_or_else(|e| panic!("{}: {e}", mo.display()));
        let mut n_plural = 0;
        let mut w = PoWriter::new(Vec::new(), &LanguageTag::parse("en").unwrap(), &lang).unwrap();
        while let Some(i) = r.next_item().unwrap() {
            if let Item::Unit(u) = i {
                all_units += 1;
                if prop(&u.unit.variants[0].props, "x-po-msgid_plural").is_some() {
                    n_plural += 1;
                    assert!(
                        prop(&u.unit.variants[1].props, "x-po-msgstr[1]").is_some()
                            || u.unit.variants[1]
                                .props
                                .iter()
                                .any(|p| p.kind == "x-po-plural-forms")
                    );
                }
                w.write_unit(&u.unit).unwrap();
            }
        }
        // Exported again as PO, the catalog passes msgfmt.
        let exported = dir.path().join("e.po");
        std::fs::write(&exported, w.finish().unwrap()).unwrap();
        let check = Command::new("msgfmt")
            .args(["--check", "-o", "/dev/null"])
            .arg(&exported)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}: {}",
            mo.display(),
            String::from_utf8_lossy(&check.stderr)
        );
        assert_eq!(n_plural, plurals_in_file, "{}", mo.display());
        plural_units += n_plural;
    }
    println!("{all_units} units, {plural_units} with plural forms");
    assert!(all_units > 0);
}

// The formats through the command line: import, pretranslate in place, export for CAT tools.

#[test]
fn tmm_imports_xliff_and_po_and_exports_them_as_tmx() {
    let sb = crate::util::Sandbox::new();
    let trados = crate::util::fixture("xliff/trados.sdlxliff");
    sb.tmm(&["import", trados.to_str().unwrap()])
        .ok()
        .stderr_has("added")
        .stderr_has("skipped: 1 no-target");
    let po = crate::util::fixture("po/app.de.po");
    sb.tmm(&["import", po.to_str().unwrap()])
        .ok()
        .stderr_has("skipped: 1 obsolete");
    let nothing = crate::util::fixture("xliff/nothing-translated.xlf");
    sb.tmm(&["import", nothing.to_str().unwrap()])
        .ok()
        .stderr_has("0 added");
    sb.tmm(&[
        "import",
        crate::util::fixture("xliff/truncated.xlf")
            .to_str()
            .unwrap(),
    ])
    .fails()
    .stderr_has("truncated.xlf:5:");
    let stats: serde_json::Value =
        serde_json::from_str(&sb.tmm(&["stats", "--json"]).ok().stdout()).unwrap();
    let kinds: Vec<&str> = stats["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["xliff", "po", "xliff"], "{stats}");
    sb.tmm(&["export", "-o", "all.tmx"]).ok();
    crate::validate::assert_valid_tmx(&sb.path("all.tmx"));
    let again = crate::util::Sandbox::new();
    again
        .tmm(&["import", sb.path("all.tmx").to_str().unwrap()])
        .ok();
    again.tmm(&["export", "-o", "all.tmx"]).ok();
    assert_eq!(
        std::fs::read(sb.path("all.tmx")).unwrap(),
        std::fs::read(again.path("all.tmx")).unwrap(),
        "an XLIFF import exported, imported and exported again gives the same TMX"
    );
}

#[test]
fn tmm_pretranslates_an_xliff_in_place_and_text_into_new_xliff() {
    let sb = crate::util::Sandbox::new();
    let sample = crate::util::root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", sample.to_str().unwrap()]).ok();
    let release = crate::util::fixture("release-2013/en.txt");
    sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "fr",
        release.to_str().unwrap(),
        "--format",
        "xliff",
        "-o",
        "new.xlf",
    ])
    .ok()
    .stderr_has("8 segments: 1 exact, 5 fuzzy, 2 left to translate");
    let made = std::fs::read_to_string(sb.path("new.xlf")).unwrap();
    assert!(made.contains("state-qualifier=\"exact-match\""), "{made}");
    assert!(made.contains("<alt-trans match-quality="), "{made}");
    // The same file again: every target is filled, nothing changes.
    sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "fr",
        sb.path("new.xlf").to_str().unwrap(),
        "-o",
        "again.xlf",
    ])
    .ok();
    assert_eq!(std::fs::read_to_string(sb.path("again.xlf")).unwrap(), made);
    if let Some(corpus) = corpus() {
        if let Some(result) = validate(&corpus, &sb.path("new.xlf"), false) {
            result.unwrap();
        }
    }
    sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "fr",
        release.to_str().unwrap(),
        "--format",
        "xliff2",
        "-o",
        "new2.xlf",
    ])
    .ok();
    let made2 = std::fs::read_to_string(sb.path("new2.xlf")).unwrap();
    assert!(made2.contains("<mtc:match "), "{made2}");
}

#[test]
fn tmm_exports_a_language_pair_as_xliff_and_po() {
    let sb = crate::util::Sandbox::new();
    let sample = crate::util::root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", sample.to_str().unwrap()]).ok();
    for (format, file) in [("xliff", "m.xlf"), ("xliff2", "m2.xlf"), ("po", "m.po")] {
        sb.tmm(&[
            "export", "--format", format, "--from", "en", "--to", "zh", "-o", file,
        ])
        .ok()
        .stderr_has("7 pairs written");
    }
    // What tmm wrote, tmm reads back: the same seven pairs.
    let back = crate::util::Sandbox::new();
    for file in ["m.xlf", "m2.xlf", "m.po"] {
        back.tmm(&["import", sb.path(file).to_str().unwrap()])
            .ok()
            .stderr_has("7 units read");
    }
    if tool("msgfmt") {
        let out = std::process::Command::new("msgfmt")
            .args(["--check", "-o", "/dev/null"])
            .arg(sb.path("m.po"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    sb.tmm(&[
        "export", "--format", "po", "--langs", "en,fr,zh", "-o", "x.po",
    ])
    .fails()
    .stderr_has("bilingual");
}

// A plural entry pretranslated from a PO memory gets every stored plural form, not the
// singular copied into msgstr[1].
#[test]
fn tmm_pretranslates_a_po_plural_entry_with_the_stored_plural_forms() {
    let sb = crate::util::Sandbox::new();
    let memory = crate::util::fixture("po/app.de.po");
    sb.tmm(&["import", memory.to_str().unwrap()]).ok();
    std::fs::write(
        sb.path("new.po"),
        "msgid \"\"\nmsgstr \"\"\n\"Language: de\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\
         \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n\
         #, c-format\nmsgid \"One file deleted\"\nmsgid_plural \"%d files deleted\"\n\
         msgstr[0] \"\"\nmsgstr[1] \"\"\n",
    )
    .unwrap();
    sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "de",
        "new.po",
        "-o",
        "done.po",
    ])
    .ok();
    let done = std::fs::read_to_string(sb.path("done.po")).unwrap();
    assert!(
        done.contains("msgstr[0] \"Eine Datei gelöscht\"\nmsgstr[1] \"%d Dateien gelöscht\""),
        "{done}"
    );
    if tool("msgfmt") {
        let check = Command::new("msgfmt")
            .args(["--check", "-o", "/dev/null"])
            .arg(sb.path("done.po"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}
