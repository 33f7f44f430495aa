//! SRX rule files through the library, on the project's own files (tests/fixtures/srx): the
//! twins of the unit tests in src/text/srx.rs that read the rule files of real tools from
//! the corpus.

use tmm::lang::LanguageTag;
use tmm::text::srx::{Srx, breaks};

use crate::util::fixture;

fn open(name: &str) -> Srx {
    Srx::open(&fixture("srx").join(name)).unwrap()
}

fn lang(tag: &str) -> LanguageTag {
    LanguageTag::parse(tag).unwrap()
}

/// `text` cut at the rules' breaks, each piece trimmed.
fn split(srx: &Srx, tag: &str, text: &str) -> Vec<String> {
    let rules = srx.rules_for(&lang(tag)).unwrap();
    let mut out = Vec::new();
    let mut start = 0;
    for b in breaks(&rules, text)
        .into_iter()
        .chain(std::iter::once(text.len()))
    {
        let piece = text[start..b].trim();
        if !piece.is_empty() {
            out.push(piece.to_string());
        }
        start = b;
    }
    out
}

#[test]
fn srx_2_cascade_applies_every_matching_rule_set_in_order() {
    let srx = open("cascade.srx");
    assert_eq!(srx.rules_for(&lang("en-GB")).unwrap().len(), 2);
    assert_eq!(srx.rules_for(&lang("zh-CN")).unwrap().len(), 2);
    assert_eq!(srx.rules_for(&lang("fr")).unwrap().len(), 1);
    assert_eq!(
        split(
            &srx,
            "en",
            "Mr. Holmes is from the U.K. today. Is Dr. Watson there? Yes."
        ),
        [
            "Mr. Holmes is from the U.K. today.",
            "Is Dr. Watson there?",
            "Yes."
        ]
    );
    assert_eq!(
        split(&srx, "en", "See Fig. 3 for details. It works."),
        ["See Fig. 3 for details.", "It works."]
    );
    // An initialism before a capital ends the sentence.
    assert_eq!(
        split(
            &srx,
            "fr",
            "Il vit aux U.S.A. depuis 2010. Il vit au R.U. Puis il part."
        ),
        [
            "Il vit aux U.S.A. depuis 2010.",
            "Il vit au R.U.",
            "Puis il part."
        ]
    );
    assert_eq!(split(&srx, "zh", "你好。再见！"), ["你好。", "再见！"]);
}

#[test]
fn an_expression_only_java_has_is_skipped_and_named() {
    let srx = open("cascade.srx");
    assert_eq!(srx.skipped.len(), 1, "{:?}", srx.skipped);
    let (set, expr, _) = &srx.skipped[0];
    assert_eq!(set, "default");
    assert_eq!(expr, "\\p{javaLowerCase}\\.");
}

#[test]
fn srx_1_without_cascade_takes_the_first_matching_map_only() {
    let srx = open("first-map.srx");
    assert!(srx.skipped.is_empty());
    // Language patterns match without regard to case: FR.* takes fr-CA.
    assert_eq!(srx.rules_for(&lang("fr-CA")).unwrap().len(), 1);
    assert_eq!(
        split(&srx, "fr-CA", "M. Dupont est là. Il part… Et revient."),
        ["M. Dupont est là.", "Il part…", "Et revient."]
    );
    // The default set knows no titles.
    assert_eq!(split(&srx, "en", "Mr. Smith left."), ["Mr.", "Smith left."]);
}

#[test]
fn a_file_that_is_not_srx_is_refused() {
    let err = Srx::open(&fixture("tmx/srclang-all.tmx")).unwrap_err();
    assert!(err.to_string().contains("not an SRX file"), "{err}");
}
