//! Which writing system a text is in, and which one a language tag expects: enough to tell
//! a French segment stored under `zh`, or a Cyrillic one under `en`. Only letters count;
//! digits, punctuation and symbols are shared by every script.

use crate::lang::LanguageTag;

/// A writing system, as far as telling languages apart needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Thai,
    /// Chinese characters (also used by Japanese and, rarely, Korean).
    Han,
    /// Hiragana and katakana.
    Kana,
    Hangul,
    Other,
}

impl Script {
    /// The script of one letter.
    pub fn of(c: char) -> Script {
        match c as u32 {
            0x41..=0x5A
            | 0x61..=0x7A
            | 0xC0..=0x24F
            | 0x1E00..=0x1EFF
            | 0xFF21..=0xFF3A
            | 0xFF41..=0xFF5A => Script::Latin,
            0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
            0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
            0x590..=0x5FF | 0xFB1D..=0xFB4F => Script::Hebrew,
            0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
                Script::Arabic
            }
            0x900..=0x97F => Script::Devanagari,
            0xE00..=0xE7F => Script::Thai,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => Script::Han,
            _ => Script::Other,
        }
    }

    /// The scripts a language is written in, from its script subtag or its language; `None`
    /// for a language this table does not know (it is then never judged).
    pub fn expected(tag: &LanguageTag) -> Option<&'static [Script]> {
        use Script::*;
        let mut parts = tag.as_str().split('-');
        let lang = parts.next()?.to_ascii_lowercase();
        if let Some(script) = parts.find(|p| p.len() == 4) {
            return match script.to_ascii_lowercase().as_str() {
                "latn" => Some(&[Latin]),
                "cyrl" => Some(&[Cyrillic]),
                "arab" => Some(&[Arabic]),
                "hans" | "hant" | "hani" => Some(&[Han]),
                _ => None,
            };
        }
        Some(match lang.as_str() {
            "en" | "fr" | "es" | "de" | "it" | "pt" | "nl" | "sv" | "da" | "no" | "nb" | "nn"
            | "fi" | "pl" | "cs" | "sk" | "sl" | "hr" | "ro" | "hu" | "tr" | "id" | "ms" | "vi"
            | "ca" | "eu" | "gl" | "et" | "lv" | "lt" | "sq" | "sw" | "tl" | "af" | "is" | "ga"
            | "cy" | "mt" => &[Latin],
            "ru" | "uk" | "be" | "bg" | "mk" | "kk" | "ky" | "mn" | "tg" => &[Cyrillic],
            "el" => &[Greek],
            "ar" | "fa" | "ur" | "ps" => &[Arabic],
            "he" | "yi" => &[Hebrew],
            "hi" | "mr" | "ne" => &[Devanagari],
            "th" => &[Thai],
            "zh" => &[Han],
            "ja" => &[Han, Kana],
            "ko" => &[Hangul, Han],
            _ => return None,
        })
    }
}

/// Letters fewer than this are not enough to judge a text's script.
pub const MIN_LETTERS: usize = 4;

/// When `text` is not mostly in a script `tag` expects: the script most of its letters are
/// in. `None` when it fits, when the language is unknown, or when it has too few letters
/// (a name or an acronym in Latin letters inside Chinese text is normal, so "mostly" is
/// more than half).
pub fn wrong_script(text: &str, tag: &LanguageTag) -> Option<Script> {
    let expected = Script::expected(tag)?;
    let mut letters = 0usize;
    let mut fitting = 0usize;
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let s = Script::of(c);
        if s == Script::Other {
            continue;
        }
        letters += 1;
        if expected.contains(&s) {
            fitting += 1;
        }
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    if letters < MIN_LETTERS || fitting * 2 > letters {
        return None;
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    #[test]
    fn scripts_are_told_apart() {
        assert_eq!(
            wrong_script("Bonjour à tous", &tag("zh")),
            Some(Script::Latin)
        );
        assert_eq!(
            wrong_script("Привет всем", &tag("en")),
            Some(Script::Cyrillic)
        );
        assert_eq!(wrong_script("大家好，UNDP 的报告", &tag("zh-CN")), None);
        assert_eq!(wrong_script("こんにちは世界", &tag("ja")), None);
        assert_eq!(wrong_script("Hello everyone", &tag("en-GB")), None);
        assert_eq!(wrong_script("Zdravo svima", &tag("sr-Latn")), None);
        // Too few letters, or a language the table does not know: not judged.
        assert_eq!(wrong_script("UN 2012", &tag("zh")), None);
        assert_eq!(wrong_script("Hello everyone", &tag("yo")), None);
    }
}
