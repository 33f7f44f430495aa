//! Unit tests of the XLIFF module's pure parts: sniffing, edits, encodings, new documents.

use std::io::Cursor;
use std::path::Path;

use super::pretranslate::{apply, encode_like};
use super::*;

fn read(text: &str) -> Vec<Item> {
    let mut r = XliffReader::new(
        "t.xlf".into(),
        Box::new(Cursor::new(text.as_bytes().to_vec())),
        XliffOptions::default(),
    )
    .unwrap();
    let mut out = Vec::new();
    while let Some(i) = r.next_item().unwrap() {
        out.push(i);
    }
    out
}

#[test]
fn sniffing_tells_the_generation() {
    assert_eq!(
        sniff(b"<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"x\">"),
        Some(Version::V1)
    );
    assert_eq!(
        sniff(b"<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\">"),
        Some(Version::V2)
    );
    assert_eq!(
        sniff(b"<x:xliff xmlns:x=\"urn:oasis:names:tc:xliff:document:1.2\">"),
        Some(Version::V1)
    );
    let utf16: Vec<u8> = "<xliff version=\"2.1\">"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_eq!(sniff(&utf16), Some(Version::V2));
    assert_eq!(sniff(b"<tmx version=\"1.4\">"), None);
}

#[test]
fn edits_apply_in_order_and_insertions_come_before_replacements() {
    let text = "abcdef";
    let out = apply(
        text,
        vec![
            (4, 6, "EF".into()),
            (1, 1, "+".into()),
            (1, 3, "BC".into()),
            (1, 1, "*".into()),
        ],
    );
    assert_eq!(out, "a+*BCdEF");
}

#[test]
fn output_keeps_the_input_encoding_and_bom() {
    assert_eq!(
        encode_like(b"\xEF\xBB\xBF<x/>", "UTF-8", "é").unwrap(),
        b"\xEF\xBB\xBF\xC3\xA9"
    );
    assert_eq!(
        encode_like(b"\xFF\xFE<\0", "UTF-16LE", "é").unwrap(),
        [0xFF, 0xFE, 0xE9, 0x00]
    );
    // A character windows-1252 lacks becomes a character reference.
    assert_eq!(
        encode_like(b"<x/>", "windows-1252", "é€日").unwrap(),
        b"\xE9\x80&#26085;"
    );
}

#[test]
fn a_windows_1252_document_is_pretranslated_in_windows_1252() {
    let mut doc = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<xliff version=\"1.2\"><file original=\"a\" source-language=\"en\" target-language=\"fr\"><body><trans-unit id=\"1\"><source>caf".to_vec();
    doc.push(0xE9);
    doc.extend(b"</source></trans-unit></body></file></xliff>\n");
    let mut find = |_: &SegmentQuery| {
        vec![Candidate {
            score: 100,
            target_text: "caf\u{e9} \u{65e5}".into(),
            ..Default::default()
        }]
    };
    let r = pretranslate(
        Path::new("w.xlf"),
        &doc,
        &PretranslateOptions::default(),
        &mut find,
    )
    .unwrap();
    let out = r.bytes;
    assert!(out.starts_with(&doc[..doc.len() - 50]));
    let needle = b"exact-match\">caf\xE9 &#26085;</target>";
    assert!(
        out.windows(needle.len()).any(|w| w == needle),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn new_documents_from_text_read_back_as_their_segments() {
    let en = LanguageTag::parse("en").unwrap();
    let fr = LanguageTag::parse("fr").unwrap();
    let segments = vec!["One & two.".to_string(), "<Three>".to_string()];
    for v in [Version::V1, Version::V2] {
        let doc = text_to_xliff(&segments, &en, &fr, "a.txt", v);
        let mut queried = Vec::new();
        let mut find = |q: &SegmentQuery| {
            queried.push(q.text.clone());
            vec![Candidate {
                score: 100,
                target_text: format!("fr:{}", q.text),
                ..Default::default()
            }]
        };
        let r = pretranslate(
            Path::new("a"),
            doc.as_bytes(),
            &PretranslateOptions::default(),
            &mut find,
        )
        .unwrap();
        assert_eq!(queried, segments);
        let out = String::from_utf8(r.bytes).unwrap();
        let items = read(&out);
        let texts: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Unit(u) => Some(u.unit.variants[1].segment.text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["fr:One & two.", "fr:<Three>"], "{out}");
    }
}

#[test]
fn versions_without_a_version_attribute_come_from_the_namespace() {
    let r = XliffReader::new(
        "n.xlf".into(),
        Box::new(Cursor::new(
            b"<xliff xmlns=\"urn:oasis:names:tc:xliff:document:1.1\"/>".to_vec(),
        )),
        XliffOptions::default(),
    )
    .unwrap();
    assert_eq!(r.info().version.as_deref(), Some("1.1"));
}

#[test]
fn a_segmented_unit_with_an_empty_target_gets_the_segmented_target_in_its_place() {
    // Regression: an empty <target/> beside <seg-source> was left empty while its state changed.
    let doc = "<xliff version=\"1.2\"><file original=\"a\" source-language=\"en\" target-language=\"de\"><body><trans-unit id=\"1\"><source>A. B.</source><seg-source><mrk mtype=\"seg\" mid=\"1\">A.</mrk> <mrk mtype=\"seg\" mid=\"2\">B.</mrk></seg-source><target/></trans-unit></body></file></xliff>";
    let mut find = |q: &SegmentQuery| {
        vec![Candidate {
            score: if q.text == "A." { 100 } else { 60 },
            target_text: format!("de {}", q.text),
            ..Default::default()
        }]
    };
    let r = pretranslate(
        Path::new("s"),
        doc.as_bytes(),
        &PretranslateOptions::default(),
        &mut find,
    )
    .unwrap();
    let out = String::from_utf8(r.bytes).unwrap();
    assert!(
        out.contains("</seg-source><target state=\"needs-review-translation\" state-qualifier=\"leveraged-tm\"><mrk mtype=\"seg\" mid=\"1\">de A.</mrk> <mrk mtype=\"seg\" mid=\"2\"></mrk></target>"),
        "{out}"
    );
    // One segment is left empty, so the target as a whole needs review.
    assert_eq!((r.exact, r.fuzzy, r.unmatched), (1, 0, 1));
}
