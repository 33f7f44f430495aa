//! Segment text for parallel corpora: inline markup rendered as plain text, TMX markup or
//! numbered placeholders; normalisation for duplicates and splits; words and lengths counted
//! per script.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::model::Segment;

/// What happens to inline markup (`<bpt>`, `<ph>`, …) in the plain formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tags {
    /// Plain text: native code dropped, the text inside `<hi>` kept.
    #[default]
    Strip,
    /// The segment as TMX inline markup (the inner XML of `<seg>`, text XML-escaped).
    Keep,
    /// Numbered placeholders a trainer can learn: `{1}` opens, `{/1}` closes, a standalone
    /// code is `{1}` alone. The number is the element's `x` (matching across languages),
    /// else its `i`, else its order in the segment.
    Placeholders,
}

/// The segment's text under `tags`.
pub fn render(segment: &Segment, tags: Tags) -> String {
    match (tags, &segment.markup) {
        (_, None) if tags != Tags::Keep => segment.text.clone(),
        (Tags::Strip, _) => segment.text.clone(),
        (Tags::Keep, _) => segment.to_xml(),
        (Tags::Placeholders, Some(markup)) => {
            placeholders(markup).unwrap_or_else(|| segment.text.clone())
        }
        (Tags::Placeholders, None) => segment.text.clone(),
    }
}

/// Inline elements whose content is native code, not text.
const NATIVE: &[&str] = &["bpt", "ept", "it", "ph", "ut"];

fn attribute(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// `markup` with each inline element replaced by a placeholder; `None` if it does not parse
/// (the caller falls back to plain text).
fn placeholders(markup: &str) -> Option<String> {
    let mut reader = Reader::from_str(markup);
    let mut out = String::new();
    let mut counter = 0u32;
    let mut next = |explicit: Option<String>| -> String {
        counter += 1;
        explicit.unwrap_or_else(|| counter.to_string())
    };
    // Open elements: (name, closing placeholder for `hi`).
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut native_depth = 0usize;
    // bpt `i` → the number its ept closes.
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut open = |e: &BytesStart, out: &mut String, native_depth: usize| -> Option<String> {
        if native_depth > 0 {
            return None;
        }
        let name = e.local_name();
        let name: &str = name.as_ref();
        let x = attribute(e, "x");
        let i = attribute(e, "i");
        match name {
            "bpt" => {
                let n = next(x.or_else(|| i.clone()));
                if let Some(i) = i {
                    pairs.push((i, n.clone()));
                }
                out.push_str(&format!("{{{n}}}"));
                None
            }
            "ept" => {
                let n = i
                    .and_then(|i| pairs.iter().find(|(k, _)| *k == i).map(|(_, n)| n.clone()))
                    .unwrap_or_else(|| next(None));
                out.push_str(&format!("{{/{n}}}"));
                None
            }
            "it" => {
                let n = next(x);
                match attribute(e, "pos").as_deref() {
                    Some("end") => out.push_str(&format!("{{/{n}}}")),
                    _ => out.push_str(&format!("{{{n}}}")),
                }
                None
            }
            "hi" => {
                let n = next(x);
                out.push_str(&format!("{{{n}}}"));
                Some(format!("{{/{n}}}"))
            }
            _ => {
                out.push_str(&format!("{{{}}}", next(x)));
                None
            }
        }
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                let close = open(&e, &mut out, native_depth);
                let name = e.local_name().as_ref().to_string();
                if NATIVE.contains(&name.as_str()) {
                    native_depth += 1;
                }
                stack.push((name, close));
            }
            Event::Empty(e) => {
                open(&e, &mut out, native_depth);
            }
            Event::End(_) => {
                let (name, close) = stack.pop()?;
                if NATIVE.contains(&name.as_str()) {
                    native_depth -= 1;
                }
                if let Some(close) = close {
                    out.push_str(&close);
                }
            }
            Event::Text(t) if native_depth == 0 => out.push_str(&t.xml10_content()),
            Event::CData(c) if native_depth == 0 => out.push_str(&c.xml10_content()),
            Event::GeneralRef(r) if native_depth == 0 => {
                if r.is_char_ref() {
                    out.push(r.resolve_char_ref().ok()??);
                } else {
                    out.push_str(resolve_predefined_entity(&r.xml10_content())?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some(out)
}

/// The form two segments share when they differ only in case, whitespace or punctuation:
/// lower case, every run of non-alphanumeric characters one space, trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// Scripts written without spaces between words, where one character stands for about a
/// word: Han, kana, Hangul syllables, Thai, Lao, Khmer.
fn is_logographic(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF       // Thai, Lao
        | 0x1780..=0x17FF     // Khmer
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xAC00..=0xD7AF     // Hangul syllables
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0x20000..=0x3FFFF) // CJK extensions B–H
}

/// Words in `text`: runs of letters or digits between spaces and punctuation; in scripts
/// written without spaces each character is a word.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_logographic(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                count += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    count
}

/// A length comparable across scripts: characters other than spaces, where a character of
/// a script written without spaces counts 3 (about what it takes in a Latin script: the
/// English of a Chinese sentence has some three times as many letters).
pub fn script_length(text: &str) -> usize {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if is_logographic(c) { 3 } else { 1 })
        .sum()
}

/// The ratio of the longer to the shorter of two script lengths (at least 1; an empty
/// side counts as length 1).
pub fn length_ratio(a: &str, b: &str) -> f64 {
    let (a, b) = (script_length(a).max(1), script_length(b).max(1));
    a.max(b) as f64 / a.min(b) as f64
}

/// `text` on one line: tabs, newlines and carriage returns become spaces. Returns `None`
/// when nothing needed changing.
pub fn one_line(text: &str) -> Option<String> {
    text.contains(['\t', '\n', '\r'])
        .then(|| text.replace(['\t', '\n', '\r'], " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str, markup: &str) -> Segment {
        Segment {
            text: text.into(),
            markup: Some(markup.into()),
        }
    }

    #[test]
    fn markup_renders_three_ways() {
        let s = seg(
            "Press Save & go",
            r#"Press <bpt i="1" x="7">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> &amp; go<ph x="2">{x}</ph>"#,
        );
        assert_eq!(render(&s, Tags::Strip), "Press Save & go");
        assert_eq!(render(&s, Tags::Placeholders), "Press {7}Save{/7} & go{2}");
        assert!(render(&s, Tags::Keep).starts_with("Press <bpt i=\"1\""));
        assert_eq!(render(&Segment::plain("a & b"), Tags::Keep), "a &amp; b");
        assert_eq!(
            render(&Segment::plain("a & b"), Tags::Placeholders),
            "a & b"
        );
    }

    #[test]
    fn placeholders_number_by_order_without_x_and_keep_hi_text() {
        let s = seg(
            "a b c",
            r#"a <hi>b</hi> <ph>&lt;br/&gt;</ph>c<it pos="end">x</it>"#,
        );
        assert_eq!(render(&s, Tags::Placeholders), "a {1}b{/1} {2}c{/3}");
    }

    #[test]
    fn normalization_ignores_case_space_and_punctuation_and_is_idempotent() {
        assert_eq!(normalize("  Hello,   WORLD! "), "hello world");
        assert_eq!(normalize("hello world"), normalize("Hello — world."));
        assert_eq!(normalize(&normalize("É-tat, «x»")), normalize("É-tat, «x»"));
        assert_ne!(normalize("hello world"), normalize("hello, word"));
    }

    #[test]
    fn words_are_counted_per_script() {
        assert_eq!(word_count("The past decade, 2012."), 4);
        assert_eq!(word_count("过去十年"), 4);
        assert_eq!(word_count("  "), 0);
    }

    #[test]
    fn lengths_compare_across_scripts() {
        // "The past decade" against its Chinese: close once ideographs count 3.
        assert!(length_ratio("The past decade", "过去十年") < 1.2);
        assert!(length_ratio("Yes", "This is a much longer sentence than yes") > 5.0);
        assert_eq!(length_ratio("", ""), 1.0);
    }

    #[test]
    fn one_line_replaces_breaks_and_tabs() {
        assert_eq!(one_line("a\tb\r\nc").as_deref(), Some("a b  c"));
        assert_eq!(one_line("abc"), None);
    }
}
