//! Parallel-corpus export and bilingual import through the real binary: round trips on the
//! shipped sample, Moses files on all the project's TMX fixtures and on the whole shared
//! corpus (when present), and clean failures.

use std::collections::BTreeMap;

use tmm::corpus::{self, CorpusOptions, Format, Output};
use tmm::lang::LanguageTag;
use tmm::store::ImportOptions;

use std::path::PathBuf;

use crate::roundtrip::{BROKEN, BROKEN_FIXTURES, tmx_files};
use crate::util::{Sandbox, corpus, fixture, root};

fn sample() -> String {
    root().join("tmx/un-ssc-2012.tmx").display().to_string()
}

/// `export ARGS` from a store of `file`, imported into a second store, exported again with
/// the same ARGS: both exports are identical.
fn round_trip(format: &str, file_name: &str, extra: &[&str]) {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    let mut args = vec!["export", "--format", format, "-o", file_name];
    args.extend_from_slice(extra);
    let run = sb.tmm(&args).ok();
    assert!(
        run.stderr().contains("7 pairs written") || run.stdout().contains("\"written\": 7"),
        "{}",
        run.stderr()
    );
    let first = std::fs::read(sb.path(file_name)).unwrap();
    let db2 = sb.path("second.db");
    let mut import = vec!["import", "--format", format];
    if format == "tsv" {
        import.extend(["--from", extra[1], "--to", extra[3]]);
    }
    import.push(file_name);
    sb.tmm_db(&db2, &import).ok().stderr_has("7 added");
    let again = format!("again-{file_name}");
    args[4] = &again;
    sb.tmm_db(&db2, &args).ok();
    let second = std::fs::read(sb.path(&again)).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
}

#[test]
fn tsv_export_import_export_is_identical() {
    round_trip(
        "tsv",
        "fr-zh.tsv",
        &["--from", "fr", "--to", "zh", "--header"],
    );
}

#[test]
fn jsonl_export_import_export_is_identical_with_all_six_languages() {
    round_trip(
        "jsonl",
        "un.jsonl",
        &["--langs", "en,fr,es,ru,zh,ar", "--json"],
    );
}

#[test]
fn jsonl_keeps_document_dates_and_props() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    let run = sb
        .tmm(&[
            "export", "--format", "jsonl", "--from", "ru", "--to", "ar", "-o", "-",
        ])
        .ok();
    let first = run.stdout().lines().next().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["tuid"], "ssc-2012-p1");
    assert!(v["text"]["ru"].as_str().unwrap().starts_with("ВЕНА"));
    assert!(
        v["document"]
            .as_str()
            .unwrap()
            .starts_with("UNIS 12 September 2012")
    );
    assert_eq!(v["creationdate"], "20121001T000000Z");
    assert_eq!(v["props"][0]["type"], "x-paragraph");
}

#[test]
fn moses_of_a_pair_without_the_source_has_parallel_lines() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    sb.tmm(&[
        "export", "--format", "moses", "--from", "fr", "--to", "zh", "-o", "c",
    ])
    .ok();
    let fr = std::fs::read_to_string(sb.path("c.fr")).unwrap();
    let zh = std::fs::read_to_string(sb.path("c.zh")).unwrap();
    assert_eq!((fr.lines().count(), zh.lines().count()), (7, 7));
    assert!(fr.starts_with("VIENNE, 12 septembre"));
    assert!(zh.starts_with("维也纳"));
}

#[test]
fn csv_from_a_spreadsheet_imports_with_its_header() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path("sheet.csv"),
        "Source,Target\n\"Hello, world\",\"Bonjour, le monde\"\nYes,Oui\n",
    )
    .unwrap();
    sb.tmm(&["import", "--from", "en", "--to", "fr", "sheet.csv"])
        .ok()
        .stderr_has("2 added");
    let run = sb
        .tmm(&[
            "export", "--format", "tsv", "--from", "en", "--to", "fr", "-o", "-",
        ])
        .ok();
    assert_eq!(run.stdout(), "Hello, world\tBonjour, le monde\nYes\tOui\n");
    sb.tmm(&["import", "--format", "tsv", "sheet.csv"])
        .fails()
        .stderr_has("needs --from and --to");
}

#[test]
fn bad_requests_fail_with_a_clear_error_and_no_file() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    sb.tmm(&[
        "export", "--format", "tsv", "--from", "en", "--to", "ko", "-o", "x.tsv",
    ])
    .fails()
    .stderr_has("no text in `ko`");
    sb.tmm(&[
        "export", "--format", "tsv", "--from", "en", "--to", "CN", "-o", "x.tsv",
    ])
    .fails()
    .stderr_has("invalid language tag `CN`");
    sb.tmm(&[
        "export",
        "--format",
        "moses",
        "--from",
        "en",
        "--to",
        "fr",
        "-o",
        "no/such/dir/c",
    ])
    .fails()
    .stderr_has("no/such/dir");
    sb.tmm(&[
        "export", "--format", "moses", "--from", "en", "--to", "fr", "-o", "-",
    ])
    .fails()
    .stderr_has("give an output path");
    // A read-only folder.
    let ro = sb.path("ro");
    std::fs::create_dir(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    let writable = std::fs::write(ro.join("probe"), "x").is_ok();
    if !writable {
        sb.tmm(&[
            "export", "--format", "tsv", "--from", "en", "--to", "fr", "-o", "ro/c.tsv",
        ])
        .fails()
        .stderr_has("ro");
    }
    let left: Vec<_> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("tm.db") && n != "ro")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(
        std::fs::read_dir(&ro).unwrap().count(),
        usize::from(writable)
    );
}

/// Every language pair of the whole shared corpus, stored together: Moses files of equal
/// line counts, one segment per line.
#[test]
fn moses_line_counts_match_on_the_whole_shared_corpus() {
    let Some(corpus) = corpus("the whole-corpus Moses test") else {
        return;
    };
    let mut files = Vec::new();
    tmx_files(&corpus.join("tmx"), &mut files);
    moses_line_counts_match(&files, BROKEN);
}

/// The same on every TMX fixture of the project, stored together.
#[test]
fn moses_line_counts_match_on_all_the_fixtures() {
    let mut files = Vec::new();
    tmx_files(&fixture("tmx"), &mut files);
    moses_line_counts_match(&files, BROKEN_FIXTURES);
}

fn moses_line_counts_match(files: &[PathBuf], broken: &[&str]) {
    let store = crate::util::temporary_store();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy();
        if !broken.contains(&name.as_ref()) {
            store
                .import_tmx(f, &ImportOptions::default(), &mut ())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let languages = store.stats().unwrap().languages;
    assert!(languages.len() >= 10, "{languages:?}");
    // The six most common languages, every pair both ways round.
    let top: Vec<LanguageTag> = languages
        .iter()
        .take(6)
        .map(|(l, _)| LanguageTag::parse(l).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut written = BTreeMap::new();
    for a in &top {
        for b in &top {
            if a == b {
                continue;
            }
            let base = dir.path().join(format!("{a}-{b}"));
            let options = CorpusOptions {
                format: Format::Moses,
                langs: vec![a.clone(), b.clone()],
                ..Default::default()
            };
            let summary = match corpus::export(&store, &options, Output::Path(&base), &mut ()) {
                Ok(s) => s,
                Err(e) if e.to_string().contains("no unit has") => continue,
                Err(e) => panic!("{a}-{b}: {e}"),
            };
            let lines = |lang: &LanguageTag| {
                let text = std::fs::read_to_string(format!("{}.{lang}", base.display())).unwrap();
                assert!(!text.contains(['\t', '\r']), "{a}-{b}");
                text.lines().count() as u64
            };
            assert_eq!(lines(a), summary.written, "{a}-{b}");
            assert_eq!(lines(b), summary.written, "{a}-{b}");
            written.insert(format!("{a}-{b}"), summary.written);
        }
    }
    assert!(
        written.values().filter(|&&n| n > 0).count() >= 4,
        "{written:?}"
    );
}

/// Every corpus flag reaches the library: the JSON summary accounts for each of the sample's
/// seven units.
#[test]
fn filter_flags_are_wired_and_summarised_as_json() {
    let sb = Sandbox::new();
    sb.tmm(&["import", &sample()]).ok();
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec![
            "export", "--json", "--format", "tsv", "--from", "en", "--to", "ru",
        ];
        all.extend_from_slice(args);
        let run = sb.tmm(&all).ok();
        serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
    };
    let s = json(&["--since", "2012-10-02", "-o", "a.tsv"]);
    assert_eq!(
        (s["written"].as_u64(), s["dropped"]["date"].as_u64()),
        (Some(0), Some(7))
    );
    let s = json(&["--document", "S/2099/1", "-o", "b.tsv"]);
    assert_eq!(s["dropped"]["document"], 7);
    let s = json(&[
        "--document",
        "UNIS 12 September 2012: Message on the United Nations Day for South-South Cooperation",
        "--until",
        "20121001",
        "--origin",
        "un-ssc-2012.tmx",
        "--min-words",
        "30",
        "--max-words",
        "55",
        "--max-length-ratio",
        "1.3",
        "--dedupe",
        "exact",
        "--tags",
        "placeholders",
        "--split",
        "train=0.5,test=0.5",
        "--seed",
        "3",
        "-o",
        "c.tsv",
    ]);
    let d = &s["dropped"];
    let dropped: u64 = ["too_few_words", "too_many_words", "length_ratio"]
        .iter()
        .map(|k| d[k].as_u64().unwrap())
        .sum();
    assert!(d["too_few_words"].as_u64().unwrap() > 0, "{s}");
    assert!(d["too_many_words"].as_u64().unwrap() > 0, "{s}");
    assert!(d["length_ratio"].as_u64().unwrap() > 0, "{s}");
    assert!(s["written"].as_u64().unwrap() > 0, "{s}");
    let parts = s["splits"].as_array().unwrap();
    assert_eq!(parts.len(), 2, "{s}");
    let split_total: u64 = parts.iter().map(|p| p[1].as_u64().unwrap()).sum();
    assert_eq!(s["written"].as_u64().unwrap() + dropped, 7, "{s}");
    assert_eq!(split_total, s["written"].as_u64().unwrap());
    assert!(sb.path("c.train.tsv").exists() && sb.path("c.test.tsv").exists());
}
