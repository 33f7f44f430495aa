//! Parallel corpora for machine translation and research: any language pair (or set) of the
//! memory as Moses text, TSV, JSON Lines or TMX, filtered, deduplicated and split.
//!
//! [`export`] streams the store once (twice with `dedupe`) and writes every output to a
//! temporary file beside its target, renamed into place only when the whole export has
//! succeeded: a failed export leaves no partial file.
//!
//! Filters run in this order, and the [`CorpusSummary`] counts what each one dropped:
//! document, date, empty, untranslated (a target equal to the source), word count, length
//! ratio, duplicate.
//!
//! Deduplication keeps the newest: a first pass over the units that survive the other
//! filters records, for each 64-bit hash of the (normalised) texts, the unit with the latest
//! change date (the highest row id on a tie); the second pass writes only those units. The
//! memory this needs is one hash-map entry (24 bytes and the map's slack) per unit, about
//! 55 MB at a million units; the units themselves are never held.
//!
//! The split is decided by an xxh3 hash (seeded with `seed`) of the normalised source text,
//! so a sentence and all its duplicates always land in the same part.

use crate::formats::jsonl;
use crate::model::OriginId;
pub mod text;
use crate::formats::tsv;

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;

use crate::output::OutputFile;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::error::{Error, Result};
use crate::formats::tmx::TmxWriter;
use crate::lang::LanguageTag;
use crate::model::{TranslationUnit, Variant};
use crate::store::{ExportFilter, Store, StoredUnit, lang_matches};
pub use text::Tags;

/// The output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// TMX 1.4b, bilingual or multilingual, inline markup kept.
    #[default]
    Tmx,
    /// `source<TAB>target`, escaped as [`tsv`] describes.
    Tsv,
    /// One file per language, one segment per line.
    Moses,
    /// One JSON object per unit ([`jsonl::Record`]).
    Jsonl,
}

/// How duplicates are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dedupe {
    /// The same texts, character for character.
    Exact,
    /// The same texts once case, whitespace and punctuation are ignored ([`text::normalize`]).
    Normalized,
}

/// One part of a split: its name (used in the file names) and its share of the units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    pub name: String,
    pub share: f64,
}

/// Parses `train=0.98,dev=0.01,test=0.01`.
///
/// # Errors
/// [`Error::Invalid`] for a malformed part, a repeated name, or shares that do not add up
/// to 1.
pub fn parse_split(spec: &str) -> Result<Vec<Split>> {
    let bad = |m: String| Error::option("split", format!("{spec}: {m}"));
    let mut parts: Vec<Split> = Vec::new();
    for part in spec.split(',') {
        let (name, share) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("`{part}` is not NAME=SHARE")))?;
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(format!(
                "`{name}` is not a usable name (letters, digits, - and _)"
            )));
        }
        let share: f64 = share
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s > 0.0)
            .ok_or_else(|| bad(format!("`{share}` is not a positive number")))?;
        if parts.iter().any(|p| p.name == name) {
            return Err(bad(format!("`{name}` appears twice")));
        }
        parts.push(Split {
            name: name.to_string(),
            share,
        });
    }
    let total: f64 = parts.iter().map(|p| p.share).sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(bad(format!("the shares add up to {total}, not 1")));
    }
    Ok(parts)
}

/// A date bound for `since`/`until` as a sortable number `YYYYMMDDhhmmss`, from a TMX date,
/// an ISO 8601 date-time or a date (`2012-09-12`, `20120912`: the start of that day, or its
/// end when `end_of_day`).
///
/// # Errors
/// [`Error::Invalid`] when the value is not a date.
pub fn parse_date_bound(raw: &str, end_of_day: bool) -> Result<u64> {
    let s = raw.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let date_only = digits.len() == 8 && s.len() <= 10 && jiff_date(&digits).is_some();
    if date_only {
        let day: u64 = digits.parse().unwrap_or(0);
        return Ok(day * 1_000_000 + if end_of_day { 235959 } else { 0 });
    }
    let tmx = match crate::formats::tmx::check_date(s) {
        Ok(d) => Some(d.to_string()),
        Err(converted) => converted,
    };
    tmx.as_deref().and_then(date_key).ok_or_else(|| {
        Error::option(
            "date",
            format!("`{raw}` is not a date (YYYY-MM-DD, YYYYMMDD, YYYYMMDDThhmmssZ or ISO 8601)"),
        )
    })
}

fn jiff_date(digits: &str) -> Option<()> {
    let y = digits[0..4].parse().ok()?;
    let m = digits[4..6].parse().ok()?;
    let d = digits[6..8].parse().ok()?;
    jiff::civil::Date::new(y, m, d).ok().map(|_| ())
}

/// A TMX date `YYYYMMDDThhmmssZ` as the number `YYYYMMDDhhmmss`; `None` when malformed.
fn date_key(date: &str) -> Option<u64> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' {
        return None;
    }
    // Byte by byte: a stored date is not guaranteed to be ASCII.
    b[..8].iter().chain(&b[9..15]).try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

/// What to export and how.
#[derive(Debug, Clone, Default)]
pub struct CorpusOptions {
    pub format: Format,
    /// The languages, source first: two for a bilingual corpus, more for a multilingual one
    /// (TMX, JSON Lines, Moses); `fr` selects fr-FR and fr-CA too. A unit is exported when it
    /// has a variant in every one of them.
    pub langs: Vec<LanguageTag>,
    /// Inline markup in the plain formats (TMX always keeps it).
    pub tags: Tags,
    /// TSV: a first line with the column names.
    pub header: bool,
    /// TSV: add the provenance columns document, date, tuid and origin file.
    pub columns: bool,
    /// Only units whose source language is this one.
    pub source_lang: Option<LanguageTag>,
    /// Only units of this origin (see [`Store::find_origin`]).
    pub origin: Option<OriginId>,
    /// Only units of this document (the origin's document symbol, else its header's
    /// `x-document` prop).
    pub document: Option<String>,
    /// Only units changed at or after this bound ([`parse_date_bound`]).
    pub since: Option<u64>,
    /// Only units changed at or before this bound.
    pub until: Option<u64>,
    /// Drop pairs where a side has fewer words ([`text::word_count`]).
    pub min_words: Option<usize>,
    /// Drop pairs where a side has more words.
    pub max_words: Option<usize>,
    /// Drop pairs whose lengths differ by more than this factor ([`text::length_ratio`]).
    pub max_length_ratio: Option<f64>,
    /// Drop duplicate pairs, keeping the newest.
    pub dedupe: Option<Dedupe>,
    /// Split into parts (empty: one output).
    pub split: Vec<Split>,
    pub seed: u64,
    /// TMX: language tags as the imported files spelled them.
    pub original_lang_tags: bool,
}

/// Units dropped by each filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub document: u64,
    pub date: u64,
    pub empty: u64,
    pub untranslated: u64,
    pub too_few_words: u64,
    pub too_many_words: u64,
    pub length_ratio: u64,
    pub duplicate: u64,
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorpusSummary {
    pub format: Format,
    pub languages: Vec<String>,
    /// Units with a variant in every language, before the filters.
    pub units_read: u64,
    /// Pairs (units) written.
    pub written: u64,
    pub dropped: Dropped,
    /// Moses: segments whose tabs, newlines or carriage returns became spaces.
    pub normalised_segments: u64,
    /// Units written to each part of the split.
    pub splits: Vec<(String, u64)>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// Where the export goes.
pub enum Output<'a> {
    /// Files named after this path: `PATH` itself (TSV, JSON Lines, TMX) or `PATH.LANG`
    /// (Moses); with a split, the part's name goes before the extension
    /// (`corpus.train.tsv`, `corpus.train.en`).
    Path(&'a Path),
    /// One stream (TSV, JSON Lines or TMX without a split).
    Writer(Box<dyn Write + 'a>),
}

type Out<'a> = BufWriter<Box<dyn Write + 'a>>;

enum Sink<'a> {
    Lines(Vec<Out<'a>>),
    Tmx(TmxWriter<Out<'a>>),
}

/// The files of one export, each written under a temporary name until all are complete.
struct Files {
    pending: Vec<Rc<RefCell<OutputFile>>>,
}

/// One of the [`Files`], shared between the writer and the list that commits it.
struct Shared(Rc<RefCell<OutputFile>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

impl Files {
    fn create<'a>(&mut self, target: PathBuf) -> Result<Out<'a>> {
        let file = Rc::new(RefCell::new(OutputFile::create(&target)?));
        self.pending.push(file.clone());
        Ok(BufWriter::with_capacity(
            1 << 16,
            Box::new(Shared(file)) as Box<dyn Write>,
        ))
    }

    /// Puts every file in place; the writers must have been flushed and dropped.
    fn persist(self) -> Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for file in self.pending {
            let file = Rc::try_unwrap(file)
                .map_err(|_| Error::Internal("an output file is still being written"))?
                .into_inner();
            done.push(file.path().to_path_buf());
            file.commit()?;
        }
        Ok(done)
    }
}

/// `base` with `part` before its extension: `c.tsv` → `c.train.tsv`, `c` → `c.train`.
fn part_path(base: &Path, part: &str) -> PathBuf {
    match (base.file_stem(), base.extension()) {
        (Some(stem), Some(ext)) => base.with_file_name(format!(
            "{}.{part}.{}",
            stem.to_string_lossy(),
            ext.to_string_lossy()
        )),
        _ => {
            let mut s = base.as_os_str().to_owned();
            s.push(format!(".{part}"));
            PathBuf::from(s)
        }
    }
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(format!(".{suffix}"));
    PathBuf::from(s)
}

/// A unit that passed the filters: its chosen variants (one per language, in order), their
/// texts as rendered, and its date.
struct Selected<'u> {
    variants: Vec<&'u Variant>,
    texts: Vec<String>,
    date: Option<u64>,
}

/// The unit's change date: the unit's, else the latest of its variants', else the unit's
/// creation date, else the latest variant creation date.
fn unit_date(unit: &TranslationUnit, variants: &[&Variant]) -> Option<u64> {
    let key = |d: &Option<String>| d.as_deref().and_then(date_key);
    key(&unit.attributes.changedate)
        .or_else(|| {
            variants
                .iter()
                .filter_map(|v| key(&v.attributes.changedate))
                .max()
        })
        .or_else(|| key(&unit.attributes.creationdate))
        .or_else(|| {
            variants
                .iter()
                .filter_map(|v| key(&v.attributes.creationdate))
                .max()
        })
}

/// The tag a JSON Lines record names a variant's language by: as stored, or as the file
/// spelled it under `original_lang_tags`.
fn jsonl_tag(v: &Variant, options: &CorpusOptions) -> String {
    match (&v.lang_original, options.original_lang_tags) {
        (Some(o), true) => o.clone(),
        _ => v.lang.to_string(),
    }
}

/// A sortable key back to the TMX date.
fn date_string(key: u64) -> String {
    let s = format!("{key:014}");
    format!("{}T{}Z", &s[..8], &s[8..])
}

/// The origins' file names and documents.
struct Origins(HashMap<OriginId, (String, Option<String>)>);

impl Origins {
    fn load(store: &Store) -> Result<Self> {
        Ok(Origins(store.origin_labels()?))
    }
    fn name(&self, id: OriginId) -> &str {
        self.0.get(&id).map(|o| o.0.as_str()).unwrap_or("")
    }
    fn document(&self, id: OriginId) -> Option<&str> {
        self.0.get(&id).and_then(|o| o.1.as_deref())
    }
}

struct Pipeline<'o> {
    options: &'o CorpusOptions,
    origins: Origins,
    dropped: Dropped,
    units_read: u64,
}

impl Pipeline<'_> {
    /// The unit's variants and texts when it passes every filter but deduplication; else
    /// counts the filter that dropped it.
    fn select<'u>(&mut self, stored: &'u StoredUnit) -> Option<Selected<'u>> {
        let o = self.options;
        let unit = &stored.unit;
        let variants: Vec<&Variant> = o
            .langs
            .iter()
            .map(|l| unit.variants.iter().find(|v| lang_matches(l, &v.lang)))
            .collect::<Option<_>>()?;
        self.units_read += 1;
        let d = &mut self.dropped;
        if let Some(doc) = &o.document {
            if self.origins.document(stored.origin_id) != Some(doc.as_str()) {
                d.document += 1;
                return None;
            }
        }
        let date = unit_date(unit, &variants);
        if o.since.is_some() || o.until.is_some() {
            let inside = date
                .is_some_and(|t| o.since.is_none_or(|s| t >= s) && o.until.is_none_or(|u| t <= u));
            if !inside {
                d.date += 1;
                return None;
            }
        }
        let tags = match o.format {
            Format::Tmx => Tags::Strip,
            _ => o.tags,
        };
        let texts: Vec<String> = variants
            .iter()
            .map(|v| text::render(&v.segment, tags))
            .collect();
        // Filters look at the words, never at the markup.
        let plain = |i: usize| variants[i].segment.text.trim();
        if (0..texts.len()).any(|i| plain(i).is_empty()) {
            d.empty += 1;
            return None;
        }
        if (1..texts.len()).any(|i| plain(i) == plain(0)) {
            d.untranslated += 1;
            return None;
        }
        if o.min_words.is_some() || o.max_words.is_some() {
            let counts: Vec<usize> = (0..texts.len())
                .map(|i| text::word_count(plain(i)))
                .collect();
            if o.min_words.is_some_and(|m| counts.iter().any(|&c| c < m)) {
                d.too_few_words += 1;
                return None;
            }
            if o.max_words.is_some_and(|m| counts.iter().any(|&c| c > m)) {
                d.too_many_words += 1;
                return None;
            }
        }
        if let Some(max) = o.max_length_ratio {
            if (1..texts.len()).any(|i| text::length_ratio(plain(0), plain(i)) > max) {
                d.length_ratio += 1;
                return None;
            }
        }
        Some(Selected {
            variants,
            texts,
            date,
        })
    }

    fn dedupe_key(&self, s: &Selected) -> u64 {
        let mut buf = String::new();
        for (t, v) in s.texts.iter().zip(&s.variants) {
            match self.options.dedupe {
                Some(Dedupe::Normalized) => buf.push_str(&text::normalize(&v.segment.text)),
                _ => buf.push_str(t),
            }
            buf.push('\0');
        }
        xxh3_64(buf.as_bytes())
    }

    fn part(&self, s: &Selected) -> usize {
        let split = &self.options.split;
        if split.len() < 2 {
            return 0;
        }
        let key = text::normalize(&s.variants[0].segment.text);
        let h = xxh3_64_with_seed(key.as_bytes(), self.options.seed);
        let x = (h >> 11) as f64 / (1u64 << 53) as f64;
        let mut edge = 0.0;
        for (i, p) in split.iter().enumerate() {
            edge += p.share;
            if x < edge {
                return i;
            }
        }
        split.len() - 1
    }
}

/// Receives progress during an export; the command-line program draws a progress bar.
pub trait CorpusObserver {
    /// Called every few thousand units: pass `pass` of `passes` (two with `dedupe`), units
    /// read so far in this pass, of `total` in the store (the filters select fewer).
    fn progress(&mut self, _pass: u32, _passes: u32, _units: u64, _total: u64) {}
}

impl CorpusObserver for () {}

/// Exports the corpus `options` describe to `output`.
///
/// # Errors
/// [`Error::Invalid`] for options that do not fit together, a language with no variant in
/// the store, or a language set no unit has; [`Error::Io`] when an output cannot be written
/// (nothing is left behind); [`Error::Database`].
pub fn export(
    store: &Store,
    options: &CorpusOptions,
    output: Output,
    observer: &mut dyn CorpusObserver,
) -> Result<CorpusSummary> {
    check(store, options, &output)?;
    let total = store.unit_count()?;
    let passes = if options.dedupe.is_some() { 2 } else { 1 };
    let mut seen = 0u64;
    let mut tick = |pass: u32, seen: &mut u64| {
        *seen += 1;
        if *seen % 4096 == 0 {
            observer.progress(pass, passes, *seen, total);
        }
    };
    let filter = ExportFilter {
        langs: options.langs.clone(),
        source_lang: options.source_lang.clone(),
        origin: options.origin,
        ..Default::default()
    };
    let mut pipeline = Pipeline {
        options,
        origins: Origins::load(store)?,
        dropped: Dropped::default(),
        units_read: 0,
    };
    let parts: Vec<Option<&str>> = if options.split.len() < 2 {
        vec![None]
    } else {
        options
            .split
            .iter()
            .map(|s| Some(s.name.as_str()))
            .collect()
    };
    let mut files = Files {
        pending: Vec::new(),
    };
    let mut sinks: Vec<Sink> = Vec::new();
    let (base, mut stream) = match output {
        Output::Path(p) => (Some(p), None),
        Output::Writer(w) => (None, Some(w)),
    };
    // The corpus's first language is its source, whatever the units' own source was, so
    // that every unit has a variant in the declared source language.
    let header = match options.format {
        Format::Tmx => Some(crate::model::Header {
            srclang: Some(options.langs[0].to_string()),
            ..store.export_header(&filter)?
        }),
        _ => None,
    };
    for part in &parts {
        let mut outs: Vec<Out> = Vec::new();
        match (stream.take(), base) {
            (Some(w), _) => outs.push(BufWriter::with_capacity(1 << 16, w)),
            (None, Some(base)) => {
                for p in part_files(base, options, *part) {
                    outs.push(files.create(p)?);
                }
            }
            (None, None) => unreachable!("a path or a stream"),
        }
        let sink = match options.format {
            Format::Tmx => {
                let out = outs.pop().expect("one output");
                let name = files
                    .pending
                    .last()
                    .map(|p| p.borrow().path().to_path_buf());
                let mut w = TmxWriter::new(out, header.as_ref().expect("tmx header"))
                    .map_err(|e| io_error(e, name.as_deref()))?;
                w.original_lang_tags = options.original_lang_tags;
                Sink::Tmx(w)
            }
            Format::Tsv if options.header => {
                let mut names: Vec<String> = options.langs.iter().map(|l| l.to_string()).collect();
                if options.columns {
                    names.extend(["document", "date", "tuid", "origin"].map(String::from));
                }
                let out = &mut outs[0];
                writeln!(out, "{}", names.join("\t")).map_err(|e| io_error(e, None))?;
                Sink::Lines(outs)
            }
            _ => Sink::Lines(outs),
        };
        sinks.push(sink);
    }

    // First pass for --dedupe: the newest unit of each distinct pair. The files exist
    // already, so an unwritable path fails before this long pass.
    let winners: Option<HashMap<u64, (u64, i64)>> = match options.dedupe {
        None => None,
        Some(_) => {
            // Sized up front: growing would briefly hold the old table and the new one.
            let mut newest: HashMap<u64, (u64, i64)> = HashMap::with_capacity(total as usize);
            store.for_each_unit(&filter, |stored| {
                tick(1, &mut seen);
                if let Some(s) = pipeline.select(&stored) {
                    let candidate = (s.date.unwrap_or(0), stored.id.0);
                    let entry = newest.entry(pipeline.dedupe_key(&s)).or_insert(candidate);
                    if candidate > *entry {
                        *entry = candidate;
                    }
                }
                Ok(())
            })?;
            pipeline.dropped = Dropped::default();
            pipeline.units_read = 0;
            seen = 0;
            Some(newest)
        }
    };

    let mut counts = vec![0u64; parts.len()];
    let mut normalised = 0u64;
    let mut line = String::new();
    store.for_each_unit(&filter, |stored| {
        tick(passes, &mut seen);
        let Some(s) = pipeline.select(&stored) else {
            return Ok(());
        };
        if let Some(w) = &winners {
            let newest = w.get(&pipeline.dedupe_key(&s)).map(|e| e.1);
            if newest != Some(stored.id.0) {
                pipeline.dropped.duplicate += 1;
                return Ok(());
            }
        }
        let part = pipeline.part(&s);
        counts[part] += 1;
        let io = |e| io_error(e, None);
        match &mut sinks[part] {
            Sink::Tmx(w) => {
                let source = &s.variants[0].lang;
                let unit = TranslationUnit {
                    srclang: (*source != options.langs[0]).then(|| source.to_string()),
                    variants: s.variants.iter().map(|v| (*v).clone()).collect(),
                    ..stored.unit.clone()
                };
                w.write_unit(&unit).map_err(io)
            }
            Sink::Lines(outs) => match options.format {
                Format::Moses => {
                    for (out, t) in outs.iter_mut().zip(&s.texts) {
                        let t = match text::one_line(t) {
                            Some(clean) => {
                                normalised += 1;
                                std::borrow::Cow::Owned(clean)
                            }
                            None => std::borrow::Cow::Borrowed(t.as_str()),
                        };
                        out.write_all(t.as_bytes()).map_err(io)?;
                        out.write_all(b"\n").map_err(io)?;
                    }
                    Ok(())
                }
                Format::Tsv => {
                    line.clear();
                    line.push_str(&tsv::escape(&s.texts[0]));
                    line.push('\t');
                    line.push_str(&tsv::escape(&s.texts[1]));
                    if options.columns {
                        let unit = &stored.unit;
                        for field in [
                            pipeline.origins.document(stored.origin_id).unwrap_or(""),
                            &s.date.map(date_string).unwrap_or_default(),
                            unit.tuid.as_deref().unwrap_or(""),
                            pipeline.origins.name(stored.origin_id),
                        ] {
                            line.push('\t');
                            line.push_str(&tsv::escape(field));
                        }
                    }
                    line.push('\n');
                    outs[0].write_all(line.as_bytes()).map_err(io)
                }
                _ => {
                    let unit = &stored.unit;
                    let record = jsonl::Record {
                        tuid: unit.tuid.clone(),
                        // Keyed by the languages asked for, so every line has the same
                        // keys; the stored tags are beside them.
                        text: jsonl::Texts(
                            options
                                .langs
                                .iter()
                                .zip(&s.texts)
                                .map(|(l, t)| (l.to_string(), t.clone()))
                                .collect(),
                        ),
                        lang: jsonl::Texts(
                            options
                                .langs
                                .iter()
                                .zip(&s.variants)
                                .map(|(l, v)| (l.to_string(), jsonl_tag(v, options)))
                                .collect(),
                        ),
                        document: pipeline
                            .origins
                            .document(stored.origin_id)
                            .map(String::from),
                        creationdate: unit.attributes.creationdate.clone(),
                        changedate: unit.attributes.changedate.clone(),
                        props: unit
                            .props
                            .iter()
                            .map(|p| jsonl::RecordProp {
                                kind: p.kind.clone(),
                                lang: p.lang.clone(),
                                value: p.value.clone(),
                            })
                            .collect(),
                    };
                    serde_json::to_writer(&mut outs[0], &record)
                        .map_err(|e| io(std::io::Error::other(e)))?;
                    outs[0].write_all(b"\n").map_err(io)
                }
            },
        }
    })?;

    if pipeline.units_read == 0 {
        return Err(Error::Nothing(format!(
            "no unit has a variant in each of {}{}",
            list(&options.langs),
            if options.origin.is_some() || options.source_lang.is_some() {
                " among the units selected"
            } else {
                ""
            }
        )));
    }
    for sink in sinks {
        let mut outs = match sink {
            Sink::Tmx(w) => vec![w.finish().map_err(|e| io_error(e, None))?],
            Sink::Lines(outs) => outs,
        };
        for out in &mut outs {
            out.flush().map_err(|e| io_error(e, None))?;
        }
    }
    let written = counts.iter().sum();
    Ok(CorpusSummary {
        format: options.format,
        languages: options.langs.iter().map(|l| l.to_string()).collect(),
        units_read: pipeline.units_read,
        written,
        dropped: pipeline.dropped,
        normalised_segments: normalised,
        splits: if parts.len() > 1 {
            options
                .split
                .iter()
                .map(|s| s.name.clone())
                .zip(counts)
                .collect()
        } else {
            Vec::new()
        },
        files: files.persist()?,
    })
}

fn list(langs: &[LanguageTag]) -> String {
    langs
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn io_error(e: std::io::Error, path: Option<&Path>) -> Error {
    match e.kind() {
        std::io::ErrorKind::InvalidData => Error::Output(e.to_string()),
        _ => Error::io(path.unwrap_or(Path::new("output")), e),
    }
}

/// The files of one part of the export.
fn part_files(base: &Path, options: &CorpusOptions, part: Option<&str>) -> Vec<PathBuf> {
    match options.format {
        Format::Moses => options
            .langs
            .iter()
            .map(|l| match part {
                Some(p) => with_suffix(&with_suffix(base, p), l.as_str()),
                None => with_suffix(base, l.as_str()),
            })
            .collect(),
        _ => vec![match part {
            Some(p) => part_path(base, p),
            None => base.to_path_buf(),
        }],
    }
}

/// Refuses options that do not fit together and languages the store does not have.
fn check(store: &Store, options: &CorpusOptions, output: &Output) -> Result<()> {
    let invalid = |option: &'static str, m: &str| Err(Error::option(option, m));
    if options.langs.len() < 2 {
        return invalid("langs", "a corpus needs at least two languages");
    }
    if options.format == Format::Tsv && options.langs.len() != 2 {
        return invalid(
            "langs",
            "TSV is bilingual: give two languages (JSON Lines and TMX take more)",
        );
    }
    if matches!(output, Output::Writer(_)) {
        if options.format == Format::Moses {
            return invalid(
                "output",
                "Moses writes one file per language: give an output path, not a stream",
            );
        }
        if options.split.len() > 1 {
            return invalid(
                "output",
                "a split writes one file per part: give an output path, not a stream",
            );
        }
    }
    if let (Some(min), Some(max)) = (options.min_words, options.max_words)
        && min > max
    {
        return invalid(
            "min_words",
            "the least number of words is larger than the most",
        );
    }
    if options
        .max_length_ratio
        .is_some_and(|r| r.is_nan() || r < 1.0)
    {
        return invalid("max_length_ratio", "the length ratio must be at least 1");
    }
    for lang in &options.langs {
        if !store.holds_language(lang)? {
            return Err(Error::NoSegments {
                lang: lang.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
