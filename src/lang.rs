//! Language tags, normalised to BCP 47 case so that `en_US`, `EN-us` and `en-US` are one tag.
//!
//! A tag is checked for shape (letters and digits in subtags of 1–8 characters) and its
//! primary subtag against ISO 639: two-letter codes must be ISO 639-1 codes, so a country
//! code written where a language belongs (`CN`, `JP`) is refused rather than guessed at.
//! Bare upper-case codes that CAT tools use for something else (`SC` for Simplified Chinese,
//! which is also Sardinian's code) are accepted but flagged as suspect.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A normalised language tag such as `en`, `en-US`, `zh-Hans-CN`, `sr-Latn`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

/// ISO 639-1 two-letter language codes, sorted (with the withdrawn in, iw, ji, jw, mo, sh).
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "in", "io", "is", "it", "iu", "iw", "ja", "ji", "jv", "jw",
    "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la",
    "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mo", "mr",
    "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj",
    "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc",
    "sd", "se", "sg", "sh", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv",
    "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug",
    "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Bare upper-case codes that tools write for a non-language (a script or country).
const SUSPECT: &[&str] = &["SC", "CH"];

impl LanguageTag {
    /// Parses and normalises a tag.
    ///
    /// # Errors
    /// [`Error::LanguageTag`] when the tag is empty, malformed, or its two-letter primary
    /// subtag is not an ISO 639-1 language.
    ///
    /// ```
    /// use tmm::lang::LanguageTag;
    /// assert_eq!(LanguageTag::parse("en_us").unwrap().as_str(), "en-US");
    /// assert_eq!(LanguageTag::parse("ZH-hans-cn").unwrap().as_str(), "zh-Hans-CN");
    /// assert!(LanguageTag::parse("CN").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Self> {
        let bad = |reason| Error::LanguageTag {
            tag: raw.to_string(),
            reason,
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(bad("empty"));
        }
        let mut out = String::with_capacity(trimmed.len());
        for (i, sub) in trimmed.split(['-', '_']).enumerate() {
            if sub.is_empty() || sub.len() > 8 || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad("subtags must be 1 to 8 letters or digits"));
            }
            if i == 0 {
                let lower = sub.to_ascii_lowercase();
                let letters = lower.bytes().all(|b| b.is_ascii_lowercase());
                let ok = match lower.len() {
                    1 => lower == "i" || lower == "x",
                    2 => letters && ISO_639_1.binary_search(&lower.as_str()).is_ok(),
                    3 | 5..=8 => letters,
                    _ => false,
                };
                if !ok {
                    return Err(bad(if lower.len() == 2 && letters {
                        "not an ISO 639-1 language code"
                    } else {
                        "the first subtag must be a language code"
                    }));
                }
                out.push_str(&lower);
                continue;
            }
            out.push('-');
            match sub.len() {
                4 if sub.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    out.push_str(&sub[..1].to_ascii_uppercase());
                    out.push_str(&sub[1..].to_ascii_lowercase());
                }
                2 => out.push_str(&sub.to_ascii_uppercase()),
                3 if sub.bytes().all(|b| b.is_ascii_digit()) => out.push_str(sub),
                _ => out.push_str(&sub.to_ascii_lowercase()),
            }
        }
        Ok(LanguageTag(out))
    }

    /// Keeps a tag exactly as written, for a value that is not a usable language; the import
    /// reports it instead of mangling it.
    pub fn verbatim(raw: &str) -> Self {
        LanguageTag(raw.trim().to_string())
    }

    /// True when the tag was written in a way CAT tools use for something other than a
    /// language (`SC`), so a reader should warn.
    pub fn is_suspect(raw: &str) -> bool {
        SUSPECT.contains(&raw.trim())
    }

    /// The normalised tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`zh` for `zh-Hans-CN`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        LanguageTag::parse(&s)
    }
}

impl From<LanguageTag> for String {
    fn from(t: LanguageTag) -> String {
        t.0
    }
}

impl std::str::FromStr for LanguageTag {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        LanguageTag::parse(s)
    }
}

/// True when a filter tag selects `tag`: the same tag, or `tag`'s primary language when the
/// filter names only a language (`fr` selects `fr-FR`).
pub fn matches(filter: &LanguageTag, tag: &LanguageTag) -> bool {
    filter == tag || (!filter.as_str().contains('-') && tag.primary() == filter.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_tag_normalise_alike() {
        for raw in ["en-US", "en_US", "EN-us", "eN-uS", "en-us", " EN_US "] {
            assert_eq!(LanguageTag::parse(raw).unwrap().as_str(), "en-US", "{raw}");
        }
    }

    #[test]
    fn scripts_regions_and_variants_get_bcp47_case() {
        assert_eq!(
            LanguageTag::parse("fr-FR-Arab").unwrap().as_str(),
            "fr-FR-Arab"
        );
        assert_eq!(
            LanguageTag::parse("sr-latn-rs").unwrap().as_str(),
            "sr-Latn-RS"
        );
        assert_eq!(LanguageTag::parse("es-419").unwrap().as_str(), "es-419");
        assert_eq!(
            LanguageTag::parse("de-CH-1996").unwrap().as_str(),
            "de-CH-1996"
        );
        assert_eq!(
            LanguageTag::parse("x-klingon").unwrap().as_str(),
            "x-klingon"
        );
        assert_eq!(LanguageTag::parse("YUE").unwrap().as_str(), "yue");
    }

    #[test]
    fn non_languages_are_refused() {
        for raw in [
            "",
            "CN",
            "JP",
            "12",
            "en--US",
            "e",
            "en-verylongsubtag",
            "en US",
        ] {
            assert!(LanguageTag::parse(raw).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn suspect_codes_are_flagged_but_parse() {
        assert!(LanguageTag::is_suspect("SC"));
        assert!(!LanguageTag::is_suspect("sc"));
        assert_eq!(LanguageTag::parse("SC").unwrap().as_str(), "sc");
    }

    #[test]
    fn primary_subtag() {
        assert_eq!(LanguageTag::parse("zh-Hans-CN").unwrap().primary(), "zh");
    }
}
