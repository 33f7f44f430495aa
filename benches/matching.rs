//! The matching benchmark on the reference workload (../shared/bench): recall of the exact
//! best match against an exhaustive scan, latency inside one process and for a whole
//! `tmm suggest` command, the rapidfuzz brute-force baseline measured in the same run, and
//! import/index times with the database size.
//!
//! ```sh
//! TMM_BENCH_DATA=/work/bench-data cargo bench --bench matching -- --tag 100k
//! ```
//! Options: `--tag T` (workload), `--nq N` (queries, default 1000), `--cli N` (whole-command
//! runs, default 100), `--rapidfuzz-nq N` (default: --nq), `--skip-import` (reuse
//! bench_T.db), `--no-rapidfuzz`, `--no-scan` (no exhaustive reference: for profiling). Results go to stdout as Markdown rows and JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tmm::lang::LanguageTag;
use tmm::matching::distance::Pattern;
use tmm::matching::{Matcher, Query, SuggestOptions, score, token};
use tmm::store::Store;

struct Opts {
    tag: String,
    nq: usize,
    cli: usize,
    rf_nq: Option<usize>,
    skip_import: bool,
    rapidfuzz: bool,
    scan: bool,
}

fn parse() -> Opts {
    let mut o = Opts {
        tag: "100k".into(),
        nq: 1000,
        cli: 100,
        rf_nq: None,
        skip_import: false,
        rapidfuzz: true,
        scan: true,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let next = || args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--tag" => o.tag = next(),
            "--nq" => o.nq = next().parse().expect("--nq N"),
            "--cli" => o.cli = next().parse().expect("--cli N"),
            "--rapidfuzz-nq" => o.rf_nq = Some(next().parse().expect("--rapidfuzz-nq N")),
            "--skip-import" => {
                o.skip_import = true;
                i += 1;
                continue;
            }
            "--no-scan" => {
                o.scan = false;
                i += 1;
                continue;
            }
            "--no-rapidfuzz" => {
                o.rapidfuzz = false;
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn p95(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[(v.len() * 95 / 100).min(v.len() - 1)]
    }
}

fn timed(cmd: &mut Command) -> f64 {
    let t = Instant::now();
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn main() {
    let o = parse();
    let data =
        PathBuf::from(std::env::var("TMM_BENCH_DATA").unwrap_or_else(|_| "bench-data".into()));
    let tmx = data.join(format!("corpus_{}.tmx", o.tag));
    let db = data.join(format!("bench_{}.db", o.tag));
    let tmm = PathBuf::from(env!("CARGO_BIN_EXE_tmm"));
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut row = |k: &str, v: String| {
        println!("| {k} | {v} |");
        rows.push((k.to_string(), v));
    };
    println!("| measure | {} |\n|---|---|", o.tag);
    if !o.skip_import {
        let xmllint = timed(
            Command::new("xmllint")
                .args(["--stream", "--noout"])
                .arg(&tmx),
        );
        row("xmllint --stream parse (s)", format!("{xmllint:.2}"));
        // tmm's own streaming parse, nothing stored.
        let t = Instant::now();
        let mut reader = tmm::formats::tmx::TmxReader::open(&tmx).expect("open tmx");
        let mut n = 0u64;
        while let Some(_item) = reader.next_item().expect("read") {
            n += 1;
        }
        let parse = t.elapsed().as_secs_f64();
        row(
            "tmm TmxReader parse only (s)",
            format!("{parse:.2} ({n} units)"),
        );
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let import = timed(
            Command::new(&tmm)
                .arg("--db")
                .arg(&db)
                .arg("import")
                .arg(&tmx),
        );
        row(
            "import, index maintained (s)",
            format!(
                "{import:.2} ({:.1}× tmm parse, {:.1}× xmllint)",
                import / parse,
                import / xmllint
            ),
        );
        let conn = rusqlite::Connection::open(&db).expect("db");
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
        row(
            "TMX size (MB)",
            format!("{:.0}", file_size(&tmx) as f64 / 1e6),
        );
        row(
            "database size (MB)",
            format!("{:.0}", file_size(&db) as f64 / 1e6),
        );
        let idx: i64 = conn
            .query_row(
                "SELECT coalesce(sum(length(postings)), 0) FROM match_term",
                [],
                |r| r.get(0),
            )
            .expect("size");
        row("index postings (MB)", format!("{:.0}", idx as f64 / 1e6));
    }
    // Queries and ground truth.
    let read_jsonl = |name: String| -> Vec<serde_json::Value> {
        std::fs::read_to_string(data.join(name))
            .expect("read jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    };
    let queries: Vec<String> = read_jsonl(format!("queries_{}.jsonl", o.tag))
        .into_iter()
        .take(o.nq)
        .map(|q| q["text"].as_str().unwrap().to_string())
        .collect();
    let gt = read_jsonl(format!("gt_{}.jsonl", o.tag));
    let store = Store::open(&db).expect("open db");
    let matcher = Matcher::new(&store);
    let options = SuggestOptions::new(
        LanguageTag::parse("en").unwrap(),
        LanguageTag::parse("fr").unwrap(),
    );
    let min_sim = f64::from(options.min) / 100.0;
    // Exhaustive reference, in memory: every English segment's token ids.
    let t = Instant::now();
    let mut all: Vec<Vec<u64>> = Vec::new();
    store
        .snapshot(|s| {
            s.scan(&LanguageTag::parse("en").unwrap(), None, |_, text| {
                all.push(token::content_ids(text))
            })
        })
        .expect("scan the English segments");
    row(
        "exhaustive: segments loaded",
        format!("{} in {:.1} s", all.len(), t.elapsed().as_secs_f64()),
    );
    let mut lat = Vec::new();
    let mut scan_lat = Vec::new();
    let (mut counted, mut hits, mut gt_counted, mut gt_hits, mut penalised) = (0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    let mut slow: Vec<(f64, usize, usize, usize, usize)> = Vec::new();
    for (qi, q) in queries.iter().enumerate() {
        let t = Instant::now();
        let found = matcher.suggest(
            &Query {
                text: q,
                ..Default::default()
            },
            &options,
        );
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if let Ok(m) = &found {
            slow.push((
                *lat.last().unwrap(),
                qi,
                m.candidates,
                m.verified,
                token::content_ids(q).len(),
            ));
        }
        let found = found.map(|m| m.suggestions).unwrap_or_default();
        let qids = token::content_ids(q);
        let pattern = Pattern::new(&qids);
        let t = Instant::now();
        let mut best = 0.0f64;
        let lo = (min_sim * qids.len() as f64).ceil() as usize;
        let hi = (qids.len() as f64 / min_sim).floor() as usize;
        for ids in all.iter().filter(|_| o.scan) {
            if ids.len() < lo || ids.len() > hi {
                continue;
            }
            let s = score::similarity(pattern.distance(ids), qids.len(), ids.len());
            if s > best {
                best = s;
            }
        }
        scan_lat.push(t.elapsed().as_secs_f64() * 1000.0);
        let got = found.iter().map(|s| s.similarity).fold(0.0, f64::max);
        if best + 1e-9 >= min_sim {
            counted += 1;
            if (got - best).abs() < 1e-9 {
                hits += 1;
            } else {
                // The raw scan knows no penalties: ask `--exhaustive` (the library's full
                // scan, same scoring) whether it would have shown that segment either.
                let mut ex = options.clone();
                ex.exhaustive = true;
                let full = matcher
                    .suggest(
                        &Query {
                            text: q,
                            ..Default::default()
                        },
                        &ex,
                    )
                    .map(|m| {
                        m.suggestions
                            .iter()
                            .map(|s| s.similarity)
                            .fold(0.0, f64::max)
                    })
                    .unwrap_or(0.0);
                if (full - got).abs() < 1e-9 {
                    hits += 1;
                    penalised += 1;
                } else {
                    misses.push((qi, best, got));
                }
            }
        }
        // Against the generator's ground truth (its own tokenisation: digits are words there).
        if let Some(g) = gt.get(qi)
            && g["best_sim"].as_f64().unwrap_or(0.0) >= min_sim
        {
            gt_counted += 1;
            let best_ids: Vec<i64> = g["best_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            if found.iter().any(|s| best_ids.contains(&s.from.position)) {
                gt_hits += 1;
            }
        }
    }
    row("queries", format!("{}", queries.len()));
    row(
        "recall of the --exhaustive best match (queries with a match ≥ 70)",
        format!(
            "{:.4} ({hits}/{counted}; {penalised} where both drop a 0.70 segment whose penalties make it 69)",
            hits as f64 / counted.max(1) as f64
        ),
    );
    row(
        "ground-truth best id among the suggestions",
        format!(
            "{:.4} ({gt_hits}/{gt_counted})",
            gt_hits as f64 / gt_counted.max(1) as f64
        ),
    );
    let med = median(&mut lat);
    row(
        "suggest in-process median / p95 (ms)",
        format!("{med:.2} / {:.2}", p95(&mut lat)),
    );
    row(
        "in-memory Rust scan median (ms)",
        format!("{:.1}", median(&mut scan_lat)),
    );
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!(
        "slowest (ms, query, candidates, verified, tokens): {:?}",
        &slow[..slow.len().min(8)]
    );
    if !misses.is_empty() {
        eprintln!(
            "misses (query, exhaustive best, got): {:?}",
            &misses[..misses.len().min(20)]
        );
    }
    // Whole commands.
    let mut cli = Vec::new();
    for q in queries.iter().take(o.cli) {
        cli.push(
            1000.0
                * timed(
                    Command::new(&tmm)
                        .arg("--db")
                        .arg(&db)
                        .args(["suggest", "--from", "en", "--to", "fr", "--json", q]),
                ),
        );
    }
    row(
        "tmm suggest whole command median (ms)",
        format!("{:.1}", median(&mut cli)),
    );
    if o.rapidfuzz {
        let nq = o.rf_nq.unwrap_or(o.nq).to_string();
        let out = Command::new("python3")
            .arg(
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../shared/bench/bench_rapidfuzz.py"),
            )
            .args(["--tag", &o.tag, "--variant", "tok_lev", "--nq", &nq])
            .env("TMM_BENCH_DATA", &data)
            .output()
            .expect("python3");
        let rec: HashMap<String, serde_json::Value> = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("rapidfuzz: {}", String::from_utf8_lossy(&out.stderr)));
        let rf = rec["query"]["median_ms"].as_f64().unwrap();
        row(
            "rapidfuzz tok_lev brute force median (ms)",
            format!("{rf:.1} ({nq} queries)"),
        );
        row(
            "speed-up over rapidfuzz (in-process)",
            format!("{:.0}×", rf / med),
        );
    }
    if !o.skip_import {
        // Last, so that the queries above ran on the index the import maintained.
        drop(store);
        let index = timed(Command::new(&tmm).arg("--db").arg(&db).arg("index"));
        row("tmm index, full rebuild (s)", format!("{index:.2}"));
    }
    println!("{}", serde_json::to_string(&rows).unwrap());
}
