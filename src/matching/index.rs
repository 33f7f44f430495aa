//! The match index's postings, independent of where they are stored: the language key,
//! the compact encoding of a term's postings (varint id deltas with a length byte), the
//! in-memory builder that accumulates them for a chunk, and the thread that tokenises
//! variants beside the import. The store (`src/store/index.rs`) keeps them in its tables.

use std::collections::HashMap;

use crate::error::Result;
use crate::text::token::content_ids;

/// Variants one import indexes row by row before it switches to a bulk build: a twentieth of
/// the stored variants, between 2,000 and 50,000. Row by row costs about 22 inserts per
/// variant; a bulk build adds a chunk row per term, and every chunk is one more row a query
/// reads, so small imports into a large memory stay row by row.
pub fn live_limit(stored_variants: i64) -> u64 {
    (stored_variants / 20).clamp(2_000, 50_000) as u64
}

/// The language key of the index: the primary subtag, lower case.
pub fn lang_key(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or(lang)
        .to_ascii_lowercase()
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Decodes a postings blob into `(variant id, length)` pairs.
pub fn decode_postings(blob: &[u8], mut f: impl FnMut(i64, u8)) {
    let mut id: u64 = 0;
    let mut i = 0;
    while i < blob.len() {
        id = id.wrapping_add(get_varint(blob, &mut i));
        let Some(&len) = blob.get(i) else { break };
        i += 1;
        f(id as i64, len);
    }
}

/// The varint at `blob[*i..]`, moving `i` past it (a truncated one ends with the blob).
fn get_varint(blob: &[u8], i: &mut usize) -> u64 {
    let mut v: u64 = 0;
    let mut shift = 0;
    while let Some(&b) = blob.get(*i) {
        *i += 1;
        v |= u64::from(b & 0x7F) << shift;
        shift += 7;
        if b & 0x80 == 0 || shift > 63 {
            break;
        }
    }
    v
}

/// Encodes `(variant id, length)` pairs, ids ascending.
#[cfg(test)]
pub(crate) fn encode_postings(postings: &[(i64, u8)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * 3);
    let mut last = 0;
    for &(id, len) in postings {
        put_varint(&mut out, (id - last) as u64);
        out.push(len);
        last = id;
    }
    out
}

/// The length byte of a posting: content tokens, capped.
pub fn len_byte(n: usize) -> u8 {
    n.min(255) as u8
}

/// The distinct terms of a segment with how often each occurs, and its length in content
/// tokens.
pub fn terms(text: &str) -> (Vec<(u64, u32)>, usize) {
    let ids = content_ids(text);
    let n = ids.len();
    let mut counts: HashMap<u64, u32> = HashMap::with_capacity(n);
    for id in index_ids(text, ids) {
        *counts.entry(id).or_default() += 1;
    }
    (counts.into_iter().collect(), n)
}

/// The ids a segment is indexed under: its content tokens and, when it holds a date, the
/// date's words too, so that a phrase lookup finds a month name inside a date. (More ids
/// only loosen the count filter's bound, which stays an upper bound.)
fn index_ids(text: &str, mut ids: Vec<u64>) -> Vec<u64> {
    let date = crate::text::token::key_id(crate::text::token::DATE_KEY);
    if ids.contains(&date) {
        ids.extend(crate::text::token::word_ids(text));
    }
    ids
}

/// What building (part of) the index did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IndexStats {
    pub variants: u64,
    pub terms: u64,
    pub postings: u64,
    pub bytes: u64,
}

impl IndexStats {
    /// Adds another chunk's figures.
    pub fn add(&mut self, other: IndexStats) {
        self.variants += other.variants;
        self.terms += other.terms;
        self.postings += other.postings;
        self.bytes += other.bytes;
    }

    /// Counts one term's list of `df` postings in `bytes` bytes.
    fn add_list(&mut self, df: u32, bytes: usize) {
        self.terms += 1;
        self.postings += u64::from(df);
        self.bytes += bytes as u64;
    }
}

/// Term ids are already xxh3 hashes: hashing them again is wasted work.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        // Spread sequential ids (variant ids) over the top bits hashbrown uses as tags.
        self.0 ^= v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u16(&mut self, v: u16) {
        self.0 = self.0.rotate_left(16) ^ u64::from(v);
    }
}

/// A map keyed by term ids (already hashes).
pub type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<PassThrough>>;

/// One term's postings in a run.
struct List {
    term: u64,
    lang: u16,
    df: u32,
    last: i64,
    bytes: Vec<u8>,
}

/// Lists are kept in blocks of this many, so that the lists of a run never move (a growing
/// vector of them would copy them all, and hold twice their memory while it does).
const LIST_BLOCK: usize = 8192;

fn list_hash(lang: u16, term: u64) -> u64 {
    term ^ u64::from(lang).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Postings accumulated in memory, in increasing variant id order, then written as blobs.
/// The table holds only a list's number (4 bytes a slot, against 56 for a map holding the
/// lists themselves: 30 MB of a 96 MiB run).
#[derive(Default)]
pub struct PostingsBuilder {
    langs: Vec<String>,
    table: hashbrown::HashTable<u32>,
    lists: Vec<Vec<List>>,
    /// The lists in `lists`.
    count: u32,
    ids: Vec<u64>,
    /// The lists of the variant being added, one per term.
    found: Vec<u32>,
    variants: u64,
    first: Option<i64>,
    last: Option<i64>,
    /// The bytes the lists' buffers take (capacity and the allocator's overhead).
    memory: usize,
    /// The language tags seen, each with its key's index in `langs`.
    tags: Vec<(String, u16)>,
}

/// What the allocator takes for each list's buffer besides its capacity.
const ALLOCATION_OVERHEAD: usize = 16;

fn list(lists: &[Vec<List>], i: u32) -> &List {
    let i = i as usize;
    &lists[i / LIST_BLOCK][i % LIST_BLOCK]
}

fn list_mut(lists: &mut [Vec<List>], i: u32) -> &mut List {
    let i = i as usize;
    &mut lists[i / LIST_BLOCK][i % LIST_BLOCK]
}

impl PostingsBuilder {
    /// Adds a variant's postings; ids must come in increasing order.
    pub fn add(&mut self, id: i64, lang: &str, text: &str) {
        self.first.get_or_insert(id);
        self.last = Some(id);
        // A memory holds a few language tags: each one's key is made once.
        let l = match self.tags.iter().find(|t| t.0 == lang) {
            Some(t) => t.1,
            None => {
                let key = lang_key(lang);
                let l = match self.langs.iter().position(|x| *x == key) {
                    Some(l) => l,
                    None => {
                        self.langs.push(key);
                        self.langs.len() - 1
                    }
                } as u16;
                self.tags.push((lang.to_string(), l));
                l
            }
        };
        let content = content_ids(text);
        let len = len_byte(content.len());
        self.ids.clear();
        self.ids.extend(index_ids(text, content));
        self.ids.sort_unstable();
        self.ids.dedup();
        // Two passes: first each term's list (a table slot and a list, far apart in memory
        // for most terms), then each list's posting. The first pass's lookups do not depend on
        // each other, so the processor overlaps their cache misses instead of waiting for
        // each one before the next term.
        self.found.clear();
        for &term in &self.ids {
            let hash = list_hash(l, term);
            let lists = &mut self.lists;
            let i = match self.table.find(hash, |&i| {
                let e = list(lists, i);
                e.term == term && e.lang == l
            }) {
                Some(&i) => i,
                None => {
                    let i = self.count;
                    self.count += 1;
                    if lists.last().is_none_or(|b| b.len() == LIST_BLOCK) {
                        lists.push(Vec::with_capacity(LIST_BLOCK));
                    }
                    lists.last_mut().expect("a block was pushed").push(List {
                        term,
                        lang: l,
                        df: 0,
                        last: 0,
                        bytes: Vec::new(),
                    });
                    self.memory += ALLOCATION_OVERHEAD;
                    let lists = &*lists;
                    self.table.insert_unique(hash, i, |&j| {
                        let e = list(lists, j);
                        list_hash(e.lang, e.term)
                    });
                    i
                }
            };
            self.found.push(i);
        }
        for &i in &self.found {
            let b = list_mut(&mut self.lists, i);
            let capacity = b.bytes.capacity();
            put_varint(&mut b.bytes, (id - b.last) as u64);
            b.bytes.push(len);
            self.memory += b.bytes.capacity() - capacity;
            b.last = id;
            b.df += 1;
        }
        self.variants += 1;
    }

    /// About how many bytes of memory the postings take so far: the table (as allocated,
    /// empty slots included), the lists and their buffers.
    pub fn memory(&self) -> usize {
        let slot = std::mem::size_of::<u32>() + 1;
        self.table.capacity() * slot
            + self.lists.len() * LIST_BLOCK * std::mem::size_of::<List>()
            + self.memory
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.variants == 0
    }

    /// The lists as one chunk per term, handed to `write` in the order of the index's key
    /// (the language key as text, then the term as a signed 64-bit integer, as SQLite orders
    /// them), so that a table keyed by them grows at its right edge; then the first and last
    /// variant id the chunk covers. A term's chunks are read in the order they were written,
    /// which is id order: every id here is newer than the stored ones.
    pub fn into_chunks(
        self,
        mut write: impl FnMut(&str, u64, u32, &[u8]) -> Result<()>,
    ) -> Result<(IndexStats, Option<(i64, i64)>)> {
        let mut stats = IndexStats {
            variants: self.variants,
            ..Default::default()
        };
        let span = self.drain(|list| {
            stats.add_list(list.df, list.bytes.len());
            write(list.lang, list.term, list.df, &list.bytes)
        })?;
        Ok((stats, span))
    }

    /// Hands each list to `f` in the order of [`into_chunks`](Self::into_chunks), freeing
    /// each one's buffer as it goes (the run's memory shrinks as it is written); returns the
    /// first and last variant id.
    fn drain(self, mut f: impl FnMut(Sorted<'_>) -> Result<()>) -> Result<Option<(i64, i64)>> {
        let mut rank = vec![0usize; self.langs.len()];
        let mut by_name: Vec<usize> = (0..self.langs.len()).collect();
        by_name.sort_by(|&a, &b| self.langs[a].cmp(&self.langs[b]));
        for (r, &l) in by_name.iter().enumerate() {
            rank[l] = r;
        }
        drop(self.table);
        let mut lists = self.lists;
        // The sort keys side by side (a key read through the list would be a cache miss at
        // every comparison).
        let mut order: Vec<(u16, i64, u32)> = (0..self.count)
            .map(|i| {
                let e = list(&lists, i);
                (rank[e.lang as usize] as u16, e.term as i64, i)
            })
            .collect();
        order.sort_unstable();
        for (_, _, i) in order {
            let b = list_mut(&mut lists, i);
            f(Sorted {
                lang: &self.langs[b.lang as usize],
                term: b.term,
                df: b.df,
                last: b.last,
                bytes: std::mem::take(&mut b.bytes),
            })?;
        }
        Ok(self.first.zip(self.last))
    }
}

/// A run's list as [`PostingsBuilder::drain`] hands it over.
struct Sorted<'a> {
    lang: &'a str,
    term: u64,
    df: u32,
    /// The list's last variant id.
    last: i64,
    bytes: Vec<u8>,
}

/// The runs of one import or rebuild: each full run is written to a temporary file of its
/// own, in the index's key order, and [`into_chunks`](Self::into_chunks) merges them with
/// the last one, so that the index gets one row per term however many runs it took (a query
/// then reads one row per term, not one per run). Memory stays that of one run; the files
/// take about the postings' size on disk until the merge.
pub struct Runs {
    dir: std::path::PathBuf,
    spilled: Vec<std::io::BufReader<std::fs::File>>,
    variants: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Runs {
    /// Runs whose files go in `dir` (beside the database: not a memory-backed `/tmp`).
    pub fn new(dir: impl Into<std::path::PathBuf>) -> Self {
        Runs {
            dir: dir.into(),
            spilled: Vec::new(),
            variants: 0,
            first: None,
            last: None,
        }
    }

    /// Writes a full run to a file of its own; its ids must all follow those of the runs
    /// pushed before it.
    pub fn push(&mut self, run: PostingsBuilder) -> Result<()> {
        use std::io::Seek;
        if run.is_empty() {
            return Ok(());
        }
        let io = |e| crate::Error::io(&self.dir, e);
        let file = tempfile::tempfile_in(&self.dir).map_err(io)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        self.variants += run.variants;
        let span = run.drain(|list| Spilled::write(&mut out, &list).map_err(io))?;
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.rewind().map_err(io)?;
        self.spilled
            .push(std::io::BufReader::with_capacity(1 << 16, file));
        if let Some((first, last)) = span {
            self.first.get_or_insert(first);
            self.last = Some(last);
        }
        Ok(())
    }

    /// True when no run holds anything.
    pub fn is_empty(&self) -> bool {
        self.spilled.is_empty()
    }

    /// The pushed runs and `last` as one chunk per term, as
    /// [`PostingsBuilder::into_chunks`] hands them: a term's lists joined in run order.
    /// Another thread reads and joins the runs while this one writes what it joined, so that
    /// the merge and the writing share the machine's two cores.
    pub fn into_chunks(
        self,
        last: PostingsBuilder,
        mut write: impl FnMut(&str, u64, u32, &[u8]) -> Result<()>,
    ) -> Result<(IndexStats, Option<(i64, i64)>)> {
        if self.spilled.is_empty() {
            return last.into_chunks(write);
        }
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<Joined>(4);
            let merging = scope.spawn(move || self.merge(last, send));
            let written = receive
                .iter()
                .try_for_each(|joined| joined.each(&mut write));
            // A write that failed closes the channel, which stops the merge.
            drop(receive);
            let merged = merging
                .join()
                .map_err(|_| crate::Error::Internal("the index merging thread failed"))?;
            written.and(merged)
        })
    }

    /// Merges the runs, `last` with them, handing the joined lists to `send` a batch at a
    /// time; stops early, without error, when the receiver is gone.
    fn merge(
        mut self,
        last: PostingsBuilder,
        send: std::sync::mpsc::SyncSender<Joined>,
    ) -> Result<(IndexStats, Option<(i64, i64)>)> {
        self.push(last)?;
        let io = |e| crate::Error::io(&self.dir, e);
        let mut heads: Vec<Option<Spilled>> = Vec::with_capacity(self.spilled.len());
        for r in &mut self.spilled {
            heads.push(Spilled::read(r).map_err(io)?);
        }
        let mut stats = IndexStats {
            variants: self.variants,
            ..Default::default()
        };
        let mut joined = Joined::default();
        // The smallest key among the runs' heads (a few runs: a scan is enough).
        while let Some((lang, term)) = heads
            .iter()
            .flatten()
            .map(|h| (h.lang.as_str(), h.term as i64))
            .min()
        {
            if lang != joined.lang || joined.bytes.len() >= Joined::BYTES {
                let next = Joined {
                    lang: lang.to_string(),
                    ..Default::default()
                };
                let full = std::mem::replace(&mut joined, next);
                if !full.lists.is_empty() && send.send(full).is_err() {
                    return Ok((stats, None));
                }
            }
            let start = joined.bytes.len();
            let (mut df, mut prev) = (0u32, 0i64);
            for (head, reader) in heads.iter_mut().zip(&mut self.spilled) {
                let Some(h) = head.as_mut() else { continue };
                if h.lang != joined.lang || h.term as i64 != term {
                    continue;
                }
                // The list's first delta is from 0 (its first id): from the previous run's
                // last id once joined.
                let mut at = 0;
                let first = get_varint(&h.bytes, &mut at);
                put_varint(&mut joined.bytes, first.wrapping_sub(prev as u64));
                joined.bytes.extend_from_slice(&h.bytes[at..]);
                df += h.df;
                prev = h.last;
                if !h.next(reader).map_err(io)? {
                    *head = None;
                }
            }
            stats.add_list(df, joined.bytes.len() - start);
            joined.lists.push((term as u64, df, joined.bytes.len()));
        }
        if !joined.lists.is_empty() && send.send(joined).is_err() {
            return Ok((stats, None));
        }
        Ok((stats, self.first.zip(self.last)))
    }
}

/// Joined lists of one language, in key order, as the merging thread hands them over: each
/// list's term, df and where its bytes end in one buffer.
#[derive(Default)]
struct Joined {
    lang: String,
    lists: Vec<(u64, u32, usize)>,
    bytes: Vec<u8>,
}

impl Joined {
    /// About the bytes of postings handed over at a time.
    const BYTES: usize = 1 << 20;

    /// Hands each list to `write`, in order.
    fn each(&self, write: &mut impl FnMut(&str, u64, u32, &[u8]) -> Result<()>) -> Result<()> {
        let mut start = 0;
        for &(term, df, end) in &self.lists {
            write(&self.lang, term, df, &self.bytes[start..end])?;
            start = end;
        }
        Ok(())
    }
}

/// The list a run's file holds next.
struct Spilled {
    lang: String,
    term: u64,
    df: u32,
    last: i64,
    bytes: Vec<u8>,
}

impl Spilled {
    /// The first list of a run's file, `None` when it holds none.
    fn read(r: &mut impl std::io::Read) -> std::io::Result<Option<Spilled>> {
        let mut s = Spilled {
            lang: String::new(),
            term: 0,
            df: 0,
            last: 0,
            bytes: Vec::new(),
        };
        Ok(s.next(r)?.then_some(s))
    }

    /// Writes a list as [`next`](Self::next) reads it: the language key's length and
    /// bytes, then term, df, last id and the blob's length (little-endian), then the blob.
    fn write(out: &mut impl std::io::Write, list: &Sorted<'_>) -> std::io::Result<()> {
        let lang = list.lang.as_bytes();
        out.write_all(&[lang.len() as u8])?;
        out.write_all(lang)?;
        let mut fixed = [0u8; 24];
        fixed[0..8].copy_from_slice(&list.term.to_le_bytes());
        fixed[8..12].copy_from_slice(&list.df.to_le_bytes());
        fixed[12..20].copy_from_slice(&list.last.to_le_bytes());
        fixed[20..24].copy_from_slice(&(list.bytes.len() as u32).to_le_bytes());
        out.write_all(&fixed)?;
        out.write_all(&list.bytes)
    }

    /// Reads the next list in place of this one; false at the end of the file.
    fn next(&mut self, r: &mut impl std::io::Read) -> std::io::Result<bool> {
        let mut len = [0u8; 1];
        if r.read(&mut len)? == 0 {
            return Ok(false);
        }
        let mut lang = [0u8; 255];
        let lang = &mut lang[..usize::from(len[0])];
        r.read_exact(lang)?;
        if lang != self.lang.as_bytes() {
            self.lang = std::str::from_utf8(lang)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?
                .to_string();
        }
        let mut fixed = [0u8; 24];
        r.read_exact(&mut fixed)?;
        let field = |at: usize, n: usize| &fixed[at..at + n];
        self.term = u64::from_le_bytes(field(0, 8).try_into().expect("8 bytes"));
        self.df = u32::from_le_bytes(field(8, 4).try_into().expect("4 bytes"));
        self.last = i64::from_le_bytes(field(12, 8).try_into().expect("8 bytes"));
        let n = u32::from_le_bytes(field(20, 4).try_into().expect("4 bytes")) as usize;
        self.bytes.resize(n, 0);
        r.read_exact(&mut self.bytes)?;
        Ok(true)
    }
}

/// The most variants tokenised in memory before their postings are put aside as a run (on
/// SQLite, merged with the others at the end; on PostgreSQL, written as a chunk): with
/// [`RUN_MEMORY`], bounds the memory of a bulk import or a rebuild whatever its size. (On
/// SQLite the runs are merged into one chunk per term: their number costs a query nothing.)
#[cfg(not(test))]
pub const CHUNK_VARIANTS: u64 = 4_000_000;
/// Small in tests, so that their imports and rebuilds take several runs.
#[cfg(test)]
pub const CHUNK_VARIANTS: u64 = 1_000;

/// The memory a run's postings may take before they are put aside, the table and
/// the lists included (about 110,000 six-language units of prose): as many postings as 96 MiB
/// held when the table held the lists themselves (a 1M-unit import then peaked at 184-192 MiB).
pub const RUN_MEMORY: usize = 84 << 20;

/// Variants handed to the tokenising thread at a time.
#[cfg(not(test))]
pub const BATCH: usize = 4096;
#[cfg(test)]
pub const BATCH: usize = 256;

/// Variants handed to the tokenising thread at once: each one's id and where its language tag
/// and text end in one buffer the batch shares. Two allocations a batch, where a string per tag
/// and text made two a variant, each freed by the other thread.
#[derive(Default)]
pub struct Batch {
    variants: Vec<(i64, usize, usize)>,
    text: String,
}

impl Batch {
    /// An empty batch with room for `n` variants.
    pub fn with_capacity(n: usize) -> Self {
        Batch {
            variants: Vec::with_capacity(n),
            text: String::new(),
        }
    }

    /// Adds variant `id` in `lang` with `text`.
    pub fn push(&mut self, id: i64, lang: &str, text: &str) {
        self.text.push_str(lang);
        let lang_end = self.text.len();
        self.text.push_str(text);
        self.variants.push((id, lang_end, self.text.len()));
    }

    /// The variants in the batch.
    pub fn len(&self) -> usize {
        self.variants.len()
    }

    /// True when the batch holds no variant.
    pub fn is_empty(&self) -> bool {
        self.variants.is_empty()
    }

    /// The batch as it is, leaving an empty one with the same room in its place.
    pub fn take(&mut self) -> Batch {
        let empty = Batch {
            variants: Vec::with_capacity(self.variants.capacity()),
            text: String::with_capacity(self.text.capacity()),
        };
        std::mem::replace(self, empty)
    }

    /// Each variant's id, language tag and text, in the order they were pushed.
    fn iter(&self) -> impl Iterator<Item = (i64, &str, &str)> {
        let mut start = 0;
        self.variants.iter().map(move |&(id, lang_end, end)| {
            let lang = &self.text[start..lang_end];
            start = end;
            (id, lang, &self.text[lang_end..end])
        })
    }
}

/// A thread that tokenises variants and accumulates their postings, so that reading and
/// storing (the import, or the rebuild's scan) run beside it on the other core.
pub struct Worker {
    send: std::sync::mpsc::SyncSender<Job>,
    runs: std::sync::mpsc::Receiver<PostingsBuilder>,
    handle: std::thread::JoinHandle<PostingsBuilder>,
    /// The builder's [`PostingsBuilder::memory`], as of the last batch it took.
    memory: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// What the tokenising thread is asked to do.
enum Job {
    Tokenise(Batch),
    /// Hand over the run built so far and start another.
    Take,
}

impl Worker {
    /// Starts the thread.
    pub fn start() -> Self {
        let (send, recv) = std::sync::mpsc::sync_channel::<Job>(8);
        let (give, runs) = std::sync::mpsc::sync_channel::<PostingsBuilder>(1);
        let memory = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = memory.clone();
        // One thread for every run: its allocations stay in one arena of the allocator,
        // which the next run reuses (a thread per run left each arena's memory behind).
        let handle = std::thread::spawn(move || {
            let mut b = PostingsBuilder::default();
            for job in recv {
                match job {
                    Job::Tokenise(batch) => {
                        for (id, lang, text) in batch.iter() {
                            b.add(id, lang, text);
                        }
                    }
                    Job::Take => {
                        if give.send(std::mem::take(&mut b)).is_err() {
                            break;
                        }
                    }
                }
                seen.store(b.memory(), std::sync::atomic::Ordering::Relaxed);
            }
            b
        });
        Worker {
            send,
            runs,
            handle,
            memory,
        }
    }

    /// True when the postings built so far fill a run ([`RUN_MEMORY`]): time to put them aside.
    pub fn full(&self) -> bool {
        self.memory.load(std::sync::atomic::Ordering::Relaxed) >= RUN_MEMORY
    }

    /// Hands the thread a batch.
    pub fn send(&self, batch: Batch) {
        // The thread only stops when the channel closes; a failed send means it panicked,
        // which finish reports.
        let _ = self.send.send(Job::Tokenise(batch));
    }

    /// Takes the run built from every batch sent so far; the thread goes on with a new one.
    pub fn take_run(&self) -> Result<PostingsBuilder> {
        let failed = || crate::Error::Internal("the index builder thread failed");
        self.send.send(Job::Take).map_err(|_| failed())?;
        self.runs.recv().map_err(|_| failed())
    }

    /// Waits for the thread and takes its postings.
    pub fn finish(self) -> Result<PostingsBuilder> {
        drop(self.send);
        self.handle
            .join()
            .map_err(|_| crate::Error::Internal("the index builder thread failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let blob = encode_postings(&[(3i64, 5u8), (4, 255), (1_000_000, 1), (1_000_300, 22)]);
        let mut out = Vec::new();
        decode_postings(&blob, |id, len| out.push((id, len)));
        assert_eq!(out, [(3, 5), (4, 255), (1_000_000, 1), (1_000_300, 22)]);
    }

    #[test]
    fn a_batch_gives_back_each_tag_and_text_as_pushed() {
        let pushed = [
            (7, "en-GB", "Peace"),
            (9, "zh", ""),
            (12, "", "مرحبا"),
            (13, "ar", "x"),
        ];
        let mut batch = Batch::with_capacity(2);
        for (id, lang, text) in pushed {
            batch.push(id, lang, text);
        }
        assert_eq!(batch.len(), 4);
        let full = batch.take();
        assert!(batch.is_empty() && batch.iter().next().is_none());
        assert_eq!(full.iter().collect::<Vec<_>>(), pushed);
    }

    // The merging thread stops when the writer fails, and the writer's error is the one
    // returned; what was merged before it arrives in key order.
    #[test]
    fn a_write_that_fails_ends_the_merge_with_its_error() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| crate::Error::io("tempdir", e))?;
        let mut runs = Runs::new(dir.path());
        for first in [1i64, 1_000] {
            let mut run = PostingsBuilder::default();
            for i in 0..200 {
                run.add(first + i, "en", &format!("word{i} common"));
            }
            runs.push(run)?;
        }
        // A batch for each language, more than the channel holds: a merge that went on
        // after the writer stopped would wait for it for ever.
        let mut last = PostingsBuilder::default();
        for (i, lang) in ["ar", "de", "es", "fr", "it", "ja", "ru", "zh"]
            .iter()
            .enumerate()
        {
            last.add(5_000 + i as i64, lang, "mot commun");
        }
        let mut seen = Vec::new();
        let result = runs.into_chunks(last, |lang, term, _, _| {
            if seen.len() == 3 {
                return Err(crate::Error::Internal("disk full"));
            }
            seen.push((lang.to_string(), term as i64));
            Ok(())
        });
        assert!(
            matches!(result, Err(crate::Error::Internal("disk full"))),
            "{:?}",
            result.err()
        );
        assert!(seen.is_sorted(), "{seen:?}");
        Ok(())
    }

    #[test]
    fn truncated_blob_does_not_panic() {
        decode_postings(&[0xFF, 0xFF], |_, _| {});
        decode_postings(&[0x05], |_, _| {});
    }

    #[test]
    fn language_keys_are_primary_subtags() {
        assert_eq!(lang_key("zh-Hans-CN"), "zh");
        assert_eq!(lang_key("en"), "en");
    }
}
