//! The whole-folder round trip: import → export → import → export gives byte-identical,
//! valid exports, and every unit read from the original file comes out with the same
//! languages, segments (inline markup included), props, notes and dates. It runs over the
//! project's own fixtures (tests/fixtures/tmx) always, and over ../shared/corpus/tmx when the
//! corpus is there. In the PostgreSQL pass (`util::on_postgres`) the memories are on
//! PostgreSQL, and each file's export must also be byte for byte SQLite's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tmm::formats::tmx::{Item, TmxReader};
use tmm::model::TranslationUnit;
use tmm::store::{ExportFilter, ImportOptions, Store};

use crate::util::{corpus, fixture};

/// Corpus files that are broken on purpose; each has its own test in `import.rs`.
pub const BROKEN: &[&str] = &[
    "ImportTMXTest0_empty-file.tmx",
    "omegat-6.0.0_en-ru_TRUNCATED-no-closing-tags_malformed.tmx",
    "failed.tmx",
];

pub fn tmx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            tmx_files(&p, out);
        } else if p.extension().is_none_or(|x| x != "md" && x != "py") {
            out.push(p);
        }
    }
}

/// A unit as a comparable value: everything the round trip must keep. Without dates, it is
/// the identity the store deduplicates by (a copy that differs only in dates is the same).
fn key(u: &TranslationUnit, with_dates: bool) -> String {
    let mut u = u.clone();
    if !with_dates {
        for a in std::iter::once(&mut u.attributes)
            .chain(u.variants.iter_mut().map(|v| &mut v.attributes))
        {
            a.creationdate = None;
            a.changedate = None;
            a.creationid = None;
            a.changeid = None;
            a.usagecount = None;
            a.lastusagedate = None;
        }
    }
    for v in &mut u.variants {
        // Export writes the normalised tag; the spelling is not part of the unit's meaning.
        v.lang_original = None;
        // Plain text is derived from the markup, which is compared whole.
        v.segment.markup = Some(v.segment.to_xml());
        v.segment.text.clear();
    }
    serde_json::to_string(&u).unwrap()
}

/// The units of a file, grouped by identity: each group holds the dated versions.
fn units_of(path: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut reader = TmxReader::open(path).unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    while let Some(item) = reader.next_item().unwrap() {
        if let Item::Unit(read) = item {
            out.entry(key(&read.unit, false))
                .or_default()
                .insert(key(&read.unit, true));
        }
    }
    out
}

fn export(store: &Store, path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .export_tmx(&ExportFilter::default(), &mut out, path, false)
        .unwrap_or_else(|e| panic!("exporting {}: {e}", path.display()));
    out
}

/// Fixtures that the importer must refuse; each has its own test in `fixtures.rs`.
pub const BROKEN_FIXTURES: &[&str] = &[
    "empty.tmx",
    "truncated.tmx",
    "body-closed-early.tmx",
    "undecodable-bytes.tmx",
];

#[test]
fn every_well_formed_corpus_file_round_trips() {
    let Some(corpus) = corpus("the whole-corpus round trip") else {
        return;
    };
    let mut files = Vec::new();
    tmx_files(&corpus.join("tmx"), &mut files);
    assert!(files.len() >= 160, "corpus has {} files", files.len());
    let checked = round_trip_all(&files, BROKEN);
    assert!(checked >= 160, "only {checked} files checked");
}

/// The same round trip on the project's own fixtures, one per quirk of the corpus.
#[test]
fn every_well_formed_fixture_round_trips() {
    let mut files = Vec::new();
    tmx_files(&fixture("tmx"), &mut files);
    assert!(files.len() >= 20, "{} fixtures", files.len());
    let checked = round_trip_all(&files, BROKEN_FIXTURES);
    assert_eq!(checked, files.len() - BROKEN_FIXTURES.len());
}

/// Round-trips every file but those named in `broken`, which must fail to import; returns
/// how many were checked, and fails listing every file that did not round-trip.
fn round_trip_all(files: &[PathBuf], broken: &[&str]) -> usize {
    let tmp = tempfile::tempdir().unwrap();
    let (first_slot, second_slot) = (crate::util::StoreSlot::new(), crate::util::StoreSlot::new());
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let store = first_slot.store();
        let imported = store.import_tmx(file, &ImportOptions::default(), &mut ());
        if broken.contains(&name.as_str()) {
            assert!(imported.is_err(), "{name}: broken file was imported");
            continue;
        }
        if let Err(e) = imported {
            failures.push(format!("{name}: import failed: {e}"));
            continue;
        }
        let first = export(&store, file);
        // In the PostgreSQL pass, SQLite's export of the same file is the reference, byte for
        // byte.
        if crate::util::on_postgres() {
            let sqlite = Store::open_temporary().unwrap();
            match sqlite.import_tmx(file, &ImportOptions::default(), &mut ()) {
                Ok(_) if export(&sqlite, file) == first => {}
                Ok(_) => failures.push(format!(
                    "{name}: the PostgreSQL export differs from SQLite's"
                )),
                Err(e) => failures.push(format!("{name}: import into SQLite failed: {e}")),
            }
        }
        let first_path = tmp.path().join(format!("{checked}-{name}.tmx"));
        std::fs::write(&first_path, &first).unwrap();
        crate::validate::assert_valid_tmx(&first_path);
        let again = second_slot.store();
        if let Err(e) = again.import_tmx(&first_path, &ImportOptions::default(), &mut ()) {
            failures.push(format!("{name}: re-import failed: {e}"));
            continue;
        }
        let second = export(&again, &first_path);
        if first != second {
            failures.push(format!("{name}: second export differs from the first"));
        }
        // Copies of one unit that differ only in dates are stored once, as one of them.
        let original = units_of(file);
        let exported = units_of(&first_path);
        let same = original.len() == exported.len()
            && original.iter().all(|(identity, versions)| {
                exported
                    .get(identity)
                    .is_some_and(|out| out.len() == 1 && out.iter().all(|v| versions.contains(v)))
            });
        if !same {
            let missing: Vec<_> = original
                .keys()
                .filter(|k| !exported.contains_key(*k))
                .take(1)
                .collect();
            let extra: Vec<_> = exported
                .iter()
                .filter(|(k, v)| original.get(*k) != Some(*v))
                .take(1)
                .collect();
            failures.push(format!(
                "{name}: units differ ({} identities in the original, {} exported)\n  original only: {missing:?}\n  export only:   {extra:?}",
                original.len(),
                exported.len()
            ));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    checked
}
