//! Cleaning a memory: rules that find duplicates, stale alternatives, untranslated and empty
//! variants, mismatched inline tags and numbers, implausible length ratios and text in the
//! wrong script, and a plan that removes what they find in one transaction.
//!
//! Each finding names a unit and the variant that is wrong (a target, or the whole unit for
//! a duplicate or an empty source). Applying the plan drops those variants; a unit left
//! with fewer than two languages is deleted. The source of a unit is its `srclang` variant,
//! else its first.

use std::collections::HashMap;

use serde::Serialize;

use crate::align::gale_church::{self, Params};
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::model::{Prop, TranslationUnit, UnitId, Variant};
use crate::store::{ExportFilter, Store, StoredUnit};
use crate::text;

/// One cleaning rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Identical units, and translations superseded by a newer one of the same source in
    /// the same language: the newest (by change date, then by id) stays.
    Duplicates,
    /// A translation equal to its source (with letters in it), or empty, or only spaces.
    Untranslated,
    /// Inline tags (`bpt ept it ph hi ut`) that do not match between source and translation.
    Tags,
    /// Numbers that differ between source and translation.
    Numbers,
    /// A length ratio far outside the norm of its language pair.
    LengthRatio,
    /// A variant whose letters are mostly in a script its language tag does not use.
    Script,
}

impl Rule {
    /// Every rule, in the order they are reported.
    pub const ALL: [Rule; 6] = [
        Rule::Duplicates,
        Rule::Untranslated,
        Rule::Tags,
        Rule::Numbers,
        Rule::LengthRatio,
        Rule::Script,
    ];

    /// The rule's name, as `--json` keys and the reject file's prop give it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Duplicates => "duplicates",
            Rule::Untranslated => "untranslated",
            Rule::Tags => "tags",
            Rule::Numbers => "numbers",
            Rule::LengthRatio => "length-ratio",
            Rule::Script => "script",
        }
    }
}

/// The prop type naming the rules that removed a variant, in the reject file.
pub const REJECT_PROP: &str = "x-tmm-clean-rule";

/// How to clean.
#[derive(Debug, Clone)]
pub struct CleanOptions {
    /// The rules to run.
    pub rules: Vec<Rule>,
    /// Examples kept per rule for the report.
    pub examples: usize,
    /// A pair's length deviation (standard deviations of the Gale–Church model) beyond
    /// which the length ratio is implausible.
    pub max_deviation: f64,
    /// Pairs with fewer units than this have no norm; the length rule skips them.
    pub min_pair_units: usize,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions {
            rules: Rule::ALL.to_vec(),
            examples: 3,
            max_deviation: 4.0,
            min_pair_units: 20,
        }
    }
}

/// One thing a rule found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub unit_id: UnitId,
    /// The language of the variant that goes; `None`: the whole unit.
    pub lang: Option<String>,
    pub detail: String,
}

/// A rule's findings: how many, and the first few.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub rule: Rule,
    pub count: u64,
    pub examples: Vec<Finding>,
}

/// What cleaning found and what it changes.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub reports: Vec<RuleReport>,
    /// Units deleted whole.
    pub delete: Vec<UnitId>,
    /// Units rewritten without the variants that go.
    pub replace: Vec<(UnitId, TranslationUnit)>,
    /// What goes, as units: the source and the removed variants, each removed variant with
    /// a prop naming its rules (for a reject file).
    pub rejected: Vec<TranslationUnit>,
    pub units_read: u64,
}

/// Where a unit's variants go: `None` for the whole unit, else these variant indexes.
#[derive(Default)]
struct Verdict {
    whole: Vec<Rule>,
    variants: HashMap<usize, Vec<Rule>>,
}

/// Source language, text and markup.
type SourceKey = (String, String, Option<String>);

/// The key a duplicate check groups by: source language and text (markup included).
fn source_key(v: &Variant) -> SourceKey {
    (
        v.lang.to_string(),
        v.segment.text.clone(),
        v.segment.markup.clone(),
    )
}

/// A unit's change date as a sortable string (TMX dates sort as text), newest variant
/// included.
fn unit_date(u: &TranslationUnit) -> String {
    let a = &u.attributes;
    let variant = u
        .variants
        .iter()
        .filter_map(|v| v.attributes.changedate.clone())
        .max();
    a.changedate
        .clone()
        .or(variant)
        .or_else(|| a.creationdate.clone())
        .unwrap_or_default()
}

fn source_index(u: &TranslationUnit) -> Option<usize> {
    let src = u
        .srclang
        .as_deref()
        .and_then(|s| LanguageTag::parse(s).ok());
    match src {
        Some(tag) => u.variants.iter().position(|v| v.lang == tag).or(Some(0)),
        None => (!u.variants.is_empty()).then_some(0),
    }
    .filter(|_| !u.variants.is_empty())
}

/// The inline elements of a segment's markup, by name, sorted.
pub fn inline_tags(markup: Option<&str>) -> Vec<&'static str> {
    let Some(m) = markup else {
        return Vec::new();
    };
    let mut tags = Vec::new();
    for name in ["bpt", "ept", "it", "ph", "hi", "ut"] {
        let open = format!("<{name}");
        let mut rest = m;
        while let Some(at) = rest.find(&open) {
            let after = rest[at + open.len()..].chars().next();
            if matches!(after, Some(' ' | '>' | '/' | '\t' | '\n')) {
                tags.push(name);
            }
            rest = &rest[at + open.len()..];
        }
    }
    tags.sort_unstable();
    tags
}

/// A pair's length norm: target characters per source character and the variance.
struct Norm {
    params: Params,
    units: usize,
}

type PairKey = (String, String);

fn pair_key(src: &Variant, tgt: &Variant) -> PairKey {
    (
        src.lang.primary().to_string(),
        tgt.lang.primary().to_string(),
    )
}

/// Length measures of a pair's variants, for the norm.
#[derive(Default)]
struct PairLengths {
    source: u64,
    target: u64,
    lengths: Vec<(f64, f64)>,
}

/// Finds what the rules remove, reading the memory twice (norms and newest translations
/// first), holding only per-source keys and the findings.
///
/// # Errors
/// [`crate::Error::Database`].
pub fn plan(store: &Store, options: &CleanOptions) -> Result<Plan> {
    let on = |r: Rule| options.rules.contains(&r);
    let filter = ExportFilter::default();
    // Pass 1: the newest translation of each source in each language; pair lengths.
    let mut newest: HashMap<(SourceKey, String), (String, UnitId)> = HashMap::new();
    let mut pairs: HashMap<PairKey, PairLengths> = HashMap::new();
    if on(Rule::Duplicates) || on(Rule::LengthRatio) {
        store.for_each_unit(&filter, |s| {
            let Some(si) = source_index(&s.unit) else {
                return Ok(());
            };
            let src = &s.unit.variants[si];
            let date = unit_date(&s.unit);
            for (i, v) in s.unit.variants.iter().enumerate() {
                if i == si {
                    continue;
                }
                if on(Rule::Duplicates) {
                    let key = (source_key(src), v.lang.to_string());
                    let entry = newest.entry(key).or_insert((date.clone(), s.id));
                    if (date.as_str(), s.id) > (entry.0.as_str(), entry.1) {
                        *entry = (date.clone(), s.id);
                    }
                }
                if on(Rule::LengthRatio) {
                    let (a, b) = (
                        text::length(&src.segment.text),
                        text::length(&v.segment.text),
                    );
                    if a >= 10 && b >= 1 {
                        let p = pairs.entry(pair_key(src, v)).or_default();
                        p.source += a as u64;
                        p.target += b as u64;
                        p.lengths.push((a as f64, b as f64));
                    }
                }
            }
            Ok(())
        })?;
    }
    let norms: HashMap<PairKey, Norm> = pairs
        .into_iter()
        .map(|(k, p)| {
            let mut params = Params::with_ratio(p.source as usize, p.target as usize);
            let squares = p
                .lengths
                .iter()
                .map(|&(s, t)| gale_church::delta(s, t, &params).powi(2) * params.variance)
                .collect();
            params.variance = gale_church::variance_from(squares, &params);
            (
                k,
                Norm {
                    params,
                    units: p.lengths.len(),
                },
            )
        })
        .collect();
    // Pass 2: each unit's verdict.
    let mut plan = Plan {
        reports: options
            .rules
            .iter()
            .map(|&rule| RuleReport {
                rule,
                count: 0,
                examples: Vec::new(),
            })
            .collect(),
        ..Default::default()
    };
    store.for_each_unit(&filter, |s| {
        plan.units_read += 1;
        let mut verdict = Verdict::default();
        let mut found = |rule: Rule, lang: Option<usize>, detail: String, plan: &mut Plan| {
            match lang {
                None => verdict.whole.push(rule),
                Some(i) => verdict.variants.entry(i).or_default().push(rule),
            }
            if let Some(r) = plan.reports.iter_mut().find(|r| r.rule == rule) {
                r.count += 1;
                if r.examples.len() < options.examples {
                    r.examples.push(Finding {
                        unit_id: s.id,
                        lang: lang.map(|i| s.unit.variants[i].lang.to_string()),
                        detail,
                    });
                }
            }
        };
        let Some(si) = source_index(&s.unit) else {
            return Ok(());
        };
        let unit = &s.unit;
        let src = &unit.variants[si];
        let src_text = src.segment.text.trim();
        if on(Rule::Untranslated) && src_text.is_empty() {
            found(Rule::Untranslated, None, "empty source".into(), &mut plan);
        }
        if on(Rule::Script)
            && let Some(script) = text::script::wrong_script(&src.segment.text, &src.lang)
        {
            found(
                Rule::Script,
                None,
                format!("source tagged {} is in {script:?} script", src.lang),
                &mut plan,
            );
        }
        let mut superseded_all = on(Rule::Duplicates) && unit.variants.len() > 1;
        for (i, v) in unit.variants.iter().enumerate() {
            if i == si {
                continue;
            }
            let t = v.segment.text.trim();
            if on(Rule::Duplicates) {
                let key = (source_key(src), v.lang.to_string());
                match newest.get(&key) {
                    Some(&(_, winner)) if winner != s.id => {}
                    _ => superseded_all = false,
                }
            }
            if on(Rule::Untranslated) && !src_text.is_empty() {
                if t.is_empty() {
                    found(Rule::Untranslated, Some(i), "empty translation".into(), &mut plan);
                } else if t == src_text && t.chars().any(char::is_alphabetic) {
                    found(
                        Rule::Untranslated,
                        Some(i),
                        format!("translation equals the source: {}", clip(t)),
                        &mut plan,
                    );
                }
            }
            if on(Rule::Tags) {
                let a = inline_tags(src.segment.markup.as_deref());
                let b = inline_tags(v.segment.markup.as_deref());
                if a != b {
                    found(
                        Rule::Tags,
                        Some(i),
                        format!(
                            "tags {} in the source, {} in {}",
                            tag_list(&a),
                            tag_list(&b),
                            v.lang
                        ),
                        &mut plan,
                    );
                }
            }
            if on(Rule::Numbers) && !t.is_empty() {
                let a = text::anchors(&src.segment.text);
                let b = text::anchors(&v.segment.text);
                if numbers_differ(&a, &b, &v.lang) {
                    found(
                        Rule::Numbers,
                        Some(i),
                        format!(
                            "numbers {} in the source, {} in {}",
                            list(&a),
                            list(&b),
                            v.lang
                        ),
                        &mut plan,
                    );
                }
            }
            if on(Rule::LengthRatio)
                && let Some(norm) = norms.get(&pair_key(src, v))
                && norm.units >= options.min_pair_units
            {
                let (a, b) = (text::length(&src.segment.text), text::length(&v.segment.text));
                if a >= 10 && b >= 1 {
                    let d = gale_church::delta(a as f64, b as f64, &norm.params);
                    if d.abs() > options.max_deviation {
                        found(
                            Rule::LengthRatio,
                            Some(i),
                            format!(
                                "{} has {b} characters for {a} (the pair's norm is {:.2} per character; {d:+.1} deviations)",
                                v.lang, norm.params.ratio
                            ),
                            &mut plan,
                        );
                    }
                }
            }
            if on(Rule::Script)
                && let Some(script) = text::script::wrong_script(&v.segment.text, &v.lang)
            {
                found(
                    Rule::Script,
                    Some(i),
                    format!("{} variant is in {script:?} script: {}", v.lang, clip(t)),
                    &mut plan,
                );
            }
        }
        if superseded_all {
            found(
                Rule::Duplicates,
                None,
                format!("a newer unit has the same source: {}", clip(src_text)),
                &mut plan,
            );
        } else if on(Rule::Duplicates) {
            // Some translations superseded, some not: only those go.
            for (i, v) in unit.variants.iter().enumerate() {
                if i == si {
                    continue;
                }
                let key = (source_key(src), v.lang.to_string());
                if let Some(&(_, winner)) = newest.get(&key)
                    && winner != s.id
                {
                    found(
                        Rule::Duplicates,
                        Some(i),
                        format!("unit {winner} has a newer {} translation", v.lang),
                        &mut plan,
                    );
                }
            }
        }
        settle(&mut plan, s, si, verdict);
        Ok(())
    })?;
    Ok(plan)
}

/// Turns a unit's verdict into deletions, replacements and the reject file's unit.
fn settle(plan: &mut Plan, s: StoredUnit, source: usize, verdict: Verdict) {
    if verdict.whole.is_empty() && verdict.variants.is_empty() {
        return;
    }
    let mut rejected = s.unit.clone();
    let mut kept = s.unit;
    let whole = !verdict.whole.is_empty() || {
        let left = kept.variants.len() - verdict.variants.len();
        left < 2
    };
    let rules_prop = |rules: &[Rule]| Prop {
        kind: REJECT_PROP.into(),
        lang: None,
        o_encoding: None,
        value: rules.iter().map(|r| r.name()).collect::<Vec<_>>().join(" "),
    };
    if !verdict.whole.is_empty() {
        rejected.props.push(rules_prop(&verdict.whole));
    }
    let mut i = 0;
    rejected.variants.retain_mut(|v| {
        let keep = i == source || verdict.variants.contains_key(&i) || whole;
        if let Some(rules) = verdict.variants.get(&i) {
            v.props.push(rules_prop(rules));
        }
        i += 1;
        keep
    });
    plan.rejected.push(rejected);
    if whole {
        plan.delete.push(s.id);
    } else {
        let mut i = 0;
        kept.variants.retain(|_| {
            let keep = !verdict.variants.contains_key(&i);
            i += 1;
            keep
        });
        plan.replace.push((s.id, kept));
    }
}

/// True when a number of the source is missing from the translation, or the translation
/// has one the source lacks. Chinese, Japanese and Korean write month names as numbers
/// (`9月12日` for "12 September"), so a number from 1 to 12 extra there is no difference.
pub fn numbers_differ(source: &[String], target: &[String], target_lang: &LanguageTag) -> bool {
    let months = matches!(target_lang.primary(), "zh" | "ja" | "ko");
    source.iter().any(|n| !target.contains(n))
        || target.iter().any(|n| {
            let month = months && n.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
            !source.contains(n) && !month
        })
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(" ")
    }
}

fn tag_list(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(" ")
    }
}

/// Applies a plan in one transaction: returns (units deleted, units rewritten).
///
/// # Errors
/// [`crate::Error::Busy`]; [`crate::Error::Database`].
pub fn apply(store: &Store, plan: &Plan) -> Result<(u64, u64)> {
    store.apply_changes(&plan.delete, &plan.replace, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_differ_unless_a_month_became_a_number() {
        let n = |s: &str| text::anchors(s);
        let tag = |s: &str| LanguageTag::parse(s).unwrap();
        assert!(numbers_differ(
            &n("Chapter 3"),
            &n("Chapitre 4"),
            &tag("fr")
        ));
        assert!(numbers_differ(
            &n("In 2012 and 2013"),
            &n("En 2012"),
            &tag("fr")
        ));
        assert!(!numbers_differ(
            &n("12 September"),
            &n("9月12日"),
            &tag("zh")
        ));
        assert!(numbers_differ(
            &n("12 September"),
            &n("12 septembre 9"),
            &tag("fr")
        ));
        assert!(!numbers_differ(
            &n("1,000 people"),
            &n("1 000 personnes"),
            &tag("fr")
        ));
    }

    #[test]
    fn inline_tags_are_counted_by_name() {
        assert_eq!(
            inline_tags(Some(
                r#"<bpt i="1">&lt;b&gt;</bpt>x<ept i="1">&lt;/b&gt;</ept><ph/>"#
            )),
            ["bpt", "ept", "ph"]
        );
        // `<hi` must not be found inside another name.
        assert_eq!(inline_tags(Some("<hint>")), Vec::<&str>::new());
        assert_eq!(inline_tags(None), Vec::<&str>::new());
    }
}
