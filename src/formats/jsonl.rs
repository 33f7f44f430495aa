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

/// One unit of a JSON Lines corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuid: Option<String>,
    /// Language tag → text, in order, the source language first.
    pub text: Texts,
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
