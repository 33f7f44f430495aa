//! Keeping a memory clean: `origins`, `units`, `clean`, `langs merge` and the metadata
//! filters of the matching commands.

use serde_json::Value;

use crate::util::{Run, Sandbox};

fn json(run: Run) -> Value {
    let run = run.ok();
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
}

/// A TMX file of `units`: (attributes of `<tu>`, [(lang, inner XML of seg)]).
fn tmx(units: &[(&str, &[(&str, &str)])]) -> String {
    let mut body = String::new();
    for (attrs, variants) in units {
        body.push_str(&format!("<tu {attrs}>"));
        for (lang, seg) in *variants {
            body.push_str(&format!("<tuv xml:lang=\"{lang}\"><seg>{seg}</seg></tuv>"));
        }
        body.push_str("</tu>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header creationtool=\"t\" \
         creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" srclang=\"en\" \
         datatype=\"plaintext\"/><body>\n{body}</body></tmx>\n"
    )
}

fn import(sb: &Sandbox, name: &str, units: &[(&str, &[(&str, &str)])]) {
    std::fs::write(sb.path(name), tmx(units)).unwrap();
    sb.tmm(&["import", name]).ok();
}

fn targets(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["target"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn origins_are_listed_renamed_and_deleted_with_their_units() {
    let sb = Sandbox::new();
    import(
        &sb,
        "old.tmx",
        &[(
            "",
            &[
                ("en", "The committee met on Monday."),
                ("fr", "Le comité s’est réuni lundi."),
            ],
        )],
    );
    import(
        &sb,
        "new.tmx",
        &[(
            "",
            &[
                ("en", "The council met on Friday."),
                ("fr", "Le conseil s’est réuni vendredi."),
            ],
        )],
    );
    let list = json(sb.tmm(&["origins", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "old.tmx");
    assert_eq!(list[0]["units"], 1);
    assert_eq!(list[0]["kind"], "tmx");
    sb.tmm(&["origins"])
        .ok()
        .stdout_has("old.tmx")
        .stdout_has("new.tmx");

    let renamed = json(sb.tmm(&["origins", "rename", "old.tmx", "legacy", "--json"]));
    assert_eq!(renamed["name"], "legacy");
    // A dry run changes nothing.
    let dry = json(sb.tmm(&["origins", "delete", "legacy", "--dry-run", "--json"]));
    assert_eq!(dry["units"], 1);
    assert_eq!(dry["dry_run"], true);
    let q = [
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "--json",
        "The committee met on Monday.",
    ];
    assert_eq!(targets(&json(sb.tmm(&q))), ["Le comité s’est réuni lundi."]);
    let done = json(sb.tmm(&["origins", "delete", "legacy", "--json"]));
    assert_eq!(done["units"], 1);
    // The index followed: the deleted unit is no longer offered.
    assert!(!targets(&json(sb.tmm(&q))).contains(&"Le comité s’est réuni lundi.".to_string()));
    assert_eq!(
        json(sb.tmm(&["origins", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    sb.tmm(&["origins", "delete", "legacy"])
        .fails()
        .stderr_has("legacy");
}

#[test]
fn a_unit_is_shown_edited_with_who_and_when_and_deleted() {
    let sb = Sandbox::new();
    import(
        &sb,
        "a.tmx",
        &[
            (
                "",
                &[
                    ("en", "Good morning everyone."),
                    ("fr", "Bonjour tout le monde."),
                ],
            ),
            ("", &[("en", "See you tomorrow."), ("fr", "À demain.")]),
        ],
    );
    let ids = sb
        .tmm(&["units", "find", "--lang", "fr", "--contains", "demain"])
        .ok();
    assert_eq!(ids.stdout().trim(), "2");
    let shown = json(sb.tmm(&["units", "show", "1", "--json"]));
    assert_eq!(
        shown["variants"][1]["segment"]["text"],
        "Bonjour tout le monde."
    );

    // $USER names who changed it when --changeid is not given.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tmm"))
        .env_clear()
        .env("USER", "marie")
        .current_dir(sb.dir.path())
        .args(["--db", sb.db().to_str().unwrap()])
        .args([
            "units",
            "edit",
            "1",
            "--lang",
            "fr",
            "--text",
            "Bonjour à toutes et à tous.",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = json(sb.tmm(&["units", "show", "1", "--json"]));
    assert_eq!(
        shown["variants"][1]["segment"]["text"],
        "Bonjour à toutes et à tous."
    );
    assert_eq!(shown["attributes"]["changeid"], "marie");
    assert!(
        shown["attributes"]["changedate"]
            .as_str()
            .is_some_and(|d| d.len() == 16 && d.ends_with('Z')),
        "{shown}"
    );
    // Suggestions say who translated it and when.
    let s = json(sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "--json",
        "Good morning everyone.",
    ]));
    assert_eq!(s[0]["target"], "Bonjour à toutes et à tous.");
    assert_eq!(s[0]["from"]["changeid"], "marie");
    sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "Good morning everyone.",
    ])
    .ok()
    .stdout_has("by marie");

    // --changeid wins, and a dry run changes nothing.
    sb.tmm(&[
        "units",
        "edit",
        "2",
        "--lang",
        "fr",
        "--text",
        "À plus tard.",
        "--changeid",
        "jo",
        "--dry-run",
    ])
    .ok()
    .stdout_has("À plus tard.");
    let shown = json(sb.tmm(&["units", "show", "2", "--json"]));
    assert_eq!(shown["variants"][1]["segment"]["text"], "À demain.");

    let del = json(sb.tmm(&["units", "delete", "2", "--json"]));
    assert_eq!(del["deleted"], 1);
    sb.tmm(&["units", "show", "2"])
        .fails()
        .stderr_has("no unit 2");
    sb.tmm(&["units", "delete", "2"])
        .fails()
        .stderr_has("no such unit: 2");
}

#[test]
fn clean_reports_each_rule_and_removes_only_what_it_found() {
    let sb = Sandbox::new();
    let units: &[(&str, &[(&str, &str)])] = &[
        // Identical duplicates are skipped on import; this one becomes one by an edit below.
        (
            "",
            &[
                ("en", "The report was adopted."),
                ("fr", "Le rapport a été adopté."),
            ],
        ),
        (
            "",
            &[
                ("en", "The report was adopted."),
                ("fr", "Le rapport est adopté."),
            ],
        ),
        // An alternative superseded by a newer translation.
        (
            r#"changedate="20100101T000000Z""#,
            &[
                ("en", "The session is closed."),
                ("fr", "La séance est close."),
            ],
        ),
        (
            r#"changedate="20200101T000000Z""#,
            &[
                ("en", "The session is closed."),
                ("fr", "La séance est levée."),
            ],
        ),
        // Untranslated and empty.
        ("", &[("en", "Press release"), ("fr", "Press release")]),
        ("", &[("en", "Annex"), ("fr", "  ")]),
        // Tags that do not match.
        (
            "",
            &[
                (
                    "en",
                    r#"Click <bpt i="1">&lt;b&gt;</bpt>here<ept i="1">&lt;/b&gt;</ept>."#,
                ),
                ("fr", "Cliquez ici."),
            ],
        ),
        // Numbers that differ.
        (
            "",
            &[
                ("en", "Chapter 3 describes the method."),
                ("fr", "Le chapitre 4 décrit la méthode."),
            ],
        ),
        // Wrong script: French text under zh, in a unit that keeps its fr.
        (
            "",
            &[
                ("en", "Thank you very much."),
                ("fr", "Merci beaucoup."),
                ("zh", "Merci beaucoup."),
            ],
        ),
        // Fine.
        (
            "",
            &[
                ("en", "The meeting rose at noon."),
                ("fr", "La séance est levée à midi."),
            ],
        ),
    ];
    import(&sb, "mixed.tmx", units);
    sb.tmm(&[
        "units",
        "edit",
        "2",
        "--lang",
        "fr",
        "--text",
        "Le rapport a été adopté.",
        "--changeid",
        "x",
    ])
    .ok();
    let before = json(sb.tmm(&["stats", "--json"]));
    assert_eq!(before["units"], 10);

    let dry = json(sb.tmm(&["clean", "--dry-run", "--json"]));
    assert_eq!(dry["rules"]["duplicates"], 2, "{dry}");
    assert_eq!(dry["rules"]["untranslated"], 2, "{dry}");
    assert_eq!(dry["rules"]["tags"], 1, "{dry}");
    assert_eq!(dry["rules"]["numbers"], 1, "{dry}");
    assert_eq!(dry["rules"]["script"], 1, "{dry}");
    assert_eq!(dry["rules"]["length-ratio"], 0, "{dry}");
    assert_eq!(dry["units_deleted"], 6, "{dry}");
    assert_eq!(dry["units_changed"], 1, "{dry}");
    assert_eq!(
        json(sb.tmm(&["stats", "--json"]))["units"],
        10,
        "a dry run changes nothing"
    );

    // One rule by its flag: only that one runs.
    let only = json(sb.tmm(&["clean", "--numbers", "--dry-run", "--json"]));
    assert_eq!(only["rules"].as_object().unwrap().len(), 1, "{only}");

    let done = json(sb.tmm(&["clean", "--json", "--reject", "removed.tmx"]));
    assert_eq!(done["units_deleted"], 6, "{done}");
    assert_eq!(json(sb.tmm(&["stats", "--json"]))["units"], 4);
    let kept = json(sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "--json",
        "The session is closed.",
    ]));
    assert_eq!(targets(&kept), ["La séance est levée."]);
    let zh = json(sb.tmm(&["units", "find", "--lang", "zh", "--json"]));
    assert_eq!(zh.as_array().unwrap().len(), 0, "the zh variant went");
    let thanks = json(sb.tmm(&["units", "find", "--contains", "Merci", "--json"]));
    assert_eq!(
        thanks.as_array().unwrap().len(),
        1,
        "its unit stayed with fr"
    );

    // The reject file keeps what went, valid TMX that imports back.
    let reject = std::fs::read_to_string(sb.path("removed.tmx")).unwrap();
    assert!(reject.contains("x-tmm-clean-rule"), "{reject}");
    assert!(reject.contains("Le chapitre 4"), "{reject}");
    let db2 = sb.path("rejected.db");
    sb.tmm_db(&db2, &["import", "removed.tmx"]).ok();
    // Nothing is left to clean by these rules.
    let again = json(sb.tmm(&["clean", "--dry-run", "--json"]));
    assert_eq!(again["units_deleted"], 0, "{again}");
}

#[test]
fn length_ratios_far_outside_the_pairs_norm_are_found() {
    let sb = Sandbox::new();
    let mut owned: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("Item number {i} of the agenda was considered today."),
                format!("Le point numéro {i} de l’ordre du jour a été examiné aujourd’hui."),
            )
        })
        .collect();
    owned.push((
        "The General Assembly adopted the resolution on sustainable development without a vote."
            .into(),
        "Oui.".into(),
    ));
    let pairs: Vec<[(&str, &str); 2]> = owned
        .iter()
        .map(|(e, f)| [("en", e.as_str()), ("fr", f.as_str())])
        .collect();
    let units: Vec<(&str, &[(&str, &str)])> = pairs.iter().map(|p| ("", &p[..])).collect();
    import(&sb, "ratio.tmx", &units);
    let out = json(sb.tmm(&["clean", "--length-ratio", "--dry-run", "--json"]));
    assert_eq!(out["rules"]["length-ratio"], 1, "{out}");
    assert_eq!(out["examples"]["length-ratio"][0]["unit_id"], 31, "{out}");
}

#[test]
fn merging_language_tags_keeps_the_original_tag_in_a_prop() {
    let sb = Sandbox::new();
    import(
        &sb,
        "us.tmx",
        &[(
            "",
            &[
                ("en-US", "The color is red."),
                ("fr", "La couleur est rouge."),
            ],
        )],
    );
    import(
        &sb,
        "plain.tmx",
        &[(
            "",
            &[("en", "The house is blue."), ("fr", "La maison est bleue.")],
        )],
    );
    let dry = json(sb.tmm(&["langs", "merge", "en-US", "en", "--dry-run", "--json"]));
    assert_eq!(dry["units"], 1);
    assert_eq!(json(sb.tmm(&["langs", "--json"]))[0][0], "fr");
    let done = json(sb.tmm(&["langs", "merge", "en-US", "--into", "en", "--json"]));
    assert_eq!(done["variants"][0], serde_json::json!(["en-US", 1]));
    let langs = json(sb.tmm(&["langs", "--json"]));
    assert_eq!(langs, serde_json::json!([["en", 2], ["fr", 2]]));
    let unit = json(sb.tmm(&["units", "show", "1", "--json"]));
    assert_eq!(unit["variants"][0]["lang"], "en");
    assert_eq!(
        unit["variants"][0]["props"][0]["type"],
        "x-tmm-original-lang"
    );
    assert_eq!(unit["variants"][0]["props"][0]["value"], "en-US");
    // Still matched, and exported with the prop.
    let s = json(sb.tmm(&[
        "suggest",
        "--from",
        "en",
        "--to",
        "fr",
        "--json",
        "The color is red.",
    ]));
    assert_eq!(s[0]["score"], 100);
    sb.tmm(&["export", "-o", "out.tmx"]).ok();
    let out = std::fs::read_to_string(sb.path("out.tmx")).unwrap();
    assert!(
        out.contains(r#"<prop type="x-tmm-original-lang">en-US</prop>"#),
        "{out}"
    );
    sb.tmm(&["langs", "merge", "en"])
        .fails()
        .stderr_has("merge into");
}

#[test]
fn metadata_filters_and_origin_penalties_shape_the_matches() {
    let sb = Sandbox::new();
    import(
        &sb,
        "trusted.tmx",
        &[(
            r#"changedate="20230105T000000Z" changeid="ana""#,
            &[
                ("en", "The budget was approved."),
                ("fr", "Le budget a été approuvé."),
            ],
        )],
    );
    import(
        &sb,
        "mt.tmx",
        &[(
            r#"changedate="20110105T000000Z" changeid="robot""#,
            &[
                ("en", "The budget was approved."),
                ("fr", "Le budget était approuvé."),
            ],
        )],
    );
    let q = ["suggest", "--from", "en", "--to", "fr", "--json"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = q.to_vec();
        args.extend_from_slice(extra);
        args.push("The budget was approved.");
        json(sb.tmm(&args))
    };
    assert_eq!(targets(&run(&[])).len(), 2);
    assert_eq!(
        targets(&run(&["--origin", "mt.tmx"])),
        ["Le budget était approuvé."]
    );
    assert_eq!(
        targets(&run(&["--since", "2020-01-01"])),
        ["Le budget a été approuvé."]
    );
    assert_eq!(
        targets(&run(&["--until", "2011-01-05"])),
        ["Le budget était approuvé."]
    );
    assert_eq!(
        targets(&run(&["--changeid", "ana"])),
        ["Le budget a été approuvé."]
    );
    assert!(targets(&run(&["--changeid", "nobody"])).is_empty());
    // A penalty lowers the match and says why.
    let p = run(&["--penalty", "trusted.tmx=5"]);
    let penalised = p
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["target"] == "Le budget a été approuvé.")
        .unwrap();
    assert_eq!(penalised["score"], 95, "{p}");
    assert!(
        penalised["penalties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["points"] == 5 && x["detail"].as_str().unwrap().contains("trusted.tmx")),
        "{p}"
    );
    assert_eq!(
        p[0]["target"], "Le budget était approuvé.",
        "the other origin now ranks first"
    );
    // The same filters on units find and concordance.
    let found = json(sb.tmm(&["units", "find", "--since", "2020-01-01", "--json"]));
    assert_eq!(found, serde_json::json!([1]));
    let hits = json(sb.tmm(&[
        "concordance",
        "budget",
        "--from",
        "en",
        "--origin",
        "mt.tmx",
        "--json",
    ]));
    assert_eq!(hits.as_array().unwrap().len(), 1);
    sb.tmm(&[
        "suggest", "--from", "en", "--to", "fr", "--origin", "nope.tmx", "x y",
    ])
    .fails()
    .stderr_has("nope.tmx");
    sb.tmm(&["units", "find", "--since", "2024-02-30"])
        .fails()
        .stderr_has("is not a date");
}
