//! Alignment quality and speed, run with `cargo bench --bench alignment`.
//!
//! Quality: sentence-aligned TMX from real translation projects (../shared/corpus/tmx,
//! OmegaT projects in ja, zh-CN, ar and cs against English) is the gold standard. Runs of
//! 3–10 consecutive units become a paragraph pair; the aligner must recover the units. Two
//! conditions: clean (every gold bead 1-1), and damaged (in the translation, 8% of units are
//! merged with the next one and 4% dropped, giving 2-1 and 1-0 gold beads). Reported:
//! precision, recall and F1 over sentence links (pairs of source and target sentences), the
//! measure nltk's `align_blocks` output allows, and the share of beads recovered exactly.
//! tmm aligns as `tmm align` does at sentence level: a first pass with the paper's variance,
//! then a second with the variance the first pass's beads show; the one-pass figures and
//! those without anchors are given for comparison.
//! The same paragraphs, lengths and ratio are written to `target/alignment/blocks.json` for
//! `scripts/nltk_gale_church.py`, which scores nltk's Gale–Church on them.
//!
//! Speed: one block of 10,000 sentences against 10,000 (with 1% merged, 1% dropped), the
//! worst case of the banded programme, at 2,500 / 5,000 / 10,000 / 20,000 sentences to
//! show time and band memory growing linearly.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tmm::align::gale_church::{self, Bead, Measure, Params};
use tmm::formats::tmx::{Item, TmxReader};
use tmm::lang::LanguageTag;

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() * (hi - lo + 1) as f64) as usize % (hi - lo + 1)
    }
}

/// One paragraph pair with its gold links (source index, target index).
#[derive(serde::Serialize)]
struct Block {
    source: Vec<String>,
    target: Vec<String>,
    gold: Vec<(usize, usize)>,
    gold_beads: Vec<(Vec<usize>, Vec<usize>)>,
}

/// The sentence pairs of a TMX file: (source text, target text), both non-empty.
fn pairs(path: &Path, source: &str) -> Vec<(String, String)> {
    let source = LanguageTag::parse(source).unwrap();
    let mut reader = TmxReader::open(path).unwrap();
    let mut out = Vec::new();
    while let Some(item) = reader.next_item().unwrap() {
        let Item::Unit(read) = item else { continue };
        let unit = read.unit;
        let Some(s) = unit
            .variants
            .iter()
            .find(|v| v.lang.primary() == source.primary())
        else {
            continue;
        };
        let Some(t) = unit
            .variants
            .iter()
            .find(|v| v.lang.primary() != source.primary())
        else {
            continue;
        };
        let (s, t) = (s.segment.text.trim(), t.segment.text.trim());
        if !s.is_empty() && !t.is_empty() {
            out.push((s.to_string(), t.to_string()));
        }
    }
    out
}

/// Paragraph pairs of 3–10 units; with `damage`, some target units merged or dropped.
fn blocks(pairs: &[(String, String)], damage: bool, rng: &mut Lcg) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let len = rng.range(3, 10).min(pairs.len() - i);
        let chunk = &pairs[i..i + len];
        i += len;
        let mut block = Block {
            source: chunk.iter().map(|p| p.0.clone()).collect(),
            target: Vec::new(),
            gold: Vec::new(),
            gold_beads: Vec::new(),
        };
        let mut k = 0;
        while k < chunk.len() {
            let roll = rng.next();
            let t = block.target.len();
            if damage && roll < 0.04 {
                block.gold_beads.push((vec![k], vec![]));
                k += 1;
            } else if damage && roll < 0.12 && k + 1 < chunk.len() {
                block
                    .target
                    .push(format!("{} {}", chunk[k].1, chunk[k + 1].1));
                block.gold.extend([(k, t), (k + 1, t)]);
                block.gold_beads.push((vec![k, k + 1], vec![t]));
                k += 2;
            } else {
                block.target.push(chunk[k].1.clone());
                block.gold.push((k, t));
                block.gold_beads.push((vec![k], vec![t]));
                k += 1;
            }
        }
        out.push(block);
    }
    out
}

fn measures(texts: &[String], shared: &HashSet<String>) -> Vec<Measure> {
    texts
        .iter()
        .map(|t| Measure::with_tokens(t, shared))
        .collect()
}

fn links(beads: &[Bead]) -> Vec<(usize, usize)> {
    beads
        .iter()
        .flat_map(|b| {
            b.source
                .clone()
                .flat_map(move |s| b.target.clone().map(move |t| (s, t)))
        })
        .collect()
}

#[derive(Default)]
struct Score {
    predicted: usize,
    gold: usize,
    correct: usize,
    beads: usize,
    beads_exact: usize,
}

impl Score {
    fn add(&mut self, predicted: &[(usize, usize)], block: &Block, beads: Option<&[Bead]>) {
        let gold: HashSet<_> = block.gold.iter().collect();
        self.predicted += predicted.len();
        self.gold += gold.len();
        self.correct += predicted.iter().filter(|l| gold.contains(l)).count();
        if let Some(beads) = beads {
            let found: HashSet<(Vec<usize>, Vec<usize>)> = beads
                .iter()
                .map(|b| (b.source.clone().collect(), b.target.clone().collect()))
                .collect();
            self.beads += block.gold_beads.len();
            self.beads_exact += block
                .gold_beads
                .iter()
                .filter(|b| found.contains(*b))
                .count();
        }
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.correct as f64 / self.predicted.max(1) as f64;
        let r = self.correct as f64 / self.gold.max(1) as f64;
        (p, r, 2.0 * p * r / (p + r).max(f64::MIN_POSITIVE))
    }
}

/// The document-level ratio of target to source characters.
fn ratio(blocks: &[Block]) -> f64 {
    let chars = |f: fn(&Block) -> &Vec<String>| -> usize {
        blocks
            .iter()
            .flat_map(f)
            .map(|s| tmm::text::length(s))
            .sum()
    };
    chars(|b| &b.target) as f64 / chars(|b| &b.source).max(1) as f64
}

fn quality(corpus: &Path, out_dir: &Path) {
    let sets = [
        (
            "ja→en",
            "omegat-projects/4ka0-QA-checker__sample_omegat3.1.7_tmx11_ja-en.tmx",
            "ja",
        ),
        (
            "en→zh",
            "omegat-projects/gms2-zh__5pice_gms1-omegat.tmx",
            "en",
        ),
        (
            "en→ar",
            "omegat-projects/omegat-l10n-ar__3.1_aligned.tmx",
            "en",
        ),
        (
            "en→cs",
            "omegat-projects/aricoma-cs__AC_MAIN_HELP.tmx",
            "en",
        ),
    ];
    let mut json = Vec::new();
    println!(
        "| pair | condition | sentences | paragraphs | tmm P | tmm R | tmm F1 | beads exact | s² used | F1, one pass (s² = 6.8) | F1, one pass, no anchors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, file, source) in sets {
        let path = corpus.join("tmx").join(file);
        let pairs = pairs(&path, source);
        for damage in [false, true] {
            let mut rng = Lcg(42);
            let blocks = blocks(&pairs, damage, &mut rng);
            let c = ratio(&blocks);
            // Names and symbols identical on both sides, as `tmm align` finds them.
            let all = |f: fn(&Block) -> &Vec<String>| -> Vec<&String> {
                blocks.iter().flat_map(f).collect()
            };
            let shared = tmm::text::shared_tokens(&all(|b| &b.source), &all(|b| &b.target));
            let none = HashSet::new();
            let mut with = Score::default();
            let mut without = Score::default();
            let mut refined = Score::default();
            // As `tmm align` does: a first pass, then the variance the beads show.
            let mut squares = Vec::new();
            let params = Params {
                ratio: c,
                ..Params::default()
            };
            for block in &blocks {
                let (s, t) = (
                    measures(&block.source, &shared),
                    measures(&block.target, &shared),
                );
                let beads = gale_church::align(&s, &t, &params);
                squares.extend(gale_church::deviations(&s, &t, &beads, &params));
            }
            let second = Params {
                variance: gale_church::variance_from(squares, &params),
                ..params
            };
            for block in &blocks {
                let (s, t) = (
                    measures(&block.source, &shared),
                    measures(&block.target, &shared),
                );
                let beads = gale_church::align(&s, &t, &second);
                refined.add(&links(&beads), block, Some(&beads));
            }
            for block in &blocks {
                let (s, t) = (
                    measures(&block.source, &none),
                    measures(&block.target, &none),
                );
                let params = Params {
                    ratio: c,
                    ..Params::default()
                };
                let beads = gale_church::align(&s, &t, &params);
                with.add(&links(&beads), block, Some(&beads));
                let plain = Params {
                    anchors: false,
                    ..params
                };
                let beads = gale_church::align(&s, &t, &plain);
                without.add(&links(&beads), block, None);
            }
            let (p, r, f) = refined.prf();
            let condition = if damage { "damaged" } else { "clean" };
            println!(
                "| {name} | {condition} | {} | {} | {p:.4} | {r:.4} | {f:.4} | {:.4} | {:.1} | {:.4} | {:.4} |",
                pairs.len(),
                blocks.len(),
                refined.beads_exact as f64 / refined.beads.max(1) as f64,
                second.variance,
                with.prf().2,
                without.prf().2,
            );
            json.push(serde_json::json!({
                "pair": name,
                "condition": condition,
                "ratio": c,
                "blocks": blocks.iter().map(|b| serde_json::json!({
                    "source": b.source.iter().map(|s| tmm::text::length(s)).collect::<Vec<_>>(),
                    "target": b.target.iter().map(|s| tmm::text::length(s)).collect::<Vec<_>>(),
                    "gold": b.gold,
                })).collect::<Vec<_>>(),
                "tmm": { "p": p, "r": r, "f1": f },
            }));
        }
    }
    let path = out_dir.join("blocks.json");
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    println!("\n(nltk input written to {})", path.display());
}

/// End to end, as `tmm align --unit sentence` runs: each clean block's units joined into one
/// paragraph per language, split into sentences by tmm's rules and aligned. A row is right
/// when it holds whole consecutive gold units on both sides: the gold segments are OmegaT's
/// (headings, UI strings and fragments without a full stop), so a sentence splitter keeps
/// some of them together, which is segmentation, not misalignment; how many units come out
/// alone is given too.
fn end_to_end(corpus: &Path) {
    let sets = [
        (
            "ja→en",
            "omegat-projects/4ka0-QA-checker__sample_omegat3.1.7_tmx11_ja-en.tmx",
            "ja",
            "en",
        ),
        (
            "en→zh",
            "omegat-projects/gms2-zh__5pice_gms1-omegat.tmx",
            "en",
            "zh",
        ),
        (
            "en→ar",
            "omegat-projects/omegat-l10n-ar__3.1_aligned.tmx",
            "en",
            "ar",
        ),
        (
            "en→cs",
            "omegat-projects/aricoma-cs__AC_MAIN_HELP.tmx",
            "en",
            "cs",
        ),
    ];
    println!(
        "\n| pair | gold units | rows with both languages | units recovered alone | P (rows right) | R (units in right rows) | F1 |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, file, source, target) in sets {
        let pairs = pairs(&corpus.join("tmx").join(file), source);
        let blocks = blocks(&pairs, false, &mut Lcg(42));
        let join = |texts: &[String], lang: &str| {
            texts.join(if matches!(lang, "zh" | "ja") { "" } else { " " })
        };
        let doc = |lang: &str, side: fn(&Block) -> &Vec<String>| tmm::align::Document {
            lang: LanguageTag::parse(lang).unwrap(),
            path: PathBuf::from(format!("{lang}.txt")),
            paragraphs: blocks.iter().map(|b| join(side(b), lang)).collect(),
        };
        let documents = [doc(source, |b| &b.source), doc(target, |b| &b.target)];
        let options = tmm::align::AlignOptions {
            unit: tmm::align::Unit::Sentence,
            ..Default::default()
        };
        let alignment = tmm::align::align(&documents, &options).unwrap();
        // A row is right when it holds units k..l of its paragraph whole on both sides
        // (a splitter may keep together what the gold cut, never the reverse).
        let mut rows = 0;
        let mut exact = 0;
        let mut right = 0;
        let mut covered = 0;
        for row in alignment.rows.iter().filter(|r| r.languages_present() == 2) {
            rows += 1;
            let block = &blocks[row.paragraph - 1];
            let (src, tgt) = (row.text(0), row.text(1));
            let n = block.source.len();
            let hit = (0..n)
                .flat_map(|k| (k + 1..=n).map(move |l| (k, l)))
                .find(|&(k, l)| {
                    join(&block.source[k..l], source) == src
                        && join(&block.target[k..l], target) == tgt
                });
            if let Some((k, l)) = hit {
                right += 1;
                covered += l - k;
                exact += usize::from(l - k == 1);
            } else if std::env::var_os("ALIGNMENT_SHOW_WRONG").is_some() {
                eprintln!("{name} wrong row: {src:?}\n    {tgt:?}");
            }
        }
        let p = right as f64 / rows.max(1) as f64;
        let r = covered as f64 / pairs.len().max(1) as f64;
        println!(
            "| {name} | {} | {rows} | {exact} | {p:.4} | {r:.4} | {:.4} |",
            pairs.len(),
            2.0 * p * r / (p + r).max(f64::MIN_POSITIVE)
        );
    }
}

/// Peak resident memory of this process in kB (Linux), for the record.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn speed(corpus: &Path) {
    let pairs = pairs(
        &corpus.join("tmx/omegat-projects/gms2-zh__5pice_gms1-omegat.tmx"),
        "en",
    );
    println!(
        "\n| sentences per side | band DP time (s) | beads | links correct | first band's moves table (MB) | peak RSS after (MB) |"
    );
    println!("|---|---|---|---|---|---|");
    for n in [2_500, 5_000, 10_000, 20_000] {
        let mut rng = Lcg(7);
        let mut source = Vec::with_capacity(n);
        let mut target = Vec::with_capacity(n);
        let mut gold = HashSet::new();
        let mut k = 0;
        while source.len() < n {
            let (s, t) = &pairs[k % pairs.len()];
            k += 1;
            let roll = rng.next();
            source.push(s.clone());
            if roll < 0.01 {
                continue; // dropped
            }
            if roll < 0.02 && !target.is_empty() {
                let last: &mut String = target.last_mut().unwrap();
                last.push(' ');
                last.push_str(t);
                gold.insert((source.len() - 1, target.len() - 1));
                continue;
            }
            target.push(t.clone());
            gold.insert((source.len() - 1, target.len() - 1));
        }
        let none = HashSet::new();
        let (s, t) = (measures(&source, &none), measures(&target, &none));
        let chars = |v: &[Measure]| v.iter().map(|m| m.length).sum::<f64>();
        let params = Params {
            ratio: chars(&t) / chars(&s),
            ..Params::default()
        };
        let start = Instant::now();
        let beads = gale_church::align(&s, &t, &params);
        let elapsed = start.elapsed().as_secs_f64();
        let found = links(&beads);
        let correct = found.iter().filter(|l| gold.contains(l)).count();
        println!(
            "| {n} | {elapsed:.2} | {} | {:.4} | {:.1} | {:.0} |",
            beads.len(),
            correct as f64 / gold.len() as f64,
            ((n + 1) * (2 * gale_church::BAND + 1)) as f64 / 1e6,
            peak_rss_kb().unwrap_or(0) as f64 / 1024.0
        );
    }
}

/// Writes en and zh documents of `n` sentences each (paragraphs of five, every sentence
/// closed by a full stop, one paragraph in 100 split in two in zh) for timing `tmm align`
/// end to end with `scripts/align_scale.sh`.
fn scale_documents(corpus: &Path, out_dir: &Path) {
    let pairs = pairs(
        &corpus.join("tmx/omegat-projects/gms2-zh__5pice_gms1-omegat.tmx"),
        "en",
    );
    let close = |s: &str, stop: char| {
        let s = s.replace(['\n', '\r'], " ");
        if s.ends_with(['.', '!', '?', '。', '！', '？']) {
            s
        } else {
            format!("{s}{stop}")
        }
    };
    for n in [10_000, 20_000] {
        let (mut en, mut zh) = (String::new(), String::new());
        for p in 0..n / 5 {
            let chunk: Vec<&(String, String)> =
                (0..5).map(|k| &pairs[(p * 5 + k) % pairs.len()]).collect();
            let e: Vec<String> = chunk.iter().map(|(s, _)| close(s, '.')).collect();
            let z: Vec<String> = chunk.iter().map(|(_, t)| close(t, '。')).collect();
            en.push_str(&e.join(" "));
            en.push_str("\n\n");
            if p % 100 == 50 {
                zh.push_str(&z[..2].concat());
                zh.push_str("\n\n");
                zh.push_str(&z[2..].concat());
            } else {
                zh.push_str(&z.concat());
            }
            zh.push_str("\n\n");
        }
        std::fs::write(out_dir.join(format!("scale-{n}-en.txt")), en).unwrap();
        std::fs::write(out_dir.join(format!("scale-{n}-zh.txt")), zh).unwrap();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let out_dir = root.join("target/alignment");
    std::fs::create_dir_all(&out_dir).unwrap();
    quality(&corpus, &out_dir);
    end_to_end(&corpus);
    speed(&corpus);
    scale_documents(&corpus, &out_dir);
}
