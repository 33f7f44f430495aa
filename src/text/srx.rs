//! SRX segmentation rules (SRX 1.0 and 2.0, as OmegaT, Okapi, Heartsome and Maxprograms
//! write them): language rules of `break`/no-`break` rules with regular expressions before
//! and after the break, and a map from language patterns to rule sets (all matching sets in
//! order when `cascade="yes"`, else the first).
//!
//! At each position the first rule whose `beforebreak` matches ending there and whose
//! `afterbreak` matches starting there decides; with none, there is no break. Expressions are
//! Java's; those using what the Rust engine lacks (`\p{Punct}`, say) are skipped and counted.

use std::path::Path;
use std::sync::Arc;

use fancy_regex::Regex;
use quick_xml::events::Event;

use crate::error::{Error, Result};
use crate::lang::LanguageTag;

/// One rule: break or not where `before` ends and `after` starts.
#[derive(Debug)]
pub struct Rule {
    pub breaks: bool,
    before: Option<Regex>,
    /// Anchored at the start of the rest of the text.
    after: Option<Regex>,
}

/// A set of SRX rules read from a file.
#[derive(Debug)]
pub struct Srx {
    rules: Vec<(String, Arc<Vec<Rule>>)>,
    maps: Vec<(Regex, String)>,
    cascade: bool,
    /// Rules whose expressions could not be compiled: `(rule set, expression, why)`.
    pub skipped: Vec<(String, String, String)>,
}

impl Srx {
    /// Reads an SRX file.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read, [`Error::Format`] when it is not SRX.
    pub fn open(path: &Path) -> Result<Self> {
        let text = crate::text::read_text(path)?;
        Self::parse(&text).map_err(|message| Error::Format {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses SRX from a string; the error says what is wrong.
    pub fn parse(xml: &str) -> std::result::Result<Self, String> {
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().trim_text(false);
        let mut srx = Srx {
            rules: Vec::new(),
            maps: Vec::new(),
            cascade: false,
            skipped: Vec::new(),
        };
        let mut seen_srx = false;
        let mut set: Option<(String, Vec<Rule>)> = None;
        let mut rule: Option<(bool, Option<String>, Option<String>)> = None;
        let mut field: Option<&'static str> = None;
        let mut text = String::new();
        loop {
            let event = reader.read_event().map_err(|e| {
                format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.error_position()
                )
            })?;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = e.local_name().as_ref().to_string();
                    let attr = |key: &str| -> Option<String> {
                        e.attributes().flatten().find_map(|a| {
                            (a.key.local_name().as_ref() == key).then(|| a.value.to_string())
                        })
                    };
                    match name.as_str() {
                        "srx" => seen_srx = true,
                        "header" => srx.cascade = attr("cascade").as_deref() == Some("yes"),
                        "languagerule" => {
                            set = Some((attr("languagerulename").unwrap_or_default(), Vec::new()))
                        }
                        "rule" => rule = Some((attr("break").as_deref() != Some("no"), None, None)),
                        "beforebreak" => {
                            field = Some("before");
                            text.clear();
                        }
                        "afterbreak" => {
                            field = Some("after");
                            text.clear();
                        }
                        "languagemap" => {
                            let pattern = attr("languagepattern").unwrap_or_default();
                            let target = attr("languagerulename").unwrap_or_default();
                            let regex = Regex::new(&format!("(?i)^(?:{pattern})$")).map_err(|e| {
                                format!("language pattern \"{pattern}\" is not a regular expression: {e}")
                            })?;
                            srx.maps.push((regex, target));
                        }
                        _ => {}
                    }
                    if empty {
                        field = None;
                    }
                }
                Event::Text(t) if field.is_some() => text.push_str(&t.xml10_content()),
                Event::CData(c) if field.is_some() => text.push_str(&c.xml10_content()),
                Event::GeneralRef(r) if field.is_some() => {
                    let name = r.xml10_content();
                    if r.is_char_ref() {
                        if let Ok(Some(c)) = r.resolve_char_ref() {
                            text.push(c);
                        }
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                        text.push_str(s);
                    }
                }
                Event::End(e) => {
                    let name = e.local_name().as_ref().to_string();
                    match name.as_str() {
                        "beforebreak" | "afterbreak" => {
                            if let Some(r) = &mut rule {
                                let value = Some(std::mem::take(&mut text));
                                if name == "beforebreak" {
                                    r.1 = value;
                                } else {
                                    r.2 = value;
                                }
                            }
                            field = None;
                        }
                        "rule" => {
                            if let (Some((breaks, before, after)), Some((set_name, rules))) =
                                (rule.take(), set.as_mut())
                            {
                                match compile(before.as_deref(), after.as_deref()) {
                                    Ok((before, after)) => rules.push(Rule {
                                        breaks,
                                        before,
                                        after,
                                    }),
                                    Err((expr, why)) => {
                                        srx.skipped.push((set_name.clone(), expr, why))
                                    }
                                }
                            }
                        }
                        "languagerule" => {
                            if let Some((name, rules)) = set.take() {
                                srx.rules.push((name, Arc::new(rules)));
                            }
                        }
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !seen_srx {
            return Err("not an SRX file (no <srx> element)".into());
        }
        Ok(srx)
    }

    /// The rules for `lang`: the rule sets its language maps name, in order (only the first
    /// unless the file cascades). `None` when no map matches.
    pub fn rules_for(&self, lang: &LanguageTag) -> Option<Vec<Arc<Vec<Rule>>>> {
        let mut out = Vec::new();
        for (pattern, name) in &self.maps {
            if pattern.is_match(lang.as_str()).unwrap_or(false) {
                if let Some((_, rules)) = self.rules.iter().find(|(n, _)| n == name) {
                    out.push(rules.clone());
                }
                if !self.cascade {
                    break;
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

type Compiled = (Option<Regex>, Option<Regex>);

fn compile(
    before: Option<&str>,
    after: Option<&str>,
) -> std::result::Result<Compiled, (String, String)> {
    let one = |expr: Option<&str>, anchored: bool| match expr.filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) => {
            let source = if anchored {
                format!("^(?:{e})")
            } else {
                e.to_string()
            };
            Regex::new(&source)
                .map(Some)
                .map_err(|err| (e.to_string(), err.to_string()))
        }
    };
    Ok((one(before, false)?, one(after, true)?))
}

/// The byte positions in `text` where the rules put a break.
pub fn breaks(rules: &[Arc<Vec<Rule>>], text: &str) -> Vec<usize> {
    let mut decided: Vec<Option<bool>> = vec![None; text.len() + 1];
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(text.len()))
        .collect();
    for rule in rules.iter().flat_map(|set| set.iter()) {
        let ends: Vec<usize> = match &rule.before {
            None => boundaries.clone(),
            Some(before) => before
                .find_iter(text)
                .flatten()
                .map(|m| m.end())
                .filter(|&e| e > 0)
                .collect(),
        };
        for end in ends {
            if decided[end].is_some() {
                continue;
            }
            let after_ok = match &rule.after {
                None => true,
                Some(after) => after.is_match(&text[end..]).unwrap_or(false),
            };
            if after_ok {
                decided[end] = Some(rule.breaks);
            }
        }
    }
    (1..text.len())
        .filter(|&i| decided[i] == Some(true))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corpus's spec folder (`$TMM_CORPUS`, else ../shared/corpus), or `None` after
    /// saying that `test` did not run: a fresh clone has no corpus. (Test-only; the
    /// integration tests have the same lookup in tests/it/util.rs, and twins of these tests
    /// on the project's own SRX files in tests/it/srx.rs.)
    fn corpus(test: &str) -> Option<std::path::PathBuf> {
        let dir = std::env::var_os("TMM_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
        if dir.is_dir() {
            return Some(dir.join("spec"));
        }
        assert!(
            std::env::var_os("TMM_REQUIRE_CORPUS").is_none(),
            "TMM_REQUIRE_CORPUS is set but {} is missing",
            dir.display()
        );
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: ../shared/corpus not found (set TMM_CORPUS); {test} did not run"
        );
        None
    }

    fn split(srx: &Srx, lang: &str, text: &str) -> Vec<String> {
        let rules = srx.rules_for(&LanguageTag::parse(lang).unwrap()).unwrap();
        let mut out = Vec::new();
        let mut start = 0;
        for b in breaks(&rules, text)
            .into_iter()
            .chain(std::iter::once(text.len()))
        {
            let s = text[start..b].trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = b;
        }
        out
    }

    #[test]
    fn okapi_sample_rules_cascade_default_and_english() {
        let Some(spec) = corpus("text::srx::tests::okapi_sample_rules_cascade_default_and_english")
        else {
            return;
        };
        let srx = Srx::open(&spec.join("okapi-sample20.srx")).unwrap();
        assert_eq!(
            split(
                &srx,
                "en",
                "Mr. Holmes is from the U.K. today. Is Dr. Watson there? Yes."
            ),
            [
                "Mr. Holmes is from the U.K. today.",
                "Is Dr. Watson there? Yes."
            ]
        );
    }

    #[test]
    fn real_tool_rule_files_load() {
        let Some(spec) = corpus("text::srx::tests::real_tool_rule_files_load") else {
            return;
        };
        for name in ["omegat-defaultRules.srx", "okapi-defaultSegmentation.srx"] {
            let srx = Srx::open(&spec.join(name)).unwrap();
            let en = LanguageTag::parse("en").unwrap();
            assert!(srx.rules_for(&en).is_some(), "{name}");
        }
        let srx = Srx::open(&spec.join("okapi-defaultSegmentation.srx")).unwrap();
        assert_eq!(
            split(&srx, "en", "See Fig. 3 for details. It works."),
            ["See Fig. 3 for details.", "It works."]
        );
        assert_eq!(split(&srx, "zh", "你好。再见。"), ["你好。", "再见。"]);
    }

    #[test]
    fn not_srx_is_refused() {
        assert!(Srx::parse("<tmx/>").is_err());
        assert!(Srx::parse("<srx><").is_err());
    }
}
