//! The tmserver/amaGama protocol of translate-toolkit, which Virtaal, Pootle and Weblate
//! speak: `GET /tmserver/{slang}/{tlang}/unit/{text}` (or `…/unit/?source=TEXT`) answers
//! `[{"source", "target", "quality", "rank"}]` best first, and `GET /tmserver/languages/`
//! the languages held.
//!
//! Clients differ in how they build the path, so it is read from the raw request path:
//! empty parts (`//`, from a base URL ending in `/`) are skipped, each part is
//! percent-decoded UTF-8 on its own (so `%2F` in the text is a `/` of the text), and
//! language codes come as `pt_br`, `pt_BR`, `pt-BR` or `sr@latin`.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::problem::Problem;
use super::{AppState, blocking};
use crate::lang::LanguageTag;
use crate::matching::{Query, SuggestOptions};
use crate::store::Role;

/// Matches answered at most.
const MAX_CANDIDATES: usize = 50;

pub(crate) fn routes(cors: Option<&str>) -> Router<AppState> {
    let router = Router::new()
        .route("/tmserver/{*rest}", get(tmserver))
        .route("/tmserver", get(tmserver));
    match cors.and_then(|o| HeaderValue::from_str(o).ok()) {
        Some(origin) => router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list([origin]))
                .allow_methods([Method::GET])
                .allow_headers([header::AUTHORIZATION]),
        ),
        None => router,
    }
}

/// Paths the router does not know: a tmserver path behind a doubled slash
/// (`//tmserver/…`), else a 404 problem.
pub(crate) async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let parts = path_parts(request.uri().path());
    if parts.first().map(String::as_str) == Some("tmserver") && request.method() == Method::GET {
        return tmserver(State(state), request).await;
    }
    Problem::not_found(format!(
        "no route {} (see /openapi.json)",
        request.uri().path()
    ))
    .into_response()
}

/// The raw path's non-empty parts, still percent-encoded.
fn path_parts(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Percent-decodes one path part or query value as UTF-8.
pub(crate) fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A language code as tmserver clients send it: `pt_br`, `pt_BR`, `pt-BR`, `sr@latin`.
pub(crate) fn client_language(raw: &str) -> Result<LanguageTag, Problem> {
    let (base, modifier) = match raw.split_once('@') {
        Some((b, m)) => (b, Some(m.to_ascii_lowercase())),
        None => (raw, None),
    };
    let tag = match modifier.as_deref() {
        None => base.to_string(),
        Some("latin") => format!("{base}-Latn"),
        Some("cyrillic") => format!("{base}-Cyrl"),
        Some(m) if m.len() >= 5 && m.len() <= 8 && m.bytes().all(|b| b.is_ascii_lowercase()) => {
            // A variant such as `ca@valencia`.
            format!("{base}-{m}")
        }
        Some(_) => {
            return Err(Problem::invalid(
                "language",
                format!("unknown language modifier in `{raw}`"),
            ));
        }
    };
    LanguageTag::parse(&tag).map_err(|e| Problem::invalid("language", e.to_string()))
}

/// A tag the way Weblate compares codes: lowercase with `_`, scripts as `@latin` and
/// `@cyrillic`.
pub(crate) fn weblate_code(tag: &LanguageTag) -> String {
    let mut out = String::new();
    let mut modifier = None;
    for (i, sub) in tag.as_str().split('-').enumerate() {
        match sub {
            "Latn" if i > 0 => modifier = Some("latin"),
            "Cyrl" if i > 0 => modifier = Some("cyrillic"),
            _ => {
                if !out.is_empty() {
                    out.push('_');
                }
                out.push_str(&sub.to_ascii_lowercase());
            }
        }
    }
    if let Some(m) = modifier {
        out.push('@');
        out.push_str(m);
    }
    out
}

#[derive(Serialize)]
struct Candidate {
    source: String,
    target: String,
    quality: f64,
    rank: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Languages {
    source_languages: Vec<String>,
    target_languages: Vec<String>,
}

/// `application/json; charset=utf-8`, as tmserver answers.
fn tm_json<T: Serialize>(value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn tmserver(State(state): State<AppState>, request: Request) -> Response {
    match answer(state, request).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn answer(state: AppState, request: Request) -> Result<Response, Problem> {
    let raw_path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    // The parts after `tmserver`, the text (everything after `unit/`) kept whole.
    let after = raw_path
        .trim_start_matches('/')
        .split_once("tmserver")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default();
    let parts = path_parts(&after);
    state.authorize(request.headers(), Role::Read).await?;
    if parts.len() == 1 && parts[0] == "languages" {
        let store = state.store.clone();
        let stats = blocking(move || store.stats().map_err(Problem::from)).await?;
        let mut codes: Vec<String> = stats
            .languages
            .iter()
            .filter_map(|(l, _)| LanguageTag::parse(l).ok())
            .map(|t| weblate_code(&t))
            .collect();
        codes.sort();
        codes.dedup();
        return Ok(tm_json(&Languages {
            source_languages: codes.clone(),
            target_languages: codes,
        }));
    }
    if parts.len() < 3 || parts[2] != "unit" {
        return Err(Problem::not_found(
            "tmserver paths are /tmserver/{source}/{target}/unit/{text} and /tmserver/languages/",
        ));
    }
    let decode = |s: &str, what: &str| {
        percent_decode(s)
            .ok_or_else(|| Problem::bad_request(format!("{what} is not percent-encoded UTF-8")))
    };
    let from = client_language(&decode(&parts[0], "the source language")?)?;
    let to = client_language(&decode(&parts[1], "the target language")?)?;
    // The text: what follows `unit/` in the raw path (a client may leave `/` unquoted).
    let unit_at = after
        .match_indices("/unit/")
        .next()
        .map(|(i, _)| i + "/unit/".len());
    let raw_text = unit_at.map(|i| &after[i..]).unwrap_or("");
    let mut params = std::collections::HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(&v.replace('+', " "), k)?;
        params.insert(k.to_string(), v);
    }
    let text = if raw_text.is_empty() {
        params.get("source").cloned().ok_or_else(|| {
            Problem::bad_request("give the text in the path (…/unit/TEXT) or as ?source=TEXT")
        })?
    } else {
        decode(raw_text, "the text")?
    };
    if text.len() > super::api::MAX_TEXT {
        return Err(Problem::invalid(
            "text",
            format!("the text is over {} bytes", super::api::MAX_TEXT),
        ));
    }
    let number = |key: &str, default: f64, max: f64| -> Result<f64, Problem> {
        match params.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|n| (0.0..=max).contains(n))
                .ok_or_else(|| {
                    Problem::invalid(key, format!("{key} must be a number from 0 to {max}"))
                }),
        }
    };
    let min = number("min_similarity", 75.0, 100.0)?;
    let max = number("max_candidates", 3.0, MAX_CANDIDATES as f64)? as usize;
    if max == 0 {
        return Ok(tm_json(&Vec::<Candidate>::new()));
    }
    let matcher = state.matcher.clone();
    let candidates = blocking(move || {
        let mut options = SuggestOptions::new(from, to);
        options.min = min.ceil() as u32;
        options.limit = max;
        let query = Query {
            text: &text,
            ..Default::default()
        };
        match matcher.suggest(&query, &options) {
            Ok(m) => Ok(m
                .suggestions
                .into_iter()
                .map(|s| Candidate {
                    source: s.source,
                    target: s.adapted.map(|a| a.text).unwrap_or(s.target),
                    quality: f64::from(s.score.min(100)),
                    rank: (s.similarity * 1000.0).round() / 10.0,
                })
                .collect::<Vec<_>>()),
            // A language the memory does not hold, or a text with no words: no match.
            Err(crate::Error::NoSegments { .. } | crate::Error::Query(_)) => Ok(Vec::new()),
            Err(e) => Err(Problem::from(e)),
        }
    })
    .await?;
    Ok(tm_json(&candidates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_language_codes_are_read_as_tags() {
        for (raw, tag) in [
            ("pt_br", "pt-BR"),
            ("pt_BR", "pt-BR"),
            ("pt-BR", "pt-BR"),
            ("sr@latin", "sr-Latn"),
            ("sr@cyrillic", "sr-Cyrl"),
            ("ca@valencia", "ca-valencia"),
            ("zh_CN", "zh-CN"),
        ] {
            assert_eq!(client_language(raw).unwrap().as_str(), tag, "{raw}");
        }
        assert!(client_language("sr@1").is_err());
        assert!(client_language("CN").is_err());
    }

    #[test]
    fn codes_are_listed_as_weblate_compares_them() {
        for (tag, code) in [
            ("pt-BR", "pt_br"),
            ("zh-Hans-CN", "zh_hans_cn"),
            ("sr-Latn", "sr@latin"),
            ("en", "en"),
        ] {
            assert_eq!(weblate_code(&LanguageTag::parse(tag).unwrap()), code);
        }
    }

    #[test]
    fn percent_decoding_keeps_slashes_and_refuses_bad_bytes() {
        assert_eq!(percent_decode("a%2Fb%20c").as_deref(), Some("a/b c"));
        assert_eq!(percent_decode("caf%C3%A9").as_deref(), Some("café"));
        assert!(percent_decode("%FF").is_none());
        assert!(percent_decode("%4").is_none());
    }
}
