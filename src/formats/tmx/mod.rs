//! TMX 1.1–1.4b: a streaming pull reader that keeps everything a file carries, and a
//! deterministic writer of TMX 1.4b that validates against the 1.4 DTD.
//!
//! Files are read in UTF-8 (with or without BOM), UTF-16 LE/BE (with or without BOM), or the
//! 8-bit encoding their declaration names (windows-1252, ISO-8859-x); a declaration that
//! contradicts the bytes is overruled by the bytes, with a warning.

pub(crate) mod encoding;
pub mod reader;
pub mod writer;

use std::borrow::Cow;

pub use crate::formats::{Item, ReadUnit};
pub use reader::TmxReader;
pub use writer::{TmxWriter, check_writable};

/// Escapes text content for XML: `&`, `<`, `>`, and carriage returns (which XML parsers
/// would otherwise turn into line feeds).
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Escapes an attribute value for a double-quoted XML attribute, keeping tabs and line breaks
/// as character references so that attribute-value normalisation cannot change them.
pub fn escape_attribute(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> Cow<'_, str> {
    let needs = |b: u8| {
        matches!(b, b'&' | b'<' | b'>' | b'\r') || (attribute && matches!(b, b'"' | b'\t' | b'\n'))
    };
    if !s.bytes().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            // A raw carriage return would be read back as a line feed.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// True for characters XML 1.0 does not allow in a document.
pub fn is_forbidden_char(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || n == 0xFFFE || n == 0xFFFF
}

/// Checks a TMX date (`YYYYMMDDThhmmssZ`, a real UTC date) and converts the ISO 8601 forms
/// some tools write (`2017-10-15T22:51:49Z`, `2017-10-15 22:51:49`) into it.
///
/// Returns `Ok(date)` unchanged when it is already valid, `Err(None)` when it cannot be read,
/// and `Err(Some(converted))` when it was converted.
pub fn check_date(raw: &str) -> Result<&str, Option<String>> {
    if is_tmx_date(raw) {
        return Ok(raw);
    }
    let s = raw.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Err(Some(ts.strftime("%Y%m%dT%H%M%SZ").to_string()));
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Err(Some(dt.strftime("%Y%m%dT%H%M%SZ").to_string()));
    }
    Err(None)
}

fn is_tmx_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = (
        digits(0..4),
        digits(4..6),
        digits(6..8),
        digits(9..11),
        digits(11..13),
        digits(13..15),
    ) else {
        return false;
    };
    jiff::civil::Date::new(y as i16, mo as i8, d as i8).is_ok() && h < 24 && mi < 60 && se < 60
}

/// The current time as a TMX date.
pub fn now_date() -> String {
    jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_tmx_dates_pass_unchanged() {
        assert_eq!(check_date("20121001T000000Z"), Ok("20121001T000000Z"));
        assert_eq!(check_date("20240229T235959Z"), Ok("20240229T235959Z"));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for d in [
            "20230229T000000Z",
            "20121301T000000Z",
            "20121001T250000Z",
            "2012",
            "",
            "x",
        ] {
            assert_eq!(check_date(d), Err(None), "{d}");
        }
    }

    #[test]
    fn iso_dates_are_converted() {
        assert_eq!(
            check_date("2017-10-15T22:51:49Z"),
            Err(Some("20171015T225149Z".into()))
        );
        assert_eq!(
            check_date("2017-10-15T22:51:49+02:00"),
            Err(Some("20171015T205149Z".into()))
        );
        assert_eq!(
            check_date("2017-10-15 22:51:49"),
            Err(Some("20171015T225149Z".into()))
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_text("a<b>&c\"\t"), "a&lt;b&gt;&amp;c\"\t");
        assert_eq!(escape_attribute("a\"b\nc\t"), "a&quot;b&#10;c&#9;");
        assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn forbidden_chars() {
        assert!(is_forbidden_char('\u{1}'));
        assert!(is_forbidden_char('\u{FFFE}'));
        assert!(!is_forbidden_char('\t'));
        assert!(!is_forbidden_char('é'));
    }
}
