//! gettext PO catalogs: read as memory ([`PoReader`]), written from memory ([`PoWriter`]),
//! pretranslated in place ([`pretranslate`]).
//!
//! One unit per entry with a translation: the source variant holds `msgid` (in `en` unless
//! [`PoOptions::source_lang`]), the target variant `msgstr` (in the header's `Language:`,
//! unless [`PoOptions::target_lang`]).
//!
//! Plural forms stay in one unit: the source variant's text is `msgid` and its prop
//! `x-po-msgid_plural` the plural; the target variant's text is `msgstr[0]` and its props
//! `x-po-msgstr[1]`, `x-po-msgstr[2]`, … the other forms. Matching works on the singular; the
//! writer puts the forms back.
//!
//! Also kept: `msgctxt` (unit props `x-po-msgctxt` and `x-context`, the context of in-context
//! matches), references `#:` (`x-po-reference`), flags `#,` (`x-po-flags`), translator
//! comments `# ` (unit notes) and extracted comments `#.` (source variant notes).
//! Left out and counted: `fuzzy` entries (unless [`PoOptions::fuzzy`]), `obsolete` `#~`
//! entries, `untranslated` ones.

use std::collections::{HashSet, VecDeque};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::xliff::pretranslate::{
    Candidate, PretranslateOptions, Pretranslated, SegmentQuery,
};
use crate::formats::{Format, Item, ReadUnit, SourceInfo, UnitSource};
use crate::lang::LanguageTag;
use crate::model::{Header, Note, Prop, TranslationUnit, Variant};

/// How to read a PO file.
#[derive(Debug, Clone, Default)]
pub struct PoOptions {
    /// The source language (default `en`).
    pub source_lang: Option<LanguageTag>,
    /// The target language, instead of the header's `Language:`.
    pub target_lang: Option<LanguageTag>,
    /// Also read entries marked `#, fuzzy`.
    pub fuzzy: bool,
}

/// One entry as parsed, with the lines it spans.
#[derive(Debug, Default, Clone)]
struct Entry {
    /// 0-based index of its first line.
    first: usize,
    /// The line of its first keyword (`msgctxt` or `msgid`).
    keyword: Option<usize>,
    translator: Vec<String>,
    extracted: Vec<String>,
    references: Vec<String>,
    flags: Vec<String>,
    flags_line: Option<usize>,
    msgctxt: Option<String>,
    msgid: Option<String>,
    msgid_plural: Option<String>,
    /// (n, text, first line, last line) of each `msgstr` / `msgstr[n]`.
    msgstr: Vec<(usize, String, usize, usize)>,
    obsolete: bool,
}

impl Entry {
    fn fuzzy(&self) -> bool {
        self.flags.iter().any(|f| f == "fuzzy")
    }
    fn translated(&self) -> bool {
        !self.msgstr.is_empty() && self.msgstr.iter().all(|m| !m.1.is_empty())
    }
}

/// Which string a continuation line adds to.
#[derive(Clone, Copy)]
enum Field {
    Ctxt,
    Id,
    Plural,
    Str,
}

/// Says whether the bytes look like a PO catalog (a `msgid` line near the start).
pub fn looks_like_po(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    head.lines()
        .any(|l| l.starts_with("msgid ") || l.starts_with("msgctxt "))
        && !head.trim_start().starts_with('<')
}

/// The catalog's text: UTF-8, or the header's charset.
fn decode(name: &Path, bytes: Vec<u8>) -> Result<String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) => b.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let bytes = e.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes);
            let charset = lossy.find("charset=").map(|i| &lossy[i + 8..]).map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect::<String>()
            });
            let enc = charset
                .as_deref()
                .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
                .filter(|e| *e != encoding_rs::UTF_8);
            match enc {
                Some(enc) => Ok(enc.decode(&bytes).0.into_owned()),
                None => {
                    let valid = std::str::from_utf8(&bytes)
                        .err()
                        .map_or(0, |e| e.valid_up_to());
                    let before = String::from_utf8_lossy(&bytes[..valid]);
                    Err(Error::Syntax {
                        path: name.to_path_buf(),
                        line: before.matches('\n').count() as u64 + 1,
                        column: before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1,
                        message: "not valid UTF-8, and the header names no other charset".into(),
                    })
                }
            }
        }
    }
}

/// Unescapes the content of a PO string literal (`"…"`), or says what is wrong.
fn unquote(s: &str) -> std::result::Result<String, &'static str> {
    let s = s.trim();
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| s.len() >= 2)
        .ok_or("a string must be in double quotes")?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('a') => out.push('\u{7}'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('v') => out.push('\u{b}'),
                Some(c) => out.push(c),
                None => return Err("a string ends with a backslash"),
            },
            '"' => return Err("an unescaped quote inside a string"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Escapes text as the content of a PO string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `keyword "…"` with a long or multi-line string split after each `\n`, as gettext does.
fn po_string(keyword: &str, s: &str) -> String {
    if !s.contains('\n') || s.trim_end_matches('\n').is_empty() {
        return format!("{keyword} {}\n", quote(s));
    }
    let mut out = format!("{keyword} \"\"\n");
    for part in s.split_inclusive('\n') {
        out.push_str(&quote(part));
        out.push('\n');
    }
    out
}

/// Parses a catalog into entries.
fn parse(name: &Path, text: &str) -> Result<Vec<Entry>> {
    let syntax = |line: usize, message: String| Error::Syntax {
        path: name.to_path_buf(),
        line: line as u64 + 1,
        column: 1,
        message,
    };
    let mut entries = Vec::new();
    let mut cur = Entry::default();
    let mut field: Option<Field> = None;
    let mut started = false;
    let lines: Vec<&str> = text.split('\n').collect();
    let finish = |cur: &mut Entry, entries: &mut Vec<Entry>, started: &mut bool| {
        if *started {
            entries.push(std::mem::take(cur));
        }
        *started = false;
    };
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            finish(&mut cur, &mut entries, &mut started);
            field = None;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("#~") {
            if started && !cur.obsolete && cur.msgid.is_some() {
                finish(&mut cur, &mut entries, &mut started);
            }
            if !started {
                cur.first = i;
                started = true;
            }
            cur.obsolete = true;
            let _ = rest;
            continue;
        }
        if trimmed.starts_with('#') {
            // A comment after the strings starts the next entry.
            if started && !cur.msgstr.is_empty() {
                finish(&mut cur, &mut entries, &mut started);
            }
            if !started {
                cur.first = i;
                started = true;
            }
            let (kind, body) = trimmed.split_at(trimmed.len().min(2));
            let body = body.trim_start().to_string();
            match kind {
                "#," => {
                    cur.flags_line = Some(i);
                    cur.flags.extend(
                        body.split(',')
                            .map(|f| f.trim().to_string())
                            .filter(|f| !f.is_empty()),
                    );
                }
                "#." => cur.extracted.push(body),
                "#:" => cur.references.push(body),
                "#|" => {}
                _ => cur.translator.push(
                    trimmed
                        .strip_prefix('#')
                        .unwrap_or(trimmed)
                        .trim_start()
                        .to_string(),
                ),
            }
            continue;
        }
        if trimmed.starts_with('"') {
            let s = unquote(trimmed).map_err(|m| syntax(i, m.into()))?;
            match field {
                Some(Field::Ctxt) => cur.msgctxt.get_or_insert_default().push_str(&s),
                Some(Field::Id) => cur.msgid.get_or_insert_default().push_str(&s),
                Some(Field::Plural) => cur.msgid_plural.get_or_insert_default().push_str(&s),
                Some(Field::Str) => {
                    if let Some(last) = cur.msgstr.last_mut() {
                        last.1.push_str(&s);
                        last.3 = i;
                    }
                }
                None => return Err(syntax(i, "a string continuation without a keyword".into())),
            }
            continue;
        }
        let (keyword, rest) = trimmed
            .split_once(char::is_whitespace)
            .ok_or_else(|| syntax(i, format!("expected a keyword and a string: {trimmed}")))?;
        let s = unquote(rest).map_err(|m| syntax(i, m.into()))?;
        if matches!(keyword, "msgctxt" | "msgid")
            && started
            && (cur.msgid.is_some() || !cur.msgstr.is_empty())
        {
            finish(&mut cur, &mut entries, &mut started);
        }
        if !started {
            cur.first = i;
            started = true;
        }
        match keyword {
            "msgctxt" => {
                cur.keyword.get_or_insert(i);
                cur.msgctxt = Some(s);
                field = Some(Field::Ctxt);
            }
            "msgid" => {
                cur.keyword.get_or_insert(i);
                cur.msgid = Some(s);
                field = Some(Field::Id);
            }
            "msgid_plural" => {
                cur.msgid_plural = Some(s);
                field = Some(Field::Plural);
            }
            "msgstr" => {
                if cur.msgid.is_none() {
                    return Err(syntax(i, "msgstr without msgid".into()));
                }
                cur.msgstr.push((0, s, i, i));
                field = Some(Field::Str);
            }
            k if k.starts_with("msgstr[") && k.ends_with(']') => {
                let n: usize = k[7..k.len() - 1]
                    .parse()
                    .map_err(|_| syntax(i, format!("bad plural index in {k}")))?;
                if cur.msgid.is_none() {
                    return Err(syntax(i, "msgstr without msgid".into()));
                }
                cur.msgstr.push((n, s, i, i));
                field = Some(Field::Str);
            }
            other => return Err(syntax(i, format!("unknown keyword {other}"))),
        }
    }
    finish(&mut cur, &mut entries, &mut started);
    for e in &entries {
        if !e.obsolete && e.msgid.is_some() && e.msgstr.is_empty() {
            return Err(syntax(
                e.keyword.unwrap_or(e.first),
                "msgid without msgstr".into(),
            ));
        }
    }
    Ok(entries)
}

fn header_field<'a>(header: &'a str, field: &str) -> Option<&'a str> {
    header.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim().eq_ignore_ascii_case(field)).then(|| v.trim())
    })
}

fn prop(kind: impl Into<String>, value: impl Into<String>) -> Prop {
    Prop {
        kind: kind.into(),
        lang: None,
        o_encoding: None,
        value: value.into(),
    }
}

fn note(text: &str) -> Note {
    Note {
        lang: None,
        o_encoding: None,
        text: text.to_string(),
    }
}

/// A reader of one PO catalog (parsed whole when made).
pub struct PoReader {
    info: SourceInfo,
    items: VecDeque<Item>,
}

impl PoReader {
    /// Reads `input`; `name` names it in messages.
    ///
    /// # Errors
    /// [`Error::Io`], or [`Error::Syntax`] with the line of a line that is not PO.
    pub fn new(
        name: PathBuf,
        mut input: Box<dyn BufRead + Send>,
        options: PoOptions,
    ) -> Result<Self> {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&name, e))?;
        let text = decode(&name, bytes)?;
        let entries = parse(&name, &text)?;
        let mut warnings = Vec::new();
        let header = entries
            .iter()
            .find(|e| !e.obsolete && e.msgctxt.is_none() && e.msgid.as_deref() == Some(""))
            .and_then(|e| e.msgstr.first().map(|m| m.1.clone()));
        let source = options
            .source_lang
            .clone()
            .unwrap_or_else(|| LanguageTag::parse("en").expect("en is a language"));
        let declared = header
            .as_deref()
            .and_then(|h| header_field(h, "Language"))
            .filter(|l| !l.is_empty());
        let target = match (&options.target_lang, declared) {
            (Some(t), _) => Ok(t.clone()),
            (None, Some(l)) => {
                LanguageTag::parse(l).map_err(|e| format!("the header's Language: {e}"))
            }
            (None, None) => {
                Err("the header has no Language:; give the target language".to_string())
            }
        };
        if let (Some(t), Some(l)) = (&options.target_lang, declared)
            && LanguageTag::parse(l).ok().as_ref() != Some(t)
        {
            warnings.push(format!("the header's Language: {l} is read as {t}"));
        }
        let mut info_header = Header {
            srclang: Some(source.as_str().to_string()),
            ..Default::default()
        };
        if let Some(h) = &header {
            info_header.props.push(prop("x-po-header", h.as_str()));
            info_header.attributes.creationtool = header_field(h, "X-Generator").map(String::from);
        }
        let mut items = VecDeque::new();
        for e in entries {
            let line = e.keyword.unwrap_or(e.first) as u64 + 1;
            if e.obsolete {
                items.push_back(Item::Skipped {
                    line,
                    kind: "obsolete",
                });
                continue;
            }
            let Some(msgid) = &e.msgid else { continue };
            if msgid.is_empty() && e.msgctxt.is_none() {
                continue; // the header
            }
            if e.fuzzy() && !options.fuzzy {
                items.push_back(Item::Skipped {
                    line,
                    kind: "fuzzy",
                });
                continue;
            }
            if !e.translated() {
                items.push_back(Item::Skipped {
                    line,
                    kind: "untranslated",
                });
                continue;
            }
            let target = match &target {
                Ok(t) => t.clone(),
                Err(m) => {
                    items.push_back(Item::Invalid {
                        line,
                        message: m.clone(),
                    });
                    continue;
                }
            };
            let mut unit = TranslationUnit {
                srclang: Some(source.as_str().to_string()),
                ..Default::default()
            };
            if let Some(c) = &e.msgctxt {
                unit.props.push(prop("x-po-msgctxt", c.as_str()));
                unit.props
                    .push(prop(crate::formats::xliff::CONTEXT_PROP, c.as_str()));
            }
            for r in &e.references {
                unit.props.push(prop("x-po-reference", r.as_str()));
            }
            let flags: Vec<&str> = e
                .flags
                .iter()
                .map(String::as_str)
                .filter(|f| *f != "fuzzy")
                .collect();
            if !flags.is_empty() {
                unit.props.push(prop("x-po-flags", flags.join(", ")));
            }
            if e.fuzzy() {
                unit.props.push(prop("x-po-fuzzy", "yes"));
            }
            unit.notes = e.translator.iter().map(|t| note(t)).collect();
            let mut src = Variant::new(source.clone(), msgid.as_str());
            src.notes = e.extracted.iter().map(|t| note(t)).collect();
            if let Some(p) = &e.msgid_plural {
                src.props.push(prop("x-po-msgid_plural", p.as_str()));
            }
            let mut forms = e.msgstr.clone();
            forms.sort_by_key(|m| m.0);
            let mut tgt = Variant::new(target, forms[0].1.as_str());
            for (n, s, _, _) in forms.iter().skip(1) {
                tgt.props
                    .push(prop(format!("x-po-msgstr[{n}]"), s.as_str()));
            }
            if e.msgid_plural.is_some() && forms.len() == 1 && forms[0].0 == 0 {
                // Plural entries write msgstr[0]; keep the index known.
                tgt.props.push(prop("x-po-plural-forms", "1"));
            }
            unit.variants = vec![src, tgt];
            items.push_back(Item::Unit(Box::new(ReadUnit {
                unit,
                line,
                warnings: Vec::new(),
                document: None,
            })));
        }
        Ok(PoReader {
            info: SourceInfo {
                format: Format::Po,
                header: info_header,
                version: None,
                encoding: "UTF-8",
                warnings,
            },
            items,
        })
    }

    /// Opens a file.
    ///
    /// # Errors
    /// As [`PoReader::new`].
    pub fn open(path: &Path, options: PoOptions) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::new(
            path.to_path_buf(),
            Box::new(io::BufReader::new(file)),
            options,
        )
    }
}

impl UnitSource for PoReader {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn next_item(&mut self) -> Result<Option<Item>> {
        Ok(self.items.pop_front())
    }
}

/// The `Plural-Forms` header gettext uses for a language.
pub fn plural_forms(lang: &LanguageTag) -> &'static str {
    match lang.as_str().split('-').next().unwrap_or("") {
        "ja" | "ko" | "zh" | "vi" | "th" | "id" | "ms" | "tr" | "ka" => "nplurals=1; plural=0;",
        "fr" | "pt" if lang.as_str() != "pt-PT" => "nplurals=2; plural=(n > 1);",
        "ru" | "uk" | "be" | "sr" | "hr" | "bs" => {
            "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
        }
        "pl" => {
            "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
        }
        "cs" | "sk" => "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
        "ar" => {
            "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
        }
        _ => "nplurals=2; plural=(n != 1);",
    }
}

fn nplurals(forms: &str) -> usize {
    forms
        .split(';')
        .find_map(|p| p.trim().strip_prefix("nplurals="))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(2)
}

/// Writes a PO catalog from memory, unit by unit (deterministic). Entries whose `msgid` and
/// `msgctxt` were already written get a `msgctxt "tmm:N"` (N the entry's number), since a
/// catalog holds each message once.
pub struct PoWriter<W: Write> {
    out: W,
    source: LanguageTag,
    target: LanguageTag,
    nplurals: usize,
    seen: HashSet<(Option<String>, String)>,
    count: usize,
}

impl<W: Write> PoWriter<W> {
    /// Starts the catalog with its header.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn new(mut out: W, source: &LanguageTag, target: &LanguageTag) -> io::Result<Self> {
        let forms = plural_forms(target);
        let header = format!(
            "Project-Id-Version: tmm export\nLanguage: {}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nPlural-Forms: {forms}\nX-Generator: tmm {}\nX-Source-Language: {}\n",
            target.as_str(),
            env!("CARGO_PKG_VERSION"),
            source.as_str()
        );
        out.write_all(format!("msgid \"\"\n{}", po_string("msgstr", &header)).as_bytes())?;
        Ok(PoWriter {
            out,
            source: source.clone(),
            target: target.clone(),
            nplurals: nplurals(forms),
            seen: HashSet::new(),
            count: 0,
        })
    }

    /// Writes one entry; returns `false` (and writes nothing) when the unit lacks the source
    /// or the target language, or its source is empty.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn write_unit(&mut self, unit: &TranslationUnit) -> io::Result<bool> {
        use crate::formats::xliff::writer::pick;
        let (Some(src), Some(tgt)) = (pick(unit, &self.source), pick(unit, &self.target)) else {
            return Ok(false);
        };
        let msgid = src.segment.text.clone();
        if msgid.is_empty() {
            return Ok(false);
        }
        self.count += 1;
        let get =
            |props: &[Prop], k: &str| props.iter().find(|p| p.kind == k).map(|p| p.value.clone());
        let mut ctx = get(&unit.props, "x-po-msgctxt");
        if !self.seen.insert((ctx.clone(), msgid.clone())) {
            ctx = Some(format!("tmm:{}", self.count));
            self.seen.insert((ctx.clone(), msgid.clone()));
        }
        let mut b = String::from("\n");
        let line = |s: &str| s.replace(['\n', '\r'], " ");
        for n in &unit.notes {
            b.push_str(&format!("# {}\n", line(&n.text)));
        }
        for n in &src.notes {
            b.push_str(&format!("#. {}\n", line(&n.text)));
        }
        for p in unit.props.iter().filter(|p| p.kind == "x-po-reference") {
            b.push_str(&format!("#: {}\n", line(&p.value)));
        }
        if let Some(f) = get(&unit.props, "x-po-flags") {
            b.push_str(&format!("#, {}\n", line(&f)));
        }
        if let Some(c) = &ctx {
            b.push_str(&po_string("msgctxt", c));
        }
        b.push_str(&po_string("msgid", &msgid));
        let target = fit_newlines(&msgid, &tgt.segment.text);
        match get(&src.props, "x-po-msgid_plural") {
            Some(plural) => {
                b.push_str(&po_string("msgid_plural", &plural));
                let mut forms = vec![target];
                for n in 1.. {
                    match get(&tgt.props, &format!("x-po-msgstr[{n}]")) {
                        Some(f) => forms.push(fit_newlines(&plural, &f)),
                        None => break,
                    }
                }
                if forms.len() > self.nplurals {
                    b = format!(
                        "\n# tmm: {} plural forms for a language with {}; the last dropped\n{}",
                        forms.len(),
                        self.nplurals,
                        &b[1..]
                    );
                }
                forms.resize(self.nplurals, forms.last().cloned().unwrap_or_default());
                for (n, f) in forms.iter().enumerate() {
                    b.push_str(&po_string(&format!("msgstr[{n}]"), f));
                }
            }
            None => b.push_str(&po_string("msgstr", &target)),
        }
        self.out.write_all(b.as_bytes())?;
        Ok(true)
    }

    /// Ends the catalog and returns the output.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A translation with the leading and trailing line feeds of its source, as gettext requires.
fn fit_newlines(source: &str, target: &str) -> String {
    let mut t = target.trim_matches('\n').to_string();
    if t.is_empty() {
        t = target.to_string();
    }
    if source.starts_with('\n') {
        t.insert(0, '\n');
    }
    if source.ends_with('\n') {
        t.push('\n');
    }
    t
}

/// The printf-style directives of a string (`%s`, `%1$d`), sorted, for format checks.
fn directives(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut d = String::from("%");
        while let Some(&n) = chars.peek() {
            chars.next();
            d.push(n);
            if n.is_ascii_alphabetic() || n == '%' {
                break;
            }
        }
        if d != "%%" {
            out.push(d);
        }
    }
    out.sort();
    out
}

/// Pretranslates a PO catalog: each untranslated entry gets the best match's translation,
/// `#, fuzzy` below 100 (or with a warning), and a `# tmm:` comment for each warning.
/// Everything else stays byte for byte.
///
/// # Errors
/// [`Error::Syntax`] when the catalog is not PO.
pub fn pretranslate(
    name: &Path,
    input: &[u8],
    options: &PretranslateOptions,
    find: &mut dyn FnMut(&SegmentQuery) -> Vec<Candidate>,
) -> Result<Pretranslated> {
    let text = decode(name, input.to_vec())?;
    let entries = parse(name, &text)?;
    let crlf = text.contains("\r\n");
    let nl = if crlf { "\r\n" } else { "\n" };
    // Byte offset of each line start.
    let mut starts = vec![0usize];
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            starts.push(i + 1);
        }
    }
    let line_end = |l: usize| starts.get(l + 1).copied().unwrap_or(text.len());
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut result = Pretranslated::default();
    let mut previous: Option<String> = None;
    let mut position = 0;
    for e in &entries {
        let Some(msgid) = &e.msgid else { continue };
        if e.obsolete || (msgid.is_empty() && e.msgctxt.is_none()) {
            continue;
        }
        let pos = position;
        position += 1;
        let prev = previous.replace(msgid.clone());
        if e.msgstr.iter().any(|m| !m.1.is_empty()) {
            continue;
        }
        result.segments += 1;
        let q = SegmentQuery {
            text: msgid.clone(),
            markup: None,
            context: e.msgctxt.clone(),
            previous: prev,
            position: pos,
            id: Some(msgid.clone()),
            plural: e.msgid_plural.clone(),
        };
        let mut cands = find(&q);
        cands.retain(|c| c.score >= options.min_score);
        cands.sort_by_key(|c| std::cmp::Reverse(c.score));
        let Some(best) = cands.into_iter().next() else {
            result.unmatched += 1;
            continue;
        };
        let mut warnings = best.warnings.clone();
        let is_format = e
            .flags
            .iter()
            .any(|f| f.ends_with("-format") && !f.starts_with("no-"));
        if is_format && directives(msgid) != directives(&best.target_text) {
            warnings.push("the format directives of the match differ from the source's".into());
        }
        let exact = best.score >= 100 && warnings.is_empty();
        if exact {
            result.exact += 1;
        } else {
            result.fuzzy += 1;
        }
        let line = e.keyword.unwrap_or(e.first) as u64 + 1;
        for w in &warnings {
            result.warnings.push(format!("line {line}: {w}"));
        }
        let plural = e.msgid_plural.clone().unwrap_or_default();
        for (n, _, first, last) in &e.msgstr {
            let form = if *n == 0 {
                fit_newlines(msgid, &best.target_text)
            } else {
                let f = best
                    .plural_forms
                    .get(n - 1)
                    .cloned()
                    .unwrap_or_else(|| best.target_text.clone());
                fit_newlines(&plural, &f)
            };
            let keyword = if e.msgid_plural.is_some() {
                format!("msgstr[{n}]")
            } else {
                "msgstr".to_string()
            };
            let ends_with_newline = text[starts[*first]..line_end(*last)].ends_with('\n');
            let mut s = po_string(&keyword, &form);
            if crlf {
                s = s.replace('\n', "\r\n");
            }
            if !ends_with_newline {
                s.truncate(s.len() - nl.len());
            }
            edits.push((starts[*first], line_end(*last), s));
        }
        let keyword_at = starts[e.keyword.unwrap_or(e.first)];
        let mut comments = String::new();
        for w in &warnings {
            comments.push_str(&format!("# tmm: {}{nl}", w.replace(['\n', '\r'], " ")));
        }
        if !exact {
            match e.flags_line {
                Some(l) => {
                    let at = starts[l] + text[starts[l]..].find(',').map_or(2, |i| i + 1);
                    edits.push((at, at, " fuzzy,".to_string()));
                }
                None => comments.push_str(&format!("#, fuzzy{nl}")),
            }
        }
        if !comments.is_empty() {
            let at = match e.flags_line {
                Some(l) if !exact => starts[l].min(keyword_at),
                _ => keyword_at,
            };
            edits.push((at, at, comments));
        }
    }
    let out = crate::formats::xliff::pretranslate::apply(&text, edits);
    result.bytes = out.into_bytes();
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PO: &str = r#"# Translation of app
msgid ""
msgstr ""
"Language: de\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

# translator says
#. programmer says
#: src/main.c:10
#, c-format
msgctxt "menu"
msgid "Open %s"
msgstr "%s öffnen"

msgid "One file"
msgid_plural "%d files"
msgstr[0] "Eine Datei"
msgstr[1] "%d Dateien"

#, fuzzy
msgid "Fuzzy"
msgstr "Unscharf"

msgid "Untranslated"
msgstr ""

#~ msgid "Old"
#~ msgstr "Alt"
"#;

    fn read(po: &str, options: PoOptions) -> Vec<Item> {
        let mut r = PoReader::new(
            "t.po".into(),
            Box::new(io::Cursor::new(po.as_bytes().to_vec())),
            options,
        )
        .unwrap();
        let mut out = Vec::new();
        while let Some(i) = r.next_item().unwrap() {
            out.push(i);
        }
        out
    }

    #[test]
    fn entries_become_units_with_context_comments_and_plurals() {
        let items = read(PO, PoOptions::default());
        let units: Vec<&TranslationUnit> = items
            .iter()
            .filter_map(|i| match i {
                Item::Unit(u) => Some(&u.unit),
                _ => None,
            })
            .collect();
        assert_eq!(units.len(), 2);
        let u = units[0];
        assert_eq!(u.variants[0].lang.as_str(), "en");
        assert_eq!(u.variants[1].lang.as_str(), "de");
        assert_eq!(u.variants[1].segment.text, "%s öffnen");
        assert_eq!(u.notes[0].text, "translator says");
        assert_eq!(u.variants[0].notes[0].text, "programmer says");
        assert!(
            u.props
                .iter()
                .any(|p| p.kind == "x-context" && p.value == "menu")
        );
        let p = units[1];
        assert_eq!(p.variants[1].segment.text, "Eine Datei");
        assert!(
            p.variants[0]
                .props
                .iter()
                .any(|x| x.kind == "x-po-msgid_plural" && x.value == "%d files")
        );
        assert!(
            p.variants[1]
                .props
                .iter()
                .any(|x| x.kind == "x-po-msgstr[1]" && x.value == "%d Dateien")
        );
        let kinds: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                Item::Skipped { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect();
        assert_eq!(kinds, ["fuzzy", "untranslated", "obsolete"]);
        assert_eq!(
            read(
                PO,
                PoOptions {
                    fuzzy: true,
                    ..Default::default()
                }
            )
            .iter()
            .filter(|i| matches!(i, Item::Unit(_)))
            .count(),
            3
        );
    }

    #[test]
    fn broken_lines_are_refused_with_their_line() {
        for (po, line) in [
            ("msgid \"a\"\nmsgstr \"b\n", 2),
            ("msgid \"a\"\nbogus \"x\"\n", 2),
            ("msgstr \"x\"\n", 1),
        ] {
            match PoReader::new(
                "b.po".into(),
                Box::new(io::Cursor::new(po.as_bytes().to_vec())),
                PoOptions::default(),
            ) {
                Err(Error::Syntax { line: l, .. }) => assert_eq!(l, line, "{po}"),
                Err(e) => panic!("{po}: {e}"),
                Ok(_) => panic!("{po}: accepted"),
            }
        }
    }

    #[test]
    fn pretranslation_fills_msgstr_and_marks_fuzzy_below_100() {
        let po = "msgid \"\"\nmsgstr \"Language: de\\n\"\n\nmsgid \"Save\"\nmsgstr \"\"\n\n#, c-format\nmsgid \"Save %s\"\nmsgstr \"\"\n\nmsgid \"Other\"\nmsgstr \"\"\n";
        let mut find = |q: &SegmentQuery| match q.text.as_str() {
            "Save" => vec![Candidate {
                score: 100,
                target_text: "Speichern".into(),
                ..Default::default()
            }],
            "Save %s" => vec![Candidate {
                score: 80,
                target_text: "%s speichern".into(),
                ..Default::default()
            }],
            _ => vec![],
        };
        let r = pretranslate(
            Path::new("p.po"),
            po.as_bytes(),
            &PretranslateOptions::default(),
            &mut find,
        )
        .unwrap();
        let out = String::from_utf8(r.bytes).unwrap();
        assert_eq!(
            out,
            "msgid \"\"\nmsgstr \"Language: de\\n\"\n\nmsgid \"Save\"\nmsgstr \"Speichern\"\n\n#, fuzzy, c-format\nmsgid \"Save %s\"\nmsgstr \"%s speichern\"\n\nmsgid \"Other\"\nmsgstr \"\"\n"
        );
        assert_eq!((r.exact, r.fuzzy, r.unmatched), (1, 1, 1));
    }

    #[test]
    fn writer_output_reads_back() {
        let items = read(PO, PoOptions::default());
        let mut w = PoWriter::new(
            Vec::new(),
            &LanguageTag::parse("en").unwrap(),
            &LanguageTag::parse("de").unwrap(),
        )
        .unwrap();
        for i in &items {
            if let Item::Unit(u) = i {
                assert!(w.write_unit(&u.unit).unwrap());
            }
        }
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let again = read(&out, PoOptions::default());
        let texts = |items: &[Item]| -> Vec<(String, String)> {
            items
                .iter()
                .filter_map(|i| match i {
                    Item::Unit(u) => Some((
                        u.unit.variants[0].segment.text.clone(),
                        u.unit.variants[1].segment.text.clone(),
                    )),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(texts(&items), texts(&again));
        assert!(out.contains("msgstr[1] \"%d Dateien\""), "{out}");
    }
}
