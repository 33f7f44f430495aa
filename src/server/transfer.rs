//! Streams in and out: `POST /api/v1/import` reads the request body as it arrives into the
//! library's importer on a blocking thread (never the whole body in memory), and
//! `GET /api/v1/export` writes the library's export into the response as it is made.

use std::io::{Read, Write};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use http_body_util::BodyExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::api::language;
use super::problem::Problem;
use super::{ApiQuery, AppState, json};
use crate::formats::{self, Format, Input, ReadOptions};
use crate::store::{DuplicatePolicy, ExportFilter, ImportObserver, ImportOptions, Role};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/import", post(import))
        .route("/api/v1/export", get(export))
}

#[derive(Deserialize)]
struct ImportParams {
    format: Option<String>,
    /// The name the origin gets (the uploaded file's name).
    name: Option<String>,
    from: Option<String>,
    to: Option<String>,
    on_duplicate: Option<String>,
    strict: Option<bool>,
    defer_index: Option<bool>,
    header: Option<bool>,
}

/// What the body pump tells the reader.
enum Chunk {
    Data(Bytes),
    /// The body ended cleanly: the reader may report the end of the file.
    End,
    /// The body failed or went over the limit.
    Failed(String),
}

/// The request body as a blocking `Read`, fed by the async side through a bounded channel.
/// A channel closed without [`Chunk::End`] (the request was dropped) is an error, never an
/// early end of file: a truncated upload must not be imported as if it were whole.
struct BodyReader {
    rx: mpsc::Receiver<Chunk>,
    current: Bytes,
    done: bool,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            if self.done {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Chunk::Data(b)) => self.current = b,
                Some(Chunk::End) => self.done = true,
                Some(Chunk::Failed(why)) => return Err(std::io::Error::other(why)),
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "the client went away before the end of the upload",
                    ));
                }
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

/// Stops the import when the upload failed or the client went away.
struct Canceller(Arc<AtomicBool>);

impl ImportObserver for Canceller {
    fn progress(&mut self, _: u64, _: u64, _: u64) -> ControlFlow<()> {
        if self.0.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Sets the flag when dropped: the handler's future is dropped when its client goes away.
struct CancelOnDrop(Arc<AtomicBool>, bool);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.1 {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

async fn import(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ImportParams>,
    request: Request,
) -> Result<Response, Problem> {
    let (parts, body) = request.into_parts();
    let format = match p.format.as_deref() {
        None | Some("auto") => None,
        Some(f) => Some(Format::from_name(f).ok_or_else(|| {
            Problem::invalid("format", "format is tmx, xliff, po, tsv, csv or jsonl")
        })?),
    };
    let from = p.from.as_deref().map(|l| language("from", l)).transpose()?;
    let to = p.to.as_deref().map(|l| language("to", l)).transpose()?;
    if from.is_some() != to.is_some() {
        return Err(Problem::invalid(
            "from",
            "from and to go together: the languages of a spreadsheet's two columns",
        ));
    }
    let on_duplicate = match p.on_duplicate.as_deref().unwrap_or("keep") {
        "keep" => DuplicatePolicy::Keep,
        "skip" => DuplicatePolicy::Skip,
        "update" => DuplicatePolicy::Update,
        _ => {
            return Err(Problem::invalid(
                "on_duplicate",
                "on_duplicate is keep, skip or update",
            ));
        }
    };
    let name = p.name.unwrap_or_else(|| "upload".into());
    if name.is_empty() || name.len() > 255 || name.contains(['/', '\\', '\0']) {
        return Err(Problem::invalid(
            "name",
            "name is a file name (no folders), 1 to 255 bytes",
        ));
    }
    state.authorize(&parts.headers, Role::Write).await?;
    let limit = state.config.import_limit;
    let length = content_length(&parts.headers);
    if length.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let read = ReadOptions {
        format,
        from,
        to,
        header: p.header,
        ..Default::default()
    };
    let options = ImportOptions {
        on_duplicate,
        strict: p.strict.unwrap_or(false),
        defer_index: p.defer_index.unwrap_or(false),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let mut guard = CancelOnDrop(cancel.clone(), true);
    let (tx, rx) = mpsc::channel::<Chunk>(16);
    let store = state.store.clone();
    let observer_flag = cancel.clone();
    let job = tokio::task::spawn_blocking(move || {
        let reader = BodyReader {
            rx,
            current: Bytes::new(),
            done: false,
        };
        let input = Input::from_reader(name, reader).with_size(length);
        formats::open(input, &read)
            .and_then(|source| store.import(source, &options, &mut Canceller(observer_flag)))
    });
    // Feed the body to the importer; stop on its end, its failure, or the limit.
    let idle = state.config.timeout;
    let mut body = body;
    let mut total = 0u64;
    let mut over_limit = false;
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => Err("the client sent nothing for too long".to_string()),
            Ok(None) => {
                let _ = tx.send(Chunk::End).await;
                break;
            }
            Ok(Some(Err(e))) => Err(format!("reading the upload: {e}")),
            Ok(Some(Ok(frame))) => Ok(frame),
        };
        match frame {
            Ok(frame) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                total += data.len() as u64;
                if total > limit {
                    over_limit = true;
                    cancel.store(true, Ordering::Relaxed);
                    let _ = tx.send(Chunk::Failed("over the import limit".into())).await;
                    break;
                }
                if tx.send(Chunk::Data(data)).await.is_err() {
                    // The importer stopped (a broken file): its error is the answer.
                    break;
                }
            }
            Err(why) => {
                cancel.store(true, Ordering::Relaxed);
                let _ = tx.send(Chunk::Failed(why)).await;
                break;
            }
        }
    }
    drop(tx);
    let result = job.await.map_err(|e| Problem::internal(&e))?;
    guard.1 = false;
    if over_limit {
        return Err(too_large(limit));
    }
    match result {
        Ok(summary) => Ok(json(&summary)),
        Err(crate::Error::Io { error, .. }) => {
            Err(Problem::bad_request(format!("{error}; nothing was stored")).field("body"))
        }
        Err(crate::Error::InvalidOption { option: "from", .. }) => Err(Problem::invalid(
            "from",
            "a TSV or CSV upload needs from and to (the languages of its two columns)",
        )),
        Err(e) => Err(Problem::from_error(&e, &|o| o.to_string())),
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fn too_large(limit: u64) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the upload is over the server's import limit of {limit} bytes; nothing was stored"
        ),
    )
    .field("body")
}

#[derive(Deserialize)]
struct ExportParams {
    langs: Option<String>,
    format: Option<String>,
    /// Moses: the language whose side of the corpus to send.
    side: Option<String>,
    origin: Option<String>,
}

/// Writes into the response body: chunks go through a bounded channel, so a slow client
/// slows the export instead of filling memory.
struct BodyWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
    /// Bytes have gone out: a later failure can only cut the response short.
    sent: bool,
}

const CHUNK: usize = 64 * 1024;

impl Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.sent = true;
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Drop for BodyWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

enum ExportKind {
    Tmx,
    Corpus(crate::corpus::Format),
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, Problem> {
    let kind = match p.format.as_deref().unwrap_or("tmx") {
        "tmx" => ExportKind::Tmx,
        "tsv" => ExportKind::Corpus(crate::corpus::Format::Tsv),
        "jsonl" => ExportKind::Corpus(crate::corpus::Format::Jsonl),
        "moses" => ExportKind::Corpus(crate::corpus::Format::Moses),
        "xliff" => ExportKind::Corpus(crate::corpus::Format::Xliff),
        "xliff2" => ExportKind::Corpus(crate::corpus::Format::Xliff2),
        "po" => ExportKind::Corpus(crate::corpus::Format::Po),
        _ => {
            return Err(Problem::invalid(
                "format",
                "format is tmx, tsv, jsonl, moses, xliff, xliff2 or po",
            ));
        }
    };
    let langs = p
        .langs
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|l| !l.trim().is_empty())
        .map(|l| language("langs", l.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let side = p.side.as_deref().map(|l| language("side", l)).transpose()?;
    let moses = matches!(kind, ExportKind::Corpus(crate::corpus::Format::Moses));
    if moses {
        match &side {
            Some(s) if langs.contains(s) => {}
            _ => {
                return Err(Problem::invalid(
                    "side",
                    "Moses is one file per language: give side=LANG, one of langs",
                ));
            }
        }
    }
    state.authorize(&headers, Role::Read).await?;
    let store = state.store.clone();
    let origin = match p.origin {
        Some(o) => {
            let s = store.clone();
            Some(super::blocking(move || s.find_origin(&o).map_err(Problem::from)).await?)
        }
        None => None,
    };
    let (content_type, extension) = match &kind {
        ExportKind::Tmx => ("application/x-tmx+xml; charset=utf-8", "tmx"),
        ExportKind::Corpus(crate::corpus::Format::Tsv) => {
            ("text/tab-separated-values; charset=utf-8", "tsv")
        }
        ExportKind::Corpus(crate::corpus::Format::Jsonl) => {
            ("application/jsonl; charset=utf-8", "jsonl")
        }
        ExportKind::Corpus(crate::corpus::Format::Xliff | crate::corpus::Format::Xliff2) => {
            ("application/xliff+xml; charset=utf-8", "xlf")
        }
        ExportKind::Corpus(crate::corpus::Format::Po) => {
            ("text/x-gettext-translation; charset=utf-8", "po")
        }
        ExportKind::Corpus(_) => ("text/plain; charset=utf-8", "txt"),
    };
    let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let job = tokio::task::spawn_blocking(move || -> crate::Result<()> {
        let mut out = BodyWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
            sent: false,
        };
        let result = write_export(&store, kind, langs, origin, side, &mut out);
        if let Err(e) = &result
            && out.sent
        {
            // The client must see a broken stream, not a short file that looks whole.
            out.buf.clear();
            let _ = out
                .tx
                .blocking_send(Err(std::io::Error::other(e.to_string())));
        }
        result
    });
    // Until the first bytes, an error can still be a problem response.
    let first = rx.recv().await;
    let (first, job) = match first {
        Some(Ok(bytes)) => (bytes, Some(job)),
        Some(Err(e)) => return Err(Problem::internal(&e)),
        None => {
            let result = job.await.map_err(|e| Problem::internal(&e))?;
            result.map_err(|e| {
                Problem::from_error(&e, &|o| match o {
                    "langs" | "from" | "to" => "langs".into(),
                    other => other.to_string(),
                })
            })?;
            (Bytes::new(), None)
        }
    };
    tokio::spawn(async move {
        // A failure after the first bytes can only cut the stream short: log it.
        if let Some(job) = job
            && let Ok(Err(e)) = job.await
            && !matches!(&e, crate::Error::Io { error, .. } if error.kind() == std::io::ErrorKind::BrokenPipe)
        {
            eprintln!("tmm serve: export failed midway: {e}");
        }
    });
    let stream = futures_stream(first, rx);
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"tmm-export.{extension}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Writes the export to `out`.
fn write_export(
    store: &crate::store::Store,
    kind: ExportKind,
    langs: Vec<crate::lang::LanguageTag>,
    origin: Option<crate::model::OriginId>,
    side: Option<crate::lang::LanguageTag>,
    out: &mut BodyWriter,
) -> crate::Result<()> {
    let moses = matches!(kind, ExportKind::Corpus(crate::corpus::Format::Moses));
    match kind {
        ExportKind::Tmx => {
            let filter = ExportFilter {
                langs,
                origin,
                ..Default::default()
            };
            store.export_tmx(&filter, &mut *out, "response".as_ref(), false)?;
        }
        ExportKind::Corpus(format) => {
            let options = crate::corpus::CorpusOptions {
                format,
                langs,
                origin,
                ..Default::default()
            };
            if moses {
                // Moses writes one file per language: made in a temporary folder, and
                // the side asked for streamed from there.
                let dir =
                    tempfile::tempdir().map_err(|e| crate::Error::io(std::env::temp_dir(), e))?;
                let base = dir.path().join("corpus");
                crate::corpus::export(
                    store,
                    &options,
                    crate::corpus::Output::Path(&base),
                    &mut (),
                )?;
                let side = side.ok_or(crate::Error::Internal("moses without a side"))?;
                let path = dir.path().join(format!("corpus.{side}"));
                let mut file =
                    std::fs::File::open(&path).map_err(|e| crate::Error::io(&path, e))?;
                std::io::copy(&mut file, &mut *out).map_err(|e| crate::Error::io("response", e))?;
            } else {
                crate::corpus::export(
                    store,
                    &options,
                    crate::corpus::Output::Writer(Box::new(&mut *out)),
                    &mut (),
                )?;
            }
        }
    }
    out.flush().map_err(|e| crate::Error::io("response", e))?;
    Ok(())
}

/// The first chunk, then the rest as the export sends them.
fn futures_stream(
    first: Bytes,
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl tokio_stream::Stream<Item = Result<Bytes, std::io::Error>> {
    use tokio_stream::StreamExt;
    tokio_stream::once(Ok(first)).chain(tokio_stream::wrappers::ReceiverStream::new(rx))
}
