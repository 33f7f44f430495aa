//! tmm's TSV escaping: one record per line, fields separated by a tab, and inside a field
//! `\` written `\\`, tab `\t`, newline `\n`, carriage return `\r`. Nothing else is escaped
//! and there is no quoting, so `cut -f1` and `paste` work on the file, and unescaping what
//! was escaped gives back the exact text.

use std::borrow::Cow;

/// `field` with backslash, tab, newline and carriage return escaped.
pub fn escape(field: &str) -> Cow<'_, str> {
    if !field.contains(['\\', '\t', '\n', '\r']) {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len() + 8);
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The inverse of [`escape`]. A backslash before any other character, or at the end, is
/// kept as it is, so hand-written files with stray backslashes read as written.
pub fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_the_four_characters() {
        assert_eq!(escape("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
        assert_eq!(escape("plain \"quoted\""), "plain \"quoted\"");
        assert_eq!(unescape("a\\tb\\nc\\rd\\\\e"), "a\tb\nc\rd\\e");
    }

    #[test]
    fn stray_backslashes_are_kept() {
        assert_eq!(unescape("C:\\dir\\"), "C:\\dir\\");
    }

    proptest! {
        #[test]
        fn unescape_inverts_escape(s in "\\PC*|[\\\\\t\n\rtnr]*") {
            let escaped = escape(&s);
            prop_assert!(!escaped.contains(['\t', '\n', '\r']));
            prop_assert_eq!(unescape(&escaped), s.as_str());
        }
    }
}
