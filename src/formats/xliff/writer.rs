//! Bilingual XLIFF from memory: [`XliffWriter`] writes XLIFF 1.2 (valid against
//! `xliff-core-1.2-transitional.xsd`), [`Xliff2Writer`] XLIFF 2.0 (valid against the 2.0
//! core schema). Both are deterministic: the same units in give the same bytes out.
//!
//! Inline codes read from XLIFF come back as they were (the `x-tmm-xliff1`/`x-tmm-xliff2`
//! variant props); codes from TMX are converted (`bpt`/`ept` → 1.2 `bpt`/`ept`, 2.0
//! `sc`/`ec`; `ph`, `ut` → `ph`; `it` → 1.2 `it`, 2.0 isolated `sc`/`ec`; `hi` → `mrk`).

use std::io::{self, Write};
use std::path::Path;

use super::dom::{self, Element, Node};
use super::{XLIFF1_PROP, XLIFF2_DATA_PROP, XLIFF2_PROP};
use crate::formats::tmx::{escape_attribute, escape_text, is_forbidden_char};
use crate::lang::LanguageTag;
use crate::model::{Prop, TranslationUnit, Variant};

const STATES_1_2: &[&str] = &[
    "final",
    "needs-adaptation",
    "needs-l10n",
    "needs-review-adaptation",
    "needs-review-l10n",
    "needs-review-translation",
    "needs-translation",
    "new",
    "signed-off",
    "translated",
];
const QUALIFIERS_1_2: &[&str] = &[
    "exact-match",
    "fuzzy-match",
    "id-match",
    "leveraged-glossary",
    "leveraged-inherited",
    "leveraged-mt",
    "leveraged-repository",
    "leveraged-tm",
    "mt-suggestion",
    "rejected-grammar",
    "rejected-inaccurate",
    "rejected-length",
    "rejected-spelling",
    "tm-suggestion",
];
const CTYPES_1_2: &[&str] = &["bold", "italic", "underlined", "link", "image", "pb", "lb"];
const MTYPES_1_2: &[&str] = &[
    "abbrev",
    "abbreviated-form",
    "abbreviation",
    "acronym",
    "appellation",
    "collocation",
    "common-name",
    "datetime",
    "equation",
    "expanded-form",
    "formula",
    "head-term",
    "initialism",
    "international-scientific-term",
    "internationalism",
    "logical-expression",
    "materials-management-unit",
    "name",
    "near-synonym",
    "part-number",
    "phrase",
    "phraseological-unit",
    "protected",
    "romanized-form",
    "seg",
    "set-phrase",
    "short-form",
    "sku",
    "standard-text",
    "symbol",
    "synonym",
    "synonymous-phrase",
    "term",
    "transcribed-form",
    "transliterated-form",
    "truncated-term",
    "variant",
];

fn prop_value<'a>(props: &'a [Prop], kind: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.kind == kind)
        .map(|p| p.value.as_str())
}

/// The variant in `lang`, else one in the same primary language.
pub(crate) fn pick<'a>(unit: &'a TranslationUnit, lang: &LanguageTag) -> Option<&'a Variant> {
    unit.variant(lang).or_else(|| {
        let primary = lang.as_str().split('-').next().unwrap_or("");
        unit.variants
            .iter()
            .find(|v| v.lang.as_str().split('-').next() == Some(primary))
    })
}

/// Text as XML content, characters XML 1.0 forbids written as nothing (they cannot be
/// carried in XLIFF 1.2 text; XLIFF 2 writes them as `<cp>`).
fn clean_text(s: &str, v2: bool) -> String {
    if !s.contains(is_forbidden_char) {
        return escape_text(s).into_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if is_forbidden_char(c) {
            if v2 {
                out.push_str(&format!("<cp hex=\"{:04X}\"/>", c as u32));
            }
        } else {
            out.push_str(&escape_text(&c.to_string()));
        }
    }
    out
}

fn attr(name: &str, value: &str) -> String {
    let value: String = value.chars().filter(|c| !is_forbidden_char(*c)).collect();
    format!(" {name}=\"{}\"", escape_attribute(&value))
}

/// Parses a TMX inline fragment; `None` when it is not well-formed.
fn parse_tmx(markup: &str) -> Option<Element> {
    dom::parse(Path::new("segment"), &format!("<seg>{markup}</seg>"))
        .ok()
        .map(|d| d.root)
}

/// TMX inline markup as XLIFF 1.2 inline content.
pub(crate) fn tmx_to_xliff1(markup: &str, fallback_text: &str) -> String {
    let Some(seg) = parse_tmx(markup) else {
        return clean_text(fallback_text, false);
    };
    let mut out = String::new();
    let mut n = 0;
    tmx1_children(&seg, &mut out, &mut n);
    out
}

fn ctype(e: &Element) -> String {
    match e.attr("type") {
        Some(t) if CTYPES_1_2.contains(&t) || t.starts_with("x-") => attr("ctype", t),
        Some(t) => attr("ctype", &format!("x-{t}")),
        None => String::new(),
    }
}

fn tmx1_children(e: &Element, out: &mut String, n: &mut usize) {
    for node in &e.children {
        match node {
            Node::Text(t) => out.push_str(&clean_text(t, false)),
            Node::Element(c) => {
                *n += 1;
                let id = *n;
                let (open, close) = match c.local.as_str() {
                    "bpt" => (
                        format!(
                            "<bpt id=\"{id}\"{}{}>",
                            attr("rid", c.attr("i").unwrap_or("")),
                            ctype(c)
                        ),
                        "</bpt>",
                    ),
                    "ept" => (
                        format!(
                            "<ept id=\"{id}\"{}>",
                            attr("rid", c.attr("i").unwrap_or(""))
                        ),
                        "</ept>",
                    ),
                    "it" => {
                        let pos = if c.attr("pos") == Some("end") {
                            "close"
                        } else {
                            "open"
                        };
                        (
                            format!("<it id=\"{id}\" pos=\"{pos}\"{}>", ctype(c)),
                            "</it>",
                        )
                    }
                    "ph" | "ut" => (format!("<ph id=\"{id}\"{}>", ctype(c)), "</ph>"),
                    "sub" => ("<sub>".to_string(), "</sub>"),
                    "hi" => {
                        let mtype = match c.attr("type") {
                            Some(t) if MTYPES_1_2.contains(&t) && t != "seg" => t.to_string(),
                            Some(t) if t.starts_with("x-") => t.to_string(),
                            _ => "x-tmm-hi".to_string(),
                        };
                        (format!("<mrk{}>", attr("mtype", &mtype)), "</mrk>")
                    }
                    _ => {
                        tmx1_children(c, out, n);
                        continue;
                    }
                };
                out.push_str(&open);
                tmx1_children(c, out, n);
                out.push_str(close);
            }
        }
    }
}

/// The original data of XLIFF 2 codes made from TMX, shared by a unit's source and target.
#[derive(Default)]
pub(crate) struct DataTable {
    entries: Vec<String>,
}

impl DataTable {
    fn id(&mut self, code: &str) -> Option<String> {
        if code.is_empty() {
            return None;
        }
        let i = match self.entries.iter().position(|e| e == code) {
            Some(i) => i,
            None => {
                self.entries.push(code.to_string());
                self.entries.len() - 1
            }
        };
        Some(format!("d{}", i + 1))
    }

    /// `<originalData>…</originalData>`, or nothing.
    pub(crate) fn xml(&self, indent: &str) -> String {
        if self.entries.is_empty() {
            return String::new();
        }
        let mut out = format!("{indent}<originalData>\n");
        for (i, e) in self.entries.iter().enumerate() {
            out.push_str(&format!(
                "{indent}  <data id=\"d{}\">{}</data>\n",
                i + 1,
                clean_text(e, true)
            ));
        }
        out.push_str(&format!("{indent}</originalData>\n"));
        out
    }
}

/// TMX inline markup as XLIFF 2 inline content, the native codes going to `data`.
pub(crate) fn tmx_to_xliff2(markup: &str, fallback_text: &str, data: &mut DataTable) -> String {
    let Some(seg) = parse_tmx(markup) else {
        return clean_text(fallback_text, true);
    };
    let mut out = String::new();
    let mut n = 0;
    tmx2_children(&seg, &mut out, &mut n, data);
    out
}

fn tmx2_children(e: &Element, out: &mut String, n: &mut usize, data: &mut DataTable) {
    for node in &e.children {
        match node {
            Node::Text(t) => out.push_str(&clean_text(t, true)),
            Node::Element(c) => {
                *n += 1;
                let native = c.text();
                let data_ref = |data: &mut DataTable| {
                    data.id(&native)
                        .map(|d| attr("dataRef", &d))
                        .unwrap_or_default()
                };
                match c.local.as_str() {
                    "bpt" => {
                        let r = data_ref(data);
                        let i = c.attr("i").unwrap_or("");
                        out.push_str(&format!("<sc{}{r}/>", attr("id", &format!("b{i}"))));
                    }
                    "ept" => {
                        let r = data_ref(data);
                        let i = c.attr("i").unwrap_or("");
                        out.push_str(&format!("<ec{}{r}/>", attr("startRef", &format!("b{i}"))));
                    }
                    "it" => {
                        let r = data_ref(data);
                        let el = if c.attr("pos") == Some("end") {
                            "ec"
                        } else {
                            "sc"
                        };
                        out.push_str(&format!("<{el} id=\"i{n}\" isolated=\"yes\"{r}/>"));
                    }
                    "ph" | "ut" => {
                        let r = data_ref(data);
                        out.push_str(&format!("<ph id=\"p{n}\"{r}/>"));
                    }
                    "hi" => {
                        out.push_str(&format!("<mrk id=\"m{n}\" type=\"generic\">"));
                        tmx2_children(c, out, n, data);
                        out.push_str("</mrk>");
                    }
                    _ => tmx2_children(c, out, n, data),
                }
            }
        }
    }
}

/// The XLIFF 1.2 inline content of a variant: the original codes when it was read from
/// XLIFF 1.x, else its TMX markup converted, else its text.
pub(crate) fn content_1_2(v: &Variant) -> String {
    if let Some(x) = prop_value(&v.props, XLIFF1_PROP) {
        return x.to_string();
    }
    match &v.segment.markup {
        Some(m) => tmx_to_xliff1(m, &v.segment.text),
        None => clean_text(&v.segment.text, false),
    }
}

/// Writes an XLIFF 1.2 document with one `<file>`, unit by unit.
pub struct XliffWriter<W: Write> {
    out: W,
    source: LanguageTag,
    target: LanguageTag,
    count: usize,
}

impl<W: Write> XliffWriter<W> {
    /// Starts the document; `original` names the `<file>` (the memory, a file name).
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn new(
        mut out: W,
        source: &LanguageTag,
        target: &LanguageTag,
        original: &str,
    ) -> io::Result<Self> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file{}{}{} datatype=\"plaintext\">\n    <header>\n      <tool tool-id=\"tmm\" tool-name=\"tmm\" tool-version=\"{}\"/>\n    </header>\n    <body>\n",
            attr("original", original),
            attr("source-language", source.as_str()),
            attr("target-language", target.as_str()),
            env!("CARGO_PKG_VERSION"),
        )?;
        Ok(XliffWriter {
            out,
            source: source.clone(),
            target: target.clone(),
            count: 0,
        })
    }

    /// Writes one `<trans-unit>`; returns `false` (and writes nothing) when the unit has no
    /// variant in the source or the target language.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn write_unit(&mut self, unit: &TranslationUnit) -> io::Result<bool> {
        let (Some(src), Some(tgt)) = (pick(unit, &self.source), pick(unit, &self.target)) else {
            return Ok(false);
        };
        self.count += 1;
        let mut b = format!("      <trans-unit id=\"{}\"", self.count);
        if let Some(r) = prop_value(&unit.props, "x-xliff-resname").or(unit.tuid.as_deref()) {
            b.push_str(&attr("resname", r));
        }
        b.push_str(" xml:space=\"preserve\">\n");
        b.push_str(&format!("        <source>{}</source>\n", content_1_2(src)));
        let state = prop_value(&tgt.props, "x-xliff-state")
            .filter(|s| STATES_1_2.contains(s) || s.starts_with("x-"))
            .unwrap_or("translated");
        b.push_str(&format!("        <target{}", attr("state", state)));
        if let Some(q) = prop_value(&tgt.props, "x-xliff-state-qualifier")
            .filter(|q| QUALIFIERS_1_2.contains(q) || q.starts_with("x-"))
        {
            b.push_str(&attr("state-qualifier", q));
        }
        b.push_str(&format!(">{}</target>\n", content_1_2(tgt)));
        for n in unit.notes.iter().chain(&tgt.notes) {
            b.push_str(&format!(
                "        <note>{}</note>\n",
                clean_text(&n.text, false)
            ));
        }
        b.push_str("      </trans-unit>\n");
        self.out.write_all(b.as_bytes())?;
        Ok(true)
    }

    /// Closes the document and returns the output.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"    </body>\n  </file>\n</xliff>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes an XLIFF 2.0 document with one `<file>`, unit by unit.
pub struct Xliff2Writer<W: Write> {
    out: W,
    source: LanguageTag,
    target: LanguageTag,
    count: usize,
}

impl<W: Write> Xliff2Writer<W> {
    /// Starts the document; `original` names the `<file>`.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn new(
        mut out: W,
        source: &LanguageTag,
        target: &LanguageTag,
        original: &str,
    ) -> io::Result<Self> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\"{}{}>\n  <file id=\"f1\"{}>\n",
            attr("srcLang", source.as_str()),
            attr("trgLang", target.as_str()),
            attr("original", original),
        )?;
        Ok(Xliff2Writer {
            out,
            source: source.clone(),
            target: target.clone(),
            count: 0,
        })
    }

    /// Writes one `<unit>` with one `<segment>`; returns `false` (and writes nothing) when
    /// the unit has no variant in the source or the target language.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn write_unit(&mut self, unit: &TranslationUnit) -> io::Result<bool> {
        let (Some(src), Some(tgt)) = (pick(unit, &self.source), pick(unit, &self.target)) else {
            return Ok(false);
        };
        self.count += 1;
        let mut b = format!("    <unit id=\"u{}\"", self.count);
        if let Some(name) = prop_value(&unit.props, "x-xliff-name").or(unit.tuid.as_deref()) {
            b.push_str(&attr("name", name));
        }
        b.push_str(">\n");
        let notes: Vec<_> = unit.notes.iter().chain(&tgt.notes).collect();
        if !notes.is_empty() {
            b.push_str("      <notes>\n");
            for n in notes {
                b.push_str(&format!(
                    "        <note>{}</note>\n",
                    clean_text(&n.text, true)
                ));
            }
            b.push_str("      </notes>\n");
        }
        let restored = match (
            prop_value(&src.props, XLIFF2_PROP),
            prop_value(&tgt.props, XLIFF2_PROP),
        ) {
            (s, t) if s.is_some() || t.is_some() => {
                let s = s
                    .map(String::from)
                    .unwrap_or_else(|| clean_text(&src.segment.text, true));
                let t = t
                    .map(String::from)
                    .unwrap_or_else(|| clean_text(&tgt.segment.text, true));
                let mut data: Vec<&str> = Vec::new();
                for v in [src, tgt] {
                    if let Some(d) = prop_value(&v.props, XLIFF2_DATA_PROP) {
                        data.push(d);
                    }
                }
                Some((s, t, data_union(&data)))
            }
            _ => None,
        };
        let (source, target, data_xml) = match restored {
            Some((s, t, d)) => {
                let d = if d.is_empty() {
                    String::new()
                } else {
                    format!("      <originalData>{d}</originalData>\n")
                };
                (s, t, d)
            }
            None => {
                let mut data = DataTable::default();
                let s = match &src.segment.markup {
                    Some(m) => tmx_to_xliff2(m, &src.segment.text, &mut data),
                    None => clean_text(&src.segment.text, true),
                };
                let t = match &tgt.segment.markup {
                    Some(m) => tmx_to_xliff2(m, &tgt.segment.text, &mut data),
                    None => clean_text(&tgt.segment.text, true),
                };
                (s, t, data.xml("      "))
            }
        };
        b.push_str(&data_xml);
        let state = prop_value(&tgt.props, "x-xliff-state")
            .filter(|s| ["initial", "translated", "reviewed", "final"].contains(s))
            .unwrap_or("translated");
        b.push_str(&format!("      <segment state=\"{state}\">\n"));
        b.push_str(&format!(
            "        <source xml:space=\"preserve\">{source}</source>\n"
        ));
        b.push_str(&format!(
            "        <target xml:space=\"preserve\">{target}</target>\n"
        ));
        b.push_str("      </segment>\n    </unit>\n");
        self.out.write_all(b.as_bytes())?;
        Ok(true)
    }

    /// Closes the document and returns the output.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"  </file>\n</xliff>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The `<data>` elements of several fragments, each id once.
fn data_union(fragments: &[&str]) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for f in fragments {
        let Some(root) = parse_tmx(f) else { continue };
        for d in root.elements() {
            let Some(id) = d.attr("id") else { continue };
            if seen.insert(id.to_string()) {
                out.push_str(&format!(
                    "<data{}>{}</data>",
                    attr("id", id),
                    clean_text(&d.text(), true)
                ));
            }
        }
    }
    out
}
