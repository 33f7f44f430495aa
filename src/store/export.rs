//! Reading units back out: a streaming merge of the unit, variant, prop and note tables in
//! unit order, with filters, and TMX export on top of it.

use std::io::Write;

use rusqlite::types::Value;
use rusqlite::{Connection, Row, Rows, params_from_iter};

use super::{ATTRIBUTE_COLUMNS, Store};
use crate::error::{Error, Result};
use crate::formats::tmx::TmxWriter;
use crate::lang::LanguageTag;
use crate::model::{
    Attributes, Header, Note, OriginId, Prop, Segment, TranslationUnit, UnitId, Variant,
};

/// Which units and variants to read.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Keep only variants in these languages (`fr` also matches `fr-FR`); units left with
    /// fewer than two languages are dropped. Empty: all variants.
    pub langs: Vec<LanguageTag>,
    /// Keep only units whose source language is this one.
    pub source_lang: Option<LanguageTag>,
    /// Keep only units of this origin (see [`Store::find_origin`]).
    pub origin: Option<OriginId>,
    /// Keep only this unit.
    pub unit: Option<UnitId>,
    /// Keep only units these metadata admit (document, change date, ...).
    pub units: super::UnitFilter,
}

/// What [`Store::export_tmx`] wrote.
#[derive(Debug, Clone, Default)]
pub struct TmxExport {
    /// Units written.
    pub units: u64,
    /// Units left out, each named with the reason (a character XML 1.0 forbids).
    pub refused: Vec<String>,
}

/// A unit as stored, with its row id and origin.
#[derive(Debug, Clone)]
pub struct StoredUnit {
    pub id: UnitId,
    pub origin_id: OriginId,
    pub unit: TranslationUnit,
}

pub use crate::lang::matches as lang_matches;

impl ExportFilter {
    fn unit_where(&self) -> (String, Vec<Value>) {
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        if let Some(o) = self.origin {
            clauses.push("origin_id = ?".to_string());
            params.push(Value::Integer(o.0));
        }
        if let Some(u) = self.unit {
            clauses.push("id = ?".to_string());
            params.push(Value::Integer(u.0));
        }
        if let Some(src) = &self.source_lang {
            clauses.push("(source_lang = ? OR source_lang LIKE ?)".to_string());
            params.push(Value::Text(src.to_string()));
            params.push(Value::Text(if src.as_str().contains('-') {
                src.to_string()
            } else {
                format!("{src}-%")
            }));
        }
        if clauses.is_empty() {
            ("1".into(), params)
        } else {
            (clauses.join(" AND "), params)
        }
    }

    pub(super) fn keeps(&self, tag: &LanguageTag) -> bool {
        self.langs.is_empty() || self.langs.iter().any(|f| lang_matches(f, tag))
    }
}

fn attributes(row: &Row, start: usize) -> rusqlite::Result<Attributes> {
    let mut values: [Option<String>; 12] = Default::default();
    for (i, v) in values.iter_mut().enumerate() {
        *v = row.get(start + i)?;
    }
    Ok(attributes_of(values))
}

/// The attributes from the values of [`ATTRIBUTE_COLUMNS`], in order, on any backend.
pub(super) fn attributes_of(mut values: [Option<String>; 12]) -> Attributes {
    let mut extra: Vec<(String, String)> = values[11]
        .take()
        .and_then(|e| serde_json::from_str(&e).ok())
        .unwrap_or_default();
    // A variant's segtype is kept in `extra` (see import).
    let segtype = extra
        .iter()
        .position(|(k, _)| k == "segtype")
        .map(|i| extra.remove(i).1);
    // Fields in the order of ATTRIBUTE_COLUMNS (a struct literal evaluates in order).
    let mut v = values.into_iter();
    let mut next = || v.next().flatten();
    Attributes {
        datatype: next(),
        segtype,
        o_tmf: next(),
        o_encoding: next(),
        usagecount: next(),
        lastusagedate: next(),
        creationtool: next(),
        creationtoolversion: next(),
        creationdate: next(),
        creationid: next(),
        changedate: next(),
        changeid: next(),
        extra,
    }
}

/// The next row of a cursor ordered by unit id, read ahead.
struct Cursor<'s, T> {
    rows: Rows<'s>,
    next: Option<(i64, T)>,
    read: fn(&Row) -> rusqlite::Result<(i64, T)>,
}

impl<'s, T> Cursor<'s, T> {
    fn new(mut rows: Rows<'s>, read: fn(&Row) -> rusqlite::Result<(i64, T)>) -> Result<Self> {
        let next = rows.next()?.map(read).transpose()?;
        Ok(Cursor { rows, next, read })
    }

    /// Takes every row of `unit_id`, skipping rows of units before it.
    fn take(&mut self, unit_id: i64, mut f: impl FnMut(T)) -> Result<()> {
        while let Some((id, _)) = &self.next {
            if *id > unit_id {
                break;
            }
            let (id, value) = self.next.take().expect("checked above");
            if id == unit_id {
                f(value);
            }
            self.next = self.rows.next()?.map(self.read).transpose()?;
        }
        Ok(())
    }
}

/// (tuv, prop) or (tuv, note) rows.
type Annotation<T> = (i64, T);

impl Store {
    /// Calls `f` with every unit the filter selects, in storage order, streaming.
    ///
    /// # Errors
    /// [`Error::Database`], or whatever `f` returns.
    pub fn for_each_unit(
        &self,
        filter: &ExportFilter,
        f: impl FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.snapshot(|view| view.for_each_unit(filter, f));
        }
        self.read("for_each_unit", |conn| for_each_unit(conn, filter, f))
    }

    /// The header for an export: the origin's own header when every selected unit comes
    /// from one imported file, else a header of tmm's with the common source language.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn export_header(&self, filter: &ExportFilter) -> Result<Header> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.snapshot(|view| view.export_header(filter));
        }
        self.read("export_header", |conn| export_header(conn, filter))
    }
}

/// [`Store::for_each_unit`] on a connection the caller holds (inside its transaction).
pub(super) fn for_each_unit_on(
    conn: &Connection,
    filter: &ExportFilter,
    f: impl FnMut(StoredUnit) -> Result<()>,
) -> Result<u64> {
    for_each_unit(conn, filter, f)
}

fn for_each_unit(
    conn: &Connection,
    filter: &ExportFilter,
    mut f: impl FnMut(StoredUnit) -> Result<()>,
) -> Result<u64> {
    let (clause, params) = filter.unit_where();
    let in_units = format!("unit_id IN (SELECT id FROM unit WHERE {clause})");
    let mut unit_stmt = conn.prepare(&format!(
        "SELECT id, origin_id, tuid, srclang, segtype, {ATTRIBUTE_COLUMNS}
             FROM unit WHERE {clause} ORDER BY id"
    ))?;
    let mut variant_stmt = conn.prepare(&format!(
        "SELECT unit_id, lang, lang_original, tmm_text(text), tmm_text(markup), {ATTRIBUTE_COLUMNS}
             FROM variant WHERE {in_units} ORDER BY unit_id, position"
    ))?;
    let mut prop_stmt = conn.prepare(&format!(
        "SELECT unit_id, tuv, type, lang, o_encoding, value FROM prop
             WHERE {in_units} ORDER BY unit_id, tuv, ord"
    ))?;
    let mut note_stmt = conn.prepare(&format!(
        "SELECT unit_id, tuv, lang, o_encoding, text FROM note
             WHERE {in_units} ORDER BY unit_id, tuv, ord"
    ))?;
    let mut variants = Cursor::new(variant_stmt.query(params_from_iter(&params))?, |r| {
        let lang: String = r.get(1)?;
        Ok((
            r.get(0)?,
            Variant {
                // Stored tags are normalised already, or kept as written on purpose.
                lang: LanguageTag::verbatim(&lang),
                lang_original: r.get(2)?,
                segment: Segment {
                    text: r.get(3)?,
                    markup: r.get(4)?,
                },
                attributes: attributes(r, 5)?,
                props: Vec::new(),
                notes: Vec::new(),
            },
        ))
    })?;
    let mut props: Cursor<Annotation<Prop>> =
        Cursor::new(prop_stmt.query(params_from_iter(&params))?, |r| {
            Ok((
                r.get(0)?,
                (
                    r.get(1)?,
                    Prop {
                        kind: r.get(2)?,
                        lang: r.get(3)?,
                        o_encoding: r.get(4)?,
                        value: r.get(5)?,
                    },
                ),
            ))
        })?;
    let mut notes: Cursor<Annotation<Note>> =
        Cursor::new(note_stmt.query(params_from_iter(&params))?, |r| {
            Ok((
                r.get(0)?,
                (
                    r.get(1)?,
                    Note {
                        lang: r.get(2)?,
                        o_encoding: r.get(3)?,
                        text: r.get(4)?,
                    },
                ),
            ))
        })?;
    let mut rows = unit_stmt.query(params_from_iter(&params))?;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let mut attributes = attributes(r, 5)?;
        attributes.segtype = r.get(4)?;
        let mut unit = TranslationUnit {
            tuid: r.get(2)?,
            srclang: r.get(3)?,
            attributes,
            ..Default::default()
        };
        variants.take(id, |v| unit.variants.push(v))?;
        let (mut unit_props, mut unit_notes) = (Vec::new(), Vec::new());
        props.take(id, |p| unit_props.push(p))?;
        notes.take(id, |n| unit_notes.push(n))?;
        if !filter.units.is_empty()
            && !super::filter::unit_metadata(conn, UnitId(id))?
                .is_some_and(|m| filter.units.admits(&m))
        {
            continue;
        }
        if !filter.finish_unit(&mut unit, unit_props, unit_notes) {
            continue;
        }
        count += 1;
        f(StoredUnit {
            id: UnitId(id),
            origin_id: OriginId(r.get(1)?),
            unit,
        })?;
    }
    Ok(count)
}

fn export_header(conn: &Connection, filter: &ExportFilter) -> Result<Header> {
    let (clause, params) = filter.unit_where();
    let origins: Vec<i64> = conn
        .prepare(&format!(
            "SELECT DISTINCT origin_id FROM unit WHERE {clause} LIMIT 2"
        ))?
        .query_map(params_from_iter(&params), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let header = match origins.as_slice() {
        [only] => origin_header(conn, *only)?,
        _ => {
            let langs: Vec<String> = conn
                .prepare(&format!(
                    "SELECT DISTINCT source_lang FROM unit WHERE {clause} LIMIT 2"
                ))?
                .query_map(params_from_iter(&params), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            ExportFilter::mixed_header(&langs)
        }
    };
    Ok(filter.restrict_header(header))
}

impl ExportFilter {
    /// The header of an export of several origins: tmm's own, with the source language
    /// they share (`*all*` when they differ).
    pub(super) fn mixed_header(source_langs: &[String]) -> Header {
        let srclang = match source_langs {
            [one] => one.clone(),
            _ => "*all*".into(),
        };
        Header::of_tmm(srclang, "sentence")
    }

    /// `header` with `*all*` as its source language when the filter leaves that language
    /// out.
    pub(super) fn restrict_header(&self, mut header: Header) -> Header {
        if !self.langs.is_empty() {
            let kept = header
                .srclang
                .as_deref()
                .and_then(|s| LanguageTag::parse(s).ok())
                .is_some_and(|s| self.keeps(&s));
            if !kept {
                header.srclang = Some("*all*".into());
            }
        }
        header
    }

    /// Puts a unit's props and notes read as `(tuv, value)` where they belong, applies
    /// the language filter, and says whether the unit is kept.
    pub(super) fn finish_unit(
        &self,
        unit: &mut TranslationUnit,
        props: Vec<(i64, Prop)>,
        notes: Vec<(i64, Note)>,
    ) -> bool {
        for (tuv, p) in props {
            match tuv {
                0 => unit.props.push(p),
                n => {
                    if let Some(v) = unit.variants.get_mut(n as usize - 1) {
                        v.props.push(p)
                    }
                }
            }
        }
        for (tuv, n) in notes {
            match tuv {
                0 => unit.notes.push(n),
                k => {
                    if let Some(v) = unit.variants.get_mut(k as usize - 1) {
                        v.notes.push(n)
                    }
                }
            }
        }
        if !self.langs.is_empty() {
            unit.variants.retain(|v| self.keeps(&v.lang));
            if unit.variants.len() < 2 {
                return false;
            }
        }
        true
    }
}

fn origin_header(conn: &Connection, origin_id: i64) -> Result<Header> {
    let mut header = conn.query_row(
            &format!("SELECT srclang, adminlang, segtype, udes, {ATTRIBUTE_COLUMNS} FROM origin WHERE id = ?1"),
            [origin_id],
            |r| {
                let mut attributes = attributes(r, 4)?;
                attributes.segtype = r.get(2)?;
                Ok(Header {
                    srclang: r.get(0)?,
                    adminlang: r.get(1)?,
                    attributes,
                    props: Vec::new(),
                    notes: Vec::new(),
                    udes: r.get(3)?,
                })
            },
        )?;
    header.props = conn
            .prepare("SELECT type, lang, o_encoding, value FROM origin_prop WHERE origin_id = ?1 ORDER BY ord")?
            .query_map([origin_id], |r| {
                Ok(Prop {
                    kind: r.get(0)?,
                    lang: r.get(1)?,
                    o_encoding: r.get(2)?,
                    value: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    header.notes = conn
        .prepare(
            "SELECT lang, o_encoding, text FROM origin_note WHERE origin_id = ?1 ORDER BY ord",
        )?
        .query_map([origin_id], |r| {
            Ok(Note {
                lang: r.get(0)?,
                o_encoding: r.get(1)?,
                text: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(header)
}

impl Store {
    /// Writes the selected units as TMX 1.4b to `out`. A unit holding a character XML 1.0
    /// forbids outside its segment text (where it becomes a placeholder) cannot be written;
    /// it is left out and named in the result, and the others are written.
    ///
    /// # Errors
    /// [`Error::Database`]; I/O errors of `out` as [`Error::Io`] on `out_name`.
    pub fn export_tmx<W: Write>(
        &self,
        filter: &ExportFilter,
        out: W,
        out_name: &std::path::Path,
        original_lang_tags: bool,
    ) -> Result<TmxExport> {
        let io = |e: std::io::Error| Error::io(out_name, e);
        let header = self.export_header(filter)?;
        let mut writer = TmxWriter::new(out, &header).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::Output(format!("header: {e}")),
            _ => io(e),
        })?;
        writer.original_lang_tags = original_lang_tags;
        let mut result = TmxExport::default();
        self.for_each_unit(filter, |stored| match writer.write_unit(&stored.unit) {
            Ok(()) => {
                result.units += 1;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                result.refused.push(e.to_string());
                Ok(())
            }
            Err(e) => Err(io(e)),
        })?;
        writer.finish().map_err(io)?;
        Ok(result)
    }
}
