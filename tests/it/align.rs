//! `tmm align` on the shipped seed message and on damaged copies of it and of real six-way
//! aligned UN text (../shared/corpus/aligned, when present): perfect on the sample, the right
//! pairing recovered with the damaged rows marked low, errors that name the file with nothing
//! stored, and TMX output that `tmm import` takes back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tmm::formats::tmx::{Item, TmxReader};
use tmm::lang::LanguageTag;
use tmm::model::TranslationUnit;

use crate::util::{Sandbox, corpus, fixture, root};

const LANGS: [&str; 6] = ["en", "fr", "es", "ru", "zh", "ar"];

fn seed(lang: &str) -> String {
    root()
        .join(format!("tests/fixtures/seed-2012/{lang}.txt"))
        .display()
        .to_string()
}

fn release(lang: &str) -> String {
    root()
        .join(format!("tests/fixtures/release-2013/{lang}.txt"))
        .display()
        .to_string()
}

/// Aligns the 2012 seed's and the 2013 release's English with the same series' message of
/// another year in Russian, Chinese and Arabic: each refused, saying `because`.
fn other_years_refused(sb: &Sandbox, because: &str) {
    for lang in ["ru", "zh", "ar"] {
        let other_year = root().join(format!("tests/fixtures/other-year/{lang}.txt"));
        for english in [seed("en"), release("en")] {
            run(
                sb,
                &[
                    "align".into(),
                    format!("en={english}"),
                    format!("{lang}={}", other_year.display()),
                ],
            )
            .fails()
            .stderr_has(&format!("{lang}.txt: no credible alignment with en"))
            .stderr_has(because)
            .stderr_has("not translations of each other")
            .stderr_has("nothing stored");
        }
    }
}

fn seed_args() -> Vec<String> {
    LANGS.iter().map(|l| format!("{l}={}", seed(l))).collect()
}

fn units(path: &Path) -> Vec<TranslationUnit> {
    let mut reader = TmxReader::open(path).unwrap();
    let mut out = Vec::new();
    while let Some(item) = reader.next_item().unwrap() {
        match item {
            Item::Unit(u) => out.push(u.unit),
            Item::Invalid { line, message } => panic!("{}:{line}: {message}", path.display()),
            Item::Skipped { .. } => {}
        }
    }
    out
}

fn text(unit: &TranslationUnit, lang: &str) -> Option<String> {
    unit.variant(&LanguageTag::parse(lang).unwrap())
        .map(|v| v.segment.text.clone())
}

fn prop(unit: &TranslationUnit, kind: &str) -> String {
    unit.props
        .iter()
        .find(|p| p.kind == kind)
        .map(|p| p.value.clone())
        .unwrap_or_default()
}

fn run(sb: &Sandbox, args: &[String]) -> crate::util::Run {
    sb.tmm(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn the_seed_message_aligns_perfectly_by_paragraph() {
    let sb = Sandbox::new();
    let mut args = vec!["align".to_string()];
    args.extend(seed_args());
    args.extend(["--document", "SG/SM/14499", "--date", "2012-09-12"].map(String::from));
    run(&sb, &args)
        .ok()
        .stderr_has("7 paragraphs aligned (0 marked low confidence")
        .stderr_has("7 units added");
    sb.tmm(&["export", "-o", "out.tmx"]).ok();
    let got = units(&sb.path("out.tmx"));
    let expected = units(&root().join("tmx/un-ssc-2012.tmx"));
    assert_eq!(got.len(), 7);
    for (g, e) in got.iter().zip(&expected) {
        for lang in LANGS {
            assert_eq!(text(g, lang), text(e, lang), "{lang}");
        }
        assert_eq!(prop(g, "x-paragraph"), prop(e, "x-paragraph"));
    }
    // Context: the previous and next pivot paragraph.
    assert_eq!(
        prop(&got[1], "x-context-prev"),
        text(&got[0], "en").unwrap()
    );
    assert_eq!(
        prop(&got[1], "x-context-next"),
        text(&got[2], "en").unwrap()
    );
    sb.tmm(&["stats"]).ok().stdout_has("SG/SM/14499");
}

#[test]
fn the_seed_message_aligns_perfectly_by_sentence() {
    let sb = Sandbox::new();
    let mut args = vec!["align".to_string()];
    args.extend(seed_args());
    args.extend(["--unit", "sentence", "--tmx", "s.tmx"].map(String::from));
    run(&sb, &args)
        .ok()
        .stderr_has("13 sentences aligned (0 marked");
    let got = units(&sb.path("s.tmx"));
    assert_eq!(got.len(), 13);
    assert!(got.iter().all(|u| prop(u, "x-align-bead") == "1-1-1-1-1-1"));
    // Sentences per paragraph as documented, and each language's sentences in a paragraph
    // put back together give its paragraph: with 1-1 beads in order, the pairing is exact.
    let mut by_paragraph: BTreeMap<String, Vec<&TranslationUnit>> = BTreeMap::new();
    for u in &got {
        by_paragraph
            .entry(prop(u, "x-paragraph"))
            .or_default()
            .push(u);
    }
    let counts: Vec<usize> = (1..=7)
        .map(|p| by_paragraph[&p.to_string()].len())
        .collect();
    assert_eq!(counts, [2, 2, 2, 2, 2, 2, 1]);
    let paragraph_units = units(&root().join("tmx/un-ssc-2012.tmx"));
    for (p, unit) in paragraph_units.iter().enumerate() {
        for lang in LANGS {
            let parts: Vec<String> = by_paragraph[&(p + 1).to_string()]
                .iter()
                .map(|u| text(u, lang).unwrap())
                .collect();
            let sep = if lang == "zh" { "" } else { " " };
            assert_eq!(parts.join(sep), text(unit, lang).unwrap(), "{lang} {p}");
        }
    }
    assert_eq!(
        text(&got[0], "en").unwrap(),
        "VIENNA, 12 September (UN Information Service) - The past decade has shown the power of partnerships to advance development."
    );
    assert!(
        text(&got[0], "zh")
            .unwrap()
            .ends_with("伙伴关系具有推动发展的力量。")
    );
}

/// The paragraphs of one language of a six-way aligned text.
type Lines<'a> = &'a dyn Fn(&str) -> Vec<String>;

/// The 15 lines of resolution 55/100 in one language.
fn un_lines(corpus: &Path, lang: &str) -> Vec<String> {
    let path = corpus.join(format!("aligned/UN_GA_res55-100_6way.{lang}"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// The seven paragraphs of the seed message in one language: the fixture twin of the UN text.
fn seed_paragraphs(lang: &str) -> Vec<String> {
    std::fs::read_to_string(seed(lang))
        .unwrap()
        .split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn write_paragraphs(sb: &Sandbox, name: &str, paragraphs: &[String]) -> PathBuf {
    let path = sb.path(name);
    std::fs::write(&path, paragraphs.join("\n\n")).unwrap();
    path
}

/// Aligns en with a damaged language and returns the units written as TMX.
fn align_damaged(lines: Lines, lang: &str, damaged: &[String]) -> (Vec<TranslationUnit>, String) {
    let sb = Sandbox::new();
    let en = write_paragraphs(&sb, "en.txt", &lines("en"));
    let other = write_paragraphs(&sb, &format!("{lang}.txt"), damaged);
    let args = [
        "align".to_string(),
        format!("en={}", en.display()),
        format!("{lang}={}", other.display()),
    ];
    let preview = run(&sb, &[&args[..], &["--preview".to_string()]].concat())
        .ok()
        .stdout();
    let mut tmx_args = args.to_vec();
    tmx_args.extend(["--tmx", "out.tmx"].map(String::from));
    run(&sb, &tmx_args).ok();
    (units(&sb.path("out.tmx")), preview)
}

/// Asserts that every original line `i` not in `skip` is in a unit with its translation,
/// and that every clean 1-1 unit (all but the one holding English line `damaged`) holds
/// exactly the line and its translation with a confidence above the LOW mark.
#[track_caller]
fn assert_recovered(
    lines: Lines,
    units: &[TranslationUnit],
    lang: &str,
    skip: &[usize],
    damaged: usize,
) {
    let en = lines("en");
    let other = lines(lang);
    for i in (0..en.len()).filter(|i| !skip.contains(i)) {
        let unit = units
            .iter()
            .find(|u| text(u, "en").is_some_and(|t| t.contains(&en[i])))
            .unwrap_or_else(|| panic!("no unit holds English line {}", i + 1));
        let translation = text(unit, lang).unwrap_or_default();
        assert!(
            translation.contains(&other[i]),
            "line {} paired with {translation:?}",
            i + 1
        );
        let confidence: f64 = prop(unit, "x-align-confidence").parse().unwrap();
        let single = prop(unit, "x-align-bead") == "1-1";
        if single && i != damaged {
            // A clean 1-1 row holds exactly the line and its translation.
            assert_eq!(translation, other[i]);
            assert!(
                confidence > tmm::align::LOW_CONFIDENCE,
                "line {} confidence {confidence}",
                i + 1
            );
        }
    }
}

#[test]
fn a_merged_paragraph_is_recovered_as_its_own_bead() {
    let Some(corpus) =
        corpus("the UN-text test align::a_merged_paragraph_is_recovered_as_its_own_bead")
    else {
        return;
    };
    let un_lines = |lang: &str| un_lines(&corpus, lang);
    let mut fr = un_lines("fr");
    let merged = format!("{} {}", fr[7], fr[8]);
    let merged_text = merged.clone();
    fr.splice(7..9, [merged]);
    let (units, preview) = align_damaged(&un_lines, "fr", &fr);
    assert_recovered(&un_lines, &units, "fr", &[], 7);
    let unit = units
        .iter()
        .find(|u| prop(u, "x-align-bead") == "2-1")
        .expect("a 2-1 unit");
    assert!(text(unit, "en").unwrap().starts_with("Reaffirming"));
    assert_eq!(text(unit, "fr").unwrap(), merged_text);
    assert!(preview.contains(" 2-1 "), "{preview}");
}

#[test]
fn a_split_paragraph_is_recovered_as_its_own_bead() {
    let Some(corpus) =
        corpus("the UN-text test align::a_split_paragraph_is_recovered_as_its_own_bead")
    else {
        return;
    };
    let un_lines = |lang: &str| un_lines(&corpus, lang);
    let mut es = un_lines("es");
    let line = es[9].clone();
    let cut = line[line.len() / 2..].find(' ').unwrap() + line.len() / 2;
    es.splice(
        9..10,
        [line[..cut].to_string(), line[cut + 1..].to_string()],
    );
    let (units, _) = align_damaged(&un_lines, "es", &es);
    let en = un_lines("en");
    let unit = units
        .iter()
        .find(|u| text(u, "en").as_deref() == Some(en[9].as_str()))
        .unwrap();
    assert_eq!(prop(unit, "x-align-bead"), "1-2");
    assert_eq!(text(unit, "es").unwrap(), line);
    assert_recovered(&un_lines, &units, "es", &[], 9);
}

#[test]
fn a_dropped_paragraph_is_recovered_and_reported() {
    let Some(corpus) =
        corpus("the UN-text test align::a_dropped_paragraph_is_recovered_and_reported")
    else {
        return;
    };
    let un_lines = |lang: &str| un_lines(&corpus, lang);
    // Chinese: lengths a third of English, and list paragraphs that break the ratio.
    let mut zh = un_lines("zh");
    zh.remove(12);
    let (units, preview) = align_damaged(&un_lines, "zh", &zh);
    assert_recovered(&un_lines, &units, "zh", &[12], usize::MAX);
    // The English line without translation is no unit; the preview shows it, marked low.
    let en = un_lines("en");
    assert!(
        units
            .iter()
            .all(|u| text(u, "en").as_deref() != Some(en[12].as_str()))
    );
    let row = preview
        .lines()
        .find(|l| l.contains(" 1-0 "))
        .unwrap_or_else(|| panic!("no 1-0 row\n{preview}"));
    assert!(row.contains("LOW") && row.contains("2. Reaffirms"), "{row}");
}

#[test]
fn a_stray_paragraph_is_left_out_and_reported() {
    let Some(corpus) = corpus("the UN-text test align::a_stray_paragraph_is_left_out_and_reported")
    else {
        return;
    };
    let un_lines = |lang: &str| un_lines(&corpus, lang);
    let mut ar = un_lines("ar");
    let note = "ملاحظة من المترجم: هذه الترجمة غير رسمية وأعدت لأغراض الاختبار فقط، ولم تراجعها دائرة الترجمة العربية في الأمم المتحدة بعد، ولذلك قد تتضمن بعض الأخطاء في المصطلحات.";
    ar.insert(6, note.to_string());
    let (units, preview) = align_damaged(&un_lines, "ar", &ar);
    assert_recovered(&un_lines, &units, "ar", &[], usize::MAX);
    assert!(units.iter().all(|u| text(u, "ar").as_deref() != Some(note)));
    let row = preview
        .lines()
        .find(|l| l.contains(" 0-1 "))
        .unwrap_or_else(|| panic!("no 0-1 row\n{preview}"));
    assert!(row.contains("LOW"), "{row}");
}

#[test]
fn six_damaged_languages_join_through_the_pivot() {
    let Some(corpus) =
        corpus("the UN-text test align::six_damaged_languages_join_through_the_pivot")
    else {
        return;
    };
    let un_lines = |lang: &str| un_lines(&corpus, lang);
    let sb = Sandbox::new();
    let mut fr = un_lines("fr");
    let merged = format!("{} {}", fr[7], fr[8]);
    fr.splice(7..9, [merged]);
    let mut zh = un_lines("zh");
    zh.remove(12);
    let mut args = vec!["align".to_string(), "--tmx".into(), "six.tmx".into()];
    for lang in LANGS {
        let lines = match lang {
            "fr" => fr.clone(),
            "zh" => zh.clone(),
            _ => un_lines(lang),
        };
        let path = write_paragraphs(&sb, &format!("{lang}.txt"), &lines);
        args.push(format!("{lang}={}", path.display()));
    }
    run(&sb, &args).ok();
    let got = units(&sb.path("six.tmx"));
    let beads: Vec<String> = got.iter().map(|u| prop(u, "x-align-bead")).collect();
    assert_eq!(got.len(), 14, "{beads:?}");
    assert_eq!(beads[7], "2-1-2-2-2-2");
    assert_eq!(beads[11], "1-1-1-1-0-1");
    assert_eq!(
        beads.iter().filter(|b| *b == "1-1-1-1-1-1").count(),
        12,
        "{beads:?}"
    );
    for u in &got {
        let en = text(u, "en").unwrap();
        let ru = text(u, "ru").unwrap();
        let i = un_lines("en")
            .iter()
            .position(|l| en.starts_with(l.as_str()))
            .unwrap();
        assert!(ru.starts_with(&un_lines("ru")[i]), "{en} / {ru}");
    }
}

// The same damage on the seed message (the fixture twin of the UN text, seven paragraphs).

#[test]
fn a_merged_seed_paragraph_is_recovered_and_marked_low() {
    let mut fr = seed_paragraphs("fr");
    let merged = format!("{} {}", fr[2], fr[3]);
    fr.splice(2..4, [merged]);
    let (units, preview) = align_damaged(&seed_paragraphs, "fr", &fr);
    assert_recovered(&seed_paragraphs, &units, "fr", &[], 2);
    let unit = units
        .iter()
        .find(|u| prop(u, "x-align-bead") == "2-1")
        .expect("a 2-1 unit");
    assert!(
        text(unit, "en")
            .unwrap()
            .starts_with("The Rio+20 Conference")
    );
    assert!(
        preview.contains("2-1") && preview.contains("LOW"),
        "{preview}"
    );
}

#[test]
fn a_split_seed_paragraph_is_recovered_and_marked_low() {
    let mut es = seed_paragraphs("es");
    let line = es[4].clone();
    let cut = line[line.len() / 2..].find(' ').unwrap() + line.len() / 2;
    es.splice(4..5, [line[..cut].to_string(), line[cut + 1..].to_string()]);
    let (units, _) = align_damaged(&seed_paragraphs, "es", &es);
    let en = seed_paragraphs("en");
    let unit = units
        .iter()
        .find(|u| text(u, "en").as_deref() == Some(en[4].as_str()))
        .unwrap();
    assert_eq!(prop(unit, "x-align-bead"), "1-2");
    assert_eq!(text(unit, "es").unwrap(), line);
    assert_recovered(&seed_paragraphs, &units, "es", &[], 4);
}

#[test]
fn a_dropped_seed_paragraph_is_recovered_and_marked_low() {
    // On seven paragraphs, length alone often reads a drop as a merge; this one it recovers.
    let mut fr = seed_paragraphs("fr");
    fr.remove(4);
    let (units, preview) = align_damaged(&seed_paragraphs, "fr", &fr);
    assert_recovered(&seed_paragraphs, &units, "fr", &[4], usize::MAX);
    let en = seed_paragraphs("en");
    assert!(
        units
            .iter()
            .all(|u| text(u, "en").as_deref() != Some(en[4].as_str()))
    );
    let row = preview
        .lines()
        .find(|l| l.contains(" 1-0 "))
        .unwrap_or_else(|| panic!("no 1-0 row\n{preview}"));
    assert!(
        row.contains("LOW") && row.contains("The countries of the South"),
        "{row}"
    );
}

#[test]
fn a_stray_seed_paragraph_is_left_out_and_marked_low() {
    let mut ar = seed_paragraphs("ar");
    let note = "ملاحظة من المترجم: هذه الترجمة غير رسمية وأعدت لأغراض الاختبار فقط، ولم تراجعها دائرة الترجمة العربية في الأمم المتحدة بعد، ولذلك قد تتضمن بعض الأخطاء في المصطلحات.";
    ar.insert(3, note.to_string());
    let (units, preview) = align_damaged(&seed_paragraphs, "ar", &ar);
    assert_recovered(&seed_paragraphs, &units, "ar", &[], usize::MAX);
    assert!(units.iter().all(|u| text(u, "ar").as_deref() != Some(note)));
    let row = preview
        .lines()
        .find(|l| l.contains(" 0-1 "))
        .unwrap_or_else(|| panic!("no 0-1 row\n{preview}"));
    assert!(row.contains("LOW"), "{row}");
}

#[test]
fn six_damaged_seed_languages_join_through_the_pivot() {
    let sb = Sandbox::new();
    let mut fr = seed_paragraphs("fr");
    let merged = format!("{} {}", fr[2], fr[3]);
    fr.splice(2..4, [merged]);
    let mut es = seed_paragraphs("es");
    es.remove(1);
    let mut args = vec!["align".to_string(), "--tmx".into(), "six.tmx".into()];
    for lang in LANGS {
        let lines = match lang {
            "fr" => fr.clone(),
            "es" => es.clone(),
            _ => seed_paragraphs(lang),
        };
        let path = write_paragraphs(&sb, &format!("{lang}.txt"), &lines);
        args.push(format!("{lang}={}", path.display()));
    }
    run(&sb, &args).ok();
    let got = units(&sb.path("six.tmx"));
    let beads: Vec<String> = got.iter().map(|u| prop(u, "x-align-bead")).collect();
    assert_eq!(
        beads,
        [
            "1-1-1-1-1-1",
            "1-1-0-1-1-1",
            "2-1-2-2-2-2",
            "1-1-1-1-1-1",
            "1-1-1-1-1-1",
            "1-1-1-1-1-1"
        ]
    );
    let en = seed_paragraphs("en");
    let ru = seed_paragraphs("ru");
    for u in &got {
        let e = text(u, "en").unwrap();
        let r = text(u, "ru").unwrap();
        let i = en.iter().position(|l| e.starts_with(l.as_str())).unwrap();
        assert!(r.starts_with(&ru[i]), "{e} / {r}");
    }
}

#[test]
fn bad_input_is_refused_naming_the_file_and_nothing_is_stored() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("empty.txt"), "\n \n").unwrap();
    std::fs::write(sb.path("short.txt"), "Oui.").unwrap();
    let en = seed("en");
    let fr = seed("fr");
    let cases: [(Vec<String>, &str); 4] = [
        (
            vec![format!("en={en}"), "fr=empty.txt".into()],
            "empty.txt: empty document",
        ),
        (
            vec![format!("en={en}"), "fr=missing.txt".into()],
            "missing.txt",
        ),
        (
            vec![
                format!("en={en}"),
                format!("fr={fr}"),
                "fr=short.txt".into(),
            ],
            "language fr given twice",
        ),
        (
            vec![format!("en={en}"), "fr=short.txt".into()],
            "short.txt: no credible alignment",
        ),
    ];
    for (docs, message) in cases {
        let mut args = vec!["align".to_string()];
        args.extend(docs);
        run(&sb, &args).fails().stderr_has(message);
    }
    // The right paragraphs in the wrong order: monotone alignment cannot pair them. (The
    // seed's seven paragraphs reversed keep their middle one in place, so they align with
    // three rows marked low instead: only the corpus's fifteen make this case.)
    if let Some(corpus) = corpus(
        "the shuffled-paragraph case of align::bad_input_is_refused_naming_the_file_and_nothing_is_stored",
    ) {
        let mut shuffled = un_lines(&corpus, "fr");
        shuffled.reverse();
        let shuffled = write_paragraphs(&sb, "shuffled.txt", &shuffled);
        let en15 = write_paragraphs(&sb, "en15.txt", &un_lines(&corpus, "en"));
        run(
            &sb,
            &[
                "align".into(),
                format!("en={}", en15.display()),
                format!("fr={}", shuffled.display()),
            ],
        )
        .fails()
        .stderr_has("shuffled.txt: no credible alignment");
    }
    assert!(!sb.db_exists(), "a failed alignment created the database");
    // A stored alignment followed by a failed one leaves the first as it was.
    let mut args = vec!["align".to_string()];
    args.extend(seed_args());
    run(&sb, &args).ok();
    run(
        &sb,
        &["align".into(), format!("en={en}"), "fr=empty.txt".into()],
    )
    .fails();
    sb.tmm(&["stats"]).ok().stdout_has("7");
}

#[test]
fn tmx_output_reimports_with_tmm_import() {
    let sb = Sandbox::new();
    let mut args = vec!["align".to_string()];
    args.extend(seed_args());
    args.extend(
        [
            "--unit",
            "sentence",
            "--tmx",
            "aligned.tmx",
            "--document",
            "SG/SM/14499",
        ]
        .map(String::from),
    );
    run(&sb, &args).ok().stderr_has("13 units written");
    assert!(!sb.db_exists());
    sb.tmm(&["import", "aligned.tmx"])
        .ok()
        .stderr_has("13 units read, 13 added");
    let got = units(&sb.path("aligned.tmx"));
    assert_eq!(got[0].tuid.as_deref(), Some("SG/SM/14499#s1"));
    // Valid TMX 1.4 (and against the DTD with xmllint, which .ci/run installs).
    crate::validate::assert_valid_tmx(&sb.path("aligned.tmx"));
}

#[test]
fn utf16_files_and_one_paragraph_per_line_are_read() {
    let sb = Sandbox::new();
    let en: Vec<u8> = "\u{feff}First line here.\nSecond line there.\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(sb.path("en.txt"), en).unwrap();
    let fr: Vec<u8> = "Première ligne ici.\nDeuxième ligne là.\n"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    std::fs::write(sb.path("fr.txt"), fr).unwrap();
    sb.tmm(&["align", "en=en.txt", "fr=fr.txt", "--preview"])
        .ok()
        .stdout_has("Deuxième ligne là.")
        .stdout_has("2 rows, 0 marked LOW");
}

fn srx_split_of_the_seed(sb: &Sandbox, srx: &Path) -> crate::util::Run {
    let mut args = vec!["align".to_string(), "--unit".into(), "sentence".into()];
    args.extend(["--preview".into(), "--srx".into()]);
    args.push(srx.display().to_string());
    args.extend(seed_args());
    run(sb, &args)
}

#[test]
fn srx_rules_of_real_tools_split_the_seed_message_as_documented() {
    let Some(corpus) =
        corpus("the SRX test align::srx_rules_of_real_tools_split_the_seed_message_as_documented")
    else {
        return;
    };
    let sb = Sandbox::new();
    for srx in ["omegat-defaultRules.srx", "okapi-defaultSegmentation.srx"] {
        srx_split_of_the_seed(&sb, &corpus.join("spec").join(srx))
            .ok()
            .stdout_has("13 rows, 0 marked LOW");
    }
    let mut args = vec!["align".to_string(), "--srx".into(), "missing.srx".into()];
    args.extend(seed_args());
    run(&sb, &args).fails().stderr_has("missing.srx");
}

/// The fixture twin: the project's own SRX 2.0 file (cascading, with a Java-only rule that is
/// skipped and said so) splits all six languages into the 13 documented sentences.
#[test]
fn the_fixture_srx_rules_split_the_seed_message_as_documented() {
    let sb = Sandbox::new();
    srx_split_of_the_seed(&sb, &fixture("srx/cascade.srx"))
        .ok()
        .stdout_has("13 rows, 0 marked LOW")
        .stderr_has("1 rules skipped")
        .stderr_has("\\p{javaLowerCase}");
    // SRX 1.0 without cascade: the first map only, which has no rule for 。, so Chinese stays
    // one sentence per paragraph: its paragraphs pair with two sentences of the others (the
    // right pairing, so not LOW: LOW marks rows with one chance in ten or more of being
    // wrong).
    srx_split_of_the_seed(&sb, &fixture("srx/first-map.srx"))
        .ok()
        .stdout_has("7 rows, 0 marked LOW")
        .stdout_has("2-2-2-2-1-2");
    std::fs::write(sb.path("not.srx"), "<tmx/>").unwrap();
    srx_split_of_the_seed(&sb, &sb.path("not.srx"))
        .fails()
        .stderr_has("not an SRX file");
}

/// Lines laid out as a resolution is: paragraphs of three lines, each line on its own.
fn layout(lines: &[String]) -> String {
    lines
        .chunks(3)
        .map(|c| c.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Precision and recall of sentence units against the line pairing: a unit links every
/// English line its text comes from with every line its translation comes from; precision
/// is the share of links that pair a line with itself, recall the share of lines so paired.
fn line_pairing(
    units: &[TranslationUnit],
    lang: &str,
    en: &[String],
    other: &[String],
) -> (f64, f64) {
    // Each side's units are found in its lines in order, from a moving cursor, whitespace
    // aside (sentences of a line are joined with one space, or none between CJK).
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (en, other): (Vec<String>, Vec<String>) = (
        en.iter().map(|l| squeeze(l)).collect(),
        other.iter().map(|l| squeeze(l)).collect(),
    );
    let locate = |lines: &[String], cursor: &mut (usize, usize), text: &str| -> usize {
        let text = squeeze(text);
        while cursor.0 < lines.len() {
            if let Some(p) = lines[cursor.0][cursor.1..].find(&text) {
                cursor.1 += p + text.len();
                return cursor.0;
            }
            *cursor = (cursor.0 + 1, 0);
        }
        usize::MAX
    };
    let (mut ce, mut co) = ((0, 0), (0, 0));
    let mut links = std::collections::HashSet::new();
    for u in units {
        let a = locate(&en, &mut ce, &text(u, "en").unwrap());
        let b = locate(&other, &mut co, &text(u, lang).unwrap());
        links.insert((a, b));
    }
    let right = links
        .iter()
        .filter(|(a, b)| a == b && *a != usize::MAX)
        .count();
    (
        right as f64 / links.len().max(1) as f64,
        right as f64 / en.len() as f64,
    )
}

/// Aligns en with `lang` by sentence, both laid out as paragraphs of three lines; returns
/// the units written as TMX.
fn align_layout(en: &[String], lang: &str, other: &[String]) -> Vec<TranslationUnit> {
    let sb = Sandbox::new();
    std::fs::write(sb.path("en.txt"), layout(en)).unwrap();
    std::fs::write(sb.path("other.txt"), layout(other)).unwrap();
    sb.tmm(&[
        "align",
        "en=en.txt",
        &format!("{lang}=other.txt"),
        "--unit",
        "sentence",
        "--tmx",
        "out.tmx",
    ])
    .ok();
    units(&sb.path("out.tmx"))
}

#[test]
fn the_un_resolution_aligns_by_sentence_in_all_five_pairs() {
    // Regression: English cut "…territory; 2." and Russian kept its lower-case items
    // together, so that two operative paragraphs were left out.
    let Some(corpus) = corpus("the UN resolution sentence-alignment test") else {
        return;
    };
    let lines = |lang: &str| -> Vec<String> {
        std::fs::read_to_string(corpus.join(format!("aligned/UN_GA_res55-100_6way.{lang}")))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    let en = lines("en");
    for lang in ["fr", "es", "ru", "zh", "ar"] {
        let other = lines(lang);
        let units = align_layout(&en, lang, &other);
        let (p, r) = line_pairing(&units, lang, &en, &other);
        assert!(
            p >= 0.95 && r >= 0.95,
            "en→{lang}: precision {p}, recall {r}"
        );
        let operative = units
            .iter()
            .find(|u| text(u, "en").unwrap().starts_with("2. Reaffirms"))
            .unwrap_or_else(|| panic!("en→{lang}: no unit starts with item 2"));
        assert!(text(operative, lang).unwrap().starts_with('2'), "{lang}");
    }
}

fn fixture_lines(lang: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join(format!("tests/fixtures/resolution/{lang}.txt")))
            .unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn a_resolution_with_inline_items_aligns_by_sentence_in_six_languages() {
    let en = fixture_lines("en");
    assert_eq!(en.len(), 15);
    for lang in ["fr", "es", "ru", "zh", "ar"] {
        let other = fixture_lines(lang);
        let units = align_layout(&en, lang, &other);
        let (p, r) = line_pairing(&units, lang, &en, &other);
        assert_eq!((p, r), (1.0, 1.0), "en→{lang}");
        // Line 9 holds items 1 and 2, line 10 an introduction and items (a) and (b):
        // each is a unit of its own in every language.
        let starts: Vec<String> = units.iter().map(|u| text(u, lang).unwrap()).collect();
        let count = |prefix: &[&str]| {
            starts
                .iter()
                .filter(|s| prefix.iter().any(|p| s.starts_with(p)))
                .count()
        };
        assert_eq!(count(&["2.", "2．", "2 -"]), 1, "en→{lang}: {starts:#?}");
        assert_eq!(
            count(&["(a)", "a)", "а)", "(أ)"]),
            1,
            "en→{lang}: {starts:#?}"
        );
        assert_eq!(
            count(&["(b)", "b)", "б)", "(ب)"]),
            1,
            "en→{lang}: {starts:#?}"
        );
        assert_eq!(units.len(), 18, "en→{lang}: {starts:#?}");
    }
}

#[test]
fn texts_that_are_not_translations_are_refused_and_nothing_is_stored() {
    let sb = Sandbox::new();
    // The likeliest mistake: the same series' message of another year, paired by accident.
    let other_year = root().join("tests/fixtures/other-year/fr.txt");
    let args = [
        "align".to_string(),
        format!("en={}", seed("en")),
        format!("fr={}", other_year.display()),
    ];
    run(&sb, &args)
        .fails()
        .stderr_has("fr.txt: no credible alignment with en")
        .stderr_has("not translations of each other")
        .stderr_has("nothing stored");
    assert!(!sb.db_exists(), "a refused alignment created the database");
    // The 2012 seed's English against the UN resolution's French.
    if let Some(corpus) = corpus("the UN resolution part of this test") {
        let un_fr = corpus.join("aligned/UN_GA_res55-100_6way.fr");
        run(
            &sb,
            &[
                "align".into(),
                format!("en={}", seed("en")),
                format!("fr={}", un_fr.display()),
            ],
        )
        .fails()
        .stderr_has("no credible alignment");
        assert!(!sb.db_exists());
    }
    // --force stores them anyway, every unit marked and LOW.
    let mut forced = args.to_vec();
    forced.push("--force".into());
    run(&sb, &forced)
        .ok()
        .stderr_has("aligned anyway, as asked")
        .stderr_has("7 paragraphs aligned (7 marked low confidence");
    sb.tmm(&["export", "-o", "out.tmx"]).ok();
    let got = units(&sb.path("out.tmx"));
    assert_eq!(got.len(), 7);
    for u in &got {
        assert!(
            prop(u, "x-align-forced").contains("not translations of each other"),
            "{:?}",
            u.props
        );
    }
}

#[test]
fn another_years_message_in_another_alphabet_is_refused_by_the_memorys_dictionary() {
    // Regression: between alphabets numbers and names were too few to judge, and the same
    // series' message of another year in Russian, Chinese or Arabic was stored.
    let sb = Sandbox::new();
    let sample = root().join("tmx/un-ssc-2012.tmx");
    sb.tmm(&["import", sample.to_str().unwrap()]).ok();
    sb.tmm(&["export", "-o", "before.tmx"]).ok();
    other_years_refused(&sb, "translations in the memory");
    sb.tmm(&["export", "-o", "after.tmx"]).ok();
    assert_eq!(
        std::fs::read(sb.path("before.tmx")).unwrap(),
        std::fs::read(sb.path("after.tmx")).unwrap(),
        "a refused alignment changed the memory"
    );
    // The 2013 translations, which the memory's dictionary explains, are stored.
    for lang in ["zh", "ar"] {
        run(
            &sb,
            &[
                "align".into(),
                format!("en={}", release("en")),
                format!("{lang}={}", release(lang)),
            ],
        )
        .ok()
        .stderr_has("8 paragraphs aligned (0 marked low confidence");
    }
}

#[test]
fn another_years_message_in_another_alphabet_is_refused_by_its_numbers_without_a_memory() {
    // Regression: with no memory, between alphabets nothing judged the pairing, and the same
    // series' message of another year in Russian, Chinese or Arabic was stored.
    let sb = Sandbox::new();
    other_years_refused(&sb, "of their numbers");
    assert!(!sb.db_exists(), "a refused alignment created the database");
    // Their translations keep their numbers, and are aligned.
    let translations = ["ru", "zh", "ar"]
        .map(|l| (seed("en"), seed(l), 7))
        .into_iter()
        .chain(["zh", "ar"].map(|l| (release("en"), release(l), 8)));
    for (english, other, rows) in translations {
        let lang = &other[other.len() - 6..other.len() - 4];
        run(
            &sb,
            &[
                "align".into(),
                "--preview".into(),
                format!("en={english}"),
                format!("{lang}={other}"),
            ],
        )
        .ok()
        .stdout_has(&format!("{rows} rows, 0 marked LOW"));
    }
}

#[test]
fn a_memory_that_cannot_be_read_stops_a_store_but_not_a_preview() {
    let sb = Sandbox::new();
    let db = sb.path("broken.db");
    std::fs::write(&db, "this is not an SQLite database, it only has the name").unwrap();
    let docs = [format!("en={}", seed("en")), format!("fr={}", seed("fr"))];
    let with = |extra: &[&str]| {
        let mut args = vec!["align"];
        args.extend(docs.iter().map(String::as_str));
        args.extend(extra);
        sb.tmm_db(&db, &args)
    };
    with(&["--preview"])
        .ok()
        .stderr_has("broken.db")
        .stderr_has("aligned without the memory's evidence")
        .stdout_has("7 rows, 0 marked LOW");
    with(&["--tmx", "out.tmx"]).ok();
    assert_eq!(units(&sb.path("out.tmx")).len(), 7);
    with(&[]).fails().stderr_has("broken.db");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"this is not an SQLite database, it only has the name",
        "the file was changed"
    );
}

#[test]
fn a_short_stray_note_stands_alone_as_0_1() {
    // Regression: a note of a few dozen characters beside a long paragraph was stored with
    // it as a 1-2 split.
    let note = "Note du traducteur : texte provisoire, non revu.";
    let mut fr = fixture_lines("fr");
    fr.insert(8, note.to_string());
    let en = fixture_lines("en");
    let sb = Sandbox::new();
    std::fs::write(sb.path("en.txt"), en.join("\n")).unwrap();
    std::fs::write(sb.path("fr.txt"), fr.join("\n")).unwrap();
    let preview = sb
        .tmm(&["align", "en=en.txt", "fr=fr.txt", "--preview"])
        .ok()
        .stderr_has(&format!(
            "unaligned paragraph near en paragraph 8, not stored: {note}"
        ))
        .stdout();
    let row = preview
        .lines()
        .find(|l| l.contains(" 0-1 "))
        .unwrap_or_else(|| panic!("no 0-1 row\n{preview}"));
    assert!(
        row.contains("Note du traducteur") && row.contains("LOW"),
        "{row}"
    );
    sb.tmm(&["align", "en=en.txt", "fr=fr.txt", "--tmx", "out.tmx"])
        .ok();
    let got = units(&sb.path("out.tmx"));
    assert_eq!(got.len(), 15);
    for (u, (e, f)) in got.iter().zip(en.iter().zip(fixture_lines("fr").iter())) {
        assert_eq!(text(u, "en").as_deref(), Some(e.as_str()));
        assert_eq!(text(u, "fr").as_deref(), Some(f.as_str()));
        assert_eq!(prop(u, "x-align-bead"), "1-1");
    }
}
