//! Matching on the shipped sample: the 2012 message as memory, the made-up 2013 release as
//! new text (tests/fixtures/release-2013).

use serde_json::Value;

use crate::util::{Sandbox, root};

fn sample() -> Sandbox {
    let sb = Sandbox::new();
    let tmx = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", tmx.to_str().unwrap()]).ok();
    sb
}

fn release(lang: &str) -> String {
    root()
        .join(format!("tests/fixtures/release-2013/{lang}.txt"))
        .to_str()
        .unwrap()
        .to_string()
}

fn json(run: crate::util::Run) -> Value {
    serde_json::from_str(&run.stdout()).expect("JSON output")
}

/// The best match's tuid and score for every paragraph of the 2013 release in `from`.
fn best_per_paragraph(sb: &Sandbox, from: &str, to: &str) -> Vec<Option<(String, u64)>> {
    let out = json(
        sb.tmm(&[
            "suggest",
            "--from",
            from,
            "--to",
            to,
            "--min",
            "50",
            "--json",
            "--file",
            &release(from),
        ])
        .ok(),
    );
    out.as_array()
        .unwrap()
        .iter()
        .map(|seg| {
            seg["matches"].as_array().unwrap().first().map(|m| {
                (
                    m["from"]["tuid"].as_str().unwrap().to_string(),
                    m["score"].as_u64().unwrap(),
                )
            })
        })
        .collect()
}

// 2013 paragraph i reuses 2012 paragraph EXPECTED[i]; paragraph 5 is new.
const EXPECTED: [Option<&str>; 8] = [
    Some("ssc-2012-p1"),
    Some("ssc-2012-p2"),
    Some("ssc-2012-p3"),
    Some("ssc-2012-p4"),
    None,
    Some("ssc-2012-p5"),
    Some("ssc-2012-p6"),
    Some("ssc-2012-p7"),
];

#[test]
fn every_rewritten_paragraph_gets_its_2012_paragraph_first_in_en_zh_ar() {
    let sb = sample();
    let mut scores: Vec<Vec<u64>> = Vec::new();
    for (from, to) in [("en", "fr"), ("zh", "en"), ("ar", "fr")] {
        let best = best_per_paragraph(&sb, from, to);
        let tuids: Vec<Option<&str>> = best
            .iter()
            .map(|b| b.as_ref().map(|(t, _)| t.as_str()))
            .collect();
        assert_eq!(tuids, EXPECTED, "{from} → {to}: {best:?}");
        // The unchanged first paragraph, in the same place: in context.
        assert_eq!(best[0].as_ref().unwrap().1, 101, "{from}");
        scores.push(best.iter().flatten().map(|b| b.1).collect());
    }
    // Chinese and Arabic score the same edits about as English does.
    for other in &scores[1..] {
        for (en, x) in scores[0].iter().zip(other) {
            assert!(en.abs_diff(*x) <= 15, "en {:?} vs {other:?}", scores[0]);
        }
    }
}

#[test]
fn changed_numbers_score_99_and_are_replaced_in_the_translation() {
    let sb = sample();
    let new = "VIENNA, 10 September (UN Information Service) - The past decade has shown the power of partnerships to advance development. More children are in school, more mothers survive pregnancy and childbirth, and more infants and toddlers live to adulthood.";
    for (to, expected) in [("fr", "VIENNE, 10 septembre"), ("zh", "维也纳，9月10日")] {
        let out = json(
            sb.tmm(&["suggest", "--from", "en", "--to", to, "--json", new])
                .ok(),
        );
        let best = &out[0];
        assert_eq!(best["score"], 99, "{out:#}");
        let adapted = best["adapted"]["text"].as_str().unwrap();
        assert!(adapted.starts_with(expected), "{adapted}");
        assert_eq!(best["penalties"][0]["kind"], "numbers");
    }
    // Plain output marks the replaced number.
    sb.tmm(&["suggest", "--from", "en", "--to", "fr", new])
        .ok()
        .stdout_has("VIENNE, {=10=} septembre")
        .stdout_has(" 99%");
}

#[test]
fn any_stored_language_can_be_source_or_target() {
    let sb = sample();
    let fr = "La coopération Sud-Sud peut permettre de concilier croissance et équité à l’échelle mondiale.";
    let out = json(
        sb.tmm(&[
            "suggest", "--from", "fr", "--to", "zh", "--min", "30", "--json", fr,
        ])
        .ok(),
    );
    assert_eq!(out[0]["from"]["tuid"], "ssc-2012-p4", "{out:#}");
    assert!(out[0]["target"].as_str().unwrap().starts_with("南南合作"));
}

#[test]
fn exhaustive_scan_agrees_with_the_index() {
    let sb = sample();
    let file = release("en");
    let args = [
        "suggest", "--from", "en", "--to", "fr", "--min", "30", "--json", "--file", &file,
    ];
    let indexed = sb.tmm(&args).ok().stdout();
    let mut with = args.to_vec();
    with.push("--exhaustive");
    assert_eq!(indexed, sb.tmm(&with).ok().stdout());
}

#[test]
fn analysis_counts_bands_and_repetitions() {
    let sb = sample();
    // The release twice over: the second copy is all repetitions.
    let twice = format!(
        "{0}\n\n{0}",
        std::fs::read_to_string(release("en")).unwrap()
    );
    std::fs::write(sb.path("twice.txt"), twice).unwrap();
    let out = json(
        sb.tmm(&[
            "analyze",
            "--from",
            "en",
            "--to",
            "fr",
            "--json",
            "twice.txt",
        ])
        .ok(),
    );
    let band = |name: &str| {
        out["bands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["band"] == name)
            .unwrap()["segments"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(band("in-context"), 1);
    assert_eq!(band("no match"), 1);
    assert_eq!(band("repetitions"), 8);
    assert_eq!(band("total"), 16);
    assert_eq!(band("85-94"), 4);
    sb.tmm(&["analyze", "--from", "en", "--to", "fr", &release("en")])
        .ok()
        .stdout_has("in-context");
}

#[test]
fn pretranslation_fills_matches_and_leaves_new_text_alone() {
    let sb = sample();
    sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "fr",
        &release("en"),
        "-o",
        "draft.tmx",
    ])
    .ok()
    .stderr_has("8 segments: 6 filled");
    let draft = std::fs::read_to_string(sb.path("draft.tmx")).unwrap();
    assert_eq!(
        draft.matches("<tu>").count() + draft.matches("<tu ").count(),
        8
    );
    assert!(
        draft.contains(r#"<prop type="x-match-type">in-context</prop>"#),
        "{draft}"
    );
    assert!(
        draft.contains(r#"<prop type="x-match-score">94</prop>"#),
        "{draft}"
    );
    assert_eq!(
        draft
            .matches(r#"<prop type="x-match-type">none</prop>"#)
            .count(),
        2
    );
    // The draft is TMX tmm reads back.
    sb.tmm_db(&sb.path("draft.db"), &["import", "draft.tmx"])
        .ok()
        .stderr_has("8 added");
    sb.tmm(&[
        "pretranslate",
        "--from",
        "en",
        "--to",
        "fr",
        &release("en"),
        "-o",
        "draft.tsv",
        "--format",
        "tsv",
    ])
    .ok();
    let tsv = std::fs::read_to_string(sb.path("draft.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 9);
    assert!(
        tsv.lines().nth(1).unwrap().ends_with("\t101\tin-context\t"),
        "{tsv}"
    );
}

#[test]
fn concordance_highlights_phrases_and_short_chinese_queries() {
    let sb = sample();
    let out = json(
        sb.tmm(&[
            "concordance",
            "South-South cooperation",
            "--lang",
            "en",
            "--to",
            "fr",
            "--json",
        ])
        .ok(),
    );
    let hits = out.as_array().unwrap();
    assert_eq!(hits.len(), 3, "{out:#}");
    for h in hits {
        let (b, e) = (
            h["spans"][0][0].as_u64().unwrap() as usize,
            h["spans"][0][1].as_u64().unwrap() as usize,
        );
        assert_eq!(
            h["text"].as_str().unwrap()[b..e].to_lowercase(),
            "south-south cooperation"
        );
        assert!(h["target"][1].as_str().unwrap().contains("Sud-Sud"));
    }
    for q in ["南南", "南"] {
        let out = json(sb.tmm(&["concordance", q, "--lang", "zh", "--json"]).ok());
        assert!(out.as_array().unwrap().len() >= 3, "{q}: {out:#}");
    }
    sb.tmm(&["concordance", "pockets of poverty", "--lang", "en"])
        .ok()
        .stdout_has("[[pockets of poverty]]");
}

#[test]
fn bad_queries_get_clear_messages() {
    let sb = sample();
    sb.tmm(&["suggest", "--from", "en", "--to", "fr", ""])
        .fails()
        .stderr_has("empty");
    sb.tmm(&["suggest", "--from", "en", "--to", "de", "Hello"])
        .fails()
        .stderr_has("holds no segments in \"de\"");
    sb.tmm(&["concordance", "", "--lang", "en"])
        .fails()
        .stderr_has("no words");
    let huge = "development ".repeat(9_000);
    assert!(huge.len() > 100_000);
    sb.tmm(&["suggest", "--from", "en", "--to", "fr", &huge])
        .fails()
        .stderr_has("too long");
    // In a file, a bad segment is reported and the others are still matched.
    std::fs::write(
        sb.path("mixed.txt"),
        format!("{huge}\n\nMore children are in school."),
    )
    .unwrap();
    let run = sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "--min",
        "10",
        "--file",
        "mixed.txt",
    ]);
    let run = run.fails().stdout_has("too long");
    assert!(run.stdout().contains("Davantage"), "{}", run.stdout());
}

#[test]
fn an_updated_unit_is_matched_with_its_new_translation() {
    let sb = sample();
    let tmx = std::fs::read_to_string(root().join("tmx/un-ssc-2012.tmx")).unwrap();
    let changed = tmx.replace("VIENNE, 12 septembre", "VIENNE (mis à jour), 12 septembre");
    std::fs::write(sb.path("v2.tmx"), changed).unwrap();
    sb.tmm(&["import", "--on-duplicate", "update", "v2.tmx"])
        .ok()
        .stderr_has("1 updated");
    let new = "VIENNA, 12 September (UN Information Service) - The past decade has shown the power of partnerships to advance development.";
    let out = json(
        sb.tmm(&[
            "suggest", "--from", "en", "--to", "fr", "--min", "10", "--json", new,
        ])
        .ok(),
    );
    let targets: Vec<&str> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert!(
        targets.iter().all(|t| !t.starts_with("VIENNE, 12")),
        "{targets:?}"
    );
    assert!(targets[0].starts_with("VIENNE (mis à jour)"), "{targets:?}");
}

#[test]
fn index_rebuild_gives_the_same_matches() {
    let sb = sample();
    let file = release("en");
    let args = [
        "suggest", "--from", "en", "--to", "fr", "--json", "--file", &file,
    ];
    let before = sb.tmm(&args).ok().stdout();
    sb.tmm(&["index"]).ok().stderr_has("index: 42 segments");
    assert_eq!(before, sb.tmm(&args).ok().stdout());
}

#[test]
fn a_new_release_matches_sentence_by_sentence_against_an_aligned_memory() {
    let sb = Sandbox::new();
    let seed = root().join("tests/fixtures/seed-2012");
    let arg = |lang: &str| format!("{lang}={}", seed.join(format!("{lang}.txt")).display());
    sb.tmm(&["align", "--unit", "sentence", &arg("en"), &arg("fr")])
        .ok();
    let release = root().join("tests/fixtures/release-2013/en.txt");
    let run = sb
        .tmm(&[
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
            release.to_str().unwrap(),
        ])
        .ok();
    let segments: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let segments = segments.as_array().unwrap();
    // The 2013 message has 16 sentences; its first is the 2012 first sentence, in context.
    assert_eq!(segments.len(), 16);
    assert_eq!(segments[0]["matches"][0]["score"], 101);
    assert!(
        segments[0]["matches"][0]["target"]
            .as_str()
            .unwrap()
            .starts_with("VIENNE, 12 septembre")
    );
}

#[test]
fn a_deferred_index_still_finds_matches_and_tmm_index_covers_them() {
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", "--defer-index", sample.to_str().unwrap()])
        .ok();
    let pending = crate::util::query_i64(
        &sb.db(),
        "SELECT count(*) FROM match_state WHERE key = 'uncovered_from'",
    );
    assert_eq!(pending, 1, "the import left its units for tmm index");
    // The fourth paragraph of 2012 with one word changed.
    let paragraph = std::fs::read_to_string(root().join("tests/fixtures/seed-2012/en.txt"))
        .unwrap()
        .split("\n\n")
        .nth(3)
        .unwrap()
        .replace("buoyant", "strong");
    let found = |sb: &Sandbox| {
        let run = sb
            .tmm(&[
                "suggest",
                "--from",
                "en",
                "--to",
                "fr",
                "--json",
                paragraph.trim(),
            ])
            .ok();
        run.stdout().contains("La coopération Sud-Sud")
    };
    assert!(found(&sb), "not found by scanning the unindexed units");
    sb.tmm(&["index"]).ok().stderr_has("index: 42 segments");
    assert!(found(&sb), "not found through the index");
}

/// A sentence memory in en, fr, zh and ar: one stored sentence (tuid `s1`) and decoys that
/// share many of its common words.
fn sentence_memory() -> Sandbox {
    let sb = Sandbox::new();
    let units: [[&str; 4]; 4] = [
        [
            "South-South cooperation has continued to drive trade and financial flows, even in the midst of severe economic instability.",
            "La coopération Sud-Sud a continué de stimuler le commerce et les flux financiers, même au milieu d’une grave instabilité économique.",
            "南南合作继续推动贸易和资金流动，即使在严重的经济动荡之中。",
            "واصل التعاون فيما بين بلدان الجنوب دفع التجارة والتدفقات المالية، حتى في خضم عدم الاستقرار الاقتصادي الشديد.",
        ],
        [
            "The cooperation of the South has continued to grow in the midst of the crisis and of the trade flows.",
            "La coopération du Sud a continué de croître au milieu de la crise et des flux du commerce.",
            "南方的合作在危机之中继续增长，贸易的流动也在继续。",
            "واصل التعاون في بلدان الجنوب النمو في خضم الأزمة وفي خضم التجارة.",
        ],
        [
            "Even in the midst of the economic crisis, the trade of the South has continued to drive the flows.",
            "Même au milieu de la crise économique, le commerce du Sud a continué de stimuler les flux.",
            "即使在经济危机之中，南方的贸易继续推动流动。",
            "حتى في خضم الأزمة الاقتصادية، واصلت تجارة الجنوب دفع التدفقات.",
        ],
        [
            "Severe instability has continued to drive the economic flows of the South and of the North.",
            "Une grave instabilité a continué de stimuler les flux économiques du Sud et du Nord.",
            "严重的动荡继续推动南方和北方的经济流动。",
            "واصل عدم الاستقرار الشديد دفع التدفقات الاقتصادية في الجنوب والشمال.",
        ],
    ];
    let langs = ["en", "fr", "zh", "ar"];
    let mut body = String::new();
    for (k, unit) in units.iter().enumerate() {
        body.push_str(&format!("<tu tuid=\"s{}\">", k + 1));
        for (lang, text) in langs.iter().zip(unit) {
            body.push_str(&format!("<tuv xml:lang=\"{lang}\"><seg>{text}</seg></tuv>"));
        }
        body.push_str("</tu>\n");
    }
    std::fs::write(
        sb.path("sentences.tmx"),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" srclang=\"en\" datatype=\"plaintext\"/><body>\n{body}</body></tmx>\n"
        ),
    )
    .unwrap();
    sb.tmm(&["import", sb.path("sentences.tmx").to_str().unwrap()])
        .ok();
    sb
}

// Regression: swapping the two clauses of a stored sentence scored 32%, behind unrelated
// sentences at 33% that share its common words.
#[test]
fn swapped_clauses_rank_first_in_en_fr_zh_and_ar() {
    let sb = sentence_memory();
    for (lang, to, swapped) in [
        (
            "en",
            "fr",
            "Even in the midst of severe economic instability, South-South cooperation has continued to drive trade and financial flows.",
        ),
        (
            "en",
            "fr",
            "South-South cooperation has continued, even in the midst of severe economic instability, to drive trade and financial flows.",
        ),
        (
            "fr",
            "en",
            "Même au milieu d’une grave instabilité économique, la coopération Sud-Sud a continué de stimuler le commerce et les flux financiers.",
        ),
        (
            "zh",
            "en",
            "即使在严重的经济动荡之中，南南合作继续推动贸易和资金流动。",
        ),
        (
            "ar",
            "en",
            "حتى في خضم عدم الاستقرار الاقتصادي الشديد، واصل التعاون فيما بين بلدان الجنوب دفع التجارة والتدفقات المالية.",
        ),
    ] {
        let out = json(
            sb.tmm(&[
                "suggest", "--from", lang, "--to", to, "--min", "0", "--limit", "10", "--json",
                swapped,
            ])
            .ok(),
        );
        let all = out.as_array().unwrap();
        assert_eq!(all[0]["from"]["tuid"], "s1", "{lang}: {out:#}");
        let best = all[0]["score"].as_u64().unwrap();
        assert!(best >= 85, "{lang}: {best}");
        for other in &all[1..] {
            assert!(
                other["score"].as_u64().unwrap() + 20 <= best,
                "{lang}: {out:#}"
            );
        }
        let why = all[0]["penalties"][0]["detail"].as_str().unwrap();
        assert!(why.contains("moved"), "{lang}: {why}");
        // Found at the default threshold too: the index retrieves by shared words.
        let out = json(
            sb.tmm(&["suggest", "--from", lang, "--to", to, "--json", swapped])
                .ok(),
        );
        assert_eq!(out[0]["from"]["tuid"], "s1", "{lang}: {out:#}");
    }
}

#[test]
fn the_same_sentence_still_scores_100_and_an_edit_as_before() {
    let sb = sentence_memory();
    let stored = "South-South cooperation has continued to drive trade and financial flows, even in the midst of severe economic instability.";
    let out = json(
        sb.tmm(&["suggest", "--from", "en", "--to", "fr", "--json", stored])
            .ok(),
    );
    assert_eq!(out[0]["score"], 100);
    // One word of 19 replaced: 94, as without moves.
    let edited = stored.replace("severe", "grave");
    let out = json(
        sb.tmm(&["suggest", "--from", "en", "--to", "fr", "--json", &edited])
            .ok(),
    );
    assert_eq!(out[0]["score"], 94, "{out:#}");
}

#[test]
fn a_changed_date_is_rewritten_in_each_translation() {
    let sb = sample();
    let new = "VIENNA, 3 October (UN Information Service) - The past decade has shown the power of partnerships to advance development. More children are in school, more mothers survive pregnancy and childbirth, and more infants and toddlers live to adulthood.";
    for (to, expected) in [
        ("fr", "VIENNE, 3 octobre"),
        ("zh", "维也纳，10月3日"),
        ("ar", "فيينا، 3 تشرين الأول/أكتوبر"),
        ("ru", "ВЕНА, 3 октября"),
        ("es", "VIENA, 3 de octubre"),
    ] {
        let out = json(
            sb.tmm(&["suggest", "--from", "en", "--to", to, "--json", new])
                .ok(),
        );
        let best = &out[0];
        assert_eq!(best["score"], 99, "{out:#}");
        let adapted = best["adapted"]["text"].as_str().unwrap();
        assert!(adapted.starts_with(expected), "{to}: {adapted}");
        assert_eq!(best["penalties"][0]["kind"], "numbers");
        assert_eq!(
            best["penalties"][0]["detail"],
            "date 12 September → 3 October"
        );
    }
    sb.tmm(&["suggest", "--from", "en", "--to", "fr", new])
        .ok()
        .stdout_has("VIENNE, {=3=} {=octobre=}")
        .stdout_has("−1 date 12 September → 3 October");
}

// Regression: with a date read as one placeable, a month name inside a date was not found.
#[test]
fn concordance_finds_a_month_name_inside_a_date() {
    let sb = Sandbox::new();
    let sample = crate::util::root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", sample.to_str().unwrap()]).ok();
    let run = sb
        .tmm(&["concordance", "September", "--lang", "en", "--to", "fr"])
        .ok();
    assert!(run.stdout().contains("[[September]]"), "{}", run.stdout());
    let run = sb
        .tmm(&["concordance", "12 September", "--lang", "en", "--to", "fr"])
        .ok();
    assert!(
        run.stdout().contains("[[12 September]]"),
        "{}",
        run.stdout()
    );
}
