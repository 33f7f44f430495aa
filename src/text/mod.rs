//! Plain text: reading a document in UTF-8 or UTF-16 (with or without a byte-order mark),
//! cutting it into paragraphs, and cutting paragraphs into sentences per language
//! ([`sentence`]); the tokens the matcher and the index compare ([`token`]), with dates
//! recognised as one placeable ([`date`], month names from CLDR in [`months`]).

pub mod date;
pub mod months;
pub mod script;
pub mod sentence;
pub mod srx;
pub mod token;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use encoding_rs::{UTF_16BE, UTF_16LE};

use crate::error::{Error, Result};

pub use sentence::SentenceSplitter;

/// Reads a plain-text file as a string: UTF-8 or UTF-16 LE/BE, with or without a BOM.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read, [`Error::Format`] when it is neither UTF-8
/// nor UTF-16 text.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_text(&bytes).map_err(|message| Error::Format {
        path: path.to_path_buf(),
        message,
    })
}

/// Decodes the bytes of a text file: a BOM decides; otherwise NUL bytes in alternate
/// positions mean UTF-16 (text has line breaks, which are `00 0A` in UTF-16), else UTF-8.
pub fn decode_text(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    if bytes.contains(&0) && bytes.len() % 2 == 0 {
        let even = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        return utf16(bytes, odd >= even);
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> std::result::Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        format!(
            "not UTF-8 or UTF-16 text (invalid UTF-8 at byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn utf16(bytes: &[u8], little_endian: bool) -> std::result::Result<String, String> {
    if bytes.len() % 2 != 0 {
        return Err("UTF-16 text with an odd number of bytes".into());
    }
    let encoding = if little_endian { UTF_16LE } else { UTF_16BE };
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(format!("invalid {} text", encoding.name()));
    }
    Ok(text.into_owned())
}

/// How a new document is cut into the segments to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Segmentation {
    /// Paragraphs: blank-line separated, or one per line when the text has no blank line.
    #[default]
    Paragraph,
    /// The sentences of each paragraph, split by the rules of the text's language, as
    /// `tmm align` splits them.
    Sentence,
}

/// The segments of a new document in `lang`: its paragraphs, or their sentences.
pub fn segments(text: &str, lang: &crate::lang::LanguageTag, unit: Segmentation) -> Vec<String> {
    let paragraphs = paragraphs(text);
    match unit {
        Segmentation::Paragraph => paragraphs,
        Segmentation::Sentence => {
            let splitter = SentenceSplitter::new(lang);
            paragraphs
                .iter()
                .flat_map(|p| splitter.split(p))
                .map(str::to_string)
                .collect()
        }
    }
}

/// Cuts a document into paragraphs: blocks separated by blank lines, or one paragraph per
/// line when the text has no blank line. Lines inside a block are joined with a space
/// (without one between two CJK characters); empty paragraphs are dropped.
pub fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    let body = match (first, last) {
        (Some(a), Some(b)) => &lines[a..=b],
        _ => return Vec::new(),
    };
    if !body.iter().any(|l| l.is_empty()) {
        return body.iter().map(|l| l.to_string()).collect();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for line in body {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let joins_cjk = current.chars().next_back().is_some_and(is_cjk)
            && line.chars().next().is_some_and(is_cjk);
        if !current.is_empty() && !joins_cjk {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Han, kana, hangul and CJK punctuation: scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// The length measure alignment uses: characters, not counting whitespace.
pub fn length(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

/// Identical tokens that survive translation, used as alignment anchors: each run of digits
/// (ASCII, full-width or Arabic-Indic, read as ASCII) with leading zeros removed, so
/// `SG/SM/14499`, `Rio+20`, `12.09.2012`, `2015年` and `١٢` all give their numbers.
pub fn anchors(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    length_and_numbers(s, |n| out.push(n.to_string()));
    out.sort_unstable();
    out
}

/// [`length`] and [`anchors`] in one pass over the text: returns the length and hands each
/// number to `number` as it is found (in text order, not sorted).
pub fn length_and_numbers(s: &str, mut number: impl FnMut(&str)) -> usize {
    let bytes = s.as_bytes();
    let mut length = 0;
    let mut run = String::new();
    // A run of digits ends: its number, leading zeros dropped.
    let mut end_number = |run: &mut String| {
        if !run.is_empty() {
            let trimmed = run.trim_start_matches('0');
            number(if trimmed.is_empty() { "0" } else { trimmed });
            run.clear();
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Only ASCII and the lead bytes of the other digits and spaces (U+0085, U+00A0,
        // U+0660–U+06F9, U+1680, U+2000–U+205F, U+3000, U+FF10–U+FF19) need a look at
        // the character: this runs over every sentence of every imported paragraph.
        let (digit, space, width) = match b {
            0..0x80 => (
                b.is_ascii_digit().then_some(b as char),
                matches!(b, b'\t'..=b'\r' | b' '),
                1,
            ),
            0xC2 | 0xD9 | 0xDB | 0xE1..=0xE3 | 0xEF => {
                let c = s[i..].chars().next().unwrap_or(' ');
                (digit_value(c), c.is_whitespace(), c.len_utf8())
            }
            0xC0..0xE0 => (None, false, 2),
            0xE0..0xF0 => (None, false, 3),
            _ => (None, false, 4),
        };
        i += width;
        length += usize::from(!space);
        match digit {
            Some(d) => run.push(d),
            None => end_number(&mut run),
        }
    }
    end_number(&mut run);
    length
}

/// The words of a text: runs of letters, digits and the joiners `/ + - . @ _` inside them,
/// without the punctuation around them.
pub fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || matches!(c, '/' | '+' | '-' | '.' | '@' | '_')))
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
}

/// Segments a token may occur in, in either document, and still be an anchor: a word on
/// every other line (`Nations`, `Article`) pulls nothing anywhere.
const MAX_TOKEN_SEGMENTS: usize = 3;

/// Identical words of two documents that can serve as anchors besides numbers: names and
/// symbols written the same in both (`Afghanistan`, `UNESCO`, `GameMaker`, `SG/SM`), that is
/// tokens of three or more characters with a capital letter or a symbol, without digits
/// (numbers are anchors anyway), found in both and in at most three segments of each.
pub fn shared_tokens(a: &[impl AsRef<str>], b: &[impl AsRef<str>]) -> HashSet<String> {
    fn counts(segments: &[impl AsRef<str>]) -> HashMap<&str, usize> {
        let mut out: HashMap<&str, usize> = HashMap::new();
        for s in segments {
            let distinct: HashSet<&str> = tokens(s.as_ref())
                .filter(|t| {
                    t.chars().count() >= 3
                        && !t.chars().any(|c| c.is_numeric())
                        && t.chars()
                            .any(|c| c.is_uppercase() || matches!(c, '/' | '+' | '@' | '_'))
                })
                .collect();
            for t in distinct {
                *out.entry(t).or_default() += 1;
            }
        }
        out
    }
    let (ca, cb) = (counts(a), counts(b));
    ca.iter()
        .filter(|&(t, &n)| {
            n <= MAX_TOKEN_SEGMENTS && cb.get(t).is_some_and(|&m| m <= MAX_TOKEN_SEGMENTS)
        })
        .map(|(t, _)| t.to_string())
        .collect()
}

fn digit_value(c: char) -> Option<char> {
    let zero = match c {
        '0'..='9' => '0',
        '０'..='９' => '０',
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
        _ => return None,
    };
    char::from_digit(c as u32 - zero as u32, 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_and_without_bom_decodes() {
        let le: Vec<u8> = "Hé\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = "Hé\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode_text(&le).unwrap(), "Hé\n");
        assert_eq!(decode_text(&be).unwrap(), "Hé\n");
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(&le);
        assert_eq!(decode_text(&bom).unwrap(), "Hé\n");
        assert_eq!(decode_text(b"\xEF\xBB\xBFok").unwrap(), "ok");
        assert!(decode_text(b"\xC3(").is_err());
    }

    #[test]
    fn paragraphs_by_blank_lines_or_by_lines() {
        assert_eq!(
            paragraphs("\n a\nb \n\n\n c\n"),
            vec!["a b".to_string(), "c".into()]
        );
        assert_eq!(paragraphs("a\nb\r\nc"), vec!["a", "b", "c"]);
        assert_eq!(
            paragraphs("维也纳\n九月\n\n下一段"),
            vec!["维也纳九月", "下一段"]
        );
        assert!(paragraphs(" \n\n").is_empty());
    }

    #[test]
    fn shared_tokens_are_rare_names_and_symbols_in_both() {
        let en = [
            "Rio conference in Ghana, with UNESCO and SG/SM.",
            "The Nations.",
            "Nations",
            "Nations",
            "Nations",
        ];
        let fr = [
            "Conférence de Rio au Ghana, avec l'UNESCO et SG/SM.",
            "Les Nations.",
            "Nations",
            "Nations",
            "Nations",
        ];
        let mut shared: Vec<String> = shared_tokens(&en, &fr).into_iter().collect();
        shared.sort();
        assert_eq!(shared, ["Ghana", "Rio", "SG/SM", "UNESCO"]);
        assert_eq!(
            tokens("(l'UNESCO), Rio+20.").collect::<Vec<_>>(),
            ["l", "UNESCO", "Rio+20"]
        );
    }

    #[test]
    fn anchors_are_numbers_in_any_digits() {
        assert_eq!(anchors("SG/SM/14499, Rio+20"), vec!["14499", "20"]);
        assert_eq!(anchors("２０１５年 ١٢ 007"), vec!["12", "2015", "7"]);
        assert_eq!(length(" a b\tc "), 3);
        let mut numbers = Vec::new();
        let text = "Rio+20 on 12 June, ２０１５年";
        assert_eq!(
            length_and_numbers(text, |n| numbers.push(n.to_string())),
            length(text)
        );
        assert_eq!(numbers, ["20", "12", "2015"]);
    }

    proptest::proptest! {
        /// The byte-wise pass gives what a pass over the characters gives.
        #[test]
        fn length_and_numbers_agree_with_the_characters(
            s in "[0-9a-z \t\u{85}\u{a0}\u{660}-\u{669}\u{6f0}-\u{6f9}\u{1680}\u{2000}-\u{205f}\u{3000}\u{ff10}-\u{ff19}é中Жس]{0,40}"
        ) {
            let mut numbers = Vec::new();
            let mut run = String::new();
            for c in s.chars().chain(std::iter::once(' ')) {
                match digit_value(c) {
                    Some(d) => run.push(d),
                    None if !run.is_empty() => {
                        let trimmed = run.trim_start_matches('0');
                        numbers.push(if trimmed.is_empty() { "0" } else { trimmed }.to_string());
                        run.clear();
                    }
                    None => {}
                }
            }
            let mut got = Vec::new();
            let length = length_and_numbers(&s, |n| got.push(n.to_string()));
            proptest::prop_assert_eq!(length, s.chars().filter(|c| !c.is_whitespace()).count());
            proptest::prop_assert_eq!(got, numbers);
        }
    }
}
