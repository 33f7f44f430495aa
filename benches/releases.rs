//! The release benchmark: a paragraph memory of one release, and the next release cut
//! differently, matched sentence by sentence by two `tmm` binaries (today's and this one) on
//! the same data, in one run. Also the import cost of sub-segments: import time and database
//! size of the reference workload as it is (one sentence per unit) and joined in threes
//! (a paragraph memory), for both binaries.
//!
//! ```sh
//! cargo build --release
//! TMM_BENCH_DATA=/work/bench-data cargo bench --bench releases -- \
//!     --before /path/to/tmm-of-main --after target/release/tmm --paragraphs 2000
//! ```
//!
//! The document: `--paragraphs` paragraphs of 1–4 sentences from the workload's parallel
//! English and French sentences (`en_T.txt`, `fr_T.txt`), half of them carrying a number or a
//! date. The next release: paragraphs merged with the next (15%), split in two (15%), moved
//! elsewhere (15%); 30% of the sentences rewritten lightly (their number or date replaced by a
//! new one, or one added); one sentence in twelve wholly new. Every sentence of the next
//! release is a query (`tmm suggest --unit sentence --file next.txt`); a hit is a best
//! suggestion whose stored source and translation are that sentence's earlier source and
//! translation.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tmm::formats::tmx::TmxWriter;
use tmm::formats::{self, Format, Input, Item, ReadOptions};
use tmm::lang::LanguageTag;
use tmm::model::{Header, TranslationUnit, Variant};
use tmm::text::SentenceSplitter;

struct Opts {
    data: PathBuf,
    tag: String,
    before: Option<PathBuf>,
    after: PathBuf,
    paragraphs: usize,
    seed: u64,
    workload: bool,
}

fn parse() -> Opts {
    let mut o = Opts {
        data: std::env::var_os("TMM_BENCH_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("bench-data")),
        tag: "100k".into(),
        before: None,
        after: PathBuf::from("target/release/tmm"),
        paragraphs: 2000,
        seed: 7,
        workload: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tag" => o.tag = args.next().expect("--tag T"),
            "--before" => o.before = Some(args.next().expect("--before BIN").into()),
            "--after" => o.after = args.next().expect("--after BIN").into(),
            "--paragraphs" => o.paragraphs = args.next().and_then(|s| s.parse().ok()).expect("N"),
            "--seed" => o.seed = args.next().and_then(|s| s.parse().ok()).expect("N"),
            "--no-workload" => o.workload = false,
            _ => {}
        }
    }
    o
}

/// A small deterministic generator (no dependency for the benchmark's randomness).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A number or date clause, in English and French.
fn clause(rng: &mut Rng) -> (String, String) {
    if rng.chance(50) {
        let (d, m, y) = (1 + rng.below(28), rng.below(12), 2010 + rng.below(10));
        (
            format!(", as agreed on {d} {} {y}", MONTHS[m]),
            format!(", comme convenu le {d} {} {y}", MOIS[m]),
        )
    } else {
        let n = 2 + rng.below(500);
        (format!(", for {n} countries"), format!(", pour {n} pays"))
    }
}

/// Puts a clause before a sentence's final stop.
fn with_clause(sentence: &str, c: &str) -> String {
    let body = sentence.trim_end_matches(['.', '!', '?']);
    format!("{body}{c}.")
}

#[derive(Clone)]
struct Sentence {
    /// The sentence of the earlier release it comes from, `None` for a new one.
    earlier: Option<usize>,
    en: String,
    fr: String,
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn tag(s: &str) -> LanguageTag {
    LanguageTag::parse(s).unwrap()
}

/// Runs a command, returning its stdout and wall time; panics with its stderr on failure.
fn run(bin: &Path, args: &[&str]) -> (String, f64) {
    let t = Instant::now();
    let out = Command::new(bin).args(args).output().expect("run tmm");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{} {}: {}",
        bin.display(),
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8(out.stdout).unwrap(), secs)
}

fn db_size(db: &Path) -> f64 {
    ["", "-wal"]
        .iter()
        .map(|s| {
            std::fs::metadata(format!("{}{s}", db.display()))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum::<u64>() as f64
        / 1e6
}

/// The workload's units joined in threes: paragraph units in all their languages.
fn paragraph_tmx(from: &Path, to: &Path) -> usize {
    let source = formats::open(
        Input::open(from).unwrap(),
        &ReadOptions {
            format: Some(Format::Tmx),
            ..Default::default()
        },
    )
    .unwrap();
    let mut units = source.units;
    let header = Header {
        srclang: Some("en".into()),
        ..units.info().header.clone()
    };
    let out = std::io::BufWriter::new(std::fs::File::create(to).unwrap());
    let mut w = TmxWriter::new(out, &header).unwrap();
    let mut group: Vec<TranslationUnit> = Vec::new();
    let mut written = 0;
    let mut flush = |group: &mut Vec<TranslationUnit>, w: &mut TmxWriter<_>| {
        if group.is_empty() {
            return;
        }
        let mut langs: Vec<LanguageTag> = Vec::new();
        for u in group.iter() {
            for v in &u.variants {
                if !langs.contains(&v.lang) {
                    langs.push(v.lang.clone());
                }
            }
        }
        let variants = langs
            .into_iter()
            .map(|l| {
                let text: Vec<&str> = group
                    .iter()
                    .filter_map(|u| u.variant(&l).map(|v| v.segment.text.as_str()))
                    .collect();
                let sep = if l.primary() == "zh" { "" } else { " " };
                Variant::new(l, text.join(sep))
            })
            .collect();
        w.write_unit(&TranslationUnit {
            variants,
            srclang: Some("en".into()),
            ..Default::default()
        })
        .unwrap();
        written += 1;
        group.clear();
    };
    while let Some(item) = units.next_item().unwrap() {
        if let Item::Unit(u) = item {
            group.push(u.unit);
            if group.len() == 3 {
                flush(&mut group, &mut w);
            }
        }
    }
    flush(&mut group, &mut w);
    w.finish().unwrap();
    written
}

fn import_cost(bins: &[(&str, &Path)], tmx: &Path, label: &str, work: &Path) {
    for (name, bin) in bins {
        // The label is for the table; the file name keeps only its letters and digits.
        let file: String = label
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        let db = work.join(format!("{file}-{name}.db"));
        let _ = std::fs::remove_file(&db);
        let (_, secs) = run(
            bin,
            &[
                "--db",
                db.to_str().unwrap(),
                "import",
                tmx.to_str().unwrap(),
            ],
        );
        println!(
            "| {label} | {name} | import {secs:.1} s | database {:.1} MB |",
            db_size(&db)
        );
    }
}

fn main() {
    let o = parse();
    let en_path = o.data.join(format!("en_{}.txt", o.tag));
    let fr_path = o.data.join(format!("fr_{}.txt", o.tag));
    let (Ok(en), Ok(fr)) = (
        std::fs::read_to_string(&en_path),
        std::fs::read_to_string(&fr_path),
    ) else {
        println!(
            "skipped: {} or {} not found (set TMM_BENCH_DATA)",
            en_path.display(),
            fr_path.display()
        );
        return;
    };
    let pairs: Vec<(&str, &str)> = en
        .lines()
        .zip(fr.lines())
        .filter(|(e, f)| !e.contains('<') && !f.contains('<'))
        .collect();
    let en_split = SentenceSplitter::new(&tag("en"));
    let fr_split = SentenceSplitter::new(&tag("fr"));
    // Sentences the splitters take as one sentence each, so a paragraph splits back into them.
    let pairs: Vec<(&str, &str)> = pairs
        .into_iter()
        .filter(|(e, f)| en_split.split(e).len() == 1 && fr_split.split(f).len() == 1)
        .collect();
    let mut rng = Rng(o.seed);
    let mut next_pair = 0usize;
    // A sentence that stays one between any two others, so paragraphs split back into theirs.
    let stands_alone = |split: &SentenceSplitter, s: &str| {
        split.split(&format!("Start here. {s} The end.")).len() == 3
    };
    let mut take = |rng: &mut Rng| -> (String, String) {
        loop {
            let (e, f) = pairs[next_pair % pairs.len()];
            next_pair += 1;
            let (e, f) = if rng.chance(50) {
                let (ce, cf) = clause(rng);
                (with_clause(e, &ce), with_clause(f, &cf))
            } else {
                (e.to_string(), f.to_string())
            };
            if stands_alone(&en_split, &e) && stands_alone(&fr_split, &f) {
                return (e, f);
            }
        }
    };
    // The earlier release.
    let mut old: Vec<Vec<Sentence>> = Vec::new();
    let mut sentences: Vec<(String, String)> = Vec::new();
    for _ in 0..o.paragraphs {
        let n = 1 + rng.below(4);
        let mut p = Vec::new();
        for _ in 0..n {
            let (e, f) = take(&mut rng);
            p.push(Sentence {
                earlier: Some(sentences.len()),
                en: e.clone(),
                fr: f.clone(),
            });
            sentences.push((e, f));
        }
        old.push(p);
    }
    // The next release: merge, split, move; rewrite and add sentences.
    let mut next: Vec<Vec<Sentence>> = Vec::new();
    let mut i = 0;
    while i < old.len() {
        let mut p = old[i].clone();
        i += 1;
        if rng.chance(15) && i < old.len() {
            p.extend(old[i].clone());
            i += 1;
        }
        for s in &mut p {
            if rng.chance(30) {
                let (ce, _) = clause(&mut rng);
                let body = match s.en.find(", as agreed on ").or_else(|| s.en.find(", for ")) {
                    Some(at) => s.en[..at].to_string(),
                    None => s.en.trim_end_matches('.').to_string(),
                };
                let new = format!("{body}{ce}.");
                if stands_alone(&en_split, &new) {
                    s.en = new;
                }
            }
        }
        if rng.chance(8) {
            let (e, f) = take(&mut rng);
            let at = rng.below(p.len() + 1);
            p.insert(
                at,
                Sentence {
                    earlier: None,
                    en: e,
                    fr: f,
                },
            );
        }
        if p.len() >= 2 && rng.chance(15) {
            let at = 1 + rng.below(p.len() - 1);
            let rest = p.split_off(at);
            next.push(p);
            next.push(rest);
        } else {
            next.push(p);
        }
    }
    for k in 0..next.len() {
        if rng.chance(15) {
            let p = next.remove(k);
            let to = rng.below(next.len() + 1);
            next.insert(to, p);
        }
    }
    let work = tempfile::tempdir().unwrap();
    let old_tmx = work.path().join("release-1.tmx");
    {
        let mut body = String::new();
        for p in &old {
            let e: Vec<&str> = p.iter().map(|s| s.en.as_str()).collect();
            let f: Vec<&str> = p.iter().map(|s| s.fr.as_str()).collect();
            body.push_str(&format!(
                "<tu><tuv xml:lang=\"en\"><seg>{}</seg></tuv><tuv xml:lang=\"fr\"><seg>{}</seg></tuv></tu>\n",
                xml(&e.join(" ")),
                xml(&f.join(" "))
            ));
        }
        std::fs::write(
            &old_tmx,
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header creationtool=\"bench\" creationtoolversion=\"1\" segtype=\"paragraph\" o-tmf=\"bench\" adminlang=\"en\" srclang=\"en\" datatype=\"plaintext\"/><body>\n{body}</body></tmx>\n"),
        )
        .unwrap();
    }
    let next_txt = work.path().join("release-2.txt");
    let queries: Vec<&Sentence> = next.iter().flatten().collect();
    std::fs::write(
        &next_txt,
        next.iter()
            .map(|p| {
                p.iter()
                    .map(|s| s.en.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n\n"),
    )
    .unwrap();
    let rewritten = queries
        .iter()
        .filter(|q| q.earlier.is_some_and(|e| sentences[e].0 != q.en))
        .count();
    println!(
        "release 1: {} paragraphs, {} sentences; release 2: {} paragraphs, {} sentences ({} rewritten, {} new)",
        old.len(),
        sentences.len(),
        next.len(),
        queries.len(),
        rewritten,
        queries.iter().filter(|q| q.earlier.is_none()).count()
    );
    let mut bins: Vec<(&str, &Path)> = Vec::new();
    if let Some(b) = &o.before {
        bins.push(("before", b.as_path()));
    }
    bins.push(("after", o.after.as_path()));
    println!();
    println!(
        "| binary | import s | sentences with an earlier one | best = the earlier sentence | best holds the earlier sentence | rewritten: best = earlier | new sentences given a suggestion | suggest s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, bin) in &bins {
        let db = work.path().join(format!("release-{name}.db"));
        let (_, import_secs) = run(
            bin,
            &[
                "--db",
                db.to_str().unwrap(),
                "import",
                old_tmx.to_str().unwrap(),
            ],
        );
        let (out, suggest_secs) = run(
            bin,
            &[
                "--db",
                db.to_str().unwrap(),
                "suggest",
                "--from",
                "en",
                "--to",
                "fr",
                "--unit",
                "sentence",
                "--limit",
                "1",
                "--json",
                "--file",
                next_txt.to_str().unwrap(),
            ],
        );
        let segments: serde_json::Value = serde_json::from_str(&out).unwrap();
        let segments = segments.as_array().unwrap();
        assert_eq!(
            segments.len(),
            queries.len(),
            "{name}: the splitter cut the next release differently"
        );
        let (mut known, mut hit, mut holds, mut rew, mut rew_hit, mut new_offered) =
            (0, 0, 0, 0, 0, 0);
        for (seg, q) in segments.iter().zip(&queries) {
            assert_eq!(seg["text"].as_str(), Some(q.en.as_str()), "{name}");
            let best = seg["matches"].as_array().and_then(|m| m.first());
            let Some(e) = q.earlier else {
                new_offered += usize::from(best.is_some());
                continue;
            };
            known += 1;
            let (se, sf) = &sentences[e];
            let is_rewritten = se != &q.en;
            rew += usize::from(is_rewritten);
            if let Some(b) = best {
                let right = b["source"].as_str() == Some(se) && b["target"].as_str() == Some(sf);
                hit += usize::from(right);
                rew_hit += usize::from(right && is_rewritten);
                holds += usize::from(
                    b["source"]
                        .as_str()
                        .is_some_and(|s| s.contains(se.as_str()))
                        && b["target"]
                            .as_str()
                            .is_some_and(|t| t.contains(sf.as_str())),
                );
            }
        }
        let share = |a: usize, b: usize| format!("{:.3} ({a}/{b})", a as f64 / b.max(1) as f64);
        println!(
            "| {name} | {import_secs:.2} | {known} | {} | {} | {} | {new_offered} | {suggest_secs:.2} |",
            share(hit, known),
            share(holds, known),
            share(rew_hit, rew),
        );
    }
    if o.workload {
        let tmx = o.data.join(format!("corpus_{}.tmx", o.tag));
        if !tmx.exists() {
            println!("workload import skipped: {} not found", tmx.display());
            return;
        }
        println!();
        println!("| memory | binary | import | size |");
        println!("|---|---|---|---|");
        import_cost(&bins, &tmx, "workload (1 sentence/unit)", work.path());
        let para = work.path().join("paragraphs.tmx");
        let n = paragraph_tmx(&tmx, &para);
        import_cost(
            &bins,
            &para,
            &format!("joined in threes ({n} units)"),
            work.path(),
        );
    }
}
