//! A streaming pull reader for TMX 1.1–1.4b.
//!
//! [`TmxReader::open`] reads up to `<body>` (the header), then [`TmxReader::next_item`] yields
//! one translation unit at a time, so memory stays bounded whatever the file size. The reader
//! goes on to the end of the file after `</body>`: a file that is not well-formed anywhere is
//! refused as a whole with its line and column. A DOCTYPE is never fetched and entities other
//! than XML's five and character references are never expanded.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::{check_date, encoding, escape_attribute, escape_text, is_forbidden_char};
use crate::error::{Error, Result};
use crate::formats::{Format, Item, MAX_SEGMENT_BYTES, ReadUnit, SourceInfo, UnitSource};
use crate::lang::LanguageTag;
use crate::model::{Attributes, Header, Note, Prop, Segment, TranslationUnit, Variant};

/// Props of this type carry an attribute that TMX does not define (see the writer).
pub(crate) const ATTRIBUTE_PROP: &str = "x-tmm-attribute:";

/// A variant prop holding the exact segment markup when it has inline attributes the DTD
/// does not allow (the `<seg>` beside it holds a valid copy).
pub(crate) const SEGMENT_PROP: &str = "x-tmm-segment";

/// Inline elements whose content is native code, not text.
const NATIVE: &[&str] = &["bpt", "ept", "it", "ph", "ut", "sub"];

/// Counts the lines the parser has consumed and, for a stream that cannot be read again,
/// keeps what is needed to place an error: the current and the previous line, and the
/// offset of the first byte that is not UTF-8.
struct Counted<R> {
    inner: R,
    newlines: u64,
    /// Track positions in memory (the input cannot be read a second time).
    track: bool,
    consumed: u64,
    lines: [(u64, Vec<u8>); 2],
    pending_utf8: Vec<u8>,
    first_invalid: Option<u64>,
    /// Until the root element is read: refuse NUL bytes and more than this many bytes.
    prologue_limit: Option<u64>,
}

/// Bytes of a line kept to count an error's column.
const LINE_KEPT: usize = 16 * 1024;

impl<R> Counted<R> {
    fn new(inner: R, track: bool) -> Self {
        Counted {
            inner,
            newlines: 0,
            track,
            consumed: 0,
            lines: [(0, Vec::new()), (0, Vec::new())],
            pending_utf8: Vec::new(),
            first_invalid: None,
            prologue_limit: Some(PROLOGUE_LIMIT),
        }
    }

    fn track(&mut self, bytes: &[u8]) {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                let cur = &mut self.lines[1].1;
                let room = LINE_KEPT.saturating_sub(cur.len());
                cur.extend_from_slice(&bytes[start..i.min(start + room)]);
                self.lines.swap(0, 1);
                self.lines[1].0 = self.consumed + i as u64 + 1;
                self.lines[1].1.clear();
                start = i + 1;
            }
        }
        let cur = &mut self.lines[1].1;
        let room = LINE_KEPT.saturating_sub(cur.len());
        cur.extend_from_slice(&bytes[start..bytes.len().min(start + room)]);
        if self.first_invalid.is_none() {
            self.pending_utf8.extend_from_slice(bytes);
            match std::str::from_utf8(&self.pending_utf8) {
                Ok(_) => self.pending_utf8.clear(),
                Err(e) if e.error_len().is_some() => {
                    let at = self.consumed - self.pending_utf8.len() as u64 + bytes.len() as u64;
                    self.first_invalid = Some(at + e.valid_up_to() as u64);
                }
                Err(e) => {
                    self.pending_utf8.drain(..e.valid_up_to());
                }
            }
        }
    }

    /// Line and column of `offset` when it lies in the last two lines read.
    fn locate(&self, offset: u64) -> Option<(u64, u64)> {
        let line = self.newlines + 1;
        for (k, (start, bytes)) in self.lines.iter().enumerate().rev() {
            if offset >= *start {
                let upto = ((offset - start) as usize).min(bytes.len());
                let column = bytes[..upto].iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
                return Some((line - (1 - k as u64), column + 1));
            }
        }
        None
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.inner.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if let Some(limit) = self.prologue_limit {
            let consumed = self.consumed;
            let buf = self.inner.fill_buf()?;
            let refuse = |m: &str| Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, m));
            if buf.contains(&0) {
                return refuse("a NUL byte before the root element: this is not XML text");
            }
            if consumed > limit {
                return refuse("no root element in the first megabyte: this is not TMX");
            }
            return Ok(buf);
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = &buf[..n.min(buf.len())];
            let newlines = taken.iter().filter(|&&b| b == b'\n').count() as u64;
            if self.track {
                let taken = taken.to_vec();
                self.track(&taken);
            }
            self.newlines += newlines;
        }
        self.consumed += n as u64;
        self.inner.consume(n);
    }
}

/// A child element of `<tu>` or `<tuv>` whose start tag has been read.
struct Child {
    name: String,
    attrs: Vec<(String, String)>,
    empty: bool,
    line: u64,
}

/// A streaming TMX reader over one file or stream.
pub struct TmxReader {
    /// The name messages give the input.
    path: PathBuf,
    /// The file, when it can be read again to place an error.
    file: Option<PathBuf>,
    xml: quick_xml::Reader<Counted<Box<dyn BufRead + Send>>>,
    buf: Vec<u8>,
    info: SourceInfo,
    in_body: bool,
    finished: bool,
    /// Lone UTF-16 surrogates the decoder replaced, not yet reported.
    surrogates: encoding::Surrogates,
    /// The variants of the last unit read: the next one's vector is made that large, as
    /// units of one file tend to hold as many (instead of growing it by doubling).
    variants: usize,
}

/// Bytes read before the root element at the most: an endless stream that is not TMX (such
/// as `/dev/zero`) is refused after this many.
const PROLOGUE_LIMIT: u64 = 1 << 20;

impl TmxReader {
    /// Opens a TMX file and reads its header.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Format`] when it is not TMX or its
    /// encoding is unknown, [`Error::Syntax`] when it is not well-formed before `<body>`.
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::new(path, Some(path), Box::new(file))
    }

    /// Reads TMX from any stream and reads its header; `name` is what messages call it, and
    /// `file` the file it is, when it can be read again to place an error exactly.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn new(name: &Path, file: Option<&Path>, input: Box<dyn Read + Send>) -> Result<Self> {
        let decoded = encoding::decode(name, input)?;
        let mut xml = quick_xml::Reader::from_reader(Counted::new(decoded.reader, file.is_none()));
        xml.config_mut().trim_text(false);
        let mut reader = TmxReader {
            path: name.to_path_buf(),
            file: file.map(Path::to_path_buf),
            xml,
            buf: Vec::with_capacity(4096),
            info: SourceInfo {
                format: Format::Tmx,
                header: Header::default(),
                version: None,
                encoding: decoded.encoding,
                warnings: decoded.warning.into_iter().collect(),
            },
            in_body: false,
            finished: false,
            surrogates: decoded.surrogates,
            variants: 0,
        };
        reader.read_prologue()?;
        let early = reader.surrogate_warnings(reader.line());
        reader.info.warnings.extend(early);
        Ok(reader)
    }

    /// What the file says about itself: header, version, encoding, warnings.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The `<header>`; empty when the file has none.
    pub fn header(&self) -> &Header {
        &self.info.header
    }

    /// The input being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next unit, an invalid unit, or `None` at the end of a well-formed file.
    ///
    /// # Errors
    /// [`Error::Syntax`] when the file is not well-formed; nothing of it should be kept.
    pub fn next_item(&mut self) -> Result<Option<Item>> {
        if self.finished {
            return Ok(None);
        }
        if !self.in_body {
            self.read_epilogue()?;
            return Ok(None);
        }
        loop {
            let line = self.line();
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let event = self.xml.read_event_into(&mut buf);
            let result = match event {
                Err(e) => Err(self.xml_error(e)),
                Ok(Event::Start(e)) if local(&e) == "tu" => {
                    let attrs = self.attributes(&e, false)?;
                    self.read_unit(attrs, line, false).map(Some)
                }
                Ok(Event::Empty(e)) if local(&e) == "tu" => {
                    let attrs = self.attributes(&e, true)?;
                    self.read_unit(attrs, line, true).map(Some)
                }
                Ok(Event::Start(e)) => {
                    let name = local(&e).to_string();
                    self.skip_element(&name).map(|()| {
                        Some(Item::Invalid {
                            line,
                            message: format!("unexpected <{name}> in <body>, skipped"),
                        })
                    })
                }
                Ok(Event::Empty(e)) => Ok(Some(Item::Invalid {
                    line,
                    message: format!("unexpected <{}> in <body>, skipped", local(&e)),
                })),
                Ok(Event::End(_)) => {
                    self.in_body = false;
                    self.buf = buf;
                    self.read_epilogue()?;
                    return Ok(None);
                }
                Ok(Event::Eof) => Err(self.syntax_here("unexpected end of file inside <body>")),
                Ok(Event::GeneralRef(r)) => self.resolve(&r).map(|_| None),
                Ok(Event::Text(t)) if !t.xml10_content().trim().is_empty() => {
                    Ok(Some(Item::Invalid {
                        line,
                        message: "text directly inside <body>, skipped".into(),
                    }))
                }
                Ok(_) => Ok(None),
            };
            self.buf = buf;
            if let Some(item) = result? {
                return Ok(Some(item));
            }
        }
    }

    /// Reads everything before `<body>`: the declaration, DOCTYPE, `<tmx>` and `<header>`.
    fn read_prologue(&mut self) -> Result<()> {
        let mut buf = Vec::new();
        let mut seen_root = false;
        let mut seen_header = false;
        loop {
            buf.clear();
            let event = self.xml.read_event_into(&mut buf);
            match event {
                Err(e) => return Err(self.xml_error(e)),
                Ok(Event::Eof) if !seen_root => {
                    return Err(self.syntax_here("no <tmx> element: the file is empty"));
                }
                Ok(Event::Eof) => {
                    return Err(self.syntax_here("unexpected end of file before <body>"));
                }
                Ok(Event::DocType(d)) => {
                    if d.xml10_content().contains("<!ENTITY") {
                        self.info
                            .warnings
                            .push("the DOCTYPE declares entities; tmm does not expand them".into());
                    }
                }
                Ok(Event::Start(e)) if !seen_root => {
                    seen_root = true;
                    self.xml.get_mut().prologue_limit = None;
                    let name = local(&e).to_string();
                    let attrs = self.attributes(&e, false)?;
                    self.read_root(&name, attrs)?;
                }
                Ok(Event::Empty(e)) if !seen_root => {
                    let name = local(&e).to_string();
                    let attrs = self.attributes(&e, true)?;
                    self.read_root(&name, attrs)?;
                    return Err(self.syntax_here("<tmx> is empty: no <body>"));
                }
                Ok(Event::Start(e)) if local(&e) == "header" => {
                    seen_header = true;
                    let attrs = self.attributes(&e, false)?;
                    self.read_header(attrs, false)?;
                }
                Ok(Event::Empty(e)) if local(&e) == "header" => {
                    seen_header = true;
                    let attrs = self.attributes(&e, true)?;
                    self.read_header(attrs, true)?;
                }
                Ok(Event::Start(e)) if local(&e) == "body" => {
                    if !seen_header {
                        self.info.warnings.push("no <header>".into());
                    }
                    self.in_body = true;
                    return Ok(());
                }
                Ok(Event::Empty(e)) if local(&e) == "body" => {
                    if !seen_header {
                        self.info.warnings.push("no <header>".into());
                    }
                    return Ok(());
                }
                Ok(Event::Start(e)) => {
                    let name = local(&e).to_string();
                    self.info
                        .warnings
                        .push(format!("unexpected <{name}> before <body>, skipped"));
                    self.skip_element(&name)?;
                }
                Ok(Event::End(_)) => {
                    return Err(self.syntax_here("</tmx> closed before any <body>"));
                }
                Ok(_) => {}
            }
        }
    }

    fn read_root(&mut self, name: &str, attrs: Vec<(String, String)>) -> Result<()> {
        if name != "tmx" {
            return Err(Error::Format {
                path: self.path.clone(),
                message: format!("not a TMX file: the root element is <{name}>"),
            });
        }
        self.info.version = attrs
            .into_iter()
            .find(|(k, _)| k == "version")
            .map(|(_, v)| v);
        match self.info.version.as_deref() {
            None => self
                .info
                .warnings
                .push("<tmx> has no version; read as TMX 1.4".into()),
            Some("1.1" | "1.2" | "1.3" | "1.4" | "1.4a" | "1.4b") => {}
            Some(v) => self
                .info
                .warnings
                .push(format!("unknown TMX version \"{v}\"; read as TMX 1.4")),
        }
        Ok(())
    }

    /// Reads to the end of the file after `</body>`, refusing anything but `</tmx>`.
    fn read_epilogue(&mut self) -> Result<()> {
        let mut buf = Vec::new();
        let mut closed = false;
        loop {
            buf.clear();
            let before = self.xml.buffer_position();
            let event = self.xml.read_event_into(&mut buf);
            match event {
                Err(e) => return Err(self.xml_error(e)),
                Ok(Event::Eof) if closed => {
                    self.finished = true;
                    return Ok(());
                }
                Ok(Event::Eof) => {
                    return Err(self.syntax_here("unexpected end of file: </tmx> is missing"));
                }
                Ok(Event::End(_)) if !closed => closed = true,
                Ok(Event::Start(e) | Event::Empty(e)) => {
                    let name = local(&e).to_string();
                    return Err(self.syntax_at(
                        before,
                        &format!("<{name}> after the end of <body>: the body was closed early"),
                    ));
                }
                Ok(Event::Text(t)) if !t.xml10_content().trim().is_empty() => {
                    return Err(self.syntax_at(before, "text after the end of <body>"));
                }
                Ok(_) => {}
            }
        }
    }

    fn read_header(&mut self, attrs: Vec<(String, String)>, empty: bool) -> Result<()> {
        let mut header = Header::default();
        let mut warnings = Vec::new();
        for (name, value) in attrs {
            match name.as_str() {
                "srclang" => header.srclang = Some(value),
                "adminlang" => header.adminlang = Some(value),
                _ => set_attribute(&mut header.attributes, name, value, &mut warnings),
            }
        }
        if !empty {
            let mut udes = String::new();
            let line = self.line();
            let leftover = self.read_children("header", line, |reader, child| {
                let Some(child) = reader.annotation(
                    child,
                    &mut header.attributes,
                    &mut header.props,
                    &mut header.notes,
                    &mut warnings,
                )?
                else {
                    return Ok(());
                };
                // <ude> and anything else is kept as its exact XML.
                let start = tag_xml(&child.name, &child.attrs);
                if child.empty {
                    udes.push_str(&start[..start.len() - 1]);
                    udes.push_str("/>");
                    return Ok(());
                }
                udes.push_str(&start);
                reader.capture(&child.name, &mut udes)
            })?;
            warnings.extend(leftover);
            header.udes = (!udes.is_empty()).then_some(udes);
        }
        clean_header(&mut header, &mut warnings);
        self.info
            .warnings
            .extend(warnings.into_iter().map(|w| format!("header: {w}")));
        self.info.header = header;
        Ok(())
    }

    /// Reads one `<tu>` whose start tag has been read.
    fn read_unit(&mut self, attrs: Vec<(String, String)>, line: u64, empty: bool) -> Result<Item> {
        let mut unit = TranslationUnit {
            variants: Vec::with_capacity(self.variants),
            ..Default::default()
        };
        let mut warnings = Vec::new();
        let mut problems = Vec::new();
        for (name, value) in attrs {
            match name.as_str() {
                "tuid" => unit.tuid = Some(value),
                "srclang" => unit.srclang = Some(value),
                _ => set_attribute(&mut unit.attributes, name, value, &mut warnings),
            }
        }
        if !empty {
            let mut unit_warnings = Vec::new();
            let leftover = self.read_children("tu", line, |reader, child| {
                let Some(child) = reader.annotation(
                    child,
                    &mut unit.attributes,
                    &mut unit.props,
                    &mut unit.notes,
                    &mut unit_warnings,
                )?
                else {
                    return Ok(());
                };
                if child.name == "tuv" {
                    if let Some(v) = reader.read_variant(
                        child.attrs,
                        child.empty,
                        &mut unit_warnings,
                        &mut problems,
                    )? {
                        unit.variants.push(v);
                    }
                    return Ok(());
                }
                reader.skip_unexpected(child, "tu", &mut unit_warnings)
            })?;
            warnings.extend(unit_warnings);
            warnings.extend(leftover);
        }
        self.variants = unit.variants.len();
        if unit.variants.is_empty() && problems.is_empty() {
            problems.push("<tu> has no <tuv>".into());
        }
        if !problems.is_empty() {
            // A segment of thousands of broken pairs says the same thing thousands of times.
            problems.dedup();
            let more = problems.len().saturating_sub(5);
            problems.truncate(5);
            if more > 0 {
                problems.push(format!("and {more} more problems"));
            }
            return Ok(Item::Invalid {
                line,
                message: problems.join("; "),
            });
        }
        warnings.extend(self.surrogate_warnings(self.line()));
        Ok(Item::Unit(Box::new(ReadUnit {
            unit,
            line,
            warnings,
            document: None,
        })))
    }

    /// Warnings for the lone surrogates found up to line `upto` (the decoder reads ahead).
    fn surrogate_warnings(&self, upto: u64) -> Vec<String> {
        let Ok(mut found) = self.surrogates.lock() else {
            return Vec::new();
        };
        let (now, later): (Vec<_>, Vec<_>) = found.drain(..).partition(|&(l, _)| l <= upto);
        *found = later;
        now.into_iter()
            .map(|(l, c)| {
                format!("line {l}, column {c}: a lone UTF-16 surrogate, replaced by U+FFFD")
            })
            .collect()
    }

    /// Reads one `<tuv>`; returns `None` (and records a problem) when it is unusable.
    fn read_variant(
        &mut self,
        attrs: Vec<(String, String)>,
        empty: bool,
        warnings: &mut Vec<String>,
        problems: &mut Vec<String>,
    ) -> Result<Option<Variant>> {
        let line = self.line();
        let mut attributes = Attributes::default();
        let mut lang_raw = None;
        for (name, value) in attrs {
            match name.as_str() {
                "xml:lang" => lang_raw = Some(value),
                "lang" if lang_raw.is_none() => lang_raw = Some(value),
                "lang" => {}
                _ => set_attribute(&mut attributes, name, value, warnings),
            }
        }
        let mut props = Vec::new();
        let mut notes = Vec::new();
        let mut segment = None;
        if !empty {
            let leftover = self.read_children("tuv", line, |reader, child| {
                let Some(child) =
                    reader.annotation(child, &mut attributes, &mut props, &mut notes, warnings)?
                else {
                    return Ok(());
                };
                match (child.name.as_str(), child.empty) {
                    ("seg", _) if segment.is_some() => {
                        problems.push(format!(
                            "line {}: <tuv> has more than one <seg>",
                            child.line
                        ));
                        if !child.empty {
                            reader.skip_element("seg")?;
                        }
                    }
                    ("seg", false) => segment = Some(reader.read_segment(problems)?),
                    ("seg", true) => segment = Some(Segment::default()),
                    _ => reader.skip_unexpected(child, "tuv", warnings)?,
                }
                Ok(())
            })?;
            warnings.extend(leftover);
        }
        let Some(lang_raw) = lang_raw.filter(|l| !l.trim().is_empty()) else {
            problems.push(format!("line {line}: <tuv> has no xml:lang"));
            return Ok(None);
        };
        let Some(mut segment) = segment else {
            problems.push(format!(
                "line {line}: <tuv xml:lang=\"{lang_raw}\"> has no <seg>"
            ));
            return Ok(None);
        };
        if let Some(i) = props.iter().position(|p| p.kind == SEGMENT_PROP) {
            segment.markup = Some(props.remove(i).value);
        }
        let (lang, lang_original) = if LanguageTag::is_suspect(&lang_raw) {
            warnings.push(format!(
                "line {line}: language tag \"{lang_raw}\" is a code tools use for a script or country, not a language; kept as written"
            ));
            (LanguageTag::verbatim(&lang_raw), None)
        } else {
            match LanguageTag::parse(&lang_raw) {
                Ok(tag) => {
                    let original = (tag.as_str() != lang_raw).then_some(lang_raw);
                    (tag, original)
                }
                Err(e) => {
                    warnings.push(format!("line {line}: {e}; kept as written"));
                    (LanguageTag::verbatim(&lang_raw), None)
                }
            }
        };
        Ok(Some(Variant {
            lang,
            lang_original,
            attributes,
            props,
            notes,
            segment,
        }))
    }

    /// Reads the child elements of the element just opened (at `open_line`) up to its end
    /// tag, handing each to `on_child`, which reads the child's content unless it is empty.
    /// Returns warnings about text found between the children.
    fn read_children(
        &mut self,
        parent: &str,
        open_line: u64,
        mut on_child: impl FnMut(&mut Self, Child) -> Result<()>,
    ) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let line = self.line();
            let child = match self.xml.read_event_into(&mut buf) {
                Err(e) => return Err(self.xml_error(e)),
                Ok(Event::Start(e)) => Child {
                    name: local(&e).to_string(),
                    attrs: self.attributes(&e, false)?,
                    empty: false,
                    line,
                },
                Ok(Event::Empty(e)) => Child {
                    name: local(&e).to_string(),
                    attrs: self.attributes(&e, true)?,
                    empty: true,
                    line,
                },
                Ok(Event::End(_)) => return Ok(warnings),
                Ok(Event::Eof) => {
                    return Err(self.syntax_here(&format!(
                        "unexpected end of file: <{parent}> opened at line {open_line} is not closed"
                    )));
                }
                Ok(Event::GeneralRef(r)) => {
                    self.resolve(&r)?;
                    continue;
                }
                Ok(Event::Text(t)) if !t.xml10_content().trim().is_empty() => {
                    warnings.push(format!(
                        "line {line}: text directly inside <{parent}> ignored"
                    ));
                    continue;
                }
                Ok(_) => continue,
            };
            on_child(self, child)?;
        }
    }

    /// Reads a `<prop>` or `<note>` child into the owner's lists; hands any other child back.
    fn annotation(
        &mut self,
        child: Child,
        attributes: &mut Attributes,
        props: &mut Vec<Prop>,
        notes: &mut Vec<Note>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Child>> {
        let is_prop = match child.name.as_str() {
            "prop" => true,
            "note" => false,
            _ => return Ok(Some(child)),
        };
        let text = if child.empty {
            String::new()
        } else {
            self.read_text(&child.name)?
        };
        if is_prop {
            push_prop(attributes, props, child.attrs, text, warnings);
        } else {
            notes.push(note(child.attrs, text));
        }
        Ok(None)
    }

    /// Skips a child element TMX does not allow here, with a warning.
    fn skip_unexpected(
        &mut self,
        child: Child,
        parent: &str,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        warnings.push(format!(
            "line {}: unexpected <{}> in <{parent}>, skipped",
            child.line, child.name
        ));
        if !child.empty {
            self.skip_element(&child.name)?;
        }
        Ok(())
    }

    /// Reads the content of a `<seg>` whose start tag has been read: plain text outside
    /// native code, and the canonical markup when there are inline elements.
    fn read_segment(&mut self, problems: &mut Vec<String>) -> Result<Segment> {
        let line = self.line();
        let mut text = String::new();
        let mut markup = String::new();
        let mut has_elements = false;
        let mut stack: Vec<String> = Vec::new();
        let mut native_depth = 0usize;
        let mut open_pairs: Vec<String> = Vec::new();
        let mut seen_bpt: HashSet<String> = HashSet::new();
        let mut over = false;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match self.xml.read_event_into(&mut buf) {
                Err(e) => return Err(self.xml_error(e)),
                Ok(Event::Start(e)) => {
                    if !has_elements {
                        has_elements = true;
                        markup.push_str(&escape_text(&text));
                    }
                    let name = local(&e).to_string();
                    check_pairing(&e, &name, &mut open_pairs, &mut seen_bpt, problems, line);
                    markup.push_str(&self.start_tag(&e, false)?);
                    if NATIVE.contains(&name.as_str()) {
                        native_depth += 1;
                    }
                    stack.push(name);
                }
                Ok(Event::Empty(e)) => {
                    if !has_elements {
                        has_elements = true;
                        markup.push_str(&escape_text(&text));
                    }
                    let name = local(&e).to_string();
                    check_pairing(&e, &name, &mut open_pairs, &mut seen_bpt, problems, line);
                    let tag = self.start_tag(&e, true)?;
                    markup.push_str(&tag[..tag.len() - 1]);
                    markup.push_str("/>");
                }
                Ok(Event::End(_)) => match stack.pop() {
                    None => break,
                    Some(name) => {
                        if NATIVE.contains(&name.as_str()) {
                            native_depth -= 1;
                        }
                        markup.push_str("</");
                        markup.push_str(&name);
                        markup.push('>');
                    }
                },
                // Past the limit the text is no longer kept: the unit is refused anyway.
                _ if text.len().max(markup.len()) > MAX_SEGMENT_BYTES && !over => {
                    over = true;
                    text = String::new();
                    markup = String::new();
                    continue;
                }
                Ok(Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) if over => {}
                Ok(Event::Text(t)) => {
                    let s = t.xml10_content();
                    push_content(&s, has_elements, native_depth, &mut text, &mut markup);
                }
                Ok(Event::CData(c)) => {
                    let s = c.xml10_content();
                    push_content(&s, has_elements, native_depth, &mut text, &mut markup);
                }
                Ok(Event::GeneralRef(r)) => {
                    let s = self.resolve(&r)?;
                    push_content(&s, has_elements, native_depth, &mut text, &mut markup);
                }
                Ok(Event::Eof) => {
                    return Err(self.syntax_here("unexpected end of file inside <seg>"));
                }
                Ok(_) => {}
            }
        }
        if over {
            problems.push(format!(
                "line {line}: a segment over tmm's limit of {} MiB; split it into paragraphs or sentences",
                MAX_SEGMENT_BYTES >> 20
            ));
        }
        for i in open_pairs {
            problems.push(format!(
                "line {line}: <bpt i=\"{i}\"> has no matching <ept>"
            ));
        }
        Ok(Segment {
            text,
            markup: has_elements.then_some(markup),
        })
    }

    /// Reads the text content of a `prop` or `note` (elements inside are refused).
    fn read_text(&mut self, element: &str) -> Result<String> {
        let mut out = String::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match self.xml.read_event_into(&mut buf) {
                Err(e) => return Err(self.xml_error(e)),
                Ok(Event::Text(t)) => out.push_str(&t.xml10_content()),
                Ok(Event::CData(c)) => out.push_str(&c.xml10_content()),
                Ok(Event::GeneralRef(r)) => out.push_str(&self.resolve(&r)?),
                Ok(Event::End(_)) => return Ok(out),
                Ok(Event::Start(e)) => {
                    // Text-only by the DTD; keep the inner element's text rather than lose it.
                    let name = local(&e).to_string();
                    out.push_str(&self.read_text(&name)?);
                }
                Ok(Event::Eof) => {
                    return Err(
                        self.syntax_here(&format!("unexpected end of file inside <{element}>"))
                    );
                }
                Ok(_) => {}
            }
        }
    }

    /// Appends an element's content and end tag, canonically serialised, to `out`.
    fn capture(&mut self, name: &str, out: &mut String) -> Result<()> {
        let mut depth = 1usize;
        let mut stack = vec![name.to_string()];
        let mut buf = Vec::new();
        while depth > 0 {
            buf.clear();
            match self.xml.read_event_into(&mut buf) {
                Err(e) => return Err(self.xml_error(e)),
                Ok(Event::Start(e)) => {
                    out.push_str(&self.start_tag(&e, false)?);
                    stack.push(local(&e).to_string());
                    depth += 1;
                }
                Ok(Event::Empty(e)) => {
                    let tag = self.start_tag(&e, true)?;
                    out.push_str(&tag[..tag.len() - 1]);
                    out.push_str("/>");
                }
                Ok(Event::End(_)) => {
                    depth -= 1;
                    out.push_str("</");
                    out.push_str(&stack.pop().unwrap_or_default());
                    out.push('>');
                }
                Ok(Event::Text(t)) => out.push_str(&escape_text(&t.xml10_content())),
                Ok(Event::CData(c)) => out.push_str(&escape_text(&c.xml10_content())),
                Ok(Event::GeneralRef(r)) => out.push_str(&escape_text(&self.resolve(&r)?)),
                Ok(Event::Eof) => {
                    return Err(
                        self.syntax_here(&format!("unexpected end of file inside <{name}>"))
                    );
                }
                Ok(_) => {}
            }
        }
        Ok(())
    }

    fn skip_element(&mut self, name: &str) -> Result<()> {
        let mut sink = String::new();
        self.capture(name, &mut sink)
    }

    /// A start tag in canonical form: local name, attributes in file order, escaped.
    fn start_tag(&self, e: &BytesStart, empty: bool) -> Result<String> {
        Ok(tag_xml(local(e), &self.attributes(e, empty)?))
    }

    /// The attributes of a start tag (of an empty element when `empty`) just read,
    /// namespace declarations left out. An error is placed where it is in the tag.
    fn attributes(&self, e: &BytesStart, empty: bool) -> Result<Vec<(String, String)>> {
        // The tag's `<`: the parser stands after its `>` (or `/>`).
        let tag_len = e.len() as u64 + if empty { 3 } else { 2 };
        let tag_start = self.xml.buffer_position().saturating_sub(tag_len);
        // Offsets in the tag count from the byte after `<`.
        let at = |offset: usize, message: String| {
            self.syntax_at(tag_start + 1 + offset as u64, &message)
        };
        let mut out = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| {
                use quick_xml::events::attributes::AttrError as A;
                let (offset, message) = match err {
                    A::ExpectedEq(p) => (p, "an attribute name without `=` and a value".into()),
                    A::ExpectedValue(p) => (p, "an attribute without a value after `=`".into()),
                    A::UnquotedValue(p) => (p, "an attribute value not in quotes".into()),
                    A::ExpectedQuote(p, _) => {
                        (p, "an attribute value without its closing quote".into())
                    }
                    A::Duplicated(p, first) => (
                        p,
                        format!(
                            "a duplicate attribute (the first is at column {})",
                            self.locate(tag_start + 1 + first as u64).1
                        ),
                    ),
                };
                at(offset, message)
            })?;
            let key = attr.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| {
                    // Where the value is in the tag, and its first reference that fails.
                    let base = (attr.value.as_ptr() as usize).saturating_sub(e.as_ptr() as usize);
                    let Some(bad) = bad_reference(&attr.value) else {
                        return at(base, format!("attribute {key}: {err}"));
                    };
                    let reference = &attr.value[bad..];
                    let reference =
                        &reference[..reference.find(';').map_or(reference.len(), |i| i + 1)];
                    let why = if reference.starts_with("&#") {
                        "names no character XML allows (a lone surrogate, or out of range)"
                    } else {
                        "is not one of XML's five entities; tmm does not expand custom entities"
                    };
                    at(base + bad, format!("attribute {key}: {reference} {why}"))
                })?;
            out.push((key.to_string(), value.into_owned()));
        }
        Ok(out)
    }

    /// The text an entity or character reference stands for; custom entities are refused.
    fn resolve(&self, r: &BytesRef) -> Result<Cow<'static, str>> {
        if r.is_char_ref() {
            return match r.resolve_char_ref() {
                Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
                _ => {
                    // A lenient source may hold references XML 1.0 forbids (`&#1;`); keep the
                    // character, the writer will not let it out unprotected.
                    let name = r.xml10_content();
                    let digits = name.trim_start_matches('#');
                    let code = match digits.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => digits.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                        .filter(|&c| c != '\0')
                        .map(|c| Cow::Owned(c.to_string()))
                        .ok_or_else(|| {
                            self.syntax_here(&format!("invalid character reference &{name};"))
                        })
                }
            };
        }
        let name = r.xml10_content();
        match resolve_predefined_entity(&name) {
            Some(s) => Ok(Cow::Borrowed(s)),
            None => Err(self.syntax_here(&format!(
                "entity &{name}; is not one of XML's five; tmm does not expand custom entities"
            ))),
        }
    }

    /// The line the parser is on (1-based).
    fn line(&self) -> u64 {
        self.xml.get_ref().newlines + 1
    }

    fn xml_error(&self, e: quick_xml::Error) -> Error {
        let encoding = matches!(&e, quick_xml::Error::Encoding(_))
            || matches!(&e, quick_xml::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData);
        let (offset, message) = if encoding {
            // The parser reports where its buffer began; find the first bad byte instead.
            (
                self.first_invalid_utf8()
                    .unwrap_or(self.xml.error_position()),
                format!(
                    "not valid {}: the bytes do not match the file's encoding (declare it, or save as UTF-8)",
                    self.info.encoding
                ),
            )
        } else {
            (self.xml.error_position(), e.to_string())
        };
        let (line, column) = self.locate(offset);
        Error::Syntax {
            path: self.path.clone(),
            line,
            column,
            message,
        }
    }

    fn syntax_here(&self, message: &str) -> Error {
        self.syntax_at(self.xml.buffer_position(), message)
    }

    /// The first byte of the input's UTF-8 view that is not UTF-8.
    fn first_invalid_utf8(&self) -> Option<u64> {
        match &self.file {
            Some(file) => first_invalid_utf8(file),
            None => self.xml.get_ref().first_invalid,
        }
    }

    /// Line and column (1-based) of a byte offset of the input's UTF-8 view: counted again
    /// from the file, or from the lines a stream kept (else the current line).
    fn locate(&self, offset: u64) -> (u64, u64) {
        match &self.file {
            Some(file) => locate(file, offset),
            None => self
                .xml
                .get_ref()
                .locate(offset)
                .unwrap_or((self.line(), 1)),
        }
    }

    fn syntax_at(&self, offset: u64, message: &str) -> Error {
        let (line, column) = self.locate(offset);
        Error::Syntax {
            path: self.path.clone(),
            line,
            column,
            message: message.to_string(),
        }
    }
}

/// The offset of the first byte of the file's UTF-8 view that is not valid UTF-8.
fn first_invalid_utf8(path: &Path) -> Option<u64> {
    let mut reader = encoding::open(path).ok()?.reader;
    let mut offset = 0u64;
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).ok()?;
        if n == 0 {
            // A sequence cut off by the end of the file.
            return (!pending.is_empty()).then_some(offset);
        }
        pending.extend_from_slice(&buf[..n]);
        match std::str::from_utf8(&pending) {
            Ok(_) => {
                offset += pending.len() as u64;
                pending.clear();
            }
            Err(e) if e.error_len().is_some() => return Some(offset + e.valid_up_to() as u64),
            Err(e) => {
                // An incomplete sequence at the end of the buffer: wait for more bytes.
                offset += e.valid_up_to() as u64;
                pending.drain(..e.valid_up_to());
            }
        }
    }
}

/// Line and column (1-based, in characters) of a byte offset in the file's UTF-8 view.
fn locate(path: &Path, offset: u64) -> (u64, u64) {
    let Ok(decoded) = encoding::open(path) else {
        return (0, 0);
    };
    let mut line = 1;
    let mut column = 1;
    for byte in decoded.reader.bytes().take(offset as usize) {
        let Ok(b) = byte else { break };
        if b == b'\n' {
            line += 1;
            column = 1;
        } else if b & 0xC0 != 0x80 {
            column += 1;
        }
    }
    (line, column)
}

impl UnitSource for TmxReader {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn next_item(&mut self) -> Result<Option<Item>> {
        TmxReader::next_item(self)
    }
}

/// `<name k="v" ...>` with the values escaped.
fn tag_xml(name: &str, attrs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(32);
    out.push('<');
    out.push_str(name);
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&escape_attribute(v));
        out.push('"');
    }
    out.push('>');
    out
}

fn local<'a>(e: &'a BytesStart) -> &'a str {
    let name = e.name();
    let full: &str = name.into_inner();
    match full.rfind(':') {
        Some(i) => &full[i + 1..],
        None => full,
    }
}

/// Adds segment content: to the plain text outside native code, and to the markup once
/// the segment has shown an inline element (before that the markup is the escaped text).
fn push_content(
    s: &str,
    has_elements: bool,
    native_depth: usize,
    text: &mut String,
    markup: &mut String,
) {
    if has_elements {
        markup.push_str(&escape_text(s));
    }
    if native_depth == 0 {
        text.push_str(s);
    }
}

/// Records `bpt`/`ept` pairing by `i`, noting orphans and reused ids.
fn check_pairing(
    e: &BytesStart,
    name: &str,
    open: &mut Vec<String>,
    seen: &mut HashSet<String>,
    problems: &mut Vec<String>,
    line: u64,
) {
    if name != "bpt" && name != "ept" {
        return;
    }
    let Some(i) = e
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "i")
        .map(|a| a.value.into_owned())
    else {
        return;
    };
    if name == "bpt" {
        if !seen.insert(i.clone()) {
            problems.push(format!(
                "line {line}: <bpt i=\"{i}\"> is used twice in one segment"
            ));
        }
        open.push(i);
    } else if let Some(pos) = open.iter().position(|o| *o == i) {
        open.remove(pos);
    } else {
        problems.push(format!(
            "line {line}: <ept i=\"{i}\"> has no matching <bpt> before it"
        ));
    }
}

/// Sets a TMX attribute on `attrs`, checking dates; unknown attributes go to `extra`.
/// Replaces the characters XML 1.0 forbids (`&#1;` read from a lenient file) in the
/// header's attributes, props and notes by U+FFFD, with a warning: written back, they would
/// make every export of the file's units fail, and a header has no segment text to carry
/// them as placeholders.
fn clean_header(header: &mut Header, warnings: &mut Vec<String>) {
    let mut fix = |what: &str, value: &mut String| {
        if value.contains(is_forbidden_char) {
            let codes: Vec<String> = value
                .chars()
                .filter(|&c| is_forbidden_char(c))
                .map(|c| format!("U+{:04X}", c as u32))
                .collect();
            *value = value
                .chars()
                .map(|c| if is_forbidden_char(c) { '\u{FFFD}' } else { c })
                .collect();
            warnings.push(format!(
                "{what} held {}, which XML 1.0 forbids; replaced by U+FFFD",
                codes.join(", ")
            ));
        }
    };
    for (name, slot) in [
        ("srclang", &mut header.srclang),
        ("adminlang", &mut header.adminlang),
    ] {
        if let Some(v) = slot.as_mut() {
            fix(name, v);
        }
    }
    let a = &mut header.attributes;
    for (name, slot) in [
        ("datatype", &mut a.datatype),
        ("segtype", &mut a.segtype),
        ("o-tmf", &mut a.o_tmf),
        ("o-encoding", &mut a.o_encoding),
        ("usagecount", &mut a.usagecount),
        ("lastusagedate", &mut a.lastusagedate),
        ("creationtool", &mut a.creationtool),
        ("creationtoolversion", &mut a.creationtoolversion),
        ("creationdate", &mut a.creationdate),
        ("creationid", &mut a.creationid),
        ("changedate", &mut a.changedate),
        ("changeid", &mut a.changeid),
    ] {
        if let Some(v) = slot.as_mut() {
            fix(name, v);
        }
    }
    for (k, v) in &mut a.extra {
        let what = k.clone();
        fix(&what, v);
    }
    for p in &mut header.props {
        let what = format!("prop {}", p.kind);
        fix(&what, &mut p.value);
    }
    for n in &mut header.notes {
        fix("note", &mut n.text);
    }
}

/// The byte offset of the first entity or character reference in `raw` that XML does not
/// define or that names no character (`&nbsp;`, `&#xD800;`).
fn bad_reference(raw: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = raw[from..].find('&').map(|i| i + from) {
        let end = raw[at..].find(';').map(|i| i + at)?;
        let name = &raw[at + 1..end];
        let ok = match name.strip_prefix('#') {
            Some(num) => {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                code.and_then(char::from_u32).is_some_and(|c| c != '\0')
            }
            None => matches!(name, "lt" | "gt" | "amp" | "apos" | "quot"),
        };
        if !ok {
            return Some(at);
        }
        from = end + 1;
    }
    None
}

fn set_attribute(attrs: &mut Attributes, name: String, value: String, warnings: &mut Vec<String>) {
    let value = match name.as_str() {
        "creationdate" | "changedate" | "lastusagedate" => match check_date(&value) {
            Ok(_) => value,
            Err(Some(converted)) => {
                warnings.push(format!("{name} \"{value}\" converted to {converted}"));
                converted
            }
            Err(None) => {
                warnings.push(format!(
                    "{name} \"{value}\" is not a date; kept as an extra attribute"
                ));
                attrs.extra.push((format!("x-invalid-{name}"), value));
                return;
            }
        },
        _ => value,
    };
    let slot = match name.as_str() {
        "datatype" => &mut attrs.datatype,
        "segtype" => &mut attrs.segtype,
        "o-tmf" => &mut attrs.o_tmf,
        "o-encoding" => &mut attrs.o_encoding,
        "usagecount" => &mut attrs.usagecount,
        "lastusagedate" => &mut attrs.lastusagedate,
        "creationtool" => &mut attrs.creationtool,
        "creationtoolversion" => &mut attrs.creationtoolversion,
        "creationdate" => &mut attrs.creationdate,
        "creationid" => &mut attrs.creationid,
        "changedate" => &mut attrs.changedate,
        "changeid" => &mut attrs.changeid,
        _ => {
            attrs.extra.push((name, value));
            return;
        }
    };
    *slot = Some(value);
}

/// The attributes [`set_attribute`] puts in their own fields.
const TMX_ATTRIBUTES: [&str; 12] = [
    "datatype",
    "segtype",
    "o-tmf",
    "o-encoding",
    "usagecount",
    "lastusagedate",
    "creationtool",
    "creationtoolversion",
    "creationdate",
    "creationid",
    "changedate",
    "changeid",
];

/// Adds a `<prop>`; a prop written by tmm's writer for a non-TMX attribute becomes that
/// attribute again, and `name=` (Zanata) is read as `type=`.
fn push_prop(
    attrs: &mut Attributes,
    props: &mut Vec<Prop>,
    prop_attrs: Vec<(String, String)>,
    value: String,
    warnings: &mut Vec<String>,
) {
    let mut kind = None;
    let mut name = None;
    let mut lang = None;
    let mut o_encoding = None;
    for (k, v) in prop_attrs {
        match k.as_str() {
            "type" => kind = Some(v),
            "name" => name = Some(v),
            "xml:lang" | "lang" => lang = Some(v),
            "o-encoding" => o_encoding = Some(v),
            _ => {}
        }
    }
    let kind = match (kind, name) {
        (Some(k), _) => k,
        (None, Some(n)) => {
            warnings.push(format!("<prop name=\"{n}\"> read as type=\"{n}\""));
            n
        }
        (None, None) => {
            warnings.push("<prop> without type read as type=\"x-unknown\"".into());
            "x-unknown".into()
        }
    };
    if let Some(attribute) = kind.strip_prefix(ATTRIBUTE_PROP) {
        // A TMX attribute the element could not hold as written (an unknown segtype on the
        // header) is that attribute again; the placeholder the writer put there gives way.
        if TMX_ATTRIBUTES.contains(&attribute) {
            set_attribute(attrs, attribute.to_string(), value, warnings);
        } else {
            attrs.extra.push((attribute.to_string(), value));
        }
        return;
    }
    props.push(Prop {
        kind,
        lang,
        o_encoding,
        value,
    });
}

fn note(attrs: Vec<(String, String)>, text: String) -> Note {
    let mut note = Note {
        lang: None,
        o_encoding: None,
        text,
    };
    for (k, v) in attrs {
        match k.as_str() {
            "xml:lang" | "lang" => note.lang = Some(v),
            "o-encoding" => note.o_encoding = Some(v),
            _ => {}
        }
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (TmxReader, Vec<Item>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tmx");
        std::fs::write(&path, bytes).unwrap();
        let mut reader = TmxReader::open(&path).unwrap();
        let mut items = Vec::new();
        while let Some(item) = reader.next_item().unwrap() {
            items.push(item);
        }
        (reader, items)
    }

    fn units(items: &[Item]) -> Vec<&TranslationUnit> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Unit(r) => Some(&r.unit),
                _ => None,
            })
            .collect()
    }

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4" xmlns="http://www.lisa.org/tmx14" xmlns:x="urn:x">
<header creationtool="t" srclang="en" x:flag="1"><note>n</note></header>
<body>
<!-- a comment in the body -->
<tu tuid="1" x:id="u1">
<prop type="p">v &amp; w</prop>
<tuv xml:lang="en"><seg>Press <bpt i="1" x="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept> &#233;<![CDATA[ <raw> ]]></seg></tuv>
<tuv lang="FR_fr"><seg>Appuyez <ph x="2"/>😀</seg></tuv>
</tu>
</body>
</tmx>
"#;

    #[test]
    fn markup_text_props_and_foreign_attributes_are_kept() {
        let (reader, items) = read(DOC.as_bytes());
        assert_eq!(reader.header().notes[0].text, "n");
        assert_eq!(
            reader.header().attributes.extra,
            vec![("x:flag".into(), "1".into())]
        );
        let u = units(&items)[0];
        assert_eq!(u.tuid.as_deref(), Some("1"));
        assert_eq!(u.attributes.extra, vec![("x:id".into(), "u1".into())]);
        assert_eq!(u.props[0].value, "v & w");
        let en = &u.variants[0].segment;
        assert_eq!(en.text, "Press OK é <raw> ");
        assert_eq!(
            en.markup.as_deref(),
            Some(
                "Press <bpt i=\"1\" x=\"1\">&lt;b&gt;</bpt>OK<ept i=\"1\">&lt;/b&gt;</ept> é &lt;raw&gt; "
            )
        );
        let fr = &u.variants[1];
        assert_eq!(fr.lang.as_str(), "fr-FR");
        assert_eq!(fr.lang_original.as_deref(), Some("FR_fr"));
        assert_eq!(fr.segment.text, "Appuyez 😀");
    }

    #[test]
    fn utf16_big_endian_without_bom_reads_like_utf8() {
        let utf16: Vec<u8> = DOC
            .replace("UTF-8", "UTF-16BE")
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let (reader, items) = read(&utf16);
        assert_eq!(reader.info().encoding, "UTF-16BE");
        let (_, utf8_items) = read(DOC.as_bytes());
        assert_eq!(units(&items), units(&utf8_items));
    }

    #[test]
    fn windows_1252_is_transcoded() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"fr\"><seg>caf".to_vec();
        bytes.extend([0xE9, 0x20, 0x80]); // é, space, euro sign
        bytes.extend(b"</seg></tuv></tu></body></tmx>");
        let (_, items) = read(&bytes);
        assert_eq!(units(&items)[0].variants[0].segment.text, "café €");
    }

    #[test]
    fn unbalanced_pairs_make_the_unit_invalid() {
        let doc = r#"<tmx version="1.4"><header/><body>
<tu><tuv xml:lang="en"><seg><bpt i="1">a</bpt>x</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg><bpt i="1">a</bpt>x<ept i="1">b</ept></seg></tuv></tu>
</body></tmx>"#;
        let (_, items) = read(doc.as_bytes());
        match &items[0] {
            Item::Invalid { line, message } => {
                assert_eq!(*line, 2);
                assert!(
                    message.contains("<bpt i=\"1\"> has no matching <ept>"),
                    "{message}"
                );
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(matches!(items[1], Item::Unit(_)));
    }

    #[test]
    fn version_1_1_and_missing_version_are_read_with_a_warning_for_the_latter() {
        let (reader, items) =
            read(b"<tmx><header/><body><tu><tuv lang=\"EN\"><seg>a</seg></tuv></tu></body></tmx>");
        assert!(
            reader
                .info()
                .warnings
                .iter()
                .any(|w| w.contains("no version"))
        );
        assert_eq!(units(&items)[0].variants[0].lang.as_str(), "en");
    }
}
