//! Inline codes: XLIFF 1.2 (`g x bx ex ph bpt ept it sub mrk`) and XLIFF 2 (`ph pc sc ec mrk
//! sm em cp`, with `<originalData>`) mapped to TMX 1.4b inline markup, and the canonical
//! XLIFF fragment kept beside it so that an XLIFF writer can restore the original codes.
//!
//! The mapping:
//!
//! | XLIFF 1.2            | XLIFF 2                | TMX                                   |
//! |----------------------|------------------------|---------------------------------------|
//! | `g`                  | `pc`                   | `bpt` … `ept` (native: the tag itself / the original data) |
//! | `bx`/`ex`, `bpt`/`ept` paired in the segment | `sc`/`ec` paired | `bpt` / `ept` |
//! | the same, unpaired   | the same, unpaired     | `it pos="begin"` / `it pos="end"`     |
//! | `x`, `ph`            | `ph`                   | `ph`                                  |
//! | `it`                 |                        | `it`                                  |
//! | `sub`                |                        | `sub`                                 |
//! | `mrk`                | `mrk`                  | `hi type="…"`                         |
//! |                      | `sm`, `em`             | nothing (kept in the XLIFF fragment only) |

use std::collections::{HashMap, HashSet};

use super::dom::{Element, Node};
use crate::formats::tmx::{escape_attribute, escape_text};

/// XLIFF namespaces whose elements are written by their local name in a fragment.
fn is_xliff_ns(ns: Option<&str>) -> bool {
    match ns {
        None => true,
        Some(u) => u.starts_with("urn:oasis:names:tc:xliff:document:"),
    }
}

/// One segment's content, converted.
#[derive(Debug, Default, Clone)]
pub(crate) struct Converted {
    /// Plain text: everything outside native code.
    pub text: String,
    /// TMX inline markup, when there are codes.
    pub tmx: Option<String>,
    /// The canonical XLIFF fragment, when there are codes.
    pub xliff: Option<String>,
    /// The ids of XLIFF 2 `<originalData>` entries the codes refer to.
    pub data_refs: Vec<String>,
    /// Rule breaks (an `<ec>` before its `<sc>`).
    pub problems: Vec<String>,
}

/// The state of one conversion.
struct Walk<'a> {
    text: String,
    tmx: String,
    codes: bool,
    next_i: usize,
    /// Pair keys (bx/ex, bpt/ept, sc/ec) that have both ends in the segment.
    paired: HashSet<String>,
    /// Pair key → TMX `i` given to its start.
    open: HashMap<String, usize>,
    data: &'a HashMap<String, String>,
    data_refs: Vec<String>,
    /// XLIFF 2 `sc` ids seen so far in the unit (an `ec` may close one of an earlier segment).
    unit_starts: &'a mut HashSet<String>,
    problems: Vec<String>,
    v2: bool,
}

/// Converts the content of a `<source>`, `<target>` or `<mrk mtype="seg">`.
///
/// `data` is the unit's `<originalData>` (XLIFF 2), `unit_starts` the `sc` ids seen so far in
/// the unit (XLIFF 2).
pub(crate) fn convert(
    element: &Element,
    v2: bool,
    data: &HashMap<String, String>,
    unit_starts: &mut HashSet<String>,
) -> Converted {
    let mut starts = HashSet::new();
    let mut paired = HashSet::new();
    pair_keys(element, v2, &mut starts, &mut paired);
    let mut w = Walk {
        text: String::new(),
        tmx: String::new(),
        codes: false,
        next_i: 1,
        paired,
        open: HashMap::new(),
        data,
        data_refs: Vec::new(),
        unit_starts,
        problems: Vec::new(),
        v2,
    };
    w.children(element, false);
    let xliff = w.codes.then(|| fragment(element));
    Converted {
        text: w.text,
        tmx: w.codes.then_some(w.tmx),
        xliff,
        data_refs: w.data_refs,
        problems: w.problems,
    }
}

/// Collects the keys of pairs whose start comes before their end in the segment.
fn pair_keys(e: &Element, v2: bool, starts: &mut HashSet<String>, paired: &mut HashSet<String>) {
    for c in e.elements() {
        let key = |c: &Element| c.attr("rid").or(c.attr("id")).map(String::from);
        let mut end = |k: Option<String>| {
            if let Some(k) = k.filter(|k| starts.contains(k)) {
                paired.insert(k);
            }
        };
        match (v2, c.local.as_str()) {
            (false, "ex" | "ept") => end(key(c)),
            (true, "ec") => end(c.attr("startRef").map(String::from)),
            (false, "bx" | "bpt") => starts.extend(key(c)),
            (true, "sc") => starts.extend(c.attr("id").map(String::from)),
            _ => {}
        }
        pair_keys(c, v2, starts, paired);
    }
}

impl Walk<'_> {
    fn children(&mut self, e: &Element, native: bool) {
        for n in &e.children {
            match n {
                Node::Text(t) => {
                    if !native {
                        self.text.push_str(t);
                    }
                    self.tmx.push_str(&escape_text(t));
                }
                Node::Element(c) => self.element(c, native),
            }
        }
    }

    fn data(&mut self, id: Option<&str>) -> String {
        let Some(id) = id else { return String::new() };
        self.data_refs.push(id.to_string());
        self.data.get(id).cloned().unwrap_or_default()
    }

    fn next(&mut self) -> usize {
        let i = self.next_i;
        self.next_i += 1;
        i
    }

    fn element(&mut self, c: &Element, native: bool) {
        if !is_xliff_ns(c.ns.as_deref()) {
            // A foreign element inside a segment (a tool's extension): its text counts.
            self.children(c, native);
            return;
        }
        self.codes = true;
        let id = c.attr("id");
        let x = id
            .map(|v| format!(" x=\"{}\"", escape_attribute(v)))
            .unwrap_or_default();
        let kind = if self.v2 {
            c.attr("type")
        } else {
            c.attr("ctype")
        };
        let ty = kind
            .map(|v| format!(" type=\"{}\"", escape_attribute(v)))
            .unwrap_or_default();
        match (self.v2, c.local.as_str()) {
            (false, "g") => {
                let i = self.next();
                let start = start_tag(c, true);
                self.tmx.push_str(&format!(
                    "<bpt i=\"{i}\"{x}{ty}>{}</bpt>",
                    escape_text(&start)
                ));
                self.children(c, native);
                self.tmx
                    .push_str(&format!("<ept i=\"{i}\">&lt;/g&gt;</ept>"));
            }
            (false, "x") => {
                self.tmx.push_str(&format!(
                    "<ph{x}{ty}>{}</ph>",
                    escape_text(&start_tag(c, false))
                ));
            }
            (false, "bx" | "ex") => {
                let native_code = escape_text(&start_tag(c, false)).into_owned();
                self.pair_end(c, c.local == "bx", &native_code, &x, &ty);
            }
            (false, "bpt" | "ept") => {
                let mut inner = Walk {
                    text: String::new(),
                    tmx: String::new(),
                    codes: false,
                    next_i: 1,
                    paired: HashSet::new(),
                    open: HashMap::new(),
                    data: self.data,
                    data_refs: Vec::new(),
                    unit_starts: &mut HashSet::new(),
                    problems: Vec::new(),
                    v2: false,
                };
                inner.children(c, true);
                self.pair_end(c, c.local == "bpt", &inner.tmx, &x, &ty);
            }
            (false, "ph") => {
                self.tmx.push_str(&format!("<ph{x}{ty}>"));
                self.children(c, true);
                self.tmx.push_str("</ph>");
            }
            (false, "it") => {
                let pos = if c.attr("pos") == Some("close") {
                    "end"
                } else {
                    "begin"
                };
                self.tmx.push_str(&format!("<it pos=\"{pos}\"{x}{ty}>"));
                self.children(c, true);
                self.tmx.push_str("</it>");
            }
            (false, "sub") => {
                let ty = c
                    .attr("ctype")
                    .map(|v| format!(" type=\"{}\"", escape_attribute(v)))
                    .unwrap_or_default();
                self.tmx.push_str(&format!("<sub{ty}>"));
                self.children(c, false);
                self.tmx.push_str("</sub>");
            }
            (false, "mrk") => {
                let ty = c
                    .attr("mtype")
                    .map(|v| format!(" type=\"{}\"", escape_attribute(v)))
                    .unwrap_or_default();
                self.tmx.push_str(&format!("<hi{ty}>"));
                self.children(c, native);
                self.tmx.push_str("</hi>");
            }
            (true, "ph") => {
                let code = self.data(c.attr("dataRef"));
                self.tmx
                    .push_str(&format!("<ph{x}{ty}>{}</ph>", escape_text(&code)));
            }
            (true, "pc") => {
                let i = self.next();
                let start = self.data(c.attr("dataRefStart"));
                let end = self.data(c.attr("dataRefEnd"));
                self.tmx.push_str(&format!(
                    "<bpt i=\"{i}\"{x}{ty}>{}</bpt>",
                    escape_text(&start)
                ));
                self.children(c, native);
                self.tmx
                    .push_str(&format!("<ept i=\"{i}\">{}</ept>", escape_text(&end)));
            }
            (true, "sc" | "ec") => {
                let is_start = c.local == "sc";
                let code = escape_text(&self.data(c.attr("dataRef"))).into_owned();
                if is_start {
                    if let Some(id) = id {
                        self.unit_starts.insert(id.to_string());
                    }
                } else if c.attr("isolated") != Some("yes")
                    && let Some(start) = c.attr("startRef")
                    && !self.unit_starts.contains(start)
                {
                    self.problems.push(format!(
                        "line {}: <ec startRef=\"{start}\"> comes before its <sc>",
                        c.line
                    ));
                }
                self.pair_end(c, is_start, &code, &x, &ty);
            }
            (true, "mrk") => {
                let ty = c
                    .attr("type")
                    .map(|v| format!(" type=\"{}\"", escape_attribute(v)))
                    .unwrap_or_default();
                self.tmx.push_str(&format!("<hi{ty}>"));
                self.children(c, native);
                self.tmx.push_str("</hi>");
            }
            (true, "cp") => {
                let ch = c
                    .attr("hex")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .filter(|&ch| ch != '\0');
                match ch {
                    Some(ch) => {
                        let s = ch.to_string();
                        if !native {
                            self.text.push_str(&s);
                        }
                        self.tmx.push_str(&escape_text(&s));
                    }
                    None => self.problems.push(format!(
                        "line {}: <cp hex=\"{}\"> is not a character",
                        c.line,
                        c.attr("hex").unwrap_or("")
                    )),
                }
            }
            (true, "sm" | "em") => {}
            _ => self.children(c, native),
        }
    }

    /// Writes one end of a pair: `bpt`/`ept` when both ends are in the segment, else `it`.
    fn pair_end(&mut self, c: &Element, is_start: bool, native_code: &str, x: &str, ty: &str) {
        let key = if self.v2 {
            if is_start {
                c.attr("id")
            } else {
                c.attr("startRef")
            }
        } else {
            c.attr("rid").or(c.attr("id"))
        }
        .map(String::from);
        let paired = key.as_ref().filter(|k| self.paired.contains(*k));
        match (paired, is_start) {
            (Some(k), true) if !self.open.contains_key(k) => {
                let i = self.next();
                self.open.insert(k.clone(), i);
                self.tmx
                    .push_str(&format!("<bpt i=\"{i}\"{x}{ty}>{native_code}</bpt>"));
            }
            (Some(k), false) if self.open.contains_key(k) => {
                let i = self.open.remove(k).unwrap_or_default();
                self.tmx
                    .push_str(&format!("<ept i=\"{i}\">{native_code}</ept>"));
            }
            _ => {
                let pos = if is_start { "begin" } else { "end" };
                self.tmx
                    .push_str(&format!("<it pos=\"{pos}\"{x}{ty}>{native_code}</it>"));
            }
        }
    }
}

/// The start tag of an XLIFF element in canonical form: local name, the element's own
/// attributes (no namespace declarations, no foreign attributes), as an empty element when
/// `open` is false.
pub(crate) fn start_tag(e: &Element, open: bool) -> String {
    let mut out = format!("<{}", e.local);
    for (k, v) in &e.attrs {
        if k == "xmlns" || k.starts_with("xmlns:") {
            continue;
        }
        if let Some((p, _)) = k.split_once(':')
            && p != "xml"
        {
            continue;
        }
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&escape_attribute(v));
        out.push('"');
    }
    out.push_str(if open { ">" } else { "/>" });
    out
}

/// The canonical XLIFF fragment of an element's content: XLIFF elements by local name with
/// their own attributes, foreign elements left out (their text kept), text escaped.
pub(crate) fn fragment(e: &Element) -> String {
    let mut out = String::new();
    write_fragment(e, &mut out);
    out
}

fn write_fragment(e: &Element, out: &mut String) {
    for n in &e.children {
        match n {
            Node::Text(t) => out.push_str(&escape_text(t)),
            Node::Element(c) if !is_xliff_ns(c.ns.as_deref()) => write_fragment(c, out),
            Node::Element(c) if c.children.is_empty() => out.push_str(&start_tag(c, false)),
            Node::Element(c) => {
                out.push_str(&start_tag(c, true));
                write_fragment(c, out);
                out.push_str("</");
                out.push_str(&c.local);
                out.push('>');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::dom::parse;
    use super::*;
    use std::path::Path;

    fn conv(xml: &str, v2: bool) -> Converted {
        let doc = parse(Path::new("t"), xml).unwrap();
        let data: HashMap<String, String> = [("d1".to_string(), "<b>".to_string())].into();
        convert(&doc.root, v2, &data, &mut HashSet::new())
    }

    #[test]
    fn xliff12_codes_map_to_tmx() {
        let c = conv(
            r#"<source>Click <g id="1" ctype="bold">OK</g><x id="2"/> <bx id="3"/>a<ex id="3"/> <ph id="4">&lt;br/&gt;</ph><mrk mtype="protected">P</mrk><bx id="9"/></source>"#,
            false,
        );
        assert_eq!(c.text, "Click OK a P");
        assert_eq!(
            c.tmx.as_deref(),
            Some(
                "Click <bpt i=\"1\" x=\"1\" type=\"bold\">&lt;g id=\"1\" ctype=\"bold\"&gt;</bpt>OK<ept i=\"1\">&lt;/g&gt;</ept><ph x=\"2\">&lt;x id=\"2\"/&gt;</ph> <bpt i=\"2\" x=\"3\">&lt;bx id=\"3\"/&gt;</bpt>a<ept i=\"2\">&lt;ex id=\"3\"/&gt;</ept> <ph x=\"4\">&lt;br/&gt;</ph><hi type=\"protected\">P</hi><it pos=\"begin\" x=\"9\">&lt;bx id=\"9\"/&gt;</it>"
            )
        );
        assert!(
            c.xliff
                .unwrap()
                .starts_with("Click <g id=\"1\" ctype=\"bold\">OK</g>")
        );
    }

    #[test]
    fn xliff2_codes_use_original_data() {
        let c = conv(
            r#"<source>a <pc id="1" dataRefStart="d1" dataRefEnd="d1">b</pc> <sc id="2"/>c<ec startRef="2"/><sm id="m" type="term"/>d<em startRef="m"/><cp hex="E9"/></source>"#,
            true,
        );
        assert_eq!(c.text, "a b cdé");
        let tmx = c.tmx.unwrap();
        assert!(
            tmx.starts_with("a <bpt i=\"1\" x=\"1\">&lt;b&gt;</bpt>b<ept i=\"1\">&lt;b&gt;</ept> <bpt i=\"2\" x=\"2\"></bpt>c<ept i=\"2\"></ept>d"),
            "{tmx}"
        );
        assert!(c.problems.is_empty());
    }

    #[test]
    fn an_ec_before_its_sc_is_a_problem() {
        let c = conv(r#"<source><ec startRef="1"/>t<sc id="1"/></source>"#, true);
        assert!(
            c.problems[0].contains("before its <sc>"),
            "{:?}",
            c.problems
        );
        assert!(c.tmx.unwrap().contains("<it pos=\"end\">"));
    }

    #[test]
    fn plain_text_has_no_markup() {
        let c = conv("<source>just &amp; text</source>", false);
        assert_eq!(c.text, "just & text");
        assert!(c.tmx.is_none() && c.xliff.is_none());
    }
}
