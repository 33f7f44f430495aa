//! Corpus export on small stores built to hit each filter.

use super::*;
use crate::store::ImportOptions;

fn tag(s: &str) -> LanguageTag {
    LanguageTag::parse(s).unwrap()
}

/// A unit for [`store_of`]: tuid, change date, and (lang, seg XML) pairs.
type Unit<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// A store holding `units` imported from one TMX file named `name`.
fn store_of(dir: &Path, name: &str, document: &str, units: &[Unit]) -> Store {
    let store = Store::open_temporary().unwrap();
    add(&store, dir, name, document, units);
    store
}

fn add(store: &Store, dir: &Path, name: &str, document: &str, units: &[Unit]) {
    let mut tmx = format!(
        r#"<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"><prop type="x-document">{document}</prop></header><body>"#
    );
    for (tuid, date, variants) in units {
        let date = if date.is_empty() {
            String::new()
        } else {
            format!(r#" changedate="{date}""#)
        };
        tmx.push_str(&format!(r#"<tu tuid="{tuid}"{date}>"#));
        for (lang, seg) in *variants {
            tmx.push_str(&format!(r#"<tuv xml:lang="{lang}"><seg>{seg}</seg></tuv>"#));
        }
        tmx.push_str("</tu>");
    }
    tmx.push_str("</body></tmx>");
    let path = dir.join(name);
    std::fs::write(&path, tmx).unwrap();
    store
        .import_tmx(&path, &ImportOptions::default(), &mut ())
        .unwrap();
}

fn options(format: Format, langs: &[&str]) -> CorpusOptions {
    CorpusOptions {
        format,
        langs: langs.iter().map(|l| tag(l)).collect(),
        ..Default::default()
    }
}

/// Exports as TSV and returns the summary and the lines.
fn tsv(store: &Store, o: &CorpusOptions) -> (CorpusSummary, Vec<String>) {
    let mut out = Vec::new();
    let o = CorpusOptions {
        format: Format::Tsv,
        ..o.clone()
    };
    let summary = export(store, &o, Output::Writer(Box::new(&mut out)), &mut ()).unwrap();
    let text = String::from_utf8(out).unwrap();
    (summary, text.lines().map(String::from).collect())
}

#[test]
fn a_pair_without_the_source_language_is_exported() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D1",
        &[
            ("1", "", &[("en", "One"), ("fr", "Un"), ("zh", "一")]),
            ("2", "", &[("en", "Two"), ("fr", "Deux")]),
            (
                "3",
                "",
                &[("en", "Three"), ("fr-CA", "Trois"), ("zh-CN", "三")],
            ),
        ],
    );
    let (s, lines) = tsv(&store, &options(Format::Tsv, &["fr", "zh"]));
    assert_eq!(lines, ["Un\t一", "Trois\t三"]);
    assert_eq!((s.units_read, s.written), (2, 2));
    // As TMX, French is the declared source and the file reads back without a warning.
    let tmx = dir.path().join("fr-zh.tmx");
    export(
        &store,
        &options(Format::Tmx, &["fr", "zh"]),
        Output::Path(&tmx),
        &mut (),
    )?;
    let written = std::fs::read_to_string(&tmx).unwrap();
    assert!(written.contains(r#"srclang="fr""#), "{written}");
    assert!(
        written.contains(r#"<tu tuid="3" srclang="fr-CA">"#),
        "{written}"
    );
    assert!(!written.contains(r#"xml:lang="en""#));
    let again = Store::open_temporary()?;
    let summary = again.import_tmx(&tmx, &ImportOptions::default(), &mut ())?;
    assert_eq!(
        (summary.added, summary.warnings.len()),
        (2, 0),
        "{summary:?}"
    );
    Ok(())
}

#[test]
fn empty_and_untranslated_pairs_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D1",
        &[
            ("1", "", &[("en", "Kept"), ("fr", "Gardé")]),
            ("2", "", &[("en", "Empty"), ("fr", "  ")]),
            ("3", "", &[("en", "OK"), ("fr", "OK")]),
        ],
    );
    let (s, lines) = tsv(&store, &options(Format::Tsv, &["en", "fr"]));
    assert_eq!(lines, ["Kept\tGardé"]);
    assert_eq!((s.dropped.empty, s.dropped.untranslated), (1, 1));
}

#[test]
fn document_origin_and_date_filters_select_their_units() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "A/1",
        &[
            ("old", "20100101T000000Z", &[("en", "Old"), ("fr", "Vieux")]),
            ("new", "20200615T120000Z", &[("en", "New"), ("fr", "Neuf")]),
            ("undated", "", &[("en", "When"), ("fr", "Quand")]),
        ],
    );
    add(
        &store,
        dir.path(),
        "b.tmx",
        "B/2",
        &[("b", "20200101T000000Z", &[("en", "Bee"), ("fr", "Abeille")])],
    );
    let base = options(Format::Tsv, &["en", "fr"]);
    let (s, lines) = tsv(
        &store,
        &CorpusOptions {
            document: Some("B/2".into()),
            ..base.clone()
        },
    );
    assert_eq!(lines, ["Bee\tAbeille"]);
    assert_eq!(s.dropped.document, 3);

    let origin = store.find_origin("a.tmx").unwrap();
    let (_, lines) = tsv(
        &store,
        &CorpusOptions {
            origin: Some(origin),
            ..base.clone()
        },
    );
    assert_eq!(lines.len(), 3);

    let (s, lines) = tsv(
        &store,
        &CorpusOptions {
            since: Some(parse_date_bound("2020-01-01", false).unwrap()),
            until: Some(parse_date_bound("2020-06-15", true).unwrap()),
            ..base
        },
    );
    assert_eq!(lines, ["New\tNeuf", "Bee\tAbeille"]);
    // The old unit and the undated one.
    assert_eq!(s.dropped.date, 2);
}

#[test]
fn word_and_length_filters_count_per_script() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D",
        &[
            ("short", "", &[("en", "Hi"), ("zh", "你好")]),
            ("fits", "", &[("en", "The past decade"), ("zh", "过去十年")]),
            (
                "long",
                "",
                &[
                    ("en", "one two three four five six seven"),
                    ("zh", "一二三四五六七"),
                ],
            ),
            (
                "odd",
                "",
                &[("en", "A sentence that has no business here"), ("zh", "是")],
            ),
        ],
    );
    let (s, lines) = tsv(
        &store,
        &CorpusOptions {
            min_words: Some(2),
            max_words: Some(6),
            max_length_ratio: Some(2.0),
            ..options(Format::Tsv, &["en", "zh"])
        },
    );
    assert_eq!(lines, ["The past decade\t过去十年"]);
    assert_eq!(
        (
            s.dropped.too_few_words,
            s.dropped.too_many_words,
            s.dropped.length_ratio
        ),
        (2, 1, 0),
        "{s:?}"
    );
    // Without the word filters, the odd and the short pair are caught by the length ratio
    // (你好 is 6 against 2 letters).
    let (s, _) = tsv(
        &store,
        &CorpusOptions {
            max_length_ratio: Some(2.0),
            ..options(Format::Tsv, &["en", "zh"])
        },
    );
    assert_eq!(s.dropped.length_ratio, 2, "{s:?}");
}

#[test]
fn dedupe_keeps_the_newest_copy() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D",
        &[
            (
                "a-old",
                "20100101T000000Z",
                &[("en", "Hello, world!"), ("fr", "Bonjour le monde")],
            ),
            (
                "a-new",
                "20200101T000000Z",
                &[("en", "hello world"), ("fr", "Bonjour, le monde.")],
            ),
            (
                "a-mid",
                "20150101T000000Z",
                &[("en", "Hello, world!"), ("fr", "Bonjour le monde")],
            ),
            ("b", "20000101T000000Z", &[("en", "Other"), ("fr", "Autre")]),
        ],
    );
    let base = CorpusOptions {
        columns: true,
        ..options(Format::Tsv, &["en", "fr"])
    };
    let tuids = |lines: Vec<String>| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.split('\t').nth(4).unwrap().to_string())
            .collect()
    };
    let (s, lines) = tsv(
        &store,
        &CorpusOptions {
            dedupe: Some(Dedupe::Exact),
            ..base.clone()
        },
    );
    // a-old and a-mid are the same pair; a-mid is newer. a-new differs in case and marks.
    assert_eq!(tuids(lines), ["a-new", "a-mid", "b"]);
    assert_eq!(s.dropped.duplicate, 1);
    let (s, lines) = tsv(
        &store,
        &CorpusOptions {
            dedupe: Some(Dedupe::Normalized),
            ..base
        },
    );
    assert_eq!(tuids(lines), ["a-new", "b"]);
    assert_eq!(s.dropped.duplicate, 2);
}

#[test]
fn tsv_columns_carry_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "prov.tmx",
        "S/2012/1",
        &[(
            "t1",
            "20121001T000000Z",
            &[("en", "Tab\there"), ("fr", "Ta\\b")],
        )],
    );
    let (_, lines) = tsv(
        &store,
        &CorpusOptions {
            header: true,
            columns: true,
            ..options(Format::Tsv, &["en", "fr"])
        },
    );
    assert_eq!(
        lines,
        [
            "en\tfr\tdocument\tdate\ttuid\torigin",
            "Tab\\there\tTa\\\\b\tS/2012/1\t20121001T000000Z\tt1\tprov.tmx"
        ]
    );
}

#[test]
fn moses_lines_stay_parallel_and_breaks_are_counted() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D",
        &[
            (
                "1",
                "",
                &[("en", "Line\nbreak"), ("de", "Zeilen&#13;&#10;umbruch")],
            ),
            ("2", "", &[("en", "Tab\tbed"), ("de", "Bett")]),
        ],
    );
    let base = dir.path().join("out");
    let s = export(
        &store,
        &options(Format::Moses, &["en", "de"]),
        Output::Path(&base),
        &mut (),
    )?;
    assert_eq!(s.normalised_segments, 3);
    let en = std::fs::read_to_string(dir.path().join("out.en")).unwrap();
    let de = std::fs::read_to_string(dir.path().join("out.de")).unwrap();
    assert_eq!(en, "Line break\nTab bed\n");
    assert_eq!(de, "Zeilen  umbruch\nBett\n");
    Ok(())
}

#[test]
fn placeholders_replace_inline_codes_in_plain_formats() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D",
        &[(
            "1",
            "",
            &[
                (
                    "en",
                    r#"Click <bpt i="1" x="1">&lt;b></bpt>Save<ept i="1">&lt;/b></ept>"#,
                ),
                (
                    "fr",
                    r#"Cliquez sur <bpt i="1" x="1">&lt;b></bpt>Enregistrer<ept i="1">&lt;/b></ept>"#,
                ),
            ],
        )],
    );
    let o = options(Format::Tsv, &["en", "fr"]);
    assert_eq!(tsv(&store, &o).1, ["Click Save\tCliquez sur Enregistrer"]);
    let (_, lines) = tsv(
        &store,
        &CorpusOptions {
            tags: Tags::Placeholders,
            ..o.clone()
        },
    );
    assert_eq!(lines, ["Click {1}Save{/1}\tCliquez sur {1}Enregistrer{/1}"]);
    let (_, lines) = tsv(
        &store,
        &CorpusOptions {
            tags: Tags::Keep,
            ..o
        },
    );
    assert!(
        lines[0].starts_with("Click <bpt i=\"1\" x=\"1\">&lt;b&gt;</bpt>"),
        "{lines:?}"
    );
}

fn split_store(dir: &Path) -> Store {
    let units: Vec<(String, String, String)> = (0..300)
        .map(|i| {
            // Every tenth sentence comes back later with other case and punctuation.
            let n = if i % 10 == 9 { i - 9 } else { i };
            let en = if n == i {
                format!("Sentence number {n} is here.")
            } else {
                format!("SENTENCE number {n} is here")
            };
            (i.to_string(), en, format!("Phrase {i}"))
        })
        .collect();
    let borrowed: Vec<[(&str, &str); 2]> = units
        .iter()
        .map(|(_, en, fr)| [("en", en.as_str()), ("fr", fr.as_str())])
        .collect();
    let list: Vec<Unit> = units
        .iter()
        .zip(&borrowed)
        .map(|((id, _, _), v)| (id.as_str(), "", &v[..]))
        .collect();
    store_of(dir, "s.tmx", "D", &list)
}

#[test]
fn the_split_is_stable_and_duplicates_never_straddle_parts() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let store = split_store(dir.path());
    let o = CorpusOptions {
        split: parse_split("train=0.8,dev=0.1,test=0.1")?,
        seed: 7,
        ..options(Format::Tsv, &["en", "fr"])
    };
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let s1 = export(&store, &o, Output::Path(&dir.path().join("a.tsv")), &mut ())?;
    let s2 = export(&store, &o, Output::Path(&dir.path().join("b.tsv")), &mut ())?;
    assert_eq!(s1.splits, s2.splits);
    for part in ["train", "dev", "test"] {
        assert_eq!(
            read(&format!("a.{part}.tsv")),
            read(&format!("b.{part}.tsv"))
        );
    }
    let counts: Vec<u64> = s1.splits.iter().map(|p| p.1).collect();
    assert_eq!(counts.iter().sum::<u64>(), 300);
    assert!(
        counts[0] > 200 && counts[1] > 10 && counts[2] > 10,
        "{counts:?}"
    );
    let sources = |part: &str| -> std::collections::HashSet<String> {
        read(&format!("a.{part}.tsv"))
            .lines()
            .map(|l| text::normalize(l.split('\t').next().unwrap()))
            .collect()
    };
    let train = sources("train");
    assert!(sources("test").is_disjoint(&train));
    assert!(sources("dev").is_disjoint(&train));
    // Another seed gives another split.
    let other = export(
        &store,
        &CorpusOptions { seed: 8, ..o },
        Output::Path(&dir.path().join("c.tsv")),
        &mut (),
    )?;
    assert_ne!(
        read("a.test.tsv"),
        read("c.test.tsv"),
        "{:?} vs {:?}",
        s1.splits,
        other.splits
    );
    Ok(())
}

#[test]
fn split_specs_are_checked() {
    assert_eq!(
        parse_split("train=0.98,dev=0.01,test=0.01").unwrap().len(),
        3
    );
    for bad in [
        "train=0.9",
        "train=0.5,train=0.5",
        "a b=1",
        "train=x",
        "train=1,dev=0",
    ] {
        assert!(parse_split(bad).is_err(), "{bad}");
    }
}

#[test]
fn dates_parse_in_several_forms() {
    assert_eq!(
        parse_date_bound("2012-09-12", false).unwrap(),
        20120912000000
    );
    assert_eq!(parse_date_bound("20120912", true).unwrap(), 20120912235959);
    assert_eq!(
        parse_date_bound("20120912T101112Z", false).unwrap(),
        20120912101112
    );
    assert_eq!(
        parse_date_bound("2012-09-12T10:11:12Z", false).unwrap(),
        20120912101112
    );
    assert!(parse_date_bound("2012-13-40", false).is_err());
    assert!(parse_date_bound("yesterday", false).is_err());
    assert_eq!(date_key("20120912T101112Z"), Some(20120912101112));
    // Multibyte characters where digits belong must not split a character.
    assert_eq!(date_key("20120912T10111é"), None);
    assert_eq!(date_key("20120912Té1112Z"), None);
}

#[test]
fn bad_requests_fail_cleanly_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(
        dir.path(),
        "a.tmx",
        "D",
        &[
            ("1", "", &[("en", "One"), ("fr", "Un")]),
            ("2", "", &[("de", "Zwei"), ("it", "Due")]),
        ],
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("c.tsv");
    let err = export(
        &store,
        &options(Format::Tsv, &["en", "ko"]),
        Output::Path(&target),
        &mut (),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no text in `ko`"), "{err}");
    let err = export(
        &store,
        &options(Format::Tsv, &["fr", "de"]),
        Output::Path(&target),
        &mut (),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("no unit has a variant in each of fr, de"),
        "{err}"
    );
    let err = export(
        &store,
        &options(Format::Moses, &["en", "fr"]),
        Output::Path(&dir.path().join("missing/dir/c")),
        &mut (),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

// Bilingual spreadsheets in, and back out as TSV.

/// Imports a bilingual spreadsheet the way `tmm import --from --to` does.
fn import_sheet(
    store: &Store,
    path: &Path,
    format: crate::formats::Format,
    from: &str,
    to: &str,
    header: Option<bool>,
) -> Result<crate::store::ImportSummary> {
    let read = crate::formats::ReadOptions {
        format: Some(format),
        from: Some(tag(from)),
        to: Some(tag(to)),
        header,
        ..Default::default()
    };
    let source = crate::formats::open(crate::formats::Input::open(path)?, &read)?;
    store.import(source, &ImportOptions::default(), &mut ())
}

#[test]
fn tsv_with_escapes_round_trips_exactly() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.tsv");
    let data = "en\tfr\nTab\\there\tTab\\tici\nLine\\nbreak \\\\ slash\tSaut\\nde ligne\n\"Quoted\"\t« cité »\n";
    std::fs::write(&input, data).unwrap();
    let store = Store::open_temporary()?;
    let s = import_sheet(
        &store,
        &input,
        crate::formats::Format::Tsv,
        "en",
        "fr",
        None,
    )?;
    assert_eq!((s.units_read, s.added), (3, 3));
    let out = dir.path().join("out.tsv");
    export(
        &store,
        &CorpusOptions {
            format: Format::Tsv,
            langs: vec![tag("en"), tag("fr")],
            header: true,
            ..Default::default()
        },
        Output::Path(&out),
        &mut (),
    )?;
    assert_eq!(std::fs::read_to_string(&out).unwrap(), data);
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(48))]
    /// Any text, tabs, line breaks and backslashes included, survives TSV → store → TSV.
    #[test]
    fn any_tsv_round_trips_through_the_store(
        rows in proptest::collection::vec(("[a-z\\\\\t\n\r é中]{0,12}x", "[A-Z\\\\\t\n\r ü文]{0,12}Y"), 1..8)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.tsv");
        let data: String = rows
            .iter()
            .map(|(a, b)| format!("{}\t{}\n", crate::formats::tsv::escape(a), crate::formats::tsv::escape(b)))
            .collect();
        std::fs::write(&input, &data).unwrap();
        let store = Store::open_temporary()?;
                import_sheet(&store, &input, crate::formats::Format::Tsv, "en", "fr", Some(false))?;
        let mut out = Vec::new();
        export(
            &store,
            &CorpusOptions {
                format: Format::Tsv,
                langs: vec![tag("en"), tag("fr")],
                ..Default::default()
            },
            Output::Writer(Box::new(&mut out)),
            &mut (),
        )?;
        // Identical rows are one unit in the store.
        let mut seen = std::collections::HashSet::new();
        let expected: String = data.lines().filter(|l| seen.insert(*l)).map(|l| format!("{l}\n")).collect();
        proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}

#[test]
fn csv_quoted_fields_and_no_header() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "en,fr\n\"a, b\",\"x \"\"y\"\"\nz\"\n").unwrap();
    let store = Store::open_temporary()?;
    let s = import_sheet(
        &store,
        &input,
        crate::formats::Format::Csv,
        "en",
        "fr",
        Some(false),
    )?;
    // `en,fr` is data under --no-header.
    assert_eq!(s.added, 2);
    let texts: Vec<String> = store.read("test", |c| {
        Ok(
            c.prepare("SELECT tmm_text(text) FROM variant WHERE lang = 'fr' ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        )
    })?;
    assert_eq!(texts, ["fr", "x \"y\"\nz"]);
    Ok(())
}

#[test]
fn a_short_row_is_skipped_with_a_warning() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.tsv");
    std::fs::write(&input, "one\ttwo\nalone\n").unwrap();
    let store = Store::open_temporary()?;
    let s = import_sheet(
        &store,
        &input,
        crate::formats::Format::Tsv,
        "en",
        "de",
        None,
    )?;
    assert_eq!((s.added, s.invalid), (1, 1));
    assert_eq!(s.warnings[0].line, Some(2));
    Ok(())
}
