//! Suggest latency inside one process on a memory given by `--db` (a SQLite file or a
//! PostgreSQL URL): the first `--nq` queries of the reference workload, en → fr, each timed;
//! prints one JSON line (median, p95, mean in ms, how many queries found a match, and a
//! digest of every suggestion, equal on both backends when they suggest the same) for
//! `benches/pg.sh`, which runs it on both backends in the same run.
//!
//! With `--anchor`, on a PostgreSQL memory whose English source texts have a pg_trgm GIN
//! index (benches/pg.sh makes it), the same queries go two ways, alternating which runs
//! first: tmm's own index (`Matcher::suggest`) and Weblate's way, `WHERE text % $1` under
//! `pg_trgm.similarity_threshold` (`--trgm-threshold`, default 0.5) with every candidate's
//! French translation in the same statement, then tmm's scorer on those candidates (the
//! similarity and score `Matcher` gives a stored unit, the same 70 floor, the best 5). Both
//! are measured for latency and for recall: against an exhaustive in-memory scan of every
//! English segment (tmm's distance; where the two differ because penalties take a 0.70
//! segment to 69, the library's `--exhaustive` search decides, as in benches/matching.rs),
//! and against the generator's ground truth (`--gt`).
//!
//! With `--cold MB`, MB megabytes of memory are walked before each lookup, so that it starts
//! with the CPU caches as cold as `benches/matching.rs` leaves them (its exhaustive scan runs
//! between lookups).
//!
//! ```sh
//! cargo bench --bench pg -- --db tm.db --queries /work/bench-data/queries_100k.jsonl
//! cargo bench --bench pg -- --anchor --db postgresql://tmm@127.0.0.1/bench \
//!     --queries /work/bench-data/queries_100k.jsonl --gt /work/bench-data/gt_100k.jsonl
//! ```

use std::path::PathBuf;
use std::time::Instant;

use tmm::lang::LanguageTag;
use tmm::matching::distance::Pattern;
use tmm::matching::{Matcher, Query, SuggestOptions, score, token};
use tmm::store::Store;

fn main() {
    let mut db = None;
    let mut queries = None;
    let mut nq = 1000usize;
    let mut anchor_mode = false;
    let mut gt = None;
    let mut threshold = 0.5f64;
    let mut cold_mb = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => db = args.next().map(PathBuf::from),
            "--queries" => queries = args.next().map(PathBuf::from),
            "--nq" => nq = args.next().and_then(|n| n.parse().ok()).unwrap_or(nq),
            "--anchor" => anchor_mode = true,
            "--cold" => cold_mb = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            "--gt" => gt = args.next().map(PathBuf::from),
            "--trgm-threshold" => {
                threshold = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(threshold)
            }
            _ => {}
        }
    }
    let (Some(db), Some(queries)) = (db, queries) else {
        eprintln!(
            "usage: pg --db DB --queries queries.jsonl [--nq N] [--cold MB] [--anchor --gt gt.jsonl [--trgm-threshold T]]"
        );
        std::process::exit(2);
    };
    let texts: Vec<String> = std::fs::read_to_string(&queries)
        .expect("queries file")
        .lines()
        .take(nq)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["text"].as_str().unwrap_or("").to_string()
        })
        .collect();
    if anchor_mode {
        let Some(gt) = gt else {
            eprintln!("--anchor needs --gt gt.jsonl");
            std::process::exit(2);
        };
        let gt: Vec<serde_json::Value> = std::fs::read_to_string(&gt)
            .expect("ground-truth file")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        anchor(&db.to_string_lossy(), &texts, &gt, threshold);
        return;
    }
    let store = Store::open_existing(&db).expect("open the memory");
    let matcher = Matcher::new(&store);
    let options = SuggestOptions::new(
        LanguageTag::parse("en").unwrap(),
        LanguageTag::parse("fr").unwrap(),
    );
    let mut lat = Vec::with_capacity(texts.len());
    let mut found = 0;
    let mut digest = xxhash_rust::xxh3::Xxh3::new();
    let mut cold = vec![1u64; cold_mb << 17];
    let mut walked = 0u64;
    for text in &texts {
        for (i, w) in cold.iter_mut().enumerate() {
            *w = w.wrapping_add(i as u64);
            walked ^= *w;
        }
        let t = Instant::now();
        let matches = matcher
            .suggest(
                &Query {
                    text,
                    ..Default::default()
                },
                &options,
            )
            .expect("suggest");
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(!matches.suggestions.is_empty());
        // What was suggested, to check both backends suggest the same.
        digest.update(
            serde_json::to_string(&matches.suggestions)
                .unwrap_or_default()
                .as_bytes(),
        );
    }
    let (median, p95) = (quantile(&mut lat, 0.5), quantile(&mut lat, 0.95));
    std::hint::black_box(walked);
    println!(
        "{{\"backend\": \"{}\", \"queries\": {}, \"found\": {found}, \"suggestions_digest\": \"{:016x}\", \"median_ms\": {:.3}, \"p95_ms\": {:.3}, \"mean_ms\": {:.3}}}",
        store.backend_name(),
        lat.len(),
        digest.digest(),
        median,
        p95,
        lat.iter().sum::<f64>() / lat.len() as f64
    );
}

/// The value at quantile `q` (0.5: the median) of `v`, nearest rank.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// Weblate's lookup: every English segment within the trigram threshold, with its unit's
/// position and French translation, one statement. `lang = 'en'` matches the predicate of
/// the partial GIN index benches/pg.sh builds.
const TRGM_SQL: &str = "SELECT v.text, v.markup, u.position, t.text
FROM variant v
JOIN unit u ON u.id = v.unit_id
LEFT JOIN LATERAL (
    SELECT f.text FROM variant f WHERE f.unit_id = v.unit_id AND f.lang = 'fr'
    ORDER BY f.position LIMIT 1
) t ON true
WHERE v.lang = 'en' AND v.text % $1";

/// A suggestion reduced to what recall needs: score, similarity, the unit's position.
type Found = Vec<(u32, f64, i64)>;

/// tmm's scoring of pg_trgm's candidates, as `Matcher` scores a stored unit: the similarity
/// (tmm's distance over content tokens) at least the floor, the score with its penalties at
/// least the floor, a translation present; the best `options.limit` by score, then
/// similarity, each with its word diff as a suggestion carries.
fn rescore(text: &str, rows: &[postgres::Row], options: &SuggestOptions) -> Found {
    let min_sim = f64::from(options.min) / 100.0;
    let pattern = Pattern::new(&token::content_ids(text));
    let mut found: Vec<(u32, f64, i64, &str)> = Vec::new();
    for row in rows {
        let source: &str = row.get(0);
        let markup: Option<&str> = row.get(1);
        let position: i64 = row.get(2);
        if row.get::<_, Option<&str>>(3).is_none() {
            continue;
        }
        let ids = token::content_ids(source);
        let sim = score::similarity(pattern.distance(&ids), pattern.len(), ids.len());
        if sim + 1e-9 < min_sim {
            continue;
        }
        let cmp = score::compare_in(
            text,
            source,
            options.from.as_str(),
            0,
            score::tag_count(markup),
        );
        if cmp.score >= options.min {
            found.push((cmp.score, sim, position, source));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
    found.truncate(options.limit);
    found
        .into_iter()
        .map(|(score, sim, position, source)| {
            std::hint::black_box(score::diff(text, source));
            (score, sim, position)
        })
        .collect()
}

/// Recall counters of one way of matching.
#[derive(Default)]
struct Recall {
    /// Queries whose exhaustive best is at least the floor, and those whose best this way
    /// found.
    counted: usize,
    hits: usize,
    /// Hits where the scan's best is penalised below the floor and `--exhaustive` agrees.
    penalised: usize,
    /// Queries whose ground-truth best is at least the floor, and those where one of its
    /// best units is among the suggestions.
    gt_counted: usize,
    gt_hits: usize,
}

impl Recall {
    fn json(&self) -> String {
        format!(
            "{{\"recall\": {:.4}, \"hits\": {}, \"counted\": {}, \"penalised\": {}, \"gt_recall\": {:.4}, \"gt_hits\": {}, \"gt_counted\": {}}}",
            self.hits as f64 / self.counted.max(1) as f64,
            self.hits,
            self.counted,
            self.penalised,
            self.gt_hits as f64 / self.gt_counted.max(1) as f64,
            self.gt_hits,
            self.gt_counted
        )
    }
}

/// tmm's index against pg_trgm then tmm's scorer, query by query on one PostgreSQL memory.
fn anchor(url: &str, texts: &[String], gt: &[serde_json::Value], threshold: f64) {
    let store = Store::open_existing(std::path::Path::new(url)).expect("open the memory");
    let matcher = Matcher::new(&store);
    let options = SuggestOptions::new(
        LanguageTag::parse("en").unwrap(),
        LanguageTag::parse("fr").unwrap(),
    );
    let min_sim = f64::from(options.min) / 100.0;
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    client
        .batch_execute(&format!("SET pg_trgm.similarity_threshold = {threshold}"))
        .expect("pg_trgm (CREATE EXTENSION pg_trgm)");
    let stmt = client.prepare(TRGM_SQL).expect("prepare");
    // The exhaustive reference: every English segment's content tokens, in memory.
    let all: Vec<Vec<u64>> = client
        .query("SELECT text FROM variant WHERE lang = 'en'", &[])
        .expect("scan")
        .iter()
        .map(|r| token::content_ids(r.get(0)))
        .collect();
    let (mut tmm_lat, mut trgm_lat, mut sql_lat, mut rows_per) = (vec![], vec![], vec![], vec![]);
    let (mut tmm_cands, mut tmm_verified) = (vec![], vec![]);
    let (mut tmm, mut trgm) = (Recall::default(), Recall::default());
    for (qi, text) in texts.iter().enumerate() {
        let query = Query {
            text,
            ..Default::default()
        };
        let mut ours: Option<Found> = None;
        let mut theirs: Option<Found> = None;
        // Alternate which goes first, so neither always finds the pages the other read.
        for turn in 0..2 {
            if (turn + qi) % 2 == 0 {
                let t = Instant::now();
                let m = matcher.suggest(&query, &options);
                tmm_lat.push(t.elapsed().as_secs_f64() * 1000.0);
                let m = m.expect("suggest");
                tmm_cands.push(m.candidates as f64);
                tmm_verified.push(m.verified as f64);
                ours = Some(
                    m.suggestions
                        .iter()
                        .map(|s| (s.score, s.similarity, s.from.position))
                        .collect(),
                );
            } else {
                let t = Instant::now();
                let rows = client.query(&stmt, &[text]).expect("pg_trgm lookup");
                sql_lat.push(t.elapsed().as_secs_f64() * 1000.0);
                let found = rescore(text, &rows, &options);
                trgm_lat.push(t.elapsed().as_secs_f64() * 1000.0);
                rows_per.push(rows.len() as f64);
                theirs = Some(found);
            }
        }
        // The exhaustive best similarity, tmm's distance over every segment in the window.
        let qids = token::content_ids(text);
        let pattern = Pattern::new(&qids);
        let lo = (min_sim * qids.len() as f64).ceil() as usize;
        let hi = (qids.len() as f64 / min_sim).floor() as usize;
        let best = all
            .iter()
            .filter(|ids| ids.len() >= lo && ids.len() <= hi)
            .map(|ids| score::similarity(pattern.distance(ids), qids.len(), ids.len()))
            .fold(0.0f64, f64::max);
        let mut full: Option<f64> = None;
        let gt_best: Option<Vec<i64>> = gt.get(qi).and_then(|g| {
            (g["best_sim"].as_f64().unwrap_or(0.0) >= min_sim).then(|| {
                g["best_ids"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
                    .unwrap_or_default()
            })
        });
        for (r, found) in [(&mut tmm, ours), (&mut trgm, theirs)] {
            let found = found.unwrap_or_default();
            if best + 1e-9 >= min_sim {
                r.counted += 1;
                let got = found.iter().map(|f| f.1).fold(0.0, f64::max);
                if (got - best).abs() < 1e-9 {
                    r.hits += 1;
                } else {
                    // Penalties may drop the scan's best below the floor: the library's
                    // exhaustive search (same scorer, every segment) decides.
                    let full = *full.get_or_insert_with(|| {
                        let mut ex = options.clone();
                        ex.exhaustive = true;
                        matcher
                            .suggest(&query, &ex)
                            .map(|m| {
                                m.suggestions
                                    .iter()
                                    .map(|s| s.similarity)
                                    .fold(0.0, f64::max)
                            })
                            .unwrap_or(0.0)
                    });
                    if (full - got).abs() < 1e-9 {
                        r.hits += 1;
                        r.penalised += 1;
                    }
                }
            }
            if let Some(ids) = &gt_best {
                r.gt_counted += 1;
                if found.iter().any(|f| ids.contains(&f.2)) {
                    r.gt_hits += 1;
                }
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "{{\"queries\": {}, \"threshold\": {threshold}, \"tmm\": {{\"median_ms\": {:.3}, \"p95_ms\": {:.3}, \"mean_ms\": {:.3}, \"candidates_median\": {}, \"verified_median\": {}, \"recall\": {}}}, \"trgm\": {{\"median_ms\": {:.3}, \"p95_ms\": {:.3}, \"mean_ms\": {:.3}, \"sql_median_ms\": {:.3}, \"sql_p95_ms\": {:.3}, \"rows_median\": {}, \"rows_p95\": {}, \"rows_max\": {}, \"recall\": {}}}}}",
        texts.len(),
        quantile(&mut tmm_lat, 0.5),
        quantile(&mut tmm_lat, 0.95),
        mean(&tmm_lat),
        quantile(&mut tmm_cands, 0.5),
        quantile(&mut tmm_verified, 0.5),
        tmm.json(),
        quantile(&mut trgm_lat, 0.5),
        quantile(&mut trgm_lat, 0.95),
        mean(&trgm_lat),
        quantile(&mut sql_lat, 0.5),
        quantile(&mut sql_lat, 0.95),
        quantile(&mut rows_per, 0.5),
        quantile(&mut rows_per, 0.95),
        quantile(&mut rows_per, 1.0),
        trgm.json(),
    );
}
