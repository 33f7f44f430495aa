//! Is a file TMX 1.4? Two checks: the project's own reading of the TMX 1.4 content model
//! (elements, their order, required and allowed attributes, where text may go, date format),
//! which always runs; and xmllint against the DTD of the corpus, which runs when both are
//! there. The DTD is not shipped with the project, so a fresh clone relies on the first.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::Once;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::util::{corpus, corpus_dir, skipped};

/// Asserts that `path` is valid TMX 1.4: the structure check, then the DTD when it can run.
#[track_caller]
pub fn assert_valid_tmx(path: &Path) {
    if let Err(e) = check_structure(path) {
        panic!("{} is not valid TMX 1.4: {e}", path.display());
    }
    assert_dtd_valid(path);
}

/// Validates `path` against the corpus's TMX 1.4 DTD with xmllint (installed by .ci/run);
/// without the corpus or xmllint, says once that DTD validation did not run.
#[track_caller]
pub fn assert_dtd_valid(path: &Path) {
    static SKIP: Once = Once::new();
    let Some(dir) = corpus_dir() else {
        SKIP.call_once(|| {
            corpus("validation of exports against the TMX 1.4 DTD");
        });
        return;
    };
    let dtd = dir.join("spec/tmx14.dtd");
    let out = match Command::new("xmllint")
        .arg("--noout")
        .arg("--dtdvalid")
        .arg(&dtd)
        .arg(path)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("TMM_REQUIRE_CORPUS").is_none(),
                "xmllint is needed for the DTD tests (apt-get install libxml2-utils)"
            );
            SKIP.call_once(|| {
                skipped("xmllint not found (apt-get install libxml2-utils); validation of exports against the TMX 1.4 DTD did not run");
            });
            return;
        }
        Err(e) => panic!("running xmllint: {e}"),
    };
    assert!(
        out.status.success(),
        "{} is not valid TMX 1.4:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What an element may hold and carry.
struct Model {
    /// Child elements allowed, in any order (the order rules are in `check_children`).
    children: &'static [&'static str],
    /// Whether non-blank text may appear directly inside.
    text: bool,
    required: &'static [&'static str],
    optional: &'static [&'static str],
}

const INLINE: &[&str] = &["bpt", "ept", "it", "ph", "hi", "ut"];
const DATES: &[&str] = &["creationdate", "changedate", "lastusagedate"];

fn model(name: &str) -> Option<Model> {
    let shared = &[
        "o-encoding",
        "datatype",
        "usagecount",
        "lastusagedate",
        "creationtool",
        "creationtoolversion",
        "creationdate",
        "creationid",
        "changedate",
        "o-tmf",
        "changeid",
    ];
    let m = |children, text, required, optional| Model {
        children,
        text,
        required,
        optional,
    };
    Some(match name {
        "tmx" => m(&["header", "body"], false, &["version"], &[]),
        "header" => m(
            &["note", "prop", "ude"],
            false,
            &[
                "creationtool",
                "creationtoolversion",
                "segtype",
                "o-tmf",
                "adminlang",
                "srclang",
                "datatype",
            ],
            &[
                "o-encoding",
                "creationdate",
                "creationid",
                "changedate",
                "changeid",
            ],
        ),
        "body" => m(&["tu"], false, &[], &[]),
        "tu" => m(
            &["note", "prop", "tuv"],
            false,
            &[],
            &[
                "tuid",
                "o-encoding",
                "datatype",
                "usagecount",
                "lastusagedate",
                "creationtool",
                "creationtoolversion",
                "creationdate",
                "creationid",
                "changedate",
                "segtype",
                "changeid",
                "o-tmf",
                "srclang",
            ],
        ),
        "tuv" => m(&["note", "prop", "seg"], false, &["xml:lang"], shared),
        "note" => m(&[], true, &[], &["xml:lang", "o-encoding"]),
        "prop" => m(&[], true, &["type"], &["xml:lang", "o-encoding"]),
        "ude" => m(&["map"], false, &["name"], &["base"]),
        "map" => m(&[], false, &["unicode"], &["code", "ent", "subst"]),
        "seg" => m(INLINE, true, &[], &[]),
        "bpt" => m(&["sub"], true, &["i"], &["x", "type"]),
        "ept" => m(&["sub"], true, &["i"], &[]),
        "it" => m(&["sub"], true, &["pos"], &["x", "type"]),
        "ph" => m(&["sub"], true, &[], &["x", "assoc", "type"]),
        "ut" => m(&["sub"], true, &[], &["x"]),
        "hi" => m(INLINE, true, &[], &["x", "type"]),
        "sub" => m(INLINE, true, &[], &["datatype", "type"]),
        _ => return None,
    })
}

/// The order rules of the content model, on the names of an element's children.
fn check_children(name: &str, children: &[String]) -> Result<(), String> {
    let names: Vec<&str> = children.iter().map(String::as_str).collect();
    let annotations = names
        .iter()
        .take_while(|n| matches!(**n, "note" | "prop"))
        .count();
    let ok = match name {
        "tmx" => names == ["header", "body"],
        "tu" => names.len() > annotations && names[annotations..].iter().all(|n| *n == "tuv"),
        "tuv" => names.len() == annotations + 1 && names[annotations] == "seg",
        "ude" => !names.is_empty(),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("<{name}> holds {names:?}"))
    }
}

fn check_attributes(e: &BytesStart, model: &Model, name: &str) -> Result<(), String> {
    let mut seen = HashSet::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("<{name}>: {e}"))?;
        let key = a.key.as_ref().to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("<{name} {key}>: {e}"))?
            .into_owned();
        if !model.required.contains(&key.as_str()) && !model.optional.contains(&key.as_str()) {
            return Err(format!("<{name}> may not have {key}=\"{value}\""));
        }
        if DATES.contains(&key.as_str()) && !is_tmx_date(&value) {
            return Err(format!(
                "<{name}> {key}=\"{value}\" is not YYYYMMDDThhmmssZ"
            ));
        }
        let allowed: Option<&[&str]> = match (name, key.as_str()) {
            ("header" | "tu", "segtype") => Some(&["block", "paragraph", "sentence", "phrase"]),
            ("it", "pos") => Some(&["begin", "end"]),
            ("ph", "assoc") => Some(&["p", "f", "b"]),
            _ => None,
        };
        if allowed.is_some_and(|values| !values.contains(&value.as_str())) {
            return Err(format!(
                "<{name}> {key}=\"{value}\" is not an allowed value"
            ));
        }
        seen.insert(key);
    }
    match model.required.iter().find(|r| !seen.contains(**r)) {
        Some(missing) => Err(format!("<{name}> lacks {missing}")),
        None => Ok(()),
    }
}

/// `YYYYMMDDThhmmssZ` with a real month, day, hour, minute and second.
fn is_tmx_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !digits(0..8) || !digits(9..15) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap();
    (1..=12).contains(&n(4..6))
        && (1..=31).contains(&n(6..8))
        && n(9..11) < 24
        && n(11..13) < 60
        && n(13..15) < 60
}

/// Reads the whole file and checks every element against the content model.
pub fn check_structure(path: &Path) -> Result<(), String> {
    let mut reader = Reader::from_file(path).map_err(|e| e.to_string())?;
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    // (element, its children so far)
    let mut stack: Vec<(String, Vec<String>)> = Vec::new();
    let mut root_seen = false;
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        let at = reader.buffer_position();
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.name().as_ref().to_string();
                let model = model(&name).ok_or_else(|| format!("<{name}> is not TMX"))?;
                match stack.last_mut() {
                    None if root_seen || name != "tmx" => {
                        return Err(format!("<{name}> at byte {at} outside <tmx>"));
                    }
                    None => root_seen = true,
                    Some((parent, children)) => {
                        let parent_model = model_of(parent);
                        if !parent_model.children.contains(&name.as_str()) {
                            return Err(format!("<{name}> inside <{parent}> at byte {at}"));
                        }
                        children.push(name.clone());
                    }
                }
                check_attributes(e, &model, &name).map_err(|m| format!("{m} at byte {at}"))?;
                if matches!(event, Event::Start(_)) {
                    stack.push((name, Vec::new()));
                } else {
                    check_children(&name, &[]).map_err(|m| format!("{m} at byte {at}"))?;
                }
            }
            Event::End(_) => {
                let (name, children) = stack.pop().expect("end names are checked");
                check_children(&name, &children).map_err(|m| format!("{m} at byte {at}"))?;
            }
            Event::Text(ref t) if t.xml10_content().trim().is_empty() => {}
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                if !stack.last().is_some_and(|(n, _)| model_of(n).text) =>
            {
                return Err(format!(
                    "text outside any element that holds text at byte {at}"
                ));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err("no <tmx> element".into());
    }
    match stack.last() {
        Some((name, _)) => Err(format!("<{name}> is not closed")),
        None => Ok(()),
    }
}

fn model_of(name: &str) -> Model {
    model(name).expect("only known elements are pushed")
}

#[test]
fn the_structure_check_refuses_what_the_dtd_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let header = r#"<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/>"#;
    let tmx = |body: &str| format!("<tmx version=\"1.4\">{header}<body>{body}</body></tmx>");
    let good = r#"<tu><prop type="a">b</prop><tuv xml:lang="en"><seg>a <bpt i="1">&lt;b></bpt>b<ept i="1"/></seg></tuv></tu>"#;
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    check_structure(&write("good.tmx", &tmx(good))).unwrap();
    let bad = [
        (
            "no-seg",
            r#"<tu><tuv xml:lang="en"></tuv></tu>"#,
            "<tuv> holds []",
        ),
        (
            "prop-after-tuv",
            r#"<tu><tuv xml:lang="en"><seg/></tuv><prop type="a">b</prop></tu>"#,
            "<tu> holds",
        ),
        ("no-lang", r#"<tu><tuv><seg/></tuv></tu>"#, "lacks xml:lang"),
        (
            "iso-date",
            r#"<tu creationdate="2019-03-05T14:22:10Z"><tuv xml:lang="en"><seg/></tuv></tu>"#,
            "is not YYYYMMDDThhmmssZ",
        ),
        (
            "ept-without-i",
            r#"<tu><tuv xml:lang="en"><seg><ept/></seg></tuv></tu>"#,
            "<ept> lacks i",
        ),
        (
            "hi-in-bpt",
            r#"<tu><tuv xml:lang="en"><seg><bpt i="1"><hi/></bpt></seg></tuv></tu>"#,
            "<hi> inside <bpt>",
        ),
        (
            "text-in-tu",
            r#"<tu>stray<tuv xml:lang="en"><seg/></tuv></tu>"#,
            "text outside",
        ),
        (
            "lang-attribute",
            r#"<tu><tuv lang="en"><seg/></tuv></tu>"#,
            "may not have lang",
        ),
    ];
    for (name, body, message) in bad {
        let err = check_structure(&write(name, &tmx(body))).unwrap_err();
        assert!(err.contains(message), "{name}: {err}");
    }
    let err = check_structure(&write(
        "no-header.tmx",
        "<tmx version=\"1.4\"><body/></tmx>",
    ))
    .unwrap_err();
    assert!(err.contains("<tmx> holds [\"body\"]"), "{err}");
}
