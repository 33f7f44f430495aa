//! XLIFF 1.0–1.2 and 2.0–2.2: the bilingual files CAT tools exchange (Trados `.sdlxliff`,
//! memoQ `.mqxliff`, OmegaT, Phrase, MateCat, Weblate, Xcode, Angular), read as memory,
//! written from memory, and pretranslated in place.
//!
//! - [`XliffReader`] is a [`UnitSource`]: one unit per translated segment (a `<trans-unit>`, or
//!   each `<mrk mtype="seg">` of its `<seg-source>`; an XLIFF 2 `<segment>`), in the file's
//!   source and target languages. Inline codes become TMX markup (see [`inline`]), with the
//!   XLIFF original kept in a variant prop (`x-tmm-xliff1` / `x-tmm-xliff2`) that
//!   [`XliffWriter`] and [`Xliff2Writer`] restore.
//! - [`pretranslate`] fills the empty targets of a document with matches a callback finds,
//!   leaving every other byte as it was.
//!
//! What a unit keeps (props on the unit unless said otherwise):
//!
//! | prop                         | from                                                  |
//! |------------------------------|-------------------------------------------------------|
//! | `x-context`                  | `original#id` (1.x) / `file-id#unit-id` (2.x): the context of 101% matches |
//! | `x-xliff-original`           | `<file original>` (2.x: `<file original>` or its id)  |
//! | `x-xliff-id`, `x-xliff-segment` | the unit's id, the segment's `mid` / id            |
//! | `x-xliff-resname`, `x-xliff-approved`, `x-xliff-name` | the attributes of the same name |
//! | `x-xliff-context:TYPE`       | 1.2 `<context context-type="TYPE">`                   |
//! | `x-mda:CATEGORY:TYPE`        | 2.x `<mda:meta>`                                      |
//! | `x-sdl-conf`                 | Trados' segment confirmation level                    |
//! | target `x-xliff-state`, `x-xliff-state-qualifier`, `x-xliff-substate` | the segment's state |
//! | target `x-tmm-xliff1` / `x-tmm-xliff2` (+ `x-tmm-xliff2-data`) | the original inline codes |
//!
//! Notes (1.2 `<note>`, 2.x `<notes>`) become unit notes.
//!
//! What is left out, counted by kind ([`Item::Skipped`]): `state-new`,
//! `state-needs-translation`, `state-initial` (and any other state in
//! [`XliffOptions::skip_states`]), `empty-target`, `no-target`, `alt-trans` (unless
//! [`XliffOptions::alt_trans`]), `bin-unit`. An XLIFF 2 segment with a target and no `state`
//! is read as a translation: tools that never write a state would otherwise lose everything.

mod dom;
pub mod inline;
pub mod pretranslate;
pub mod writer;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::tmx::encoding;
use crate::formats::{Format, Item, ReadUnit, SourceInfo, UnitSource};
use crate::lang::LanguageTag;
use crate::model::{Header, Note, Prop, Segment, TranslationUnit, Variant};
use dom::{Element, Node};

pub use pretranslate::{
    Candidate, PretranslateOptions, Pretranslated, SegmentQuery, pretranslate, text_to_xliff,
};
pub use writer::{Xliff2Writer, XliffWriter};

/// Variant prop: the XLIFF 1.2 inline content, canonical.
pub const XLIFF1_PROP: &str = "x-tmm-xliff1";
/// Variant prop: the XLIFF 2 inline content, canonical.
pub const XLIFF2_PROP: &str = "x-tmm-xliff2";
/// Variant prop: the `<data>` elements of XLIFF 2 `<originalData>` the content refers to.
pub const XLIFF2_DATA_PROP: &str = "x-tmm-xliff2-data";
/// Unit prop: the context of in-context (101%) matches.
pub const CONTEXT_PROP: &str = "x-context";

/// The XLIFF generation a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// XLIFF 1.0, 1.1 and 1.2 (read alike).
    V1,
    /// XLIFF 2.0, 2.1 and 2.2.
    V2,
}

/// How to read an XLIFF file.
#[derive(Debug, Clone)]
pub struct XliffOptions {
    /// The source language, instead of the one the file declares.
    pub source_lang: Option<LanguageTag>,
    /// The target language, instead of the one the file declares.
    pub target_lang: Option<LanguageTag>,
    /// States (1.2 `state`, 2.x `state`) whose segments are not translations yet.
    pub skip_states: Vec<String>,
    /// Also read `<alt-trans>` proposals (XLIFF 1.2) as units.
    pub alt_trans: bool,
}

impl Default for XliffOptions {
    fn default() -> Self {
        XliffOptions {
            source_lang: None,
            target_lang: None,
            skip_states: DEFAULT_SKIP_STATES.iter().map(|s| s.to_string()).collect(),
            alt_trans: false,
        }
    }
}

/// The states skipped by default: 1.2 `new`, `needs-translation`; 2.x `initial`.
pub const DEFAULT_SKIP_STATES: &[&str] = &["new", "needs-translation", "initial"];

/// Says whether `head` (the first bytes of a file) is XLIFF, and which generation.
pub fn sniff(head: &[u8]) -> Option<Version> {
    let text = String::from_utf8_lossy(head);
    let text: String = if head.starts_with(b"\xFF\xFE") || head.get(1) == Some(&0) {
        let units: Vec<u16> = head
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if head.starts_with(b"\xFE\xFF") || head.first() == Some(&0) {
        let units: Vec<u16> = head
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        text.into_owned()
    };
    let at = text.find("<xliff").or_else(|| text.find(":xliff"))?;
    let tag = &text[at..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    if tag.contains("version=\"2") || tag.contains("version='2") || tag.contains("document:2.") {
        Some(Version::V2)
    } else {
        Some(Version::V1)
    }
}

/// A reader of one XLIFF document. The document is parsed whole when the reader is made
/// (XLIFF files are documents, not memories of millions of units), so a file that is not
/// well-formed is refused before any unit is yielded.
pub struct XliffReader {
    info: SourceInfo,
    items: VecDeque<Item>,
}

impl XliffReader {
    /// Reads `input`; `name` names it in messages.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read, [`Error::Format`] for an unknown encoding,
    /// [`Error::Syntax`] (with line and column) when it is not well-formed XML or its root
    /// element is not `<xliff>`.
    pub fn new(
        name: PathBuf,
        input: Box<dyn BufRead + Send>,
        options: XliffOptions,
    ) -> Result<Self> {
        let (text, encoding, warning) = encoding::decode_to_string(&name, input)?;
        let doc = dom::parse(&name, &text)?;
        let mut warnings: Vec<String> = warning.into_iter().collect();
        warnings.extend(doc.warnings.iter().cloned());
        let root = &doc.root;
        check_root(&name, &text, root)?;
        let version_attr = root.attr("version").map(String::from).or_else(|| {
            root.ns
                .as_deref()
                .and_then(|n| n.strip_prefix("urn:oasis:names:tc:xliff:document:"))
                .map(String::from)
        });
        let v2 = is_v2(root);
        let mut walker = Walker {
            options: &options,
            items: VecDeque::new(),
            warnings: &mut warnings,
            header: Header::default(),
        };
        if v2 {
            walker.read_v2(root);
        } else {
            walker.read_v1(root);
        }
        let header = std::mem::take(&mut walker.header);
        let items = std::mem::take(&mut walker.items);
        Ok(XliffReader {
            info: SourceInfo {
                format: Format::Xliff,
                header,
                version: version_attr,
                encoding,
                warnings,
            },
            items,
        })
    }

    /// Opens a file.
    ///
    /// # Errors
    /// As [`XliffReader::new`].
    pub fn open(path: &Path, options: XliffOptions) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::new(
            path.to_path_buf(),
            Box::new(std::io::BufReader::new(file)),
            options,
        )
    }
}

impl UnitSource for XliffReader {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_item(&mut self) -> Result<Option<Item>> {
        Ok(self.items.pop_front())
    }
}

fn check_root(name: &Path, text: &str, root: &Element) -> Result<()> {
    if root.local == "xliff" {
        return Ok(());
    }
    let (line, column) = dom::locate(text, root.start);
    Err(Error::Syntax {
        path: name.to_path_buf(),
        line,
        column,
        message: format!("not XLIFF: the root element is <{}>", root.name),
    })
}

fn is_v2(root: &Element) -> bool {
    match root.attr("version") {
        Some(v) => v.starts_with('2'),
        None => root
            .ns
            .as_deref()
            .is_some_and(|n| n.starts_with("urn:oasis:names:tc:xliff:document:2")),
    }
}

struct Walker<'a> {
    options: &'a XliffOptions,
    items: VecDeque<Item>,
    warnings: &'a mut Vec<String>,
    header: Header,
}

/// The languages of a `<file>` (1.x) or document (2.x), after the options.
struct Langs {
    source: std::result::Result<LanguageTag, String>,
    target: std::result::Result<LanguageTag, String>,
}

fn prop(kind: impl Into<String>, value: impl Into<String>) -> Prop {
    Prop {
        kind: kind.into(),
        lang: None,
        o_encoding: None,
        value: value.into(),
    }
}

fn note(text: String) -> Note {
    Note {
        lang: None,
        o_encoding: None,
        text,
    }
}

impl Walker<'_> {
    fn langs(&mut self, line: u64, source: Option<&str>, target: Option<&str>) -> Langs {
        let pick = |given: &Option<LanguageTag>, declared: Option<&str>, what: &str| {
            if let Some(tag) = given {
                return Ok(tag.clone());
            }
            match declared.map(str::trim).filter(|s| !s.is_empty()) {
                Some(d) => LanguageTag::parse(d).map_err(|e| format!("{what} language: {e}")),
                None => Err(format!(
                    "the file declares no {what} language; give one (--{})",
                    if what == "source" { "from" } else { "to" }
                )),
            }
        };
        let langs = Langs {
            source: pick(&self.options.source_lang, source, "source"),
            target: pick(&self.options.target_lang, target, "target"),
        };
        for (given, declared, what) in [
            (&self.options.source_lang, source, "source"),
            (&self.options.target_lang, target, "target"),
        ] {
            if let (Some(g), Some(d)) = (given, declared)
                && LanguageTag::parse(d).ok().as_ref() != Some(g)
            {
                self.warnings.push(format!(
                    "line {line}: the file's {what} language {d} is read as {g}"
                ));
            }
        }
        if self.header.srclang.is_none()
            && let Ok(s) = &langs.source
        {
            self.header.srclang = Some(s.as_str().to_string());
        }
        langs
    }

    fn skipped(&mut self, line: u64, kind: &'static str) {
        self.items.push_back(Item::Skipped { line, kind });
    }

    fn invalid(&mut self, line: u64, message: String) {
        self.items.push_back(Item::Invalid { line, message });
    }

    /// The state key for a skipped state, if `state` is one to skip.
    fn skip_state(&self, state: Option<&str>) -> Option<&'static str> {
        let state = state?;
        if !self.options.skip_states.iter().any(|s| s == state) {
            return None;
        }
        Some(match state {
            "new" => "state-new",
            "needs-translation" => "state-needs-translation",
            "initial" => "state-initial",
            _ => "state-other",
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn push_unit(
        &mut self,
        line: u64,
        langs: &Langs,
        tuid: Option<String>,
        props: Vec<Prop>,
        notes: Vec<Note>,
        source: inline::Converted,
        target: inline::Converted,
        target_props: Vec<Prop>,
        v2: bool,
        data: &HashMap<String, String>,
        mut warnings: Vec<String>,
    ) {
        let (src, tgt) = match (&langs.source, &langs.target) {
            (Ok(s), Ok(t)) => (s.clone(), t.clone()),
            (Err(e), _) | (_, Err(e)) => return self.invalid(line, e.clone()),
        };
        let problems: Vec<String> = source
            .problems
            .iter()
            .chain(&target.problems)
            .cloned()
            .collect();
        if !problems.is_empty() {
            return self.invalid(line, problems.join("; "));
        }
        let variant = |lang: LanguageTag, c: inline::Converted, mut props: Vec<Prop>| {
            if let Some(x) = &c.xliff {
                props.push(prop(if v2 { XLIFF2_PROP } else { XLIFF1_PROP }, x.clone()));
                if v2 && !c.data_refs.is_empty() {
                    let mut refs: Vec<&String> = c.data_refs.iter().collect();
                    refs.sort();
                    refs.dedup();
                    let value: String = refs
                        .into_iter()
                        .map(|id| {
                            format!(
                                "<data id=\"{}\">{}</data>",
                                crate::formats::tmx::escape_attribute(id),
                                crate::formats::tmx::escape_text(
                                    data.get(id.as_str()).map(String::as_str).unwrap_or("")
                                )
                            )
                        })
                        .collect();
                    props.push(prop(XLIFF2_DATA_PROP, value));
                }
            }
            let mut v = Variant::new(lang, c.text);
            v.segment = Segment {
                text: std::mem::take(&mut v.segment.text),
                markup: c.tmx,
            };
            v.props = props;
            v
        };
        if source.text.trim().is_empty() {
            warnings.push("the source has no text".into());
        }
        let unit = TranslationUnit {
            tuid,
            srclang: Some(src.as_str().to_string()),
            props,
            notes,
            variants: vec![
                variant(src, source, Vec::new()),
                variant(tgt, target, target_props),
            ],
            ..Default::default()
        };
        self.items.push_back(Item::Unit(Box::new(ReadUnit {
            unit,
            line,
            warnings,
            document: None,
        })));
    }

    // ---- XLIFF 1.x ----

    fn read_v1(&mut self, root: &Element) {
        let files: Vec<&Element> = root.elements().filter(|e| e.local == "file").collect();
        if files.is_empty() {
            self.warnings.push("no <file> in <xliff>".into());
        }
        for file in files {
            let langs = self.langs(
                file.line,
                file.attr("source-language"),
                file.attr("target-language"),
            );
            if self.header.attributes.creationtool.is_none() {
                self.header.attributes.creationtool = file
                    .attr("tool-id")
                    .or(file.attr("tool"))
                    .or_else(|| {
                        file.child("header")
                            .and_then(|h| h.child("tool"))
                            .and_then(|t| t.attr("tool-name"))
                    })
                    .map(String::from);
            }
            if self.header.attributes.datatype.is_none() {
                self.header.attributes.datatype = file.attr("datatype").map(String::from);
            }
            let original = file.attr("original").unwrap_or("").to_string();
            let mut seen = HashMap::new();
            if let Some(body) = file.child("body") {
                self.body_v1(body, &langs, &original, &mut seen);
            }
        }
    }

    fn body_v1(
        &mut self,
        e: &Element,
        langs: &Langs,
        original: &str,
        seen: &mut HashMap<String, u64>,
    ) {
        for c in e.elements() {
            match c.local.as_str() {
                "group" => self.body_v1(c, langs, original, seen),
                "trans-unit" => self.trans_unit(c, langs, original, seen),
                "bin-unit" => self.skipped(c.line, "bin-unit"),
                _ => {}
            }
        }
    }

    /// A unit's `id`, checked unique in its `<file>` (`seen`: ids and their lines); the
    /// unit's own warnings say when it is missing or used twice, and the file's warnings
    /// name both lines.
    fn unit_id(
        &mut self,
        e: &Element,
        name: &str,
        seen: &mut HashMap<String, u64>,
    ) -> (Option<String>, Vec<String>) {
        let line = e.line;
        let id = e.attr("id").map(String::from);
        let mut warnings = Vec::new();
        match &id {
            Some(id) => {
                if let Some(first) = seen.insert(id.clone(), line) {
                    self.warnings.push(format!(
                        "line {line}: {name} id \"{id}\" is used twice in this <file> (first on line {first})"
                    ));
                    warnings.push(format!("duplicate id \"{id}\""));
                }
            }
            None => warnings.push(format!("{name} without id")),
        }
        (id, warnings)
    }

    fn trans_unit(
        &mut self,
        tu: &Element,
        langs: &Langs,
        original: &str,
        seen: &mut HashMap<String, u64>,
    ) {
        let line = tu.line;
        let (id, warnings) = self.unit_id(tu, "trans-unit", seen);
        let Some(source) = tu.child("source") else {
            return self.invalid(line, "<trans-unit> without <source>".into());
        };
        let target = tu.child("target");
        let alt = tu.elements().filter(|e| e.local == "alt-trans").count();
        let mut props = Vec::new();
        if !original.is_empty() {
            props.push(prop("x-xliff-original", original));
        }
        if let Some(id) = &id {
            props.push(prop("x-xliff-id", id.as_str()));
            props.push(prop(CONTEXT_PROP, format!("{original}#{id}")));
        }
        for (attr, kind) in [
            ("resname", "x-xliff-resname"),
            ("approved", "x-xliff-approved"),
        ] {
            if let Some(v) = tu.attr(attr) {
                props.push(prop(kind, v));
            }
        }
        for group in tu.elements().filter(|e| e.local == "context-group") {
            for ctx in group.elements().filter(|e| e.local == "context") {
                let ty = ctx.attr("context-type").unwrap_or("x-unknown");
                props.push(prop(format!("x-xliff-context:{ty}"), ctx.text()));
            }
        }
        let notes: Vec<Note> = tu
            .elements()
            .filter(|e| e.local == "note")
            .map(|n| note(n.text()))
            .collect();
        let sdl_confs: HashMap<String, String> = tu
            .elements()
            .filter(|e| e.local == "seg-defs")
            .flat_map(|d| d.elements())
            .filter_map(|s| Some((s.attr("id")?.to_string(), s.attr("conf")?.to_string())))
            .collect();
        let empty = HashMap::new();
        if self.options.alt_trans {
            for a in tu.elements().filter(|e| e.local == "alt-trans") {
                self.alt_trans(a, source, langs, &props, id.clone());
            }
        } else {
            for a in tu.elements().filter(|e| e.local == "alt-trans") {
                self.skipped(a.line, "alt-trans");
            }
        }
        let _ = alt;
        let Some(target) = target else {
            return self.skipped(line, "no-target");
        };
        let state = target.attr("state");
        let mut target_props = Vec::new();
        if let Some(s) = state {
            target_props.push(prop("x-xliff-state", s));
        }
        if let Some(q) = target.attr("state-qualifier") {
            target_props.push(prop("x-xliff-state-qualifier", q));
        }
        if let Some(kind) = self.skip_state(state) {
            return self.skipped(line, kind);
        }
        // Segmented: one unit per <mrk mtype="seg"> of <seg-source>.
        let src_segs: Vec<&Element> = tu
            .child("seg-source")
            .map(|s| seg_marks(s))
            .unwrap_or_default();
        if !src_segs.is_empty() {
            let tgt_segs: HashMap<&str, &Element> = seg_marks(target)
                .into_iter()
                .filter_map(|m| Some((m.attr("mid")?, m)))
                .collect();
            if !tgt_segs.is_empty() {
                for seg in src_segs {
                    let mid = seg.attr("mid").unwrap_or("");
                    let Some(t) = tgt_segs.get(mid) else {
                        self.skipped(seg.line, "no-target");
                        continue;
                    };
                    let mut starts = HashSet::new();
                    let sc = inline::convert(seg, false, &empty, &mut starts);
                    let tc = inline::convert(t, false, &empty, &mut HashSet::new());
                    if tc.text.trim().is_empty() {
                        self.skipped(t.line, "empty-target");
                        continue;
                    }
                    let mut props = props.clone();
                    props.push(prop("x-xliff-segment", mid));
                    if let Some(conf) = sdl_confs.get(mid) {
                        props.push(prop("x-sdl-conf", conf.as_str()));
                    }
                    let tuid = id.as_ref().map(|i| format!("{i}#{mid}"));
                    self.push_unit(
                        seg.line,
                        langs,
                        tuid,
                        props,
                        notes.clone(),
                        sc,
                        tc,
                        target_props.clone(),
                        false,
                        &empty,
                        warnings.clone(),
                    );
                }
                return;
            }
        }
        let sc = inline::convert(source, false, &empty, &mut HashSet::new());
        let tc = inline::convert(target, false, &empty, &mut HashSet::new());
        if tc.text.trim().is_empty() {
            return self.skipped(target.line, "empty-target");
        }
        self.push_unit(
            line,
            langs,
            id,
            props,
            notes,
            sc,
            tc,
            target_props,
            false,
            &empty,
            warnings,
        );
    }

    fn alt_trans(
        &mut self,
        a: &Element,
        unit_source: &Element,
        langs: &Langs,
        unit_props: &[Prop],
        id: Option<String>,
    ) {
        let empty = HashMap::new();
        let source = a.child("source").unwrap_or(unit_source);
        let Some(target) = a.child("target") else {
            return self.skipped(a.line, "no-target");
        };
        let sc = inline::convert(source, false, &empty, &mut HashSet::new());
        let tc = inline::convert(target, false, &empty, &mut HashSet::new());
        if tc.text.trim().is_empty() {
            return self.skipped(a.line, "empty-target");
        }
        let mut props: Vec<Prop> = unit_props
            .iter()
            .filter(|p| p.kind != CONTEXT_PROP)
            .cloned()
            .collect();
        props.push(prop("x-xliff-alt-trans", "yes"));
        for (attr, kind) in [
            ("match-quality", "x-xliff-match-quality"),
            ("origin", "x-xliff-origin"),
            ("tool-id", "x-xliff-tool-id"),
        ] {
            if let Some(v) = a.attr(attr) {
                props.push(prop(kind, v));
            }
        }
        let mut langs2 = Langs {
            source: langs.source.clone(),
            target: langs.target.clone(),
        };
        if self.options.target_lang.is_none()
            && let Some(l) = target
                .attr("xml:lang")
                .and_then(|l| LanguageTag::parse(l).ok())
        {
            langs2.target = Ok(l);
        }
        self.push_unit(
            a.line,
            &langs2,
            id,
            props,
            Vec::new(),
            sc,
            tc,
            Vec::new(),
            false,
            &empty,
            Vec::new(),
        );
    }

    // ---- XLIFF 2.x ----

    fn read_v2(&mut self, root: &Element) {
        let langs = self.langs(root.line, root.attr("srcLang"), root.attr("trgLang"));
        let files: Vec<&Element> = root.elements().filter(|e| e.local == "file").collect();
        if files.is_empty() {
            self.warnings.push("no <file> in <xliff>".into());
        }
        for file in files {
            let file_id = file.attr("id").unwrap_or("").to_string();
            let original = file.attr("original").unwrap_or(&file_id).to_string();
            let mut seen = HashMap::new();
            self.container_v2(file, &langs, &original, &mut seen);
        }
    }

    fn container_v2(
        &mut self,
        e: &Element,
        langs: &Langs,
        original: &str,
        seen: &mut HashMap<String, u64>,
    ) {
        for c in e.elements() {
            match c.local.as_str() {
                "group" => self.container_v2(c, langs, original, seen),
                "unit" => self.unit_v2(c, langs, original, seen),
                _ => {}
            }
        }
    }

    fn unit_v2(
        &mut self,
        unit: &Element,
        langs: &Langs,
        original: &str,
        seen: &mut HashMap<String, u64>,
    ) {
        let (id, warnings) = self.unit_id(unit, "unit", seen);
        let data: HashMap<String, String> = unit
            .child("originalData")
            .map(|od| {
                od.elements()
                    .filter(|d| d.local == "data")
                    .filter_map(|d| Some((d.attr("id")?.to_string(), data_text(d))))
                    .collect()
            })
            .unwrap_or_default();
        let mut props = Vec::new();
        props.push(prop("x-xliff-original", original));
        if let Some(id) = &id {
            props.push(prop("x-xliff-id", id.as_str()));
            props.push(prop(CONTEXT_PROP, format!("{original}#{id}")));
        }
        if let Some(n) = unit.attr("name") {
            props.push(prop("x-xliff-name", n));
        }
        for meta in unit.elements().filter(|e| e.local == "metadata") {
            collect_mda(meta, "", &mut props);
        }
        let notes: Vec<Note> = unit
            .child("notes")
            .map(|ns| {
                ns.elements()
                    .filter(|n| n.local == "note")
                    .map(|n| note(n.text()))
                    .collect()
            })
            .unwrap_or_default();
        let mut starts = HashSet::new();
        let mut seg_ids = HashSet::new();
        for (n, seg) in unit
            .elements()
            .filter(|e| e.local == "segment" || e.local == "ignorable")
            .enumerate()
        {
            if let Some(sid) = seg.attr("id")
                && !seg_ids.insert(sid.to_string())
            {
                self.warnings.push(format!(
                    "line {}: segment id \"{sid}\" is used twice in the unit",
                    seg.line
                ));
            }
            let Some(source) = seg.child("source") else {
                self.invalid(seg.line, format!("<{}> without <source>", seg.local));
                continue;
            };
            let sc = inline::convert(source, true, &data, &mut starts);
            let target = seg.child("target");
            let tc = target.map(|t| inline::convert(t, true, &data, &mut starts));
            let problems: Vec<String> = sc
                .problems
                .iter()
                .chain(tc.iter().flat_map(|t| &t.problems))
                .cloned()
                .collect();
            if !problems.is_empty() {
                self.invalid(seg.line, problems.join("; "));
                continue;
            }
            if seg.local == "ignorable" {
                continue;
            }
            let Some(tc) = tc else {
                self.skipped(seg.line, "no-target");
                continue;
            };
            let state = seg.attr("state");
            if let Some(kind) = self.skip_state(state) {
                self.skipped(seg.line, kind);
                continue;
            }
            if tc.text.trim().is_empty() {
                self.skipped(seg.line, "empty-target");
                continue;
            }
            let mut target_props = Vec::new();
            if let Some(s) = state {
                target_props.push(prop("x-xliff-state", s));
            }
            if let Some(s) = seg.attr("subState") {
                target_props.push(prop("x-xliff-substate", s));
            }
            let sid = seg
                .attr("id")
                .map(String::from)
                .unwrap_or_else(|| (n + 1).to_string());
            let mut props = props.clone();
            props.push(prop("x-xliff-segment", sid.as_str()));
            let tuid = id.as_ref().map(|i| format!("{i}#{sid}"));
            self.push_unit(
                seg.line,
                langs,
                tuid,
                props,
                notes.clone(),
                sc,
                tc,
                target_props,
                true,
                &data,
                warnings.clone(),
            );
        }
    }
}

/// The `<mrk mtype="seg">` elements inside an element, in order.
fn seg_marks(e: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    fn walk<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
        for c in e.elements() {
            if c.local == "mrk" && c.attr("mtype") == Some("seg") {
                out.push(c);
            } else {
                walk(c, out);
            }
        }
    }
    walk(e, &mut out);
    out
}

/// The text of an XLIFF 2 `<data>`, its `<cp>` elements turned into their characters.
fn data_text(d: &Element) -> String {
    let mut out = String::new();
    for n in &d.children {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Element(c) if c.local == "cp" => {
                if let Some(ch) = c
                    .attr("hex")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                {
                    out.push(ch);
                }
            }
            Node::Element(c) => out.push_str(&c.text()),
        }
    }
    out
}

/// `<mda:metadata>` → props `x-mda:CATEGORY:TYPE`.
fn collect_mda(e: &Element, category: &str, props: &mut Vec<Prop>) {
    for c in e.elements() {
        match c.local.as_str() {
            "metaGroup" => {
                let cat = c.attr("category").unwrap_or(category);
                collect_mda(c, cat, props);
            }
            "meta" => {
                let ty = c.attr("type").unwrap_or("");
                props.push(prop(format!("x-mda:{category}:{ty}"), c.text()));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
