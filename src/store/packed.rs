//! Variants' text and markup stored compressed: a zstd frame against a dictionary of the
//! variant's language, trained from the first variants of that language an import stores
//! (`text_dictionary` in schema.sql). Segments are short (a sentence or a paragraph), too
//! short for a compressor on its own; with a dictionary of what the language's segments
//! share they take about half their bytes.
//!
//! SQL reads such a column through `tmm_text(column)`, registered on every connection
//! ([`register`]): the text of a frame, any other value as it is. PostgreSQL stores text
//! plain and defines `tmm_text` as the identity, so the statements both backends share are
//! the same.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, Transaction};

use crate::error::Result;

/// The four bytes every zstd frame begins with, left out of what is stored.
const FRAME_MAGIC: [u8; 4] = 0xFD2F_B528u32.to_le_bytes();
/// The first four bytes of a zstd dictionary; its id follows.
const DICTIONARY_MAGIC: [u8; 4] = 0xEC30_A437u32.to_le_bytes();
/// zstd's default level: 1.85x on the reference corpus against 1.81x at level 9, for a
/// quarter of the time.
const LEVEL: i32 = 3;
/// 64 KiB: on the reference corpus 4% smaller than 32 KiB, and as small as 110 KiB.
const DICTIONARY_SIZE: usize = 64 * 1024;
/// Variants of a language an import stores plain before it trains the language's
/// dictionary (they are then compressed too). An import with fewer leaves the language
/// plain.
pub(crate) const SAMPLES: usize = 4000;
/// How many rows before its own a writer still sampling looks back at for more variants of
/// the language ([`Packer::finish`]): [`SAMPLES`] of each of six languages stored in turn,
/// few enough rows to read in milliseconds.
const LOOK_BACK: i64 = 6 * SAMPLES as i64;
/// The largest text a frame may claim to hold (a corrupt header must not allocate more).
const MAX_TEXT: u64 = 1 << 30;

/// A text as stored: as it is, or as a frame without its magic.
pub(crate) enum Stored<'a> {
    Plain(&'a str),
    Packed(Vec<u8>),
}

impl<'a> Stored<'a> {
    /// `text` as its frame when there is one, else as it is.
    fn of(text: &'a str, frame: Option<Vec<u8>>) -> Self {
        match frame {
            Some(frame) => Stored::Packed(frame),
            None => Stored::Plain(text),
        }
    }
}

impl ToSql for Stored<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Stored::Plain(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Stored::Packed(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// A variant stored plain while its language's dictionary is not trained yet.
struct Sample {
    id: i64,
    text: String,
    markup: Option<String>,
}

enum Lang {
    /// Collecting the first variants, up to [`SAMPLES`].
    Sampling(Vec<Sample>),
    Packing(zstd::zstd_safe::CDict<'static>),
    /// Training failed (too little to learn from): stored plain by this writer.
    Plain,
}

/// The dictionaries a writer compresses with, by language: shared with the thread that
/// reads its input, which compresses text ahead of the writer with them ([`Prepacker`]).
type Trained = Mutex<HashMap<String, zstd::zstd_safe::CDict<'static>>>;

/// Decides what a writer stores for each text, training dictionaries as it goes; one per
/// transaction.
pub(crate) struct Packer {
    langs: HashMap<String, Lang>,
    framer: Framer,
    /// The store's, told of each dictionary trained, for its own transaction's reads.
    dictionaries: Arc<Dictionaries>,
    /// The languages packing, for a [`Prepacker`].
    trained: Arc<Trained>,
}

impl Packer {
    pub(crate) fn new(dictionaries: Arc<Dictionaries>) -> Self {
        Packer {
            langs: HashMap::new(),
            framer: Framer::default(),
            dictionaries,
            trained: Arc::default(),
        }
    }

    /// Compresses text in another thread with the dictionaries this writer packs with, so
    /// far and from now on: an import's reader packs each unit before the writer gets it.
    pub(crate) fn prepacker(&self) -> Prepacker {
        Prepacker {
            trained: self.trained.clone(),
            framer: Framer::default(),
        }
    }

    /// From now on `lang`'s text is compressed with `dictionary`, here and by prepackers.
    fn packing(&mut self, lang: &str, dictionary: zstd::zstd_safe::CDict<'static>) {
        self.trained
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(lang.to_string(), dictionary.clone());
        self.langs
            .insert(lang.to_string(), Lang::Packing(dictionary));
    }

    /// The language's state, read from the store the first time it is met.
    fn lang(&mut self, tx: &Transaction, lang: &str) -> Result<&mut Lang> {
        if !self.langs.contains_key(lang) {
            let stored: Option<Vec<u8>> = tx
                .prepare_cached(
                    "SELECT dictionary FROM text_dictionary WHERE lang = ?1 ORDER BY id DESC LIMIT 1",
                )?
                .query_row([lang], |r| r.get(0))
                .optional()?;
            match stored.and_then(|d| zstd::zstd_safe::CDict::try_create(&d, LEVEL)) {
                Some(d) => self.packing(lang, d),
                None => {
                    self.langs
                        .insert(lang.to_string(), Lang::Sampling(Vec::new()));
                }
            }
        }
        Ok(self.langs.get_mut(lang).expect("inserted above"))
    }

    /// What to store for `text`, a segment in `lang`.
    pub(crate) fn pack<'a>(
        &mut self,
        tx: &Transaction,
        lang: &str,
        text: &'a str,
    ) -> Result<Stored<'a>> {
        let Lang::Packing(dictionary) = self.lang(tx, lang)? else {
            return Ok(Stored::Plain(text));
        };
        let dictionary = dictionary.clone();
        Ok(self.framer.compress(&dictionary, text))
    }

    /// What to store for a variant's text and markup in `lang`: what a [`Prepacker`] made of
    /// them when it did, else what [`pack`](Self::pack) makes.
    pub(crate) fn pack_variant<'a>(
        &mut self,
        tx: &Transaction,
        lang: &str,
        text: &'a str,
        markup: Option<&'a str>,
        prepacked: Option<Prepacked>,
    ) -> Result<(Stored<'a>, Option<Stored<'a>>)> {
        if let Some(p) = prepacked {
            return Ok((
                Stored::of(text, p.text),
                markup.map(|m| Stored::of(m, p.markup)),
            ));
        }
        let text = self.pack(tx, lang, text)?;
        let markup = match markup {
            Some(m) => Some(self.pack(tx, lang, m)?),
            None => None,
        };
        Ok((text, markup))
    }

    /// Called after variant `id` was stored: while its language has no dictionary, keeps it
    /// as a sample; the last sample trains the dictionary, which is stored, and the samples'
    /// rows are rewritten compressed.
    pub(crate) fn stored(
        &mut self,
        tx: &Transaction,
        lang: &str,
        id: i64,
        text: &str,
        markup: Option<&str>,
    ) -> Result<()> {
        let Lang::Sampling(samples) = self.lang(tx, lang)? else {
            return Ok(());
        };
        samples.push(Sample {
            id,
            text: text.to_string(),
            markup: markup.map(str::to_string),
        });
        if samples.len() < SAMPLES {
            return Ok(());
        }
        let samples = std::mem::take(samples);
        self.train(tx, lang, &samples)
    }

    /// Called before the transaction commits: a language this writer met without a
    /// dictionary and still sampling, with enough of its variants stored plain just before
    /// this writer's (the last [`LOOK_BACK`] rows), trains on them all. A memory built up
    /// from imports of fewer than [`SAMPLES`] variants is then compressed from the import
    /// that brings its recent variants to that many.
    pub(crate) fn finish(&mut self, tx: &Transaction) -> Result<()> {
        let sampling: Vec<String> = self
            .langs
            .iter()
            .filter(|(_, state)| matches!(state, Lang::Sampling(s) if !s.is_empty()))
            .map(|(lang, _)| lang.clone())
            .collect();
        for lang in sampling {
            let Some(Lang::Sampling(samples)) = self.langs.get_mut(&lang) else {
                continue;
            };
            let mine = std::mem::take(samples);
            let first = mine[0].id;
            let mut samples: Vec<Sample> = tx
                .prepare_cached(
                    "SELECT id, tmm_text(text), tmm_text(markup) FROM variant
                     WHERE id >= ?1 AND id < ?2 AND lang = ?3 ORDER BY id DESC LIMIT ?4",
                )?
                .query_map(
                    rusqlite::params![
                        first - LOOK_BACK,
                        first,
                        lang,
                        (SAMPLES - mine.len()) as i64
                    ],
                    |r| {
                        Ok(Sample {
                            id: r.get(0)?,
                            text: r.get(1)?,
                            markup: r.get(2)?,
                        })
                    },
                )?
                .collect::<rusqlite::Result<_>>()?;
            if samples.len() + mine.len() < SAMPLES {
                continue;
            }
            samples.extend(mine);
            self.train(tx, &lang, &samples)?;
        }
        Ok(())
    }

    /// Trains `lang`'s dictionary on `samples`, stores it, and rewrites the samples' rows
    /// compressed with it.
    fn train(&mut self, tx: &Transaction, lang: &str, samples: &[Sample]) -> Result<()> {
        let Some((id, bytes)) = train_dictionary(tx, lang, samples)? else {
            self.langs.insert(lang.to_string(), Lang::Plain);
            return Ok(());
        };
        self.dictionaries.insert(id, &bytes);
        let Some(dictionary) = zstd::zstd_safe::CDict::try_create(&bytes, LEVEL) else {
            self.langs.insert(lang.to_string(), Lang::Plain);
            return Ok(());
        };
        let mut rewrite =
            tx.prepare_cached("UPDATE variant SET text = ?2, markup = ?3 WHERE id = ?1")?;
        for s in samples {
            let text = self.framer.compress(&dictionary, &s.text);
            let markup = s
                .markup
                .as_deref()
                .map(|m| self.framer.compress(&dictionary, m));
            if matches!(text, Stored::Packed(_)) || matches!(markup, Some(Stored::Packed(_))) {
                rewrite.execute(rusqlite::params![s.id, text, markup])?;
            }
        }
        self.packing(lang, dictionary);
        Ok(())
    }
}

/// A variant's text and markup as a [`Prepacker`] compressed them: a frame, or `None` for
/// text stored as it is.
pub(crate) struct Prepacked {
    text: Option<Vec<u8>>,
    markup: Option<Vec<u8>>,
}

/// Compresses units' text in the thread that reads them, with the dictionaries of the
/// [`Packer`] it came from, sparing the writer's thread: on two cores the reader has time
/// to spare, the writer none.
pub(crate) struct Prepacker {
    trained: Arc<Trained>,
    framer: Framer,
}

impl Prepacker {
    /// For each of `unit`'s variants, its text and markup compressed, or `None` when its
    /// language has no dictionary yet (the writer then decides).
    pub(crate) fn pack(&mut self, unit: &crate::model::TranslationUnit) -> Vec<Option<Prepacked>> {
        let trained = self
            .trained
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        unit.variants
            .iter()
            .map(|v| {
                let dictionary = trained.get(v.lang.as_str())?;
                Some(Prepacked {
                    text: self.framer.frame(dictionary, &v.segment.text),
                    markup: v
                        .segment
                        .markup
                        .as_deref()
                        .and_then(|m| self.framer.frame(dictionary, m)),
                })
            })
            .collect()
    }
}

/// A compression context and the buffer it compresses into, reused from frame to frame.
struct Framer {
    cctx: zstd::zstd_safe::CCtx<'static>,
    scratch: Vec<u8>,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            cctx: zstd::zstd_safe::CCtx::create(),
            scratch: Vec::new(),
        }
    }
}

impl Framer {
    /// `text` as a frame without its magic, or as it is when that is no smaller.
    fn compress<'a>(
        &mut self,
        dictionary: &zstd::zstd_safe::CDict<'static>,
        text: &'a str,
    ) -> Stored<'a> {
        Stored::of(text, self.frame(dictionary, text))
    }

    /// `text` as a frame without its magic; `None` when that is no smaller than the text.
    /// The frame is made in the scratch buffer and copied out at its size.
    fn frame(
        &mut self,
        dictionary: &zstd::zstd_safe::CDict<'static>,
        text: &str,
    ) -> Option<Vec<u8>> {
        let bound = zstd::zstd_safe::compress_bound(text.len());
        self.scratch.clear();
        self.scratch.reserve(bound);
        match self
            .cctx
            .compress_using_cdict(&mut self.scratch, text.as_bytes(), dictionary)
        {
            Ok(n)
                if n < text.len() + FRAME_MAGIC.len() && self.scratch.starts_with(&FRAME_MAGIC) =>
            {
                Some(self.scratch[FRAME_MAGIC.len()..n].to_vec())
            }
            _ => None,
        }
    }
}

/// Trains a dictionary for `lang` on `samples` and stores it under the next id (written
/// into the dictionary, so that every frame made with it names it); `None` when zstd finds
/// too little to learn from.
fn train_dictionary(
    tx: &Transaction,
    lang: &str,
    samples: &[Sample],
) -> Result<Option<(u32, Vec<u8>)>> {
    let texts: Vec<&[u8]> = samples
        .iter()
        .flat_map(|s| std::iter::once(s.text.as_str()).chain(s.markup.as_deref()))
        .map(str::as_bytes)
        .collect();
    let Ok(mut dictionary) = zstd::dict::from_samples(&texts, DICTIONARY_SIZE) else {
        return Ok(None);
    };
    if dictionary.len() < 8 || !dictionary.starts_with(&DICTIONARY_MAGIC) {
        return Ok(None);
    }
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM text_dictionary",
        [],
        |r| r.get(0),
    )?;
    let Ok(id32) = u32::try_from(id) else {
        return Ok(None);
    };
    dictionary[4..8].copy_from_slice(&id32.to_le_bytes());
    tx.execute(
        "INSERT INTO text_dictionary (id, lang, dictionary) VALUES (?1, ?2, ?3)",
        rusqlite::params![id, lang, dictionary],
    )?;
    Ok(Some((id32, dictionary)))
}

/// The dictionaries of one database that its connections have read, shared by them. A
/// dictionary is read on first use from its own connection (a frame is only seen once it is
/// committed, and its dictionary with it or before), or given by the writer that trains it
/// (seen by that transaction before the commit).
pub(crate) struct Dictionaries {
    path: PathBuf,
    flags: OpenFlags,
    loaded: Mutex<HashMap<u32, Arc<zstd::zstd_safe::DDict<'static>>>>,
}

impl Dictionaries {
    /// For the database at `path` (a URI when `flags` say so).
    pub(crate) fn new(path: PathBuf, uri: bool) -> Self {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if uri {
            flags |= OpenFlags::SQLITE_OPEN_URI;
        }
        Dictionaries {
            path,
            flags,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    fn insert(&self, id: u32, bytes: &[u8]) {
        if let Some(d) = zstd::zstd_safe::DDict::try_create(bytes)
            && let Ok(mut loaded) = self.loaded.lock()
        {
            loaded.insert(id, Arc::new(d));
        }
    }

    fn get(&self, id: u32) -> std::result::Result<Arc<zstd::zstd_safe::DDict<'static>>, String> {
        if let Some(d) = self.loaded.lock().map_err(|e| e.to_string())?.get(&id) {
            return Ok(d.clone());
        }
        let conn =
            Connection::open_with_flags(&self.path, self.flags).map_err(|e| e.to_string())?;
        let bytes: Vec<u8> = conn
            .query_row(
                "SELECT dictionary FROM text_dictionary WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("a stored text names dictionary {id}, which is missing"))?;
        let d = Arc::new(
            zstd::zstd_safe::DDict::try_create(&bytes)
                .ok_or_else(|| format!("text dictionary {id} is damaged"))?,
        );
        self.loaded
            .lock()
            .map_err(|e| e.to_string())?
            .insert(id, d.clone());
        Ok(d)
    }
}

/// A connection's context to decompress with.
struct Unpacker {
    dictionaries: Arc<Dictionaries>,
    dctx: zstd::zstd_safe::DCtx<'static>,
    frame: Vec<u8>,
}

impl Unpacker {
    fn unpack(&mut self, stored: &[u8]) -> std::result::Result<String, String> {
        self.frame.clear();
        self.frame.extend_from_slice(&FRAME_MAGIC);
        self.frame.extend_from_slice(stored);
        let id = zstd::zstd_safe::get_dict_id_from_frame(&self.frame)
            .ok_or("a stored text is no frame made with a dictionary")?
            .get();
        let dictionary = self.dictionaries.get(id)?;
        let size = match zstd::zstd_safe::get_frame_content_size(&self.frame) {
            Ok(Some(n)) if n <= MAX_TEXT => n as usize,
            _ => return Err("a stored text's frame gives no size".into()),
        };
        let mut text = Vec::with_capacity(size);
        self.dctx
            .decompress_using_ddict(&mut text, &self.frame, &dictionary)
            .map_err(|code| {
                format!(
                    "a stored text does not decompress: {}",
                    zstd::zstd_safe::get_error_name(code)
                )
            })?;
        String::from_utf8(text).map_err(|_| "a stored text is not UTF-8".into())
    }
}

/// Defines `tmm_text(x)` on `conn`: the text of a stored frame; TEXT, NULL and any other
/// value as they are.
pub(crate) fn register(conn: &Connection, dictionaries: Arc<Dictionaries>) -> rusqlite::Result<()> {
    let unpacker = Mutex::new(Unpacker {
        dictionaries,
        dctx: zstd::zstd_safe::DCtx::create(),
        frame: Vec::new(),
    });
    conn.create_scalar_function(
        "tmm_text",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| match ctx.get_raw(0) {
            ValueRef::Blob(stored) => {
                let text = unpacker
                    .lock()
                    .map_err(|e| e.to_string())
                    .and_then(|mut u| u.unpack(stored))
                    .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
                Ok(Value::Text(text))
            }
            other => Ok(Value::try_from(other)?),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    type Written = Vec<(String, Option<String>)>;

    /// A database with the two tables the packer reads and writes, and its dictionaries.
    fn database(dir: &std::path::Path) -> (Connection, Arc<Dictionaries>) {
        let path = dir.join("packed.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE text_dictionary (id INTEGER PRIMARY KEY, lang TEXT NOT NULL, \
             dictionary BLOB NOT NULL);
             CREATE TABLE variant (id INTEGER PRIMARY KEY, lang TEXT NOT NULL, text, markup);",
        )
        .unwrap();
        let dictionaries = Arc::new(Dictionaries::new(path, false));
        register(&conn, dictionaries.clone()).unwrap();
        (conn, dictionaries)
    }

    fn segment(i: usize) -> String {
        format!(
            "Paragraph {i}: the General Assembly welcomes the report of the Secretary-General \
             on item {} and requests a further report at its session number {}.",
            i % 97,
            i % 13
        )
    }

    /// Writes segments `range` in `lang` in one transaction, as a unit writer does.
    fn write(
        conn: &mut Connection,
        dictionaries: &Arc<Dictionaries>,
        lang: &str,
        range: std::ops::Range<usize>,
    ) -> Written {
        let tx = conn.transaction().unwrap();
        let mut packer = Packer::new(dictionaries.clone());
        let mut written = Vec::new();
        for i in range {
            let text = segment(i);
            let markup = (i % 7 == 0).then(|| format!("[[0,1,\"<b>\"],[{i},2,\"</b>\"]]"));
            let stored = packer.pack(&tx, lang, &text).unwrap();
            let stored_markup = markup
                .as_deref()
                .map(|m| packer.pack(&tx, lang, m).unwrap());
            tx.execute(
                "INSERT INTO variant (lang, text, markup) VALUES (?1, ?2, ?3)",
                rusqlite::params![lang, stored, stored_markup],
            )
            .unwrap();
            let id = tx.last_insert_rowid();
            packer
                .stored(&tx, lang, id, &text, markup.as_deref())
                .unwrap();
            written.push((text, markup));
        }
        packer.finish(&tx).unwrap();
        tx.commit().unwrap();
        written
    }

    fn read_back(conn: &Connection) -> Written {
        conn.prepare("SELECT tmm_text(text), tmm_text(markup) FROM variant ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn count(conn: &Connection, sql: &str) -> usize {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
    }

    const BLOBS: &str = "SELECT count(*) FROM variant WHERE typeof(text) = 'blob'";

    #[test]
    fn texts_and_nulls_pass_through_and_a_damaged_frame_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (conn, _) = database(dir.path());
        let text: String = conn
            .query_row("SELECT tmm_text('plain')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(text, "plain");
        let null: Option<String> = conn
            .query_row("SELECT tmm_text(NULL)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(null, None);
        let damaged = conn.query_row("SELECT tmm_text(x'0102030405')", [], |r| {
            r.get::<_, String>(0)
        });
        assert!(damaged.is_err(), "{damaged:?}");
    }

    #[test]
    fn the_samples_train_a_dictionary_and_every_text_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, dictionaries) = database(dir.path());
        let written = write(&mut conn, &dictionaries, "en", 0..SAMPLES + 500);
        assert_eq!(
            count(&conn, BLOBS),
            written.len(),
            "every segment is stored compressed"
        );
        assert_eq!(read_back(&conn), written);

        // A connection opened afterwards reads the dictionary from the file.
        let path = dir.path().join("packed.db");
        let fresh = Connection::open(&path).unwrap();
        register(&fresh, Arc::new(Dictionaries::new(path, false))).unwrap();
        assert_eq!(read_back(&fresh), written);
    }

    #[test]
    fn a_prepacker_packs_with_the_dictionaries_its_writer_packs_with() {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, dictionaries) = database(dir.path());
        let mut written = write(&mut conn, &dictionaries, "en", 0..SAMPLES);
        let tx = conn.transaction().unwrap();
        let mut packer = Packer::new(dictionaries.clone());
        let mut prepacker = packer.prepacker();
        let unit = |i: usize| crate::model::TranslationUnit {
            variants: ["en", "fr"]
                .map(|l| {
                    let mut v = crate::model::Variant::new(l.parse().unwrap(), segment(i));
                    v.segment.markup = Some(format!("[[0,1,\"<b>\"],[{i},2,\"</b>\"]]"));
                    v
                })
                .into(),
            ..Default::default()
        };
        // Before the writer meets English it has no dictionary to share.
        assert!(prepacker.pack(&unit(0)).iter().all(Option::is_none));
        packer.pack(&tx, "en", "meets English").unwrap();
        for i in SAMPLES..SAMPLES + 3 {
            let unit = unit(i);
            let prepacked = prepacker.pack(&unit);
            assert!(
                prepacked[0].is_some() && prepacked[1].is_none(),
                "English only"
            );
            let v = &unit.variants[0];
            let markup = v.segment.markup.as_deref();
            let (text, markup) = packer
                .pack_variant(
                    &tx,
                    "en",
                    &v.segment.text,
                    markup,
                    prepacked.into_iter().next().unwrap(),
                )
                .unwrap();
            assert!(matches!(text, Stored::Packed(_)) && matches!(markup, Some(Stored::Packed(_))));
            tx.execute(
                "INSERT INTO variant (lang, text, markup) VALUES ('en', ?1, ?2)",
                rusqlite::params![text, markup],
            )
            .unwrap();
            written.push((v.segment.text.clone(), v.segment.markup.clone()));
        }
        tx.commit().unwrap();
        assert_eq!(read_back(&conn), written);
    }

    #[test]
    fn small_writes_stay_plain_until_the_recent_ones_make_up_the_samples() {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, dictionaries) = database(dir.path());
        let mut written = write(&mut conn, &dictionaries, "fr", 0..10);
        written.extend(write(&mut conn, &dictionaries, "en", 0..SAMPLES / 2));
        written.extend(write(&mut conn, &dictionaries, "fr", 10..SAMPLES - 1));
        assert_eq!(count(&conn, BLOBS), 0, "no language has {SAMPLES} yet");
        assert_eq!(count(&conn, "SELECT count(*) FROM text_dictionary"), 0);

        written.extend(write(&mut conn, &dictionaries, "fr", SAMPLES..SAMPLES + 1));
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM text_dictionary WHERE lang = 'fr'"
            ),
            1
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM variant WHERE lang = 'fr' AND typeof(text) = 'blob'"
            ),
            SAMPLES,
            "the French variants are rewritten compressed, the English left as they were"
        );
        assert_eq!(read_back(&conn), written);
        written.extend(write(&mut conn, &dictionaries, "fr", 0..1));
        assert_eq!(count(&conn, BLOBS), SAMPLES + 1);
        assert_eq!(read_back(&conn), written);
    }
}
