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

use std::collections::{HashMap, HashSet};
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
            // What `tmm align --unit sentence` does within aligned paragraphs.
            let pairs: Vec<(&[String], &[String])> = blocks
                .iter()
                .map(|b| (b.source.as_slice(), b.target.as_slice()))
                .collect();
            for (block, beads) in blocks.iter().zip(tmm::align::align_blocks(&pairs, &params)) {
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
        // The gold's source language is the pivot, so that a row's first text is its.
        let options = tmm::align::AlignOptions {
            unit: tmm::align::Unit::Sentence,
            pivot: Some(LanguageTag::parse(source).unwrap()),
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

// ---------------------------------------------------------------------------------------
// Damaged documents from Debian's gettext catalogues, and the six-way UN resolution.
// ---------------------------------------------------------------------------------------

/// Catalogues tried for each language (those the machine has are used; the script
/// `scripts/alignment_bench.sh` installs packages with translations when few are there).
const DOMAINS: &[&str] = &[
    "coreutils",
    "gettext-tools",
    "bash",
    "grep",
    "findutils",
    "diffutils",
    "dpkg",
    "dpkg-dev",
    "apt",
    "libapt-pkg6.0",
    "git",
    "binutils",
    "bfd",
    "gnupg2",
    "glib20",
    "gtk20",
    "PackageKit",
    "appstream",
    "Linux-PAM",
    "software-properties",
    "python-apt",
    "adduser",
];

/// The (English, translation) entries of a PO file: no header, no plurals, nothing
/// untranslated; line breaks and runs of spaces made single spaces.
fn parse_po(po: &str) -> Vec<(String, String)> {
    fn unquote(s: &str) -> String {
        let s = s.trim();
        let s = s
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or("");
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') | Some('t') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        }
        out
    }
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let (mut id, mut plural, mut text) = (String::new(), false, String::new());
    let mut field = "";
    let mut flush = |id: &mut String, plural: &mut bool, text: &mut String| {
        let (e, t) = (clean(id), clean(text));
        if !*plural && !e.is_empty() && !t.is_empty() && e != t {
            out.push((e, t));
        }
        id.clear();
        text.clear();
        *plural = false;
    };
    for line in po.lines() {
        if let Some(rest) = line.strip_prefix("msgid ") {
            flush(&mut id, &mut plural, &mut text);
            field = "id";
            id.push_str(&unquote(rest));
        } else if line.starts_with("msgid_plural") {
            plural = true;
            field = "";
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            field = "str";
            text.push_str(&unquote(rest));
        } else if line.starts_with("msgstr[") || line.starts_with("msgctxt") {
            field = "";
        } else if line.starts_with('"') {
            match field {
                "id" => id.push_str(&unquote(line)),
                "str" => text.push_str(&unquote(line)),
                _ => {}
            }
        }
    }
    flush(&mut id, &mut plural, &mut text);
    out
}

/// Entries of the catalogues for `locale`, in catalogue order, between 15 and 600
/// characters and with at least three words in English.
fn catalogue(locale: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for domain in DOMAINS {
        let mo = PathBuf::from(format!(
            "/usr/share/locale/{locale}/LC_MESSAGES/{domain}.mo"
        ));
        if !mo.exists() {
            continue;
        }
        let Ok(output) = std::process::Command::new("msgunfmt")
            .arg("--no-wrap")
            .arg(&mo)
            .output()
        else {
            eprintln!("msgunfmt not found (apt-get install gettext): skipping the catalogues");
            return Vec::new();
        };
        for (e, t) in parse_po(&String::from_utf8_lossy(&output.stdout)) {
            let n = e.chars().count();
            if (15..=600).contains(&n)
                && e.split_whitespace().count() >= 3
                && seen.insert(e.clone())
            {
                out.push((e, t));
            }
        }
    }
    out
}

fn join_for(lang: &str, parts: &[String]) -> String {
    parts.join(if matches!(lang, "zh" | "ja") { "" } else { " " })
}

/// A damaged document pair: the paragraphs of each side and the true beads (source and
/// target paragraph indices), with which of them are damage.
struct DamagedDocument {
    source: Vec<String>,
    target: Vec<String>,
    gold: Vec<(Vec<usize>, Vec<usize>)>,
    damage: Vec<bool>,
}

/// Paragraphs of 2–5 entries; in every hundred, one target paragraph merged with the next,
/// one dropped, one split in two at an entry boundary and one short note (an entry from
/// elsewhere in the catalogue) inserted.
fn damaged_document(
    entries: &[(String, String)],
    notes: &[(String, String)],
    lang: &str,
    paragraphs: usize,
    damage: bool,
    rng: &mut Lcg,
) -> DamagedDocument {
    let mut groups: Vec<&[(String, String)]> = Vec::new();
    let mut i = 0;
    while groups.len() < paragraphs && i + 2 <= entries.len() {
        let len = rng.range(2, 5).min(entries.len() - i);
        groups.push(&entries[i..i + len]);
        i += len;
    }
    let en = |g: &[(String, String)]| g.iter().map(|e| e.0.clone()).collect::<Vec<_>>().join(" ");
    let tr =
        |g: &[(String, String)]| join_for(lang, &g.iter().map(|e| e.1.clone()).collect::<Vec<_>>());
    let mut doc = DamagedDocument {
        source: groups.iter().map(|g| en(g)).collect(),
        target: Vec::new(),
        gold: Vec::new(),
        damage: Vec::new(),
    };
    // Damage positions: four per hundred, at least five paragraphs apart.
    let mut kinds: HashMap<usize, u8> = HashMap::new();
    if damage {
        for start in (0..groups.len()).step_by(100) {
            let end = (start + 100).min(groups.len());
            if end - start < 30 {
                break;
            }
            let mut taken: Vec<usize> = Vec::new();
            for kind in 0..4u8 {
                loop {
                    let p = rng.range(start + 3, end - 4);
                    if taken.iter().all(|&q| q.abs_diff(p) >= 5)
                        && (kind != 2 || groups[p].len() >= 2)
                    {
                        taken.push(p);
                        kinds.insert(p, kind);
                        break;
                    }
                }
            }
        }
    }
    let mut note = 0;
    let mut p = 0;
    while p < groups.len() {
        let t = doc.target.len();
        match kinds.get(&p) {
            Some(0) if p + 1 < groups.len() => {
                doc.target
                    .push(format!("{} {}", tr(groups[p]), tr(groups[p + 1])));
                doc.gold.push((vec![p, p + 1], vec![t]));
                doc.damage.push(true);
                p += 2;
                continue;
            }
            Some(1) => {
                doc.gold.push((vec![p], vec![]));
                doc.damage.push(true);
            }
            Some(2) => {
                let cut = groups[p].len() / 2;
                doc.target.push(tr(&groups[p][..cut]));
                doc.target.push(tr(&groups[p][cut..]));
                doc.gold.push((vec![p], vec![t, t + 1]));
                doc.damage.push(true);
            }
            Some(3) => {
                let (_, n) = &notes[note % notes.len()];
                note += 1;
                doc.target.push(n.clone());
                doc.gold.push((vec![], vec![t]));
                doc.damage.push(true);
                doc.target.push(tr(groups[p]));
                doc.gold.push((vec![p], vec![t + 1]));
                doc.damage.push(false);
            }
            _ => {
                doc.target.push(tr(groups[p]));
                doc.gold.push((vec![p], vec![t]));
                doc.damage.push(false);
            }
        }
        p += 1;
    }
    doc
}

/// A table of how many of each confidence tenth's `unit` (with how many right) are right.
fn print_calibration(unit: &str, tenths: &[(usize, usize); 10]) {
    println!("| confidence | {unit} | right | share right |");
    println!("|---|---|---|---|");
    for (k, (n, right)) in tenths.iter().enumerate() {
        if *n > 0 {
            println!(
                "| {:.1}–{:.1} | {n} | {right} | {:.3} |",
                k as f64 / 10.0,
                (k + 1) as f64 / 10.0,
                *right as f64 / *n as f64
            );
        }
    }
}

/// Beads or rows with two sides, counted by confidence: per tenth how many and how many
/// right, how many fall below a LOW line and how many of those are wrong, how many are wrong.
#[derive(Default)]
struct Calibration {
    tenths: [(usize, usize); 10],
    low: usize,
    low_wrong: usize,
    wrong: usize,
}

impl Calibration {
    fn add(&mut self, confidence: f64, right: bool, low_below: f64) {
        let k = ((confidence * 10.0) as usize).min(9);
        self.tenths[k].0 += 1;
        self.tenths[k].1 += usize::from(right);
        let low = confidence < low_below;
        self.low += usize::from(low);
        self.low_wrong += usize::from(low && !right);
        self.wrong += usize::from(!right);
    }
}

/// The beads of a two-language alignment, as paragraph (or sentence) indices of each side.
fn row_beads(rows: &[tmm::align::Row]) -> Vec<(Vec<usize>, Vec<usize>, f64)> {
    let (mut s, mut t) = (0, 0);
    rows.iter()
        .map(|r| {
            let (a, b) = (r.segments[0].len(), r.segments[1].len());
            let bead = ((s..s + a).collect(), (t..t + b).collect(), r.confidence);
            s += a;
            t += b;
            bead
        })
        .collect()
}

/// How well predicted beads match the truth.
#[derive(Default)]
struct BeadScore {
    gold: usize,
    exact: usize,
    damage: usize,
    damage_exact: usize,
    links: Score,
    /// The beads with both sides, by confidence, against `tmm align`'s LOW.
    calibration: Calibration,
}

impl BeadScore {
    fn add(&mut self, predicted: &[(Vec<usize>, Vec<usize>, f64)], doc: &DamagedDocument) {
        let gold: HashSet<(&Vec<usize>, &Vec<usize>)> =
            doc.gold.iter().map(|(a, b)| (a, b)).collect();
        let found: HashSet<(&Vec<usize>, &Vec<usize>)> =
            predicted.iter().map(|(a, b, _)| (a, b)).collect();
        for ((a, b), damaged) in doc.gold.iter().zip(&doc.damage) {
            let hit = found.contains(&(a, b));
            self.gold += 1;
            self.exact += usize::from(hit);
            if *damaged {
                self.damage += 1;
                self.damage_exact += usize::from(hit);
            }
        }
        let links =
            |beads: &mut dyn Iterator<Item = (&Vec<usize>, &Vec<usize>)>| -> Vec<(usize, usize)> {
                beads
                    .flat_map(|(a, b)| a.iter().flat_map(move |&x| b.iter().map(move |&y| (x, y))))
                    .collect()
            };
        let predicted_links = links(&mut predicted.iter().map(|(a, b, _)| (a, b)));
        let gold_links: HashSet<(usize, usize)> = links(&mut doc.gold.iter().map(|(a, b)| (a, b)))
            .into_iter()
            .collect();
        self.links.predicted += predicted_links.len();
        self.links.gold += gold_links.len();
        self.links.correct += predicted_links
            .iter()
            .filter(|l| gold_links.contains(l))
            .count();
        for (a, b, confidence) in predicted {
            if a.is_empty() || b.is_empty() {
                continue;
            }
            let right = gold.contains(&(a, b));
            self.calibration
                .add(*confidence, right, tmm::align::LOW_CONFIDENCE);
        }
    }
}

/// Locales of the benchmark: the UN languages the machine has catalogues for, and German.
const LOCALES: &[(&str, &str)] = &[
    ("fr", "fr"),
    ("es", "es"),
    ("ru", "ru"),
    ("zh", "zh_CN"),
    ("ar", "ar"),
    ("de", "de"),
];

fn gettext_documents(out_dir: &Path) {
    println!("\n### Damaged documents from gettext catalogues (paragraph level)\n");
    println!(
        "| pair | condition | entries | paragraphs | damage cases | tmm beads exact | tmm damage beads exact | tmm link F1 | LOW rows | LOW rows wrong | wrong rows | plain Gale–Church beads exact | time (s) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut json = Vec::new();
    let mut calibration = BeadScore::default();
    for &(lang, locale) in LOCALES {
        let entries = catalogue(locale);
        if entries.len() < 400 {
            println!(
                "| en→{lang} | (only {} entries: skipped) |||||||||||| ",
                entries.len()
            );
            continue;
        }
        // The last entries are the pool of inserted notes: short ones, never in the text.
        let pool_start = entries.len() * 9 / 10;
        let notes: Vec<(String, String)> = entries[pool_start..]
            .iter()
            .filter(|(_, t)| (20..=120).contains(&t.chars().count()))
            .cloned()
            .collect();
        let body = &entries[..pool_start];
        for damage in [false, true] {
            let mut rng = Lcg(2026);
            let doc = damaged_document(body, &notes, lang, 300, damage, &mut rng);
            let documents = [
                tmm::align::Document {
                    lang: LanguageTag::parse("en").unwrap(),
                    path: PathBuf::from("en.txt"),
                    paragraphs: doc.source.clone(),
                },
                tmm::align::Document {
                    lang: LanguageTag::parse(lang).unwrap(),
                    path: PathBuf::from(format!("{lang}.txt")),
                    paragraphs: doc.target.clone(),
                },
            ];
            let start = Instant::now();
            let result = tmm::align::align(&documents, &tmm::align::AlignOptions::default());
            let elapsed = start.elapsed().as_secs_f64();
            let mut score = BeadScore::default();
            match &result {
                Ok(alignment) => {
                    let beads = row_beads(&alignment.rows);
                    if std::env::var_os("ALIGNMENT_SHOW_WRONG").is_some() {
                        let found: HashSet<(&Vec<usize>, &Vec<usize>)> =
                            beads.iter().map(|(a, b, _)| (a, b)).collect();
                        for (a, b) in &doc.gold {
                            if !found.contains(&(a, b)) {
                                let near: Vec<String> = beads
                                    .iter()
                                    .filter(|(x, y, _)| {
                                        x.iter().chain(y).any(|&k| {
                                            a.iter().chain(b).any(|&g| g.abs_diff(k) <= 1)
                                        })
                                    })
                                    .map(|(x, y, c)| format!("{x:?}-{y:?} {c:.2}"))
                                    .collect();
                                eprintln!("en→{lang}: missed {a:?}-{b:?}; found {near:?}");
                                for &k in a {
                                    eprintln!("    en {k}: {}", doc.source[k]);
                                }
                                for &k in b {
                                    eprintln!("    {lang} {k}: {}", doc.target[k]);
                                }
                            }
                        }
                    }
                    score.add(&beads, &doc);
                    calibration.add(&beads, &doc);
                }
                Err(e) => eprintln!("en→{lang}: refused: {e}"),
            }
            // Plain Gale–Church (the paper's model, lengths only) on the same paragraphs.
            let measure = |v: &[String]| v.iter().map(|s| Measure::of(s)).collect::<Vec<_>>();
            let (s, t) = (measure(&doc.source), measure(&doc.target));
            let chars = |v: &[Measure]| v.iter().map(|m| m.length).sum::<f64>();
            let plain = Params {
                ratio: chars(&t) / chars(&s).max(1.0),
                anchors: false,
                ..Params::default()
            };
            let mut gc = BeadScore::default();
            let gc_beads: Vec<(Vec<usize>, Vec<usize>, f64)> = gale_church::align(&s, &t, &plain)
                .into_iter()
                .map(|b| (b.source.collect(), b.target.collect(), b.confidence))
                .collect();
            gc.add(&gc_beads, &doc);
            let condition = if damage { "damaged" } else { "clean" };
            println!(
                "| en→{lang} | {condition} | {} | {} | {} | {:.4} | {}/{} | {:.4} | {} | {} | {} | {:.4} | {elapsed:.2} |",
                body.len(),
                doc.source.len(),
                score.damage,
                score.exact as f64 / score.gold.max(1) as f64,
                score.damage_exact,
                score.damage,
                score.links.prf().2,
                score.calibration.low,
                score.calibration.low_wrong,
                score.calibration.wrong,
                gc.exact as f64 / gc.gold.max(1) as f64,
            );
            json.push(serde_json::json!({
                "pair": format!("en→{lang}"),
                "condition": condition,
                "ratio": plain.ratio,
                "source": doc.source.iter().map(|s| tmm::text::length(s)).collect::<Vec<_>>(),
                "target": doc.target.iter().map(|s| tmm::text::length(s)).collect::<Vec<_>>(),
                "gold": doc.gold,
                "damage": doc.damage,
                "tmm": {
                    "exact": score.exact as f64 / score.gold.max(1) as f64,
                    "damage_exact": score.damage_exact,
                    "damage": score.damage,
                    "f1": score.links.prf().2,
                },
            }));
        }
    }
    let path = out_dir.join("gettext-paragraphs.json");
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    println!("\n(nltk input written to {})", path.display());
    println!("\nCalibration over all paragraph rows with two languages above:\n");
    let c = &calibration.calibration;
    print_calibration("rows", &c.tenths);
    println!(
        "\nLOW rows: {}, of which wrong: {}; wrong rows: {}, of which LOW: {}",
        c.low, c.low_wrong, c.wrong, c.low_wrong
    );
}

/// Sentence level on the catalogues: blocks of 3–10 entries, with 8% of the translation's
/// entries merged with the next and 4% dropped, aligned as `tmm align --unit sentence`
/// aligns the sentences of each paragraph ([`tmm::align::align_blocks`]).
fn gettext_sentences(out_dir: &Path) {
    println!("\n### Sentences of the gettext catalogues (8% merged, 4% dropped)\n");
    println!(
        "| pair | condition | entries | blocks | tmm P | tmm R | **tmm F1** | tmm beads exact | plain Gale–Church F1 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut json = Vec::new();
    let mut calibration = Calibration::default();
    // `tmm suggest`'s alignment of one stored paragraph ([`tmm::align::align_paragraph`]),
    // against the sub-segment LOW.
    let mut sub = Calibration::default();
    for &(lang, locale) in LOCALES {
        let entries = catalogue(locale);
        if entries.len() < 400 {
            continue;
        }
        let entries = &entries[..entries.len().min(3000)];
        for damage in [false, true] {
            let mut rng = Lcg(42);
            let blocks = blocks(entries, damage, &mut rng);
            let c = ratio(&blocks);
            let pairs: Vec<(&[String], &[String])> = blocks
                .iter()
                .map(|b| (b.source.as_slice(), b.target.as_slice()))
                .collect();
            let params = Params {
                ratio: c,
                ..Params::default()
            };
            let aligned = tmm::align::align_blocks(&pairs, &params);
            let mut tmm_score = Score::default();
            let mut plain_score = Score::default();
            let none = HashSet::new();
            let plain = Params {
                anchors: false,
                ..params
            };
            for (block, beads) in blocks.iter().zip(&aligned) {
                let gold: HashSet<(Vec<usize>, Vec<usize>)> =
                    block.gold_beads.iter().cloned().collect();
                for b in beads
                    .iter()
                    .filter(|b| !b.source.is_empty() && !b.target.is_empty())
                {
                    let right =
                        gold.contains(&(b.source.clone().collect(), b.target.clone().collect()));
                    // What `tmm align` reports: the posterior calibrated.
                    let confidence = tmm::align::calibrated(b.confidence);
                    calibration.add(confidence, right, tmm::align::LOW_CONFIDENCE);
                    // The raw posterior, for scripts/calibrate_confidence.py.
                    if std::env::var_os("ALIGNMENT_BEADS").is_some() {
                        let chars = |r: &std::ops::Range<usize>, side: &[String]| -> usize {
                            side[r.clone()].iter().map(|s| tmm::text::length(s)).sum()
                        };
                        eprintln!(
                            "BEAD {lang} {damage} {} {:.4} {:.6} {} {} {}",
                            b.kind(),
                            b.cost,
                            b.confidence,
                            chars(&b.source, &block.source),
                            chars(&b.target, &block.target),
                            u8::from(right)
                        );
                    }
                }
                let rows =
                    tmm::align::align_paragraph(&[block.source.clone(), block.target.clone()]);
                for (bs, bt, confidence) in row_beads(&rows) {
                    if bs.is_empty() || bt.is_empty() {
                        continue;
                    }
                    let right = gold.contains(&(bs.clone(), bt.clone()));
                    sub.add(confidence, right, tmm::matching::SENTENCE_LOW_CONFIDENCE);
                    if std::env::var_os("ALIGNMENT_BEADS").is_some() {
                        eprintln!(
                            "SUB {lang} {damage} {} {confidence:.6} {}",
                            u8::from(block.source.len() == block.target.len()),
                            u8::from(right)
                        );
                    }
                }
                tmm_score.add(&links(beads), block, Some(beads));
                let (s, t) = (
                    measures(&block.source, &none),
                    measures(&block.target, &none),
                );
                plain_score.add(&links(&gale_church::align(&s, &t, &plain)), block, None);
            }
            let (p, r, f) = tmm_score.prf();
            let condition = if damage { "damaged" } else { "clean" };
            println!(
                "| en→{lang} | {condition} | {} | {} | {p:.4} | {r:.4} | **{f:.4}** | {:.4} | {:.4} |",
                entries.len(),
                blocks.len(),
                tmm_score.beads_exact as f64 / tmm_score.beads.max(1) as f64,
                plain_score.prf().2
            );
            json.push(serde_json::json!({
                "pair": format!("en→{lang} (gettext)"),
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
    println!("\nCalibration over all sentence beads with two sides above:\n");
    print_calibration("beads", &calibration.tenths);
    println!(
        "\nLOW beads (below {}): {}, of which wrong: {}; wrong beads: {}",
        tmm::align::LOW_CONFIDENCE,
        calibration.low,
        calibration.low_wrong,
        calibration.wrong
    );
    println!(
        "\nThe same blocks as `tmm suggest` aligns a stored paragraph (`align_paragraph`: by\nlengths and numbers, in order when the counts agree), rows with two sides:\n"
    );
    print_calibration("rows", &sub.tenths);
    println!(
        "\nLOW rows (below {}): {}, of which wrong: {}; wrong rows: {}",
        tmm::matching::SENTENCE_LOW_CONFIDENCE,
        sub.low,
        sub.low_wrong,
        sub.wrong
    );
    let path = out_dir.join("gettext-sentences.json");
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    println!("\n(nltk input written to {})", path.display());
}

/// The UN resolution laid out as the issue describes (five paragraphs of three lines, each
/// line on its own line), aligned by sentence; pairs are scored against the line pairing:
/// a row links every line its English sentences come from with every line its other
/// sentences come from; precision is the share of those links that pair a line with
/// itself, recall the share of lines linked with themselves.
fn un_resolution(corpus: &Path, out_dir: &Path) {
    let read = |lang: &str| -> Option<Vec<String>> {
        let path = corpus.join(format!("aligned/UN_GA_res55-100_6way.{lang}"));
        Some(
            std::fs::read_to_string(path)
                .ok()?
                .lines()
                .map(String::from)
                .collect(),
        )
    };
    let Some(en) = read("en") else {
        println!("\n(../shared/corpus/aligned is missing: UN resolution skipped)");
        return;
    };
    println!("\n### Resolution 55/100, five paragraphs of three lines, by sentence\n");
    println!("| pair | rows | tmm line P | tmm line R | rows not 1-1 |");
    println!("|---|---|---|---|---|");
    let layout = |lines: &[String]| {
        lines
            .chunks(3)
            .map(|c| c.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let mut json = Vec::new();
    for lang in ["fr", "es", "ru", "zh", "ar"] {
        let Some(other) = read(lang) else { continue };
        let docs = [
            tmm::align::Document::from_text(
                LanguageTag::parse("en").unwrap(),
                "en.txt",
                &layout(&en),
            ),
            tmm::align::Document::from_text(
                LanguageTag::parse(lang).unwrap(),
                format!("{lang}.txt"),
                &layout(&other),
            ),
        ];
        let options = tmm::align::AlignOptions {
            unit: tmm::align::Unit::Sentence,
            ..Default::default()
        };
        let alignment = match tmm::align::align(&docs, &options) {
            Ok(a) => a,
            Err(e) => {
                println!("| en→{lang} | refused: {e} | | | |");
                continue;
            }
        };
        let (p, r, odd) = line_scores(&alignment.rows, &[&en, &other]);
        println!(
            "| en→{lang} | {} | {p:.4} | {r:.4} | {odd} |",
            alignment.rows.len()
        );
        // The same sentences, per paragraph, for nltk.
        let split = |lang: &str, lines: &[String]| -> Vec<Vec<(usize, usize)>> {
            let splitter = tmm::text::SentenceSplitter::new(&LanguageTag::parse(lang).unwrap());
            lines
                .chunks(3)
                .enumerate()
                .map(|(c, chunk)| {
                    chunk
                        .iter()
                        .enumerate()
                        .flat_map(|(k, line)| {
                            let splitter = &splitter;
                            splitter
                                .split(line)
                                .into_iter()
                                .map(move |s| (tmm::text::length(s), c * 3 + k))
                                .collect::<Vec<_>>()
                        })
                        .collect()
                })
                .collect()
        };
        json.push(serde_json::json!({
            "pair": format!("en→{lang}"),
            "ratio": docs[1].paragraphs.iter().map(|p| tmm::text::length(p)).sum::<usize>() as f64
                / docs[0].paragraphs.iter().map(|p| tmm::text::length(p)).sum::<usize>() as f64,
            "source": split("en", &en),
            "target": split(lang, &other),
            "lines": en.len(),
            "tmm": { "p": p, "r": r },
        }));
    }
    let path = out_dir.join("un-resolution.json");
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    println!("\n(nltk input written to {})", path.display());
}

/// Line-level precision and recall of sentence rows (see [`un_resolution`]), and how many
/// rows are not 1-1.
fn line_scores(rows: &[tmm::align::Row], lines: &[&Vec<String>; 2]) -> (f64, f64, usize) {
    // Each side's sentences, in order, are found in its lines from a moving cursor.
    let mut cursor = [(0usize, 0usize); 2];
    let mut locate = |side: usize, sentence: &str| -> usize {
        let (ref mut line, ref mut at) = cursor[side];
        while *line < lines[side].len() {
            if let Some(p) = lines[side][*line][*at..].find(sentence) {
                *at += p + sentence.len();
                return *line;
            }
            *line += 1;
            *at = 0;
        }
        usize::MAX
    };
    let mut predicted = HashSet::new();
    let mut odd = 0;
    for row in rows {
        let a: HashSet<usize> = row.segments[0].iter().map(|s| locate(0, s)).collect();
        let b: HashSet<usize> = row.segments[1].iter().map(|s| locate(1, s)).collect();
        odd += usize::from(row.bead() != "1-1");
        for x in &a {
            for y in &b {
                predicted.insert((*x, *y));
            }
        }
    }
    let correct = predicted
        .iter()
        .filter(|(x, y)| x == y && *x != usize::MAX)
        .count();
    let n = lines[0].len();
    (
        correct as f64 / predicted.len().max(1) as f64,
        correct as f64 / n.max(1) as f64,
        odd,
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let out_dir = root.join("target/alignment");
    std::fs::create_dir_all(&out_dir).unwrap();
    let only = std::env::var("ALIGNMENT_ONLY").unwrap_or_default();
    let run = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
    if run("gettext") {
        gettext_documents(&out_dir);
        gettext_sentences(&out_dir);
    }
    if run("un") {
        un_resolution(&corpus, &out_dir);
    }
    if !run("corpus") {
        return;
    }
    quality(&corpus, &out_dir);
    end_to_end(&corpus);
    speed(&corpus);
    scale_documents(&corpus, &out_dir);
}
