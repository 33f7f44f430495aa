//! The data model: translation units, their variants in any number of languages, segments
//! with inline markup, props and notes. It mirrors TMX 1.4b so that nothing read is lost.

use serde::{Deserialize, Serialize};

use crate::lang::LanguageTag;

/// The database row id of a translation unit; never confused with a TMX `tuid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub i64);

/// The database row id of one variant (a unit's segment in one language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VariantId(pub i64);

/// The database row id of an origin: an imported file or an aligned document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OriginId(pub i64);

impl std::fmt::Display for UnitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for OriginId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Attributes that TMX allows on `<header>`, `<tu>` and `<tuv>` alike (each element uses the
/// subset the DTD gives it). Dates are kept as `YYYYMMDDThhmmssZ`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    pub datatype: Option<String>,
    pub segtype: Option<String>,
    pub o_tmf: Option<String>,
    pub o_encoding: Option<String>,
    pub usagecount: Option<String>,
    pub lastusagedate: Option<String>,
    pub creationtool: Option<String>,
    pub creationtoolversion: Option<String>,
    pub creationdate: Option<String>,
    pub creationid: Option<String>,
    pub changedate: Option<String>,
    pub changeid: Option<String>,
    /// Attributes TMX does not define (foreign namespaces, tool extensions), in file order.
    pub extra: Vec<(String, String)>,
}

/// A `<prop>`: tool-specific metadata, `type` is the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prop {
    #[serde(rename = "type")]
    pub kind: String,
    pub lang: Option<String>,
    pub o_encoding: Option<String>,
    pub value: String,
}

/// A `<note>`: a free-text comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub lang: Option<String>,
    pub o_encoding: Option<String>,
    pub text: String,
}

/// The content of a `<seg>`: its plain text (for search and matching) and, when it has inline
/// elements, the exact markup as a canonical XML fragment (`bpt ept it ph hi ut sub`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub text: String,
    pub markup: Option<String>,
}

impl Segment {
    /// A segment of plain text without inline markup.
    pub fn plain(text: impl Into<String>) -> Self {
        Segment {
            text: text.into(),
            markup: None,
        }
    }

    /// The segment as the inner XML of `<seg>`: the markup if any, else the escaped text.
    pub fn to_xml(&self) -> String {
        match &self.markup {
            Some(m) => m.clone(),
            None => crate::formats::tmx::escape_text(&self.text).into_owned(),
        }
    }
}

/// A `<tuv>`: the segment in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub lang: LanguageTag,
    /// The tag as the file spelled it, when that differs from `lang`.
    pub lang_original: Option<String>,
    pub attributes: Attributes,
    pub props: Vec<Prop>,
    pub notes: Vec<Note>,
    pub segment: Segment,
}

impl Variant {
    /// A variant with only a language and plain text.
    pub fn new(lang: LanguageTag, text: impl Into<String>) -> Self {
        Variant {
            lang,
            lang_original: None,
            attributes: Attributes::default(),
            props: Vec::new(),
            notes: Vec::new(),
            segment: Segment::plain(text),
        }
    }
}

/// A `<tu>`: one segment with its translations in any number of languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationUnit {
    pub tuid: Option<String>,
    /// The unit's source language; `*all*` means any variant may be the source.
    pub srclang: Option<String>,
    pub attributes: Attributes,
    pub props: Vec<Prop>,
    pub notes: Vec<Note>,
    pub variants: Vec<Variant>,
}

impl TranslationUnit {
    /// The variant in `lang`, if the unit has one.
    pub fn variant(&self, lang: &LanguageTag) -> Option<&Variant> {
        self.variants.iter().find(|v| &v.lang == lang)
    }

    /// The variant in the unit's source language (`srclang`, else `default_srclang`), or the
    /// first variant when the unit has none in that language or the source is `*all*`.
    pub fn source_variant(&self, default_srclang: Option<&str>) -> Option<&Variant> {
        let src = self.srclang.as_deref().or(default_srclang);
        src.and_then(|s| LanguageTag::parse(s).ok())
            .and_then(|tag| self.variant(&tag))
            .or_else(|| self.variants.first())
    }
}

impl Header {
    /// The header of a file tmm writes itself (an export of several origins, a draft):
    /// tmm as the creation tool, plain text, and every attribute the TMX DTD requires.
    pub fn of_tmm(srclang: impl Into<String>, segtype: &str) -> Header {
        Header {
            srclang: Some(srclang.into()),
            adminlang: Some("en".into()),
            attributes: Attributes {
                creationtool: Some("tmm".into()),
                creationtoolversion: Some(env!("CARGO_PKG_VERSION").into()),
                datatype: Some("plaintext".into()),
                segtype: Some(segtype.into()),
                o_tmf: Some("tmm".into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }
}

/// A TMX `<header>`: defaults for the units and metadata of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub srclang: Option<String>,
    pub adminlang: Option<String>,
    pub attributes: Attributes,
    pub props: Vec<Prop>,
    pub notes: Vec<Note>,
    /// `<ude>` elements (user-defined characters), kept as their exact XML.
    pub udes: Option<String>,
}
