//! Suggest latency inside one process on a memory given by `--db` (a SQLite file or a
//! PostgreSQL URL): the first `--nq` queries of the reference workload, en → fr, each timed;
//! prints one JSON line (median, p95, mean in ms, how many queries found a match, and a
//! digest of every suggestion, equal on both backends when they suggest the same) for
//! `benches/pg.sh`, which runs it on both backends in the same run.
//!
//! ```sh
//! cargo bench --bench pg -- --db tm.db --queries /work/bench-data/queries_100k.jsonl
//! ```

use std::path::PathBuf;
use std::time::Instant;

use tmm::lang::LanguageTag;
use tmm::matching::{Matcher, Query, SuggestOptions};
use tmm::store::Store;

fn main() {
    let mut db = None;
    let mut queries = None;
    let mut nq = 1000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => db = args.next().map(PathBuf::from),
            "--queries" => queries = args.next().map(PathBuf::from),
            "--nq" => nq = args.next().and_then(|n| n.parse().ok()).unwrap_or(nq),
            _ => {}
        }
    }
    let (Some(db), Some(queries)) = (db, queries) else {
        eprintln!("usage: pg --db DB --queries queries.jsonl [--nq N]");
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
    let store = Store::open_existing(&db).expect("open the memory");
    let matcher = Matcher::new(&store);
    let options = SuggestOptions::new(
        LanguageTag::parse("en").unwrap(),
        LanguageTag::parse("fr").unwrap(),
    );
    let mut lat = Vec::with_capacity(texts.len());
    let mut found = 0;
    let mut digest = xxhash_rust::xxh3::Xxh3::new();
    for text in &texts {
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
    lat.sort_by(f64::total_cmp);
    let at = |q: f64| lat[((lat.len() - 1) as f64 * q).round() as usize];
    println!(
        "{{\"backend\": \"{}\", \"queries\": {}, \"found\": {found}, \"suggestions_digest\": \"{:016x}\", \"median_ms\": {:.3}, \"p95_ms\": {:.3}, \"mean_ms\": {:.3}}}",
        store.backend_name(),
        lat.len(),
        digest.digest(),
        at(0.5),
        at(0.95),
        lat.iter().sum::<f64>() / lat.len() as f64
    );
}
