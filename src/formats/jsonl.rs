//! The JSON Lines record: one object per unit, as `tmm export --format jsonl` writes it and
//! `tmm import --format jsonl` reads it.
//!
//! ```json
//! {"tuid":"p1","text":{"en":"Hello","fr":"Bonjour"},"document":"A/67/1",
//!  "creationdate":"20121001T000000Z","props":[{"type":"x-paragraph","value":"1"}]}
//! ```
//! `text` holds every selected language in order, the source first; absent fields are left
//! out.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Format, Item, ReadUnit, SourceInfo, UnitSource};
use crate::lang::LanguageTag;
use crate::model::{Attributes, Header, Prop, TranslationUnit, Variant};

/// One unit of a JSON Lines corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuid: Option<String>,
    /// Language tag → text, in order, the source language first. An export keys it by the
    /// languages asked for (`--from en` gives `en` on every line, whatever the region).
    pub text: Texts,
    /// Key of `text` → the tag the memory stores that text under (`en` → `en-US`); a
    /// reader takes the stored tag.
    #[serde(default, skip_serializing_if = "Texts::is_empty")]
    pub lang: Texts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creationdate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changedate: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<RecordProp>,
}

/// A unit's `<prop>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProp {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub value: String,
}

/// Texts by language, kept in order (a JSON object whose key order means something).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts(pub Vec<(String, String)>);

impl Texts {
    /// True when it holds no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl Serialize for Texts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of language tags to texts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Texts, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    out.push(entry);
                }
                Ok(Texts(out))
            }
        }
        d.deserialize_map(Ordered)
    }
}

/// What `tmm export --format jsonl` writes, read back as a [`UnitSource`]: one unit per
/// line, the first language of `text` as its source, each unit in its record's document.
pub struct JsonlReader {
    name: std::path::PathBuf,
    lines: std::io::Lines<std::io::BufReader<Box<dyn std::io::Read + Send>>>,
    line: u64,
    info: SourceInfo,
}

impl JsonlReader {
    /// Reads records from `input`; `name` is for messages.
    pub fn new(name: &std::path::Path, input: Box<dyn std::io::Read + Send>) -> Self {
        use std::io::BufRead;
        JsonlReader {
            name: name.to_path_buf(),
            lines: std::io::BufReader::new(input).lines(),
            line: 0,
            info: SourceInfo {
                format: Format::Jsonl,
                header: Header::default(),
                version: None,
                encoding: "UTF-8",
                warnings: Vec::new(),
            },
        }
    }
}

impl UnitSource for JsonlReader {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_item(&mut self) -> crate::Result<Option<Item>> {
        for text in self.lines.by_ref() {
            self.line += 1;
            let text = text.map_err(|e| crate::Error::io(&self.name, e))?;
            if text.trim().is_empty() {
                continue;
            }
            let parsed: Result<Record, String> =
                serde_json::from_str(&text).map_err(|e| e.to_string());
            return Ok(Some(
                match parsed.and_then(|r| record_unit(&r).map(|u| (r.document, u))) {
                    Ok((document, unit)) => Item::Unit(Box::new(ReadUnit {
                        unit,
                        line: self.line,
                        warnings: Vec::new(),
                        document,
                    })),
                    Err(message) => Item::Invalid {
                        line: self.line,
                        message,
                    },
                },
            ));
        }
        Ok(None)
    }
}

/// The unit a record describes.
fn record_unit(r: &Record) -> Result<TranslationUnit, String> {
    if r.text.0.len() < 2 {
        return Err("a record needs texts in at least two languages".into());
    }
    let variants = r
        .text
        .0
        .iter()
        .map(|(key, text)| {
            let lang = r.lang.get(key).unwrap_or(key);
            LanguageTag::parse(lang)
                .map(|tag| Variant::new(tag, text.clone()))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TranslationUnit {
        tuid: r.tuid.clone(),
        srclang: Some(variants[0].lang.to_string()),
        attributes: Attributes {
            creationdate: r.creationdate.clone(),
            changedate: r.changedate.clone(),
            ..Default::default()
        },
        props: r
            .props
            .iter()
            .map(|p| Prop {
                kind: p.kind.clone(),
                lang: p.lang.clone(),
                o_encoding: None,
                value: p.value.clone(),
            })
            .collect(),
        notes: Vec::new(),
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_with_its_language_order() {
        let r = Record {
            tuid: Some("1".into()),
            text: Texts(vec![
                ("zh".into(), "你好".into()),
                ("ar".into(), "مرحبا".into()),
            ]),
            props: vec![RecordProp {
                kind: "x-a".into(),
                lang: None,
                value: "v".into(),
            }],
            ..Default::default()
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(
            line.starts_with(r#"{"tuid":"1","text":{"zh":"你好","ar":"#),
            "{line}"
        );
        assert!(!line.contains("document"));
        assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), r);
    }
}
