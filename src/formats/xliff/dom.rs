//! A small XML tree with byte offsets and lines, for documents (XLIFF, not memories): the
//! reader walks it, and pretranslation edits the original text at its offsets so that
//! everything it does not touch stays byte for byte the same.
//!
//! Well-formedness errors are fatal ([`Error::Syntax`] with line and column). Namespace
//! mistakes (an undeclared prefix) and a DOCTYPE are warnings: the tree is still built, by
//! local names. A DOCTYPE is never fetched, and only XML's five entities are expanded.

use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};
use crate::formats::tmx::is_forbidden_char;

/// An element: its names, attributes, children and where it stands in the text.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// The name as written (`x:trans-unit`).
    pub name: String,
    /// The name without its prefix (`trans-unit`).
    pub local: String,
    /// The namespace the prefix resolves to, if declared.
    pub ns: Option<String>,
    /// Attributes as written (qualified names), namespace declarations included.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub line: u64,
    /// Offset of `<` of the start tag.
    pub start: usize,
    /// Offset just after the start tag's `>`.
    pub start_end: usize,
    /// Offset of the end tag's `<` (equal to `start_end` for an empty element).
    pub end_start: usize,
    /// Offset just after the element.
    pub end: usize,
    pub empty: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    /// Character data, references resolved.
    Text(String),
}

/// A parsed document.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Element,
    /// Spec-level problems found while parsing (namespace, DOCTYPE, characters), with lines.
    pub warnings: Vec<String>,
}

impl Element {
    /// The value of the attribute written `name` (qualified as in the file, or its local
    /// part when the file uses no prefix).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Element children.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first element child with this local name.
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.local == local)
    }

    /// All the text inside, at any depth.
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out);
        out
    }

    /// True when the element holds neither elements nor non-blank text.
    pub fn is_blank(&self) -> bool {
        self.children.iter().all(|n| match n {
            Node::Text(t) => t.trim().is_empty(),
            Node::Element(_) => false,
        })
    }

    /// The prefix of the element's name (`x` in `x:source`), if any.
    pub fn prefix(&self) -> Option<&str> {
        self.name.split_once(':').map(|(p, _)| p)
    }
}

fn collect_text(e: &Element, out: &mut String) {
    for n in &e.children {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Element(c) => collect_text(c, out),
        }
    }
}

/// Line and column (1-based, in characters) of a byte offset in `text`.
pub(crate) fn locate(text: &str, offset: usize) -> (u64, u64) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    (line, column)
}

struct Open {
    element: Element,
    /// Namespace declarations made on this element.
    scope: Vec<(String, String)>,
}

/// Parses `text` (the file's UTF-8 view, without BOM); `name` is used in messages.
///
/// # Errors
/// [`Error::Syntax`] when the text is not well-formed XML: empty, truncated, mismatched
/// tags, text or a second element after the root, an entity other than XML's five.
pub(crate) fn parse(name: &Path, text: &str) -> Result<Document> {
    if let Some((at, c)) = text.char_indices().find(|(_, c)| is_forbidden_char(*c)) {
        let (line, column) = locate(text, at);
        return Err(Error::Syntax {
            path: name.to_path_buf(),
            line,
            column,
            message: format!("the character U+{:04X} is not allowed in XML 1.0", c as u32),
        });
    }
    let mut xml = quick_xml::Reader::from_str(text);
    xml.config_mut().trim_text(false);
    xml.config_mut().check_end_names = true;
    let syntax = |offset: usize, message: String| {
        let (line, column) = locate(text, offset);
        Error::Syntax {
            path: name.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let line_of = |offset: usize| locate(text, offset).0;
    let mut warnings = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Element> = None;
    // Namespaces in scope: (prefix, uri); "" is the default namespace.
    let mut scopes: Vec<(String, String)> =
        vec![("xml".into(), "http://www.w3.org/XML/1998/namespace".into())];
    loop {
        let before = xml.buffer_position() as usize;
        let event = xml
            .read_event()
            .map_err(|e| syntax(xml.error_position() as usize, e.to_string()))?;
        let after = xml.buffer_position() as usize;
        match event {
            Event::Eof => break,
            Event::DocType(d) => {
                let content = d.xml10_content();
                let entities = if content.contains("<!ENTITY") {
                    "; its entities are not expanded"
                } else {
                    ""
                };
                warnings.push(format!(
                    "line {}: a DOCTYPE is not allowed in XLIFF; ignored, never fetched{entities}",
                    line_of(before)
                ));
            }
            Event::Start(e) | Event::Empty(e) if stack.is_empty() && root.is_some() => {
                let _ = e;
                return Err(syntax(
                    before,
                    "a second element after the root element ended".into(),
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let (element, scope) =
                    start_element(e, before, after, line_of(before), &scopes, &mut warnings)
                        .map_err(|m| syntax(before, m))?;
                let n = scope.len();
                scopes.extend(scope.iter().cloned());
                let open = Open { element, scope };
                if empty {
                    scopes.truncate(scopes.len() - n);
                    finish(open.element, &mut stack, &mut root);
                } else {
                    stack.push(open);
                }
            }
            Event::End(_) => {
                let Some(mut open) = stack.pop() else {
                    return Err(syntax(before, "an end tag without a start tag".into()));
                };
                scopes.truncate(scopes.len() - open.scope.len());
                open.element.end_start = before;
                open.element.end = after;
                finish(open.element, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                push_text(&mut stack, &s, before, &syntax)?;
            }
            Event::CData(c) => {
                let s = c.xml10_content();
                push_text(&mut stack, &s, before, &syntax)?;
            }
            Event::GeneralRef(r) => {
                let name_ref = r.xml10_content();
                let s: String = if r.is_char_ref() {
                    let digits = name_ref.trim_start_matches('#');
                    let code = match digits.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => digits.parse().ok(),
                    };
                    match code.and_then(char::from_u32).filter(|&c| c != '\0') {
                        Some(c) => {
                            if is_forbidden_char(c) {
                                // As the TMX reader does: kept, and said.
                                warnings.push(format!(
                                    "line {}: character reference &{name_ref}; is not allowed in XML 1.0; kept",
                                    line_of(before)
                                ));
                            }
                            c.to_string()
                        }
                        None => {
                            return Err(syntax(
                                before,
                                format!("invalid character reference &{name_ref};"),
                            ));
                        }
                    }
                } else {
                    match resolve_predefined_entity(&name_ref) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(syntax(
                                before,
                                format!(
                                    "entity &{name_ref}; is not one of XML's five; tmm does not expand custom entities"
                                ),
                            ));
                        }
                    }
                };
                push_text(&mut stack, &s, before, &syntax)?;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(syntax(
            text.len(),
            format!(
                "unexpected end of file: <{}> (line {}) is not closed",
                open.element.name, open.element.line
            ),
        ));
    }
    match root {
        Some(root) => Ok(Document { root, warnings }),
        None => Err(syntax(
            text.len(),
            "no root element: the file is empty".into(),
        )),
    }
}

fn push_text(
    stack: &mut [Open],
    s: &str,
    offset: usize,
    syntax: &dyn Fn(usize, String) -> Error,
) -> Result<()> {
    let Some(open) = stack.last_mut() else {
        if s.trim().is_empty() {
            return Ok(());
        }
        return Err(syntax(offset, "text outside the root element".into()));
    };
    if let Some(Node::Text(t)) = open.element.children.last_mut() {
        t.push_str(s);
    } else {
        open.element.children.push(Node::Text(s.to_string()));
    }
    Ok(())
}

fn finish(element: Element, stack: &mut [Open], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.element.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn resolve<'a>(scopes: &'a [(String, String)], prefix: &str) -> Option<&'a str> {
    scopes
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map(|(_, u)| u.as_str())
}

fn start_element(
    e: &BytesStart,
    before: usize,
    after: usize,
    line: u64,
    scopes: &[(String, String)],
    warnings: &mut Vec<String>,
) -> std::result::Result<(Element, Vec<(String, String)>), String> {
    let name = e.name().as_ref().to_string();
    let mut attrs = Vec::new();
    let mut scope = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| err.to_string())?;
        let key = attr.key.as_ref().to_string();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| err.to_string())?
            .into_owned();
        if attrs.iter().any(|(k, _): &(String, String)| *k == key) {
            return Err(format!("attribute {key} is given twice"));
        }
        if key == "xmlns" {
            scope.push((String::new(), value.clone()));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            scope.push((p.to_string(), value.clone()));
        }
        attrs.push((key, value));
    }
    let all: Vec<(String, String)> = scopes.iter().chain(scope.iter()).cloned().collect();
    let (prefix, local) = match name.split_once(':') {
        Some((p, l)) => (p, l.to_string()),
        None => ("", name.clone()),
    };
    let ns = resolve(&all, prefix)
        .filter(|u| !u.is_empty())
        .map(String::from);
    if !prefix.is_empty() && ns.is_none() {
        warnings.push(format!(
            "line {line}: the prefix {prefix}: of <{name}> is not declared"
        ));
    }
    for (k, _) in &attrs {
        if let Some((p, _)) = k.split_once(':')
            && p != "xmlns"
            && resolve(&all, p).is_none()
        {
            warnings.push(format!(
                "line {line}: the prefix {p}: of the attribute {k} on <{name}> is not declared"
            ));
        }
    }
    Ok((
        Element {
            name,
            local,
            ns,
            attrs,
            children: Vec::new(),
            line,
            start: before,
            start_end: after,
            end_start: after,
            end: after,
            empty: false,
        },
        scope,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (u64, u64, String) {
        match parse(Path::new("f.xlf"), text) {
            Err(Error::Syntax {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn offsets_cover_the_exact_text() {
        let text = "<?xml version=\"1.0\"?>\n<a x=\"1\">\n  <b>t&amp;u</b><c/>\n</a>\n";
        let doc = parse(Path::new("f"), text).unwrap();
        let b = doc.root.child("b").unwrap();
        assert_eq!(&text[b.start..b.end], "<b>t&amp;u</b>");
        assert_eq!(&text[b.start_end..b.end_start], "t&amp;u");
        assert_eq!(b.text(), "t&u");
        assert_eq!(b.line, 3);
        let c = doc.root.child("c").unwrap();
        assert_eq!(&text[c.start..c.end], "<c/>");
        assert_eq!(doc.root.attr("x"), Some("1"));
    }

    #[test]
    fn empty_truncated_and_mismatched_documents_are_refused_with_their_position() {
        assert!(err("").2.contains("empty"));
        let (line, _, message) = err("<a>\n<b>\n");
        assert_eq!(line, 3);
        assert!(message.contains("<b>"), "{message}");
        assert_eq!(err("<a>\n  <b></c></a>").0, 2);
        assert!(err("<a/><b/>").2.contains("second element"));
        assert!(err("<a>&nbsp;</a>").2.contains("custom entities"));
        assert!(err("<a/>text").2.contains("outside"));
        assert_eq!(
            err("<a>\n ok\u{3}</a>"),
            (
                2,
                4,
                "the character U+0003 is not allowed in XML 1.0".into()
            )
        );
    }

    #[test]
    fn undeclared_prefixes_and_doctypes_are_warnings() {
        let doc = parse(
            Path::new("f"),
            "<!DOCTYPE foo>\n<a xmlns:m=\"urn:m\">\n<m:b/><q:c/></a>",
        )
        .unwrap();
        assert_eq!(doc.warnings.len(), 2, "{:?}", doc.warnings);
        assert!(doc.warnings[0].contains("line 1: a DOCTYPE"));
        assert!(doc.warnings[1].contains("line 3: the prefix q:"));
        assert_eq!(doc.root.child("b").unwrap().ns.as_deref(), Some("urn:m"));
    }
}
