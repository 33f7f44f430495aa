//! A deterministic TMX 1.4b writer: same units in, same bytes out, valid against the TMX 1.4
//! DTD. Attributes the DTD does not allow on an element go out as
//! `<prop type="x-tmm-attribute:NAME">`, which the reader turns back into the attribute, so
//! nothing is lost and the output stays valid. A character XML 1.0 forbids in segment text
//! goes out as `<ph type="x-tmm-control">&amp;#xN;</ph>`; anywhere else it is refused.

use std::io::{self, Write};

use super::reader::{ATTRIBUTE_PROP, SEGMENT_PROP};
use super::{escape_attribute, escape_text, is_forbidden_char};
use crate::model::{Attributes, Header, Note, Prop, TranslationUnit};

const SEGTYPES: &[&str] = &["block", "paragraph", "sentence", "phrase"];
const NATIVE: &[&str] = &["bpt", "ept", "it", "ph", "ut", "sub"];

/// Which element attributes are being written for (the DTD allows different sets).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Element {
    Header,
    Unit,
    Variant,
}

/// Writes one TMX document, unit by unit.
pub struct TmxWriter<W: Write> {
    out: W,
    buf: String,
    /// Write each variant's language tag as the imported file spelled it.
    pub original_lang_tags: bool,
}

impl<W: Write> TmxWriter<W> {
    /// Starts a document: writes the declaration, `<tmx>` and the header.
    ///
    /// # Errors
    /// I/O errors of `out`; `InvalidData` when the header holds a character XML forbids.
    pub fn new(out: W, header: &Header) -> io::Result<Self> {
        let mut w = TmxWriter {
            out,
            buf: String::with_capacity(4096),
            original_lang_tags: false,
        };
        let b = &mut w.buf;
        b.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.push_str("<tmx version=\"1.4\">\n  <header");
        let a = &header.attributes;
        let required =
            |v: &Option<String>, default: &str| v.clone().unwrap_or_else(|| default.into());
        let segtype = a
            .segtype
            .as_deref()
            .filter(|s| SEGTYPES.contains(s))
            .unwrap_or("sentence");
        for (name, value) in [
            ("creationtool", required(&a.creationtool, "unknown")),
            (
                "creationtoolversion",
                required(&a.creationtoolversion, "unknown"),
            ),
            ("datatype", required(&a.datatype, "unknown")),
            ("segtype", segtype.to_string()),
            ("adminlang", required(&header.adminlang, "en")),
            ("srclang", required(&header.srclang, "*all*")),
            ("o-tmf", required(&a.o_tmf, "unknown")),
        ] {
            push_attribute(b, name, &value)?;
        }
        let mut overflow = write_attributes(b, a, Element::Header)?;
        if let Some(s) = a.segtype.as_deref().filter(|s| !SEGTYPES.contains(s)) {
            overflow.push(("segtype".into(), s.into()));
        }
        let has_children = !header.notes.is_empty()
            || !header.props.is_empty()
            || !overflow.is_empty()
            || header.udes.is_some();
        if has_children {
            b.push_str(">\n");
            write_notes_props(b, &header.notes, &header.props, &overflow, "    ")?;
            if let Some(udes) = &header.udes {
                check_chars(udes, "header <ude>")?;
                b.push_str("    ");
                b.push_str(udes);
                b.push('\n');
            }
            b.push_str("  </header>\n");
        } else {
            b.push_str("/>\n");
        }
        b.push_str("  <body>\n");
        w.flush_buf()?;
        Ok(w)
    }

    /// Writes one `<tu>`.
    ///
    /// # Errors
    /// I/O errors; `InvalidData` naming the unit when it holds a character XML 1.0 forbids
    /// outside segment text.
    pub fn write_unit(&mut self, unit: &TranslationUnit) -> io::Result<()> {
        let b = &mut self.buf;
        let mark = b.len();
        let result = write_unit(b, unit, self.original_lang_tags);
        if let Err(e) = result {
            b.truncate(mark);
            let name = unit
                .tuid
                .as_deref()
                .map(|t| format!("unit tuid=\"{t}\""))
                .unwrap_or_else(|| {
                    let text = unit
                        .variants
                        .first()
                        .map(|v| v.segment.text.as_str())
                        .unwrap_or("");
                    format!("unit \"{}\"", text.chars().take(40).collect::<String>())
                });
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{name}: {e}"),
            ));
        }
        if self.buf.len() > 1 << 16 {
            self.flush_buf()?;
        }
        Ok(())
    }

    /// Closes the document and returns the output.
    ///
    /// # Errors
    /// I/O errors of the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.push_str("  </body>\n</tmx>\n");
        self.flush_buf()?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.out.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }
}

/// Why `unit` cannot be written as TMX (a character XML 1.0 forbids outside its segment
/// text), or `Ok` when it can. Cheap for the usual unit, which holds no control character.
pub fn check_writable(unit: &TranslationUnit) -> Result<(), String> {
    let forbidden = |s: &str| s.contains(is_forbidden_char);
    let attributes = |a: &Attributes| {
        [
            &a.datatype,
            &a.segtype,
            &a.o_tmf,
            &a.o_encoding,
            &a.usagecount,
            &a.lastusagedate,
            &a.creationtool,
            &a.creationtoolversion,
            &a.creationdate,
            &a.creationid,
            &a.changedate,
            &a.changeid,
        ]
        .into_iter()
        .flatten()
        .any(|v| forbidden(v))
            || a.extra.iter().any(|(k, v)| forbidden(k) || forbidden(v))
    };
    let annotations = |props: &[Prop], notes: &[Note]| {
        props
            .iter()
            .any(|p| forbidden(&p.kind) || forbidden(&p.value))
            || notes.iter().any(|n| forbidden(&n.text))
    };
    let suspect = unit.tuid.as_deref().is_some_and(forbidden)
        || attributes(&unit.attributes)
        || annotations(&unit.props, &unit.notes)
        || unit.variants.iter().any(|v| {
            attributes(&v.attributes)
                || annotations(&v.props, &v.notes)
                || v.segment.markup.as_deref().is_some_and(forbidden)
        });
    if !suspect {
        return Ok(());
    }
    write_unit(&mut String::new(), unit, false).map_err(|e| e.to_string())
}

fn write_unit(b: &mut String, unit: &TranslationUnit, original_tags: bool) -> io::Result<()> {
    b.push_str("    <tu");
    if let Some(tuid) = &unit.tuid {
        push_attribute(b, "tuid", tuid)?;
    }
    let mut overflow = write_attributes(b, &unit.attributes, Element::Unit)?;
    if let Some(src) = &unit.srclang {
        push_attribute(b, "srclang", src)?;
    }
    if let Some(s) = unit
        .attributes
        .segtype
        .as_deref()
        .filter(|s| !SEGTYPES.contains(s))
    {
        overflow.push(("segtype".into(), s.into()));
    }
    b.push_str(">\n");
    write_notes_props(b, &unit.notes, &unit.props, &overflow, "      ")?;
    for v in &unit.variants {
        b.push_str("      <tuv");
        let lang = match (&v.lang_original, original_tags) {
            (Some(orig), true) => orig.as_str(),
            _ => v.lang.as_str(),
        };
        push_attribute(b, "xml:lang", lang)?;
        let overflow = write_attributes(b, &v.attributes, Element::Variant)?;
        b.push_str(">\n");
        let xml = v.segment.to_xml();
        // Elements the DTD does not allow where they are (or without the attributes it
        // requires) cannot be cleaned tag by tag: the text goes in <seg>, the markup in
        // the prop.
        let clean = if dtd_structure_ok(&xml) {
            dtd_clean(&xml)
        } else {
            Some(super::escape_text(&v.segment.text).into_owned())
        };
        write_notes_props(b, &v.notes, &v.props, &overflow, "        ")?;
        if clean.is_some() {
            write_prop(b, SEGMENT_PROP, None, None, &xml, "        ")?;
        }
        b.push_str("        <seg>");
        push_segment(b, clean.as_deref().unwrap_or(&xml))?;
        b.push_str("</seg>\n      </tuv>\n");
    }
    b.push_str("    </tu>\n");
    Ok(())
}

/// Writes the optional attributes the element allows, in a fixed order; returns those it
/// does not allow (and unknown ones) for `x-tmm-attribute` props.
fn write_attributes(
    b: &mut String,
    a: &Attributes,
    element: Element,
) -> io::Result<Vec<(String, String)>> {
    let mut overflow = Vec::new();
    let fields: [(&str, &Option<String>); 12] = [
        ("o-encoding", &a.o_encoding),
        ("datatype", &a.datatype),
        ("usagecount", &a.usagecount),
        ("lastusagedate", &a.lastusagedate),
        ("creationtool", &a.creationtool),
        ("creationtoolversion", &a.creationtoolversion),
        ("creationdate", &a.creationdate),
        ("creationid", &a.creationid),
        ("changedate", &a.changedate),
        ("segtype", &a.segtype),
        ("changeid", &a.changeid),
        ("o-tmf", &a.o_tmf),
    ];
    for (name, value) in fields {
        let Some(value) = value else { continue };
        let allowed = match element {
            // The header's required attributes are written by the caller.
            Element::Header => match name {
                "o-encoding" | "creationdate" | "creationid" | "changedate" | "changeid" => true,
                "usagecount" | "lastusagedate" => {
                    overflow.push((name.to_string(), value.clone()));
                    false
                }
                _ => false,
            },
            // An unknown segtype travels in a prop (write_unit adds it).
            Element::Unit => name != "segtype" || SEGTYPES.contains(&value.as_str()),
            Element::Variant => {
                if name == "segtype" {
                    overflow.push((name.to_string(), value.clone()));
                }
                name != "segtype"
            }
        };
        if allowed {
            push_attribute(b, name, value)?;
        }
    }
    overflow.extend(a.extra.iter().cloned());
    Ok(overflow)
}

fn write_notes_props(
    b: &mut String,
    notes: &[Note],
    props: &[Prop],
    overflow: &[(String, String)],
    indent: &str,
) -> io::Result<()> {
    for n in notes {
        b.push_str(indent);
        b.push_str("<note");
        if let Some(l) = &n.lang {
            push_attribute(b, "xml:lang", l)?;
        }
        if let Some(e) = &n.o_encoding {
            push_attribute(b, "o-encoding", e)?;
        }
        b.push('>');
        push_text(b, &n.text, "a note")?;
        b.push_str("</note>\n");
    }
    for p in props {
        write_prop(
            b,
            &p.kind,
            p.lang.as_deref(),
            p.o_encoding.as_deref(),
            &p.value,
            indent,
        )?;
    }
    for (name, value) in overflow {
        write_prop(
            b,
            &format!("{ATTRIBUTE_PROP}{name}"),
            None,
            None,
            value,
            indent,
        )?;
    }
    Ok(())
}

fn write_prop(
    b: &mut String,
    kind: &str,
    lang: Option<&str>,
    o_encoding: Option<&str>,
    value: &str,
    indent: &str,
) -> io::Result<()> {
    b.push_str(indent);
    b.push_str("<prop");
    push_attribute(b, "type", kind)?;
    if let Some(l) = lang {
        push_attribute(b, "xml:lang", l)?;
    }
    if let Some(e) = o_encoding {
        push_attribute(b, "o-encoding", e)?;
    }
    b.push('>');
    push_text(b, value, &format!("prop \"{kind}\""))?;
    b.push_str("</prop>\n");
    Ok(())
}

fn push_attribute(b: &mut String, name: &str, value: &str) -> io::Result<()> {
    check_chars(value, name)?;
    b.push(' ');
    b.push_str(name);
    b.push_str("=\"");
    b.push_str(&escape_attribute(value));
    b.push('"');
    Ok(())
}

fn push_text(b: &mut String, text: &str, what: &str) -> io::Result<()> {
    check_chars(text, what)?;
    b.push_str(&escape_text(text));
    Ok(())
}

fn check_chars(s: &str, what: &str) -> io::Result<()> {
    match s.chars().find(|&c| is_forbidden_char(c)) {
        None => Ok(()),
        Some(c) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} contains U+{:04X}, which XML 1.0 forbids", c as u32),
        )),
    }
}

/// Inline attributes the TMX 1.4 DTD allows, per element.
fn inline_attribute_allowed(element: &str, attribute: &str) -> bool {
    match element {
        "bpt" | "it" => matches!(attribute, "i" | "x" | "type" | "pos"),
        "ept" => attribute == "i",
        "ph" => matches!(attribute, "x" | "assoc" | "type"),
        "hi" => matches!(attribute, "x" | "type"),
        "ut" => attribute == "x",
        "sub" => matches!(attribute, "datatype" | "type"),
        _ => false,
    }
}

/// True when the canonical segment markup nests its elements as the TMX 1.4 DTD allows:
/// `bpt ept it ph hi ut` in `<seg>`, `<hi>` and `<sub>`; only `<sub>` in the native-code
/// elements; `i` on `bpt` and `ept`, `pos="begin|end"` on `it`.
fn dtd_structure_ok(xml: &str) -> bool {
    const INLINE: [&str; 6] = ["bpt", "ept", "it", "ph", "hi", "ut"];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            return false;
        };
        let tag = &rest[start + 1..start + len];
        rest = &rest[start + len + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop() != Some(name.trim()) {
                return false;
            }
            continue;
        }
        let empty = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body.split(' ').next().unwrap_or("");
        let parent = stack.last().copied().unwrap_or("seg");
        let allowed = match parent {
            "seg" | "hi" | "sub" => INLINE.contains(&name),
            "bpt" | "ept" | "it" | "ph" | "ut" => name == "sub",
            _ => false,
        };
        let attr = |key: &str| {
            body.split(' ')
                .skip(1)
                .find_map(|a| a.strip_prefix(key)?.strip_prefix("=\"")?.strip_suffix('"'))
        };
        let required = match name {
            "bpt" | "ept" => attr("i").is_some_and(|v| !v.is_empty()),
            "it" => matches!(attr("pos"), Some("begin" | "end")),
            _ => true,
        };
        if !allowed || !required {
            return false;
        }
        if !empty {
            stack.push(name);
        }
    }
    stack.is_empty()
}

/// The segment markup without the inline attributes (and elements) the DTD does not allow,
/// or `None` when it is valid as it is. The exact markup then travels in a prop.
fn dtd_clean(xml: &str) -> Option<String> {
    if !xml.contains('<') {
        return None;
    }
    let mut out = String::with_capacity(xml.len());
    let mut changed = false;
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map(|i| start + i + 1)
            .unwrap_or(rest.len());
        let tag = &rest[start..end];
        rest = &rest[end..];
        if tag.starts_with("</") {
            out.push_str(tag);
            continue;
        }
        let self_closing = tag.ends_with("/>");
        let body = tag
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim_end_matches('/');
        let name_end = body.find(' ').unwrap_or(body.len());
        let name = &body[..name_end];
        out.push('<');
        out.push_str(name);
        // Canonical markup: ` key="value"` pairs, values escaped, so `"` ends a value.
        let mut attrs = &body[name_end..];
        while let Some(eq) = attrs.find("=\"") {
            let key = attrs[..eq].trim();
            let after = &attrs[eq + 2..];
            let close = after.find('"').unwrap_or(after.len());
            if inline_attribute_allowed(name, key) {
                out.push(' ');
                out.push_str(key);
                out.push_str("=\"");
                out.push_str(&after[..close]);
                out.push('"');
            } else {
                changed = true;
            }
            attrs = &after[(close + 1).min(after.len())..];
        }
        out.push_str(if self_closing { "/>" } else { ">" });
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Appends a canonical `<seg>` fragment, protecting forbidden characters in its text.
fn push_segment(b: &mut String, xml: &str) -> io::Result<()> {
    if !xml.contains(is_forbidden_char) {
        b.push_str(xml);
        return Ok(());
    }
    let mut native_depth = 0usize;
    let mut rest = xml;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let end = rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
            let tag = &rest[..end];
            let closing = tag.starts_with("</");
            let name: String = tag
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            if NATIVE.contains(&name.as_str()) && !tag.ends_with("/>") {
                if closing {
                    native_depth = native_depth.saturating_sub(1);
                } else {
                    native_depth += 1;
                }
            }
            check_chars(tag, "an inline tag")?;
            b.push_str(tag);
            rest = &rest[end..];
            continue;
        }
        if is_forbidden_char(c) {
            if native_depth > 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "native code contains U+{:04X}, which XML 1.0 forbids",
                        c as u32
                    ),
                ));
            }
            b.push_str(&format!(
                "<ph type=\"x-tmm-control\">&amp;#x{:X};</ph>",
                c as u32
            ));
        } else {
            b.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::LanguageTag;
    use crate::model::{Segment, Variant};

    fn unit(text: &str) -> TranslationUnit {
        TranslationUnit {
            variants: vec![Variant::new(LanguageTag::parse("en").unwrap(), text)],
            ..Default::default()
        }
    }

    fn write(units: &[TranslationUnit]) -> io::Result<String> {
        let mut w = TmxWriter::new(Vec::new(), &Header::default())?;
        for u in units {
            w.write_unit(u)?;
        }
        Ok(String::from_utf8(w.finish()?).unwrap())
    }

    #[test]
    fn control_characters_in_text_become_placeholders() {
        let out = write(&[unit("a\u{1}b")]).unwrap();
        assert!(
            out.contains("<seg>a<ph type=\"x-tmm-control\">&amp;#x1;</ph>b</seg>"),
            "{out}"
        );
    }

    #[test]
    fn control_characters_in_native_code_are_refused_with_the_unit_named() {
        let mut u = unit("x");
        u.tuid = Some("t7".into());
        u.variants[0].segment = Segment {
            text: "x".into(),
            markup: Some("x<ph>\u{2}</ph>".into()),
        };
        let err = write(&[u]).unwrap_err();
        assert!(err.to_string().contains("tuid=\"t7\""), "{err}");
    }

    #[test]
    fn attributes_the_dtd_does_not_allow_become_props() {
        let mut u = unit("x");
        u.variants[0].attributes.segtype = Some("sentence".into());
        u.attributes.extra.push(("foo:bar".into(), "1".into()));
        let out = write(&[u]).unwrap();
        assert!(
            out.contains("<prop type=\"x-tmm-attribute:foo:bar\">1</prop>"),
            "{out}"
        );
        assert!(
            out.contains("<prop type=\"x-tmm-attribute:segtype\">sentence</prop>"),
            "{out}"
        );
    }

    #[test]
    fn inline_attributes_outside_the_dtd_travel_in_a_prop() {
        let mut u = unit("a b");
        u.variants[0].segment.markup = Some("a<ph id=\"1\" x=\"2\">&lt;br/&gt;</ph> b".into());
        let out = write(&[u]).unwrap();
        assert!(
            out.contains("<seg>a<ph x=\"2\">&lt;br/&gt;</ph> b</seg>"),
            "{out}"
        );
        assert!(
            out.contains("<prop type=\"x-tmm-segment\">a&lt;ph id=\"1\""),
            "{out}"
        );
        assert_eq!(dtd_clean("a<bpt i=\"1\" type=\"b\">x</bpt>"), None);
    }

    #[test]
    fn same_units_same_bytes() {
        let units = [unit("a & b"), unit("c < d")];
        assert_eq!(write(&units).unwrap(), write(&units).unwrap());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever text, props and notes a unit holds, writing then reading gives it back.
        #[test]
        fn write_then_read_is_identity(
            texts in proptest::collection::vec("[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\u{FFFE}\\u{FFFF}]{0,40}", 1..4),
            prop in "[^\\x00-\\x1F\\u{FFFE}\\u{FFFF}]{0,20}",
            tuid in proptest::option::of("[a-z0-9 \"&<>]{1,10}"),
        ) {
            let langs = ["en", "fr", "zh-Hans"];
            let unit = TranslationUnit {
                tuid,
                props: vec![Prop { kind: "x-p".into(), lang: None, o_encoding: None, value: prop.clone() }],
                notes: vec![Note { lang: Some("en".into()), o_encoding: None, text: prop }],
                variants: texts
                    .iter()
                    .zip(langs)
                    .map(|(t, l)| Variant::new(LanguageTag::parse(l).unwrap(), t.clone()))
                    .collect(),
                ..Default::default()
            };
            let out = write(std::slice::from_ref(&unit)).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.tmx");
            std::fs::write(&path, out).unwrap();
            let mut reader = crate::formats::tmx::TmxReader::open(&path).unwrap();
            match reader.next_item().unwrap() {
                Some(crate::formats::tmx::Item::Unit(read)) => proptest::prop_assert_eq!(read.unit, unit),
                other => proptest::prop_assert!(false, "read {:?}", other),
            }
        }
    }
}
