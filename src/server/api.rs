//! `/api/v1`: lookup, concordance, units, origins and statistics.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};

use super::problem::Problem;
use super::{ApiJson, ApiQuery, AppState, blocking, json};
use crate::lang::LanguageTag;
use crate::matching::{ConcordanceHit, Query, SuggestOptions, Suggestion};
use crate::model::{Note, OriginId, Prop, Segment, TranslationUnit, UnitId, Variant};
use crate::store::{Role, StoredUnit};
use crate::text::Segmentation;

/// Segments one lookup takes at most.
pub const MAX_BATCH: usize = 100;
/// The longest text one segment may have, in bytes.
pub const MAX_TEXT: usize = 20_000;
/// Concordance hits one page has at most.
const MAX_HITS: usize = 500;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lookup", post(lookup))
        .route("/api/v1/concordance", get(concordance))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/origins", get(origins))
        .route("/api/v1/origins/{id}", delete(delete_origin))
        .route("/api/v1/units", post(add_unit))
        .route(
            "/api/v1/units/{id}",
            get(get_unit).put(put_unit).delete(delete_unit),
        )
}

/// Parses the language in request field `field`.
pub(crate) fn language(field: &str, raw: &str) -> Result<LanguageTag, Problem> {
    LanguageTag::parse(raw).map_err(|e| Problem::invalid(field, format!("{field}: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupRequest {
    source: String,
    target: String,
    #[serde(default)]
    segments: Option<Vec<SegmentIn>>,
    /// A whole document instead of segments: cut as `unit` says.
    #[serde(default)]
    document: Option<String>,
    /// `text` (paragraphs or sentences) or `tmx` (the source variants of its units).
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    /// For a document: the first segment to look up (a document of more than 100
    /// segments is looked up 100 at a time).
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default)]
    min: Option<u32>,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentIn {
    text: String,
    #[serde(default)]
    prev: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Serialize)]
struct SegmentResult {
    segment: usize,
    text: String,
    /// Exactly what `tmm suggest --json` prints for this text.
    matches: Vec<Suggestion>,
    /// For a document: why this segment could not be matched (only punctuation, too long).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct LookupResponse {
    source: String,
    target: String,
    /// The segments of the request (of the whole document, for a document).
    total_segments: usize,
    results: Vec<SegmentResult>,
}

async fn lookup(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LookupRequest>,
) -> Result<Response, Problem> {
    let from = language("source", &req.source)?;
    let to = language("target", &req.target)?;
    if from == to {
        return Err(Problem::invalid(
            "target",
            "source and target are the same language",
        ));
    }
    let min = req.min.unwrap_or(70);
    if min > 100 {
        return Err(Problem::invalid("min", "min is a score, 0 to 100"));
    }
    let limit = req.limit.unwrap_or(5);
    if !(1..=50).contains(&limit) {
        return Err(Problem::invalid("limit", "limit must be 1 to 50"));
    }
    let caller = state.authorize(&headers, Role::Read).await?;
    drop(caller);
    let matcher = state.matcher.clone();
    let response = blocking(move || {
        let mut options = SuggestOptions::new(from.clone(), to.clone());
        options.min = min;
        options.limit = limit;
        // The languages first: an unknown one is the request's fault, not a segment's.
        for (field, lang) in [("source", &from), ("target", &to)] {
            if !matcher.holds_language(lang).map_err(Problem::from)? {
                return Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    format!("{field}: the memory holds no segments in \"{lang}\""),
                )
                .field(field));
            }
        }
        let (segments, in_document, total, first) = segments_of(&req, &from)?;
        let mut results = Vec::with_capacity(segments.len());
        for (n, s) in segments.iter().enumerate() {
            let i = first + n;
            let query = Query {
                text: &s.text,
                previous: s.prev.as_deref(),
                next: s.next.as_deref(),
                position: in_document.then_some(i),
            };
            let (matches, error) = match matcher.suggest(&query, &options) {
                Ok(m) => (m.suggestions, None),
                Err(crate::Error::Query(m)) if in_document => (Vec::new(), Some(m)),
                Err(e) => {
                    return Err(Problem::from_error(&e, &|_| format!("segments[{i}].text")));
                }
            };
            results.push(SegmentResult {
                segment: i,
                text: s.text.clone(),
                matches,
                error,
            });
        }
        Ok(LookupResponse {
            source: from.to_string(),
            target: to.to_string(),
            total_segments: total,
            results,
        })
    })
    .await?;
    Ok(json(&response))
}

/// The segments of a lookup with their previous segments, whether they come from a
/// document (whose segments may fail one by one), how many the request has in all, and the
/// index of the first.
#[allow(clippy::type_complexity)]
fn segments_of(
    req: &LookupRequest,
    from: &LanguageTag,
) -> Result<(Vec<SegmentIn>, bool, usize, usize), Problem> {
    let too_long = |field: String| {
        Problem::invalid(
            field.clone(),
            format!("{field}: over {MAX_TEXT} bytes; split it into paragraphs or sentences"),
        )
    };
    let (texts, in_document): (Vec<SegmentIn>, bool) = match (&req.segments, &req.document) {
        (Some(segs), None) => {
            for (i, s) in segs.iter().enumerate() {
                if s.text.len() > MAX_TEXT {
                    return Err(too_long(format!("segments[{i}].text")));
                }
                if s.prev.as_ref().is_some_and(|p| p.len() > MAX_TEXT) {
                    return Err(too_long(format!("segments[{i}].prev")));
                }
                if s.next.as_ref().is_some_and(|p| p.len() > MAX_TEXT) {
                    return Err(too_long(format!("segments[{i}].next")));
                }
            }
            (segs.clone(), false)
        }
        (None, Some(doc)) => {
            let texts = match req.format.as_deref().unwrap_or("text") {
                "text" => {
                    let unit = match req.unit.as_deref().unwrap_or("paragraph") {
                        "paragraph" => Segmentation::Paragraph,
                        "sentence" => Segmentation::Sentence,
                        _ => {
                            return Err(Problem::invalid("unit", "unit is paragraph or sentence"));
                        }
                    };
                    crate::text::segments(doc, from, unit)
                }
                "tmx" => tmx_sources(doc, from)?,
                _ => return Err(Problem::invalid("format", "format is text or tmx")),
            };
            if let Some(i) = texts.iter().position(|t| t.len() > MAX_TEXT) {
                return Err(too_long(format!("document (segment {i})")));
            }
            // A document's context is the previous segment, as in `tmm suggest --file`.
            let with_prev = texts
                .iter()
                .enumerate()
                .map(|(i, t)| SegmentIn {
                    text: t.clone(),
                    prev: i.checked_sub(1).map(|p| texts[p].clone()),
                    next: None,
                })
                .collect();
            (with_prev, true)
        }
        _ => {
            return Err(Problem::invalid(
                "segments",
                "give either segments or document",
            ));
        }
    };
    if texts.is_empty() {
        return Err(Problem::invalid("segments", "no segment to look up"));
    }
    let total = texts.len();
    if in_document {
        let offset = req.offset.unwrap_or(0);
        if offset >= total {
            return Err(Problem::invalid(
                "offset",
                format!("offset {offset}: the document has {total} segments"),
            ));
        }
        let page = texts.into_iter().skip(offset).take(MAX_BATCH).collect();
        return Ok((page, true, total, offset));
    }
    if req.offset.is_some() {
        return Err(Problem::invalid("offset", "offset goes with document"));
    }
    if texts.len() > MAX_BATCH {
        return Err(Problem::invalid(
            "segments",
            format!(
                "{} segments: at most {MAX_BATCH} in one lookup",
                texts.len()
            ),
        ));
    }
    Ok((texts, false, total, 0))
}

/// The source-language texts of a TMX document's units, read by the library's TMX reader.
fn tmx_sources(doc: &str, from: &LanguageTag) -> Result<Vec<String>, Problem> {
    let input =
        crate::formats::Input::from_reader("document", std::io::Cursor::new(doc.to_string()));
    let options = crate::formats::ReadOptions {
        format: Some(crate::formats::Format::Tmx),
        ..Default::default()
    };
    let mut source = crate::formats::open(input, &options)
        .map_err(|e| Problem::from_error(&e, &|_| "document".into()))?;
    let mut texts = Vec::new();
    while let Some(item) = source
        .units
        .next_item()
        .map_err(|e| Problem::from_error(&e, &|_| "document".into()))?
    {
        if let crate::formats::Item::Unit(u) = item
            && let Some(v) = u
                .unit
                .variants
                .iter()
                .find(|v| crate::lang::matches(from, &v.lang))
        {
            texts.push(v.segment.text.clone());
        }
    }
    Ok(texts)
}

#[derive(Deserialize)]
struct ConcordanceParams {
    q: Option<String>,
    lang: Option<String>,
    target: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
struct ConcordancePage {
    hits: Vec<ConcordanceHit>,
    offset: usize,
    limit: usize,
    /// True when more hits follow this page.
    more: bool,
}

async fn concordance(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ConcordanceParams>,
) -> Result<Response, Problem> {
    let q =
        p.q.filter(|q| !q.trim().is_empty())
            .ok_or_else(|| Problem::invalid("q", "q: give the phrase to look up"))?;
    if q.len() > MAX_TEXT {
        return Err(Problem::invalid("q", format!("q: over {MAX_TEXT} bytes")));
    }
    let lang = language(
        "lang",
        p.lang
            .as_deref()
            .ok_or_else(|| Problem::invalid("lang", "lang: give the phrase's language"))?,
    )?;
    let target = p
        .target
        .as_deref()
        .map(|t| language("target", t))
        .transpose()?;
    let limit = p.limit.unwrap_or(20);
    if !(1..=MAX_HITS).contains(&limit) {
        return Err(Problem::invalid(
            "limit",
            format!("limit must be 1 to {MAX_HITS}"),
        ));
    }
    let offset = p.offset.unwrap_or(0);
    if offset > 10_000 {
        return Err(Problem::invalid("offset", "offset is at most 10000"));
    }
    state.authorize(&headers, Role::Read).await?;
    let matcher = state.matcher.clone();
    let page = blocking(move || {
        let langs = std::iter::once(("lang", &lang)).chain(target.iter().map(|t| ("target", t)));
        for (field, l) in langs {
            if !matcher.holds_language(l).map_err(Problem::from)? {
                return Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    format!("{field}: the memory holds no segments in \"{l}\""),
                )
                .field(field));
            }
        }
        let mut hits = matcher
            .concordance(&q, &lang, target.as_ref(), offset + limit + 1)
            .map_err(|e| Problem::from_error(&e, &|_| "q".into()))?;
        let more = hits.len() > offset + limit;
        let hits: Vec<ConcordanceHit> = hits.drain(..).skip(offset).take(limit).collect();
        Ok(ConcordancePage {
            hits,
            offset,
            limit,
            more,
        })
    })
    .await?;
    Ok(json(&page))
}

async fn stats(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    state.authorize(&headers, Role::Read).await?;
    let store = state.store.clone();
    let stats = blocking(move || store.stats().map_err(Problem::from)).await?;
    Ok(json(&stats))
}

async fn origins(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    state.authorize(&headers, Role::Read).await?;
    let store = state.store.clone();
    let origins = blocking(move || store.origins().map_err(Problem::from)).await?;
    Ok(json(&origins))
}

fn id_of(raw: &str, what: &str) -> Result<i64, Problem> {
    raw.parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| Problem::invalid("id", format!("{what} id must be a positive number")))
}

async fn delete_origin(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = OriginId(id_of(&id, "an origin")?);
    state.authorize(&headers, Role::Admin).await?;
    let (store, wait) = (state.store.clone(), state.config.write_wait);
    let deleted =
        blocking(move || store.delete_origin(id, Some(wait)).map_err(Problem::from)).await?;
    match deleted {
        Some(units) => Ok(json(
            &serde_json::json!({"origin": id, "units_deleted": units}),
        )),
        None => Err(Problem::not_found(format!("no origin {id}"))),
    }
}

/// A unit as the API reads and writes it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnitJson {
    #[serde(default, skip_deserializing)]
    id: Option<UnitId>,
    #[serde(default, skip_deserializing)]
    origin_id: Option<OriginId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tuid: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    props: Vec<PropJson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<NoteJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creationid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creationdate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    changeid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    changedate: Option<String>,
    variants: Vec<VariantJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantJson {
    lang: String,
    text: String,
    /// The segment's inline markup (TMX), when it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    markup: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    props: Vec<PropJson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<NoteJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PropJson {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lang: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteJson {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lang: Option<String>,
}

impl From<&PropJson> for Prop {
    fn from(p: &PropJson) -> Prop {
        Prop {
            kind: p.kind.clone(),
            lang: p.lang.clone(),
            o_encoding: None,
            value: p.value.clone(),
        }
    }
}

impl From<&NoteJson> for Note {
    fn from(n: &NoteJson) -> Note {
        Note {
            lang: n.lang.clone(),
            o_encoding: None,
            text: n.text.clone(),
        }
    }
}

impl UnitJson {
    fn from_stored(s: StoredUnit) -> Self {
        let u = s.unit;
        let props = |ps: &[Prop]| {
            ps.iter()
                .map(|p| PropJson {
                    kind: p.kind.clone(),
                    value: p.value.clone(),
                    lang: p.lang.clone(),
                })
                .collect()
        };
        let notes = |ns: &[Note]| {
            ns.iter()
                .map(|n| NoteJson {
                    text: n.text.clone(),
                    lang: n.lang.clone(),
                })
                .collect()
        };
        UnitJson {
            id: Some(s.id),
            origin_id: Some(s.origin_id),
            tuid: u.tuid.clone(),
            props: props(&u.props),
            notes: notes(&u.notes),
            creationid: u.attributes.creationid.clone(),
            creationdate: u.attributes.creationdate.clone(),
            changeid: u.attributes.changeid.clone(),
            changedate: u.attributes.changedate.clone(),
            variants: u
                .variants
                .iter()
                .map(|v| VariantJson {
                    lang: v.lang.to_string(),
                    text: v.segment.text.clone(),
                    markup: v.segment.markup.clone(),
                    props: props(&v.props),
                    notes: notes(&v.notes),
                })
                .collect(),
        }
    }

    /// The unit to store, recorded as changed by `who` now (and created then, for a new one).
    fn to_unit(
        &self,
        who: &str,
        created: Option<(Option<String>, Option<String>)>,
    ) -> Result<TranslationUnit, Problem> {
        if self.variants.len() < 2 {
            return Err(Problem::invalid(
                "variants",
                "a unit needs variants in at least two languages",
            ));
        }
        if self.variants.len() > 200 {
            return Err(Problem::invalid("variants", "at most 200 variants"));
        }
        let mut variants: Vec<Variant> = Vec::with_capacity(self.variants.len());
        for (i, v) in self.variants.iter().enumerate() {
            let lang = language(&format!("variants[{i}].lang"), &v.lang)?;
            if variants.iter().any(|w| w.lang == lang) {
                return Err(Problem::invalid(
                    format!("variants[{i}].lang"),
                    format!("variants[{i}].lang: a second variant in {lang}"),
                ));
            }
            if v.text.trim().is_empty() {
                return Err(Problem::invalid(
                    format!("variants[{i}].text"),
                    format!("variants[{i}].text is empty"),
                ));
            }
            if v.text.len() > MAX_TEXT {
                return Err(Problem::invalid(
                    format!("variants[{i}].text"),
                    format!("variants[{i}].text: over {MAX_TEXT} bytes"),
                ));
            }
            if let Some(c) = v
                .text
                .chars()
                .find(|&c| crate::formats::tmx::is_forbidden_char(c))
            {
                return Err(Problem::invalid(
                    format!("variants[{i}].text"),
                    format!(
                        "variants[{i}].text holds U+{:04X}, which TMX cannot carry",
                        c as u32
                    ),
                ));
            }
            let segment = match &v.markup {
                None => Segment::plain(v.text.clone()),
                Some(m) => checked_markup(i, &lang, &v.text, m)?,
            };
            let mut variant = Variant::new(lang, "");
            variant.segment = segment;
            variant.props = v.props.iter().map(Prop::from).collect();
            variant.notes = v.notes.iter().map(Note::from).collect();
            variants.push(variant);
        }
        let now = crate::formats::tmx::now_date();
        let mut unit = TranslationUnit {
            tuid: self.tuid.clone(),
            srclang: Some(variants[0].lang.to_string()),
            props: self.props.iter().map(Prop::from).collect(),
            notes: self.notes.iter().map(Note::from).collect(),
            variants,
            ..Default::default()
        };
        let (creationid, creationdate) =
            created.unwrap_or((Some(who.to_string()), Some(now.clone())));
        unit.attributes.creationid = creationid;
        unit.attributes.creationdate = creationdate;
        unit.attributes.changeid = Some(who.to_string());
        unit.attributes.changedate = Some(now);
        Ok(unit)
    }
}

/// A variant's inline markup, read by the library's TMX reader so that only well-formed
/// TMX inline codes are stored, in canonical form, and the text agrees with it.
fn checked_markup(
    i: usize,
    lang: &LanguageTag,
    text: &str,
    markup: &str,
) -> Result<Segment, Problem> {
    let field = format!("variants[{i}].markup");
    let doc = format!(
        "<tmx version=\"1.4\"><header creationtool=\"tmm\" creationtoolversion=\"1\" \
         segtype=\"sentence\" o-tmf=\"tmm\" adminlang=\"en\" srclang=\"{lang}\" datatype=\"plaintext\"/>\
         <body><tu><tuv xml:lang=\"{lang}\"><seg>{markup}</seg></tuv></tu></body></tmx>"
    );
    let bad = |detail: String| Problem::invalid(field.clone(), format!("{field}: {detail}"));
    let input = crate::formats::Input::from_reader("markup", std::io::Cursor::new(doc));
    let options = crate::formats::ReadOptions {
        format: Some(crate::formats::Format::Tmx),
        ..Default::default()
    };
    let mut source = crate::formats::open(input, &options).map_err(|e| bad(e.to_string()))?;
    let mut segment = None;
    while let Some(item) = source.units.next_item().map_err(|e| bad(e.to_string()))? {
        match item {
            crate::formats::Item::Unit(u) => {
                segment = u.unit.variants.into_iter().next().map(|v| v.segment);
            }
            crate::formats::Item::Invalid { message, .. } => return Err(bad(message)),
            crate::formats::Item::Skipped { .. } => {}
        }
    }
    let segment = segment.ok_or_else(|| bad("not a TMX segment's content".into()))?;
    if segment.text.trim() != text.trim() {
        return Err(bad(format!(
            "its text is {:?}, not the variant's text",
            segment.text
        )));
    }
    Ok(segment)
}

async fn add_unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UnitJson>,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, Role::Write).await?;
    let who = caller.change_id().to_string();
    let unit = body.to_unit(&who, None)?;
    let (store, wait) = (state.store.clone(), state.config.write_wait);
    let stored = blocking(move || {
        let id = store
            .add_unit(&unit, &who, Some(wait))
            .map_err(Problem::from)?;
        store
            .unit(id)
            .map_err(Problem::from)?
            .ok_or_else(|| Problem::internal(&"a unit just stored is gone"))
    })
    .await?;
    let mut response = json(&UnitJson::from_stored(stored));
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

async fn get_unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = UnitId(id_of(&id, "a unit")?);
    state.authorize(&headers, Role::Read).await?;
    let store = state.store.clone();
    match blocking(move || store.unit(id).map_err(Problem::from)).await? {
        Some(u) => Ok(json(&UnitJson::from_stored(u))),
        None => Err(Problem::not_found(format!("no unit {id}"))),
    }
}

async fn put_unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UnitJson>,
) -> Result<Response, Problem> {
    let id = UnitId(id_of(&id, "a unit")?);
    let caller = state.authorize(&headers, Role::Write).await?;
    let who = caller.change_id().to_string();
    let (store, wait) = (state.store.clone(), state.config.write_wait);
    let stored = blocking(move || {
        let Some(old) = store.unit(id).map_err(Problem::from)? else {
            return Err(Problem::not_found(format!("no unit {id}")));
        };
        let created = (
            old.unit.attributes.creationid.clone(),
            old.unit.attributes.creationdate.clone(),
        );
        let unit = body.to_unit(&who, Some(created))?;
        if !store
            .replace_unit(id, &unit, Some(wait))
            .map_err(Problem::from)?
        {
            return Err(Problem::not_found(format!("no unit {id}")));
        }
        store
            .unit(id)
            .map_err(Problem::from)?
            .ok_or_else(|| Problem::not_found(format!("no unit {id}")))
    })
    .await?;
    Ok(json(&UnitJson::from_stored(stored)))
}

async fn delete_unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = UnitId(id_of(&id, "a unit")?);
    state.authorize(&headers, Role::Write).await?;
    let (store, wait) = (state.store.clone(), state.config.write_wait);
    let n = blocking(move || store.delete_units(&[id], Some(wait)).map_err(Problem::from)).await?;
    if n == 0 {
        return Err(Problem::not_found(format!("no unit {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
