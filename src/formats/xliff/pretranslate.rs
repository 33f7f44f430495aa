//! Pretranslation into the document the translator opens: the empty targets of an XLIFF 1.2,
//! XLIFF 2.x or PO file are filled with the best match a callback finds, and every other
//! byte (skeleton, attributes, whitespace, comments) stays as it was. No store is needed: the
//! caller's callback finds the matches.
//!
//! - XLIFF 1.2: `<target state="translated" state-qualifier="exact-match">` for 100/101
//!   without warnings; `needs-review-translation` with `fuzzy-match` below 100, with
//!   `leveraged-tm` for 100/101 with a warning. One `<alt-trans match-quality origin="tmm">`
//!   per match up to the limit. In a Trados `.sdlxliff`, the segment's `<sdl:seg>` gets
//!   `conf="Translated"` (exact) or `"Draft"`, `origin="tm"`, the memory's name and the
//!   match percentage, as Studio's own pre-translation writes them.
//! - XLIFF 2.x: `<mtc:matches>` with `<mtc:match similarity type="tm" origin>` per match;
//!   `<segment state="translated">` for 100/101 without warnings, `initial` otherwise.
//! - PO: `msgstr` filled (every `msgstr[n]` of a plural entry from the stored forms);
//!   `#, fuzzy` below 100 or with a warning.
//!
//! A warning (numbers the match could not place, inline codes that differ) goes into the
//! file as a note from `tmm` and lowers the state.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::dom::{self, Element, Node};
use super::{Version, inline};
use crate::error::{Error, Result};
use crate::formats::tmx::{encoding, escape_attribute, escape_text};
use crate::lang::LanguageTag;

/// A segment of the document to find matches for.
#[derive(Debug, Clone, Default)]
pub struct SegmentQuery {
    /// Plain text, inline codes left out.
    pub text: String,
    /// The segment with its inline codes as TMX markup, when it has codes.
    pub markup: Option<String>,
    /// The context for in-context matches: `original#id` (XLIFF), `msgctxt` (PO).
    pub context: Option<String>,
    /// The previous segment's text in the document.
    pub previous: Option<String>,
    /// The segment's 0-based position among the document's segments.
    pub position: usize,
    /// The unit's id (XLIFF `id`, PO `msgid`).
    pub id: Option<String>,
    /// A PO entry's `msgid_plural`: its translation wants every plural form.
    pub plural: Option<String>,
}

/// A translation offered for a segment.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// 0–100, or 101 for an in-context exact match.
    pub score: u32,
    /// The stored source (for `<alt-trans>` and `<mtc:match>`).
    pub source_text: String,
    /// The translation, plain.
    pub target_text: String,
    /// The translation with its inline codes as TMX markup.
    pub target_markup: Option<String>,
    /// Where it comes from (the memory's origin name).
    pub origin: String,
    /// What the translator must check (numbers not placed), written as a note.
    pub warnings: Vec<String>,
    /// PO plural forms of the translation (`msgstr[1]`, …), when known.
    pub plural_forms: Vec<String>,
}

/// What to fill.
#[derive(Debug, Clone)]
pub struct PretranslateOptions {
    /// Matches below this score are not used.
    pub min_score: u32,
    /// At most this many matches are added as `<alt-trans>` / `<mtc:match>`.
    pub limit: usize,
    /// The source language when the file declares none.
    pub source_lang: Option<LanguageTag>,
    /// The target language when the file declares none (it is then added to the file).
    pub target_lang: Option<LanguageTag>,
}

impl Default for PretranslateOptions {
    fn default() -> Self {
        PretranslateOptions {
            min_score: 70,
            limit: 3,
            source_lang: None,
            target_lang: None,
        }
    }
}

/// The pretranslated document and what was done.
#[derive(Debug, Clone, Default)]
pub struct Pretranslated {
    pub bytes: Vec<u8>,
    /// Segments that needed a translation.
    pub segments: usize,
    /// Filled with an exact match.
    pub exact: usize,
    /// Filled with a fuzzy match (or an exact one with a warning).
    pub fuzzy: usize,
    /// Left empty: no match at or above the minimum.
    pub unmatched: usize,
    /// Warnings written into the file, with the line of their segment.
    pub warnings: Vec<String>,
}

/// Pretranslates an XLIFF 1.x/2.x or PO document given as bytes; `name` names it in
/// messages. The format is told by the content.
///
/// # Errors
/// [`Error::Syntax`] when the document is not well-formed, [`Error::Format`] when it is
/// neither XLIFF nor PO or its encoding cannot be written back.
pub fn pretranslate(
    name: &Path,
    input: &[u8],
    options: &PretranslateOptions,
    find: &mut dyn FnMut(&SegmentQuery) -> Vec<Candidate>,
) -> Result<Pretranslated> {
    match super::sniff(&input[..input.len().min(4096)]) {
        Some(_) => pretranslate_xliff(name, input, options, find),
        None if crate::formats::po::looks_like_po(input) => {
            crate::formats::po::pretranslate(name, input, options, find)
        }
        None => Err(Error::Format {
            path: name.to_path_buf(),
            message: "neither XLIFF nor PO: nothing to pretranslate".into(),
        }),
    }
}

/// A new XLIFF document (1.2 for [`Version::V1`], 2.0 for [`Version::V2`]) holding one unit
/// per segment of a plain-text document, without targets: pretranslate it next.
pub fn text_to_xliff(
    segments: &[String],
    source: &LanguageTag,
    target: &LanguageTag,
    original: &str,
    version: Version,
) -> String {
    let a = |s: &str| escape_attribute(s).into_owned();
    let t = |s: &str| {
        s.chars()
            .filter(|c| !crate::formats::tmx::is_forbidden_char(*c))
            .collect::<String>()
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match version {
        Version::V1 => {
            out.push_str(&format!(
                "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"plaintext\">\n    <body>\n",
                a(original),
                a(source.as_str()),
                a(target.as_str())
            ));
            for (i, s) in segments.iter().enumerate() {
                out.push_str(&format!(
                    "      <trans-unit id=\"{}\" xml:space=\"preserve\">\n        <source>{}</source>\n      </trans-unit>\n",
                    i + 1,
                    escape_text(&t(s))
                ));
            }
            out.push_str("    </body>\n  </file>\n</xliff>\n");
        }
        Version::V2 => {
            out.push_str(&format!(
                "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">\n  <file id=\"f1\" original=\"{}\">\n",
                a(source.as_str()),
                a(target.as_str()),
                a(original)
            ));
            for (i, s) in segments.iter().enumerate() {
                out.push_str(&format!(
                    "    <unit id=\"u{n}\">\n      <segment id=\"s{n}\">\n        <source xml:space=\"preserve\">{}</source>\n      </segment>\n    </unit>\n",
                    escape_text(&t(s)),
                    n = i + 1
                ));
            }
            out.push_str("  </file>\n</xliff>\n");
        }
    }
    out
}

/// A change to the document's text: replace `start..end` with `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Applies edits (insertions at one offset keep their order).
pub(crate) fn apply(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    // Stable sort by start; an insertion before a replacement at the same offset stays first.
    edits.sort_by_key(|e| (e.0, e.1 != e.0));
    let mut out = String::with_capacity(text.len() + 1024);
    let mut at = 0;
    for (start, end, t) in edits {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&t);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Encodes the output like the input: same encoding, same BOM.
pub(crate) fn encode_like(input: &[u8], encoding_name: &str, text: &str) -> Result<Vec<u8>> {
    let bom_utf8 = input.starts_with(b"\xEF\xBB\xBF");
    match encoding_name {
        "UTF-8" => {
            let mut out = Vec::with_capacity(text.len() + 3);
            if bom_utf8 {
                out.extend_from_slice(b"\xEF\xBB\xBF");
            }
            out.extend_from_slice(text.as_bytes());
            Ok(out)
        }
        "UTF-16LE" | "UTF-16BE" => {
            let le = encoding_name == "UTF-16LE";
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
                out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
            }
            for u in text.encode_utf16() {
                out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            Ok(out)
        }
        other => {
            let enc = encoding::by_name(other).ok_or_else(|| Error::Format {
                path: "output".into(),
                message: format!("cannot write {other}"),
            })?;
            // Characters the encoding lacks become character references.
            let (bytes, _, _) = enc.encode(text);
            Ok(bytes.into_owned())
        }
    }
}

/// The kind of an inline code, for carrying a match's codes onto the source's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeKind {
    Begin,
    End,
    Single,
}

enum Token {
    Text(String),
    Code(CodeKind),
}

/// The codes of a source segment in order, each as its exact XML in the document.
fn source_codes(text: &str, e: &Element, v2: bool, out: &mut Vec<(CodeKind, String)>) {
    for c in e.elements() {
        let raw = |a: usize, b: usize| text[a..b].to_string();
        let whole = raw(c.start, c.end);
        let paired = |out: &mut Vec<(CodeKind, String)>| {
            if c.empty || c.start_end == c.end {
                out.push((CodeKind::Single, whole.clone()));
            } else {
                out.push((CodeKind::Begin, raw(c.start, c.start_end)));
                source_codes(text, c, v2, out);
                out.push((CodeKind::End, raw(c.end_start, c.end)));
            }
        };
        match (v2, c.local.as_str()) {
            (false, "g") | (_, "mrk") | (true, "pc") => paired(out),
            (false, "bx" | "bpt") | (true, "sc") => out.push((CodeKind::Begin, whole)),
            (false, "ex" | "ept") | (true, "ec") => out.push((CodeKind::End, whole)),
            (false, "x" | "ph" | "it") | (true, "ph" | "sm" | "em") => {
                out.push((CodeKind::Single, whole))
            }
            (true, "cp") => {}
            _ => source_codes(text, c, v2, out),
        }
    }
}

/// A match's translation as tokens: text and codes (TMX `bpt`/`ept`/`ph`/`it`/`ut`/`hi`).
fn candidate_tokens(c: &Candidate) -> Vec<Token> {
    let Some(m) = &c.target_markup else {
        return vec![Token::Text(c.target_text.clone())];
    };
    let Ok(doc) = dom::parse(Path::new("match"), &format!("<seg>{m}</seg>")) else {
        return vec![Token::Text(c.target_text.clone())];
    };
    let mut out = Vec::new();
    fn walk(e: &Element, out: &mut Vec<Token>) {
        for n in &e.children {
            match n {
                Node::Text(t) => out.push(Token::Text(t.clone())),
                Node::Element(c) => match c.local.as_str() {
                    "bpt" => out.push(Token::Code(CodeKind::Begin)),
                    "ept" => out.push(Token::Code(CodeKind::End)),
                    "ph" | "it" | "ut" => out.push(Token::Code(CodeKind::Single)),
                    "hi" => {
                        out.push(Token::Code(CodeKind::Begin));
                        walk(c, out);
                        out.push(Token::Code(CodeKind::End));
                    }
                    _ => walk(c, out),
                },
            }
        }
    }
    walk(&doc.root, &mut out);
    out
}

/// The target content for a source segment from a match: the match's text with the
/// source's own codes where the match has codes of the same kinds; otherwise the text with
/// all the source's codes after it, and a warning.
fn build_target(text: &str, source: &Element, v2: bool, c: &Candidate) -> (String, Vec<String>) {
    let mut codes = Vec::new();
    source_codes(text, source, v2, &mut codes);
    let tokens = candidate_tokens(c);
    let count =
        |k: CodeKind, it: &mut dyn Iterator<Item = CodeKind>| it.filter(|x| *x == k).count();
    let match_kinds: Vec<CodeKind> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Code(k) => Some(*k),
            Token::Text(_) => None,
        })
        .collect();
    let mut warnings = Vec::new();
    let same = [CodeKind::Begin, CodeKind::End, CodeKind::Single]
        .iter()
        .all(|k| {
            count(*k, &mut codes.iter().map(|c| c.0)) == count(*k, &mut match_kinds.iter().copied())
        });
    if codes.is_empty() {
        if !match_kinds.is_empty() {
            warnings.push("the match has inline codes the source lacks; left out".into());
        }
        return (escape_text(&c.target_text).into_owned(), warnings);
    }
    if same {
        let mut queues: [Vec<&String>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for (k, xml) in codes.iter().rev() {
            queues[*k as usize].push(xml);
        }
        let mut out = String::new();
        for t in &tokens {
            match t {
                Token::Text(s) => out.push_str(&escape_text(s)),
                Token::Code(k) => out.push_str(queues[*k as usize].pop().map_or("", |s| s)),
            }
        }
        // The codes must still nest as XML does.
        if dom::parse(Path::new("target"), &format!("<t>{out}</t>")).is_ok() {
            return (out, warnings);
        }
    }
    warnings
        .push("the match's inline codes differ from the source's; placed after the text".into());
    let mut out = escape_text(&c.target_text).into_owned();
    for (_, xml) in &codes {
        out.push_str(xml);
    }
    (out, warnings)
}

fn prefix_of(e: &Element) -> String {
    e.prefix().map(|p| format!("{p}:")).unwrap_or_default()
}

/// The whitespace that indents `e` (the run of spaces and tabs before it on its line).
fn indent_before(text: &str, e: &Element) -> String {
    let before = &text[..e.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let ws = &before[line_start..];
    if ws.chars().all(|c| c == ' ' || c == '\t') {
        format!("\n{ws}")
    } else {
        String::new()
    }
}

/// A start tag rebuilt from the element's attributes, without `drop`, plus `add`.
fn start_tag_with(e: &Element, drop: &[&str], add: &[(&str, String)]) -> String {
    let mut out = format!("<{}", e.name);
    for (k, v) in &e.attrs {
        if drop.contains(&k.as_str()) || add.iter().any(|(a, _)| a == k) {
            continue;
        }
        out.push_str(&format!(" {k}=\"{}\"", escape_attribute(v)));
    }
    for (k, v) in add {
        out.push_str(&format!(" {k}=\"{}\"", escape_attribute(v)));
    }
    out.push('>');
    out
}

/// The candidates to use: at or above the minimum, best first, at most `limit` (at least the
/// best one).
fn usable(mut cands: Vec<Candidate>, options: &PretranslateOptions) -> Vec<Candidate> {
    cands.retain(|c| c.score >= options.min_score);
    cands.sort_by_key(|c| std::cmp::Reverse(c.score));
    cands.truncate(options.limit.max(1));
    cands
}

fn is_exact(c: &Candidate, warnings: &[String]) -> bool {
    c.score >= 100 && warnings.is_empty()
}

struct Run<'a> {
    text: &'a str,
    options: &'a PretranslateOptions,
    find: &'a mut dyn FnMut(&SegmentQuery) -> Vec<Candidate>,
    edits: Vec<Edit>,
    result: Pretranslated,
    position: usize,
    previous: Option<String>,
}

impl Run<'_> {
    fn edit(&mut self, start: usize, end: usize, text: String) {
        self.edits.push(Edit { start, end, text });
    }

    /// Asks for matches for one segment; returns the usable ones.
    fn query(
        &mut self,
        seg: &Element,
        v2: bool,
        data: &HashMap<String, String>,
        context: Option<String>,
        id: Option<&str>,
    ) -> Vec<Candidate> {
        let conv = inline::convert(seg, v2, data, &mut HashSet::new());
        let q = SegmentQuery {
            text: conv.text.clone(),
            markup: conv.tmx,
            context,
            previous: self.previous.clone(),
            position: self.position,
            id: id.map(String::from),
            plural: None,
        };
        self.position += 1;
        self.previous = Some(conv.text);
        self.result.segments += 1;
        if q.text.trim().is_empty() {
            self.result.segments -= 1;
            return Vec::new();
        }
        let cands = usable((self.find)(&q), self.options);
        if cands.is_empty() {
            self.result.unmatched += 1;
        }
        cands
    }

    fn count(&mut self, exact: bool, line: u64, warnings: &[String]) {
        if exact {
            self.result.exact += 1;
        } else {
            self.result.fuzzy += 1;
        }
        for w in warnings {
            self.result.warnings.push(format!("line {line}: {w}"));
        }
    }

    // ---- XLIFF 1.2 ----

    fn v1(&mut self, root: &Element) {
        for file in root.elements().filter(|e| e.local == "file") {
            if file.attr("target-language").is_none()
                && let Some(t) = &self.options.target_lang
            {
                let at = tag_close(self.text, file);
                self.edit(
                    at,
                    at,
                    format!(" target-language=\"{}\"", escape_attribute(t.as_str())),
                );
            }
            let original = file.attr("original").unwrap_or("").to_string();
            let target_lang = file.attr("target-language").map(String::from).or_else(|| {
                self.options
                    .target_lang
                    .as_ref()
                    .map(|t| t.as_str().to_string())
            });
            if let Some(body) = file.child("body") {
                self.v1_body(body, &original, target_lang.as_deref());
            }
        }
    }

    fn v1_body(&mut self, e: &Element, original: &str, lang: Option<&str>) {
        for c in e.elements() {
            match c.local.as_str() {
                "group" => self.v1_body(c, original, lang),
                "trans-unit" if c.attr("translate") != Some("no") => {
                    self.v1_unit(c, original, lang)
                }
                _ => {}
            }
        }
    }

    fn v1_unit(&mut self, tu: &Element, original: &str, lang: Option<&str>) {
        let Some(source) = tu.child("source") else {
            return;
        };
        let p = prefix_of(source);
        let id = tu.attr("id");
        let context = id.map(|i| format!("{original}#{i}"));
        let target = tu.child("target");
        let ws = indent_before(self.text, source);
        let mut extra = String::new(); // notes and alt-trans, added after the last child
        let seg_source = tu.child("seg-source");
        let marks = seg_source.map(super::seg_marks).unwrap_or_default();
        let lang_attr = lang
            .map(|l| format!(" xml:lang=\"{}\"", escape_attribute(l)))
            .unwrap_or_default();
        if !marks.is_empty() {
            // Segmented (Trados, Okapi): one query per <mrk mtype="seg">.
            let tmarks: Vec<&Element> = target.map(super::seg_marks).unwrap_or_default();
            if target.is_some_and(|t| tmarks.is_empty() && !t.is_blank()) {
                return; // translated as a whole
            }
            let mut filled = Vec::new(); // (mid, content, exact)
            let mut all_blank = true;
            for m in &marks {
                let mid = m.attr("mid").unwrap_or("");
                let existing = tmarks.iter().find(|t| t.attr("mid") == Some(mid));
                if existing.is_some_and(|t| !t.is_blank()) {
                    all_blank = false;
                    continue;
                }
                let cands = self.query(m, false, &HashMap::new(), context.clone(), id);
                let Some(best) = cands.first() else {
                    all_blank = false;
                    continue;
                };
                let (content, mut warnings) = build_target(self.text, m, false, best);
                warnings.extend(best.warnings.iter().cloned());
                let exact = is_exact(best, &warnings);
                self.count(exact, m.line, &warnings);
                for w in &warnings {
                    extra.push_str(&format!(
                        "{ws}<{p}note from=\"tmm\">{}</{p}note>",
                        escape_text(w)
                    ));
                }
                // The schema keys `mid` on the direct <mrk> children of <seg-source> only.
                let direct = seg_source.is_some_and(|ss| ss.elements().any(|e| e.start == m.start));
                for c in &cands {
                    extra.push_str(&alt_trans_1_2(
                        &p,
                        &ws,
                        c,
                        direct.then_some(mid),
                        &lang_attr,
                    ));
                }
                match existing {
                    Some(t) if t.start_end == t.end => {
                        // <mrk .../> → <mrk ...>content</mrk>
                        let open = &self.text[t.start..t.end - 2];
                        self.edit(t.start, t.end, format!("{open}>{content}</{}>", t.name));
                    }
                    Some(t) => self.edit(t.start_end, t.end_start, content.clone()),
                    None => {}
                }
                self.sdl_segment(tu, mid, best, exact);
                filled.push((mid.to_string(), content, exact));
            }
            if filled.is_empty() {
                return;
            }
            let exact_all = filled.iter().all(|f| f.2) && all_blank;
            let (state, q) = states_1_2(exact_all, filled.iter().all(|f| f.2));
            if tmarks.is_empty() {
                // A new target: the segmented source with each segment's translation.
                let ss = seg_source.unwrap_or(source);
                let mut edits = Vec::new();
                for m in &marks {
                    let mid = m.attr("mid").unwrap_or("");
                    let content = filled
                        .iter()
                        .find(|f| f.0 == mid)
                        .map(|f| f.1.clone())
                        .unwrap_or_default();
                    if m.start_end == m.end {
                        let open = &self.text[m.start..m.end - 2];
                        edits.push((
                            m.start - ss.start_end,
                            m.end - ss.start_end,
                            format!("{open}>{content}</{}>", m.name),
                        ));
                    } else {
                        edits.push((
                            m.start_end - ss.start_end,
                            m.end_start - ss.start_end,
                            content,
                        ));
                    }
                }
                let inner = apply(&self.text[ss.start_end..ss.end_start], edits);
                let new_target = format!(
                    "<{p}target state=\"{state}\" state-qualifier=\"{q}\">{inner}</{p}target>"
                );
                match target {
                    // An empty target without segments is replaced where it stands.
                    Some(t) => self.edit(t.start, t.end, new_target),
                    None => self.edit(ss.end, ss.end, format!("{ws}{new_target}")),
                }
            } else if let Some(t) = target
                && all_blank
            {
                let tag = start_tag_with(
                    t,
                    &["state", "state-qualifier"],
                    &[("state", state.into()), ("state-qualifier", q.into())],
                );
                self.edit(t.start, t.start_end, tag);
            }
        } else {
            if target.is_some_and(|t| !t.is_blank()) {
                return;
            }
            let cands = self.query(source, false, &HashMap::new(), context, id);
            let Some(best) = cands.first() else { return };
            let (content, mut warnings) = build_target(self.text, source, false, best);
            warnings.extend(best.warnings.iter().cloned());
            let exact = is_exact(best, &warnings);
            self.count(exact, source.line, &warnings);
            let (state, q) = states_1_2(exact, best.score >= 100);
            match target {
                Some(t) => {
                    let tag = start_tag_with(
                        t,
                        &["state", "state-qualifier"],
                        &[("state", state.into()), ("state-qualifier", q.into())],
                    );
                    self.edit(t.start, t.end, format!("{tag}{content}</{}>", t.name));
                }
                None => {
                    let after = seg_source.map_or(source.end, |s| s.end);
                    self.edit(
                        after,
                        after,
                        format!("{ws}<{p}target state=\"{state}\" state-qualifier=\"{q}\">{content}</{p}target>"),
                    );
                }
            }
            for w in &warnings {
                extra.push_str(&format!(
                    "{ws}<{p}note from=\"tmm\">{}</{p}note>",
                    escape_text(w)
                ));
            }
            for c in &cands {
                extra.push_str(&alt_trans_1_2(&p, &ws, c, None, &lang_attr));
            }
        }
        if !extra.is_empty() {
            // After the last XLIFF child: the schema wants foreign elements (sdl:seg-defs) last.
            let at = tu
                .elements()
                .filter(|e| {
                    e.ns.as_deref()
                        .is_none_or(|n| n.starts_with("urn:oasis:names:tc:xliff:document:"))
                })
                .last()
                .map_or(tu.start_end, |e| e.end);
            self.edit(at, at, extra);
        }
    }

    /// Trados (`.sdlxliff`) keeps each segment's status in `<sdl:seg-defs><sdl:seg id=MID>`:
    /// a filled segment gets what Studio's own pre-translation writes there (confirmation
    /// level, match percentage, `origin="tm"` and the memory's name), so Studio shows it as
    /// translated from memory (exact) or as a draft to check (fuzzy).
    fn sdl_segment(&mut self, tu: &Element, mid: &str, best: &Candidate, exact: bool) {
        let Some(seg) = tu
            .elements()
            .filter(|e| e.local == "seg-defs")
            .flat_map(|d| d.elements())
            .find(|e| e.local == "seg" && e.attr("id") == Some(mid))
        else {
            return;
        };
        let mut add = vec![
            (
                "conf",
                if exact { "Translated" } else { "Draft" }.to_string(),
            ),
            ("origin", "tm".to_string()),
            ("origin-system", best.origin.clone()),
            ("percent", best.score.min(100).to_string()),
        ];
        if best.score > 100 {
            add.push(("text-match", "SourceAndTarget".to_string()));
        }
        let mut tag = start_tag_with(seg, &["text-match"], &add);
        if seg.start_end == seg.end {
            tag.insert(tag.len() - 1, '/');
        }
        self.edit(seg.start, seg.start_end, tag);
    }

    // ---- XLIFF 2.x ----

    fn v2(&mut self, root: &Element) {
        if root.attr("trgLang").is_none()
            && let Some(t) = &self.options.target_lang
        {
            let at = tag_close(self.text, root);
            self.edit(
                at,
                at,
                format!(" trgLang=\"{}\"", escape_attribute(t.as_str())),
            );
        }
        for file in root.elements().filter(|e| e.local == "file") {
            let original = file
                .attr("original")
                .or(file.attr("id"))
                .unwrap_or("")
                .to_string();
            self.v2_container(file, &original);
        }
    }

    fn v2_container(&mut self, e: &Element, original: &str) {
        for c in e.elements() {
            match c.local.as_str() {
                "group" => self.v2_container(c, original),
                "unit" if c.attr("translate") != Some("no") => self.v2_unit(c, original),
                _ => {}
            }
        }
    }

    fn v2_unit(&mut self, unit: &Element, original: &str) {
        let id = unit.attr("id");
        let context = id.map(|i| format!("{original}#{i}"));
        let mut matches = String::new();
        let mut notes = String::new();
        let data: HashMap<String, String> = unit
            .child("originalData")
            .map(|od| {
                od.elements()
                    .filter(|d| d.local == "data")
                    .filter_map(|d| Some((d.attr("id")?.to_string(), super::data_text(d))))
                    .collect()
            })
            .unwrap_or_default();
        let segs: Vec<&Element> = unit.elements().filter(|e| e.local == "segment").collect();
        for (n, seg) in segs.iter().enumerate() {
            let Some(source) = seg.child("source") else {
                continue;
            };
            let p = prefix_of(source);
            let target = seg.child("target");
            if target.is_some_and(|t| !t.is_blank()) || seg.attr("state") == Some("final") {
                continue;
            }
            let cands = self.query(source, true, &data, context.clone(), id);
            let Some(best) = cands.first() else { continue };
            let (content, mut warnings) = build_target(self.text, source, true, best);
            warnings.extend(best.warnings.iter().cloned());
            let exact = is_exact(best, &warnings);
            self.count(exact, source.line, &warnings);
            let ws = indent_before(self.text, source);
            match target {
                Some(t) => {
                    let open = if t.start_end == t.end {
                        format!("{}>", &self.text[t.start..t.end - 2])
                    } else {
                        self.text[t.start..t.start_end].to_string()
                    };
                    self.edit(t.start, t.end, format!("{open}{content}</{}>", t.name));
                }
                None => self.edit(
                    source.end,
                    source.end,
                    format!("{ws}<{p}target>{content}</{p}target>"),
                ),
            }
            let sid = match seg.attr("id") {
                Some(s) => s.to_string(),
                None => format!("tmm-s{}", n + 1),
            };
            let mut add = vec![(
                "state",
                if exact { "translated" } else { "initial" }.to_string(),
            )];
            if seg.attr("id").is_none() {
                add.push(("id", sid.clone()));
            }
            let tag = start_tag_with(seg, &["state", "subState"], &add);
            if seg.start_end == seg.end {
                continue;
            }
            self.edit(seg.start, seg.start_end, tag);
            for c in &cands {
                matches.push_str(&format!(
                    "<mtc:match ref=\"#{}\" similarity=\"{}\" type=\"tm\" origin=\"{}\"><{p}source>{}</{p}source><{p}target>{}</{p}target></mtc:match>",
                    escape_attribute(&sid),
                    c.score.min(100),
                    escape_attribute(if c.origin.is_empty() { "tmm" } else { &c.origin }),
                    escape_text(&c.source_text),
                    escape_text(&c.target_text),
                ));
            }
            for w in &warnings {
                notes.push_str(&format!(
                    "<{p}note category=\"tmm\" appliesTo=\"target\">segment {sid}: {}</{p}note>",
                    escape_text(w)
                ));
            }
        }
        let first = unit.elements().next();
        let ws = first
            .map(|f| indent_before(self.text, f))
            .unwrap_or_default();
        if !matches.is_empty() {
            let existing = unit.elements().find(|e| e.local == "matches");
            match existing {
                Some(m) if m.start_end != m.end => self.edit(
                    m.end_start,
                    m.end_start,
                    matches.replace("<mtc:match ", "<mtc:match xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\" "),
                ),
                _ => self.edit(
                    unit.start_end,
                    unit.start_end,
                    format!(
                        "{ws}<mtc:matches xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\">{matches}</mtc:matches>"
                    ),
                ),
            }
        }
        if !notes.is_empty() {
            match unit.child("notes") {
                Some(ns) if ns.start_end != ns.end => self.edit(ns.end_start, ns.end_start, notes),
                _ => {
                    let before = unit.elements().find(|e| {
                        matches!(e.local.as_str(), "originalData" | "segment" | "ignorable")
                    });
                    if let Some(b) = before {
                        let p = prefix_of(b);
                        let ws = indent_before(self.text, b);
                        let ws = if ws.is_empty() {
                            String::new()
                        } else {
                            ws[1..].to_string()
                        };
                        self.edit(
                            b.start,
                            b.start,
                            format!("<{p}notes>{notes}</{p}notes>\n{ws}"),
                        );
                    }
                }
            }
        }
    }
}

/// The offset of the `>` (or `/>`) that ends an element's start tag.
fn tag_close(text: &str, e: &Element) -> usize {
    let tag = &text[e.start..e.start_end];
    if tag.ends_with("/>") {
        e.start_end - 2
    } else {
        e.start_end - 1
    }
}

/// 1.2 target state and state-qualifier.
fn states_1_2(exact: bool, score_exact: bool) -> (&'static str, &'static str) {
    match (exact, score_exact) {
        (true, _) => ("translated", "exact-match"),
        (false, true) => ("needs-review-translation", "leveraged-tm"),
        (false, false) => ("needs-review-translation", "fuzzy-match"),
    }
}

fn alt_trans_1_2(p: &str, ws: &str, c: &Candidate, mid: Option<&str>, lang_attr: &str) -> String {
    let mid = mid
        .map(|m| format!(" mid=\"{}\"", escape_attribute(m)))
        .unwrap_or_default();
    let origin_note = if c.origin.is_empty() {
        String::new()
    } else {
        format!(
            "<{p}note from=\"tmm\">origin: {}</{p}note>",
            escape_text(&c.origin)
        )
    };
    format!(
        "{ws}<{p}alt-trans{mid} match-quality=\"{}\" origin=\"tmm\"><{p}source>{}</{p}source><{p}target{lang_attr}>{}</{p}target>{origin_note}</{p}alt-trans>",
        c.score,
        escape_text(&c.source_text),
        escape_text(&c.target_text),
    )
}

fn pretranslate_xliff(
    name: &Path,
    input: &[u8],
    options: &PretranslateOptions,
    find: &mut dyn FnMut(&SegmentQuery) -> Vec<Candidate>,
) -> Result<Pretranslated> {
    let boxed: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(input.to_vec()));
    let (text, enc, _) = encoding::decode_to_string(name, boxed)?;
    let doc = dom::parse(name, &text)?;
    super::check_root(name, &text, &doc.root)?;
    let v2 = super::is_v2(&doc.root);
    let mut run = Run {
        text: &text,
        options,
        find,
        edits: Vec::new(),
        result: Pretranslated::default(),
        position: 0,
        previous: None,
    };
    if v2 {
        run.v2(&doc.root);
    } else {
        run.v1(&doc.root);
    }
    let edits = run
        .edits
        .into_iter()
        .map(|e| (e.start, e.end, e.text))
        .collect();
    let mut result = run.result;
    let out = apply(&text, edits);
    result.bytes = encode_like(input, enc, &out)?;
    Ok(result)
}
