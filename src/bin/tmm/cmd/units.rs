//! `tmm units`: show, edit, delete and find single units.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;
use tmm::lang::{LanguageTag, matches as lang_matches};
use tmm::model::{Segment, UnitId, Variant};
use tmm::store::{Store, StoredUnit};

use super::filter::FilterArgs;

/// Show, edit, delete or find units by their number (the `unit_id` that `suggest --json`,
/// `concordance --json` and `units find` give).
///
/// Examples: `tmm units find --origin un-ssc-2012.tmx --lang fr --contains coopération`;
/// `tmm units show 12`; `tmm units edit 12 --lang fr --text "Bonjour."`; `tmm units delete 12 13`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Show a unit: its variants, attributes, props and notes
    Show {
        #[arg(value_name = "ID")]
        id: i64,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Change (or add) a unit's translation in one language; records the change date and
    /// who changed it (--changeid, else $USER)
    Edit {
        #[arg(value_name = "ID")]
        id: i64,
        /// The language of the text (a variant in it is replaced, else one is added)
        #[arg(long, value_name = "LANG")]
        lang: LanguageTag,
        /// The new text (plain text: inline tags of the old text are dropped)
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// Who made the change [default: $USER]
        #[arg(long, value_name = "ID")]
        changeid: Option<String>,
        /// Show the unit as it would be, change nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
        /// Print the unit as JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete units (in one transaction); the match index follows
    Delete {
        #[arg(value_name = "ID", required = true)]
        ids: Vec<i64>,
        /// Show what would be deleted, change nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
        /// Print what was deleted as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the ids of the units the filters select, one a line
    Find {
        #[command(flatten)]
        filter: FilterArgs,
        /// Only units with a variant in this language (`fr` also selects fr-FR)
        #[arg(long, value_name = "LANG")]
        lang: Option<LanguageTag>,
        /// Only units with a variant containing this text (in --lang when given; case
        /// sensitive)
        #[arg(long, value_name = "TEXT")]
        contains: Option<String>,
        /// Ids printed at most
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Print the ids as a JSON array
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct Shown<'a> {
    id: UnitId,
    origin_id: tmm::model::OriginId,
    #[serde(flatten)]
    unit: &'a tmm::model::TranslationUnit,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    match args.action {
        Action::Show { id, json } => {
            let Some(stored) = store.unit(UnitId(id))? else {
                bail!("no unit {id} (`tmm units find` lists them)");
            };
            print_unit(&stored, json)?;
        }
        Action::Edit {
            id,
            lang,
            text,
            changeid,
            dry_run,
            json,
        } => {
            let Some(mut stored) = store.unit(UnitId(id))? else {
                bail!("no unit {id} (`tmm units find` lists them)");
            };
            if text.trim().is_empty() {
                bail!("--text is empty: `tmm units delete {id}` removes a unit");
            }
            let who = changeid
                .or_else(|| std::env::var("USER").ok())
                .filter(|w| !w.is_empty());
            let now = tmm::formats::tmx::now_date();
            let unit = &mut stored.unit;
            let at = unit
                .variants
                .iter()
                .position(|v| v.lang == lang)
                .or_else(|| {
                    unit.variants
                        .iter()
                        .position(|v| lang_matches(&lang, &v.lang))
                });
            let variant = match at {
                Some(i) => &mut unit.variants[i],
                None => {
                    unit.variants.push(Variant::new(lang.clone(), ""));
                    unit.variants.last_mut().expect("just pushed")
                }
            };
            if variant.segment.markup.is_some() {
                crate::talk!(
                    "note: the old {} text had inline tags; the new one is plain",
                    variant.lang
                );
            }
            variant.segment = Segment::plain(text);
            variant.attributes.changedate = Some(now.clone());
            variant.attributes.changeid = who.clone();
            unit.attributes.changedate = Some(now);
            unit.attributes.changeid = who;
            if !dry_run && !store.replace_unit(UnitId(id), unit, None)? {
                bail!("unit {id} was deleted meanwhile");
            }
            if !dry_run {
                stored = store.unit(UnitId(id))?.unwrap_or(stored);
            }
            print_unit(&stored, json)?;
            if dry_run {
                crate::talk!("dry run: unit {id} not changed");
            } else {
                crate::talk!("unit {id} changed");
            }
        }
        Action::Delete { ids, dry_run, json } => {
            let ids: Vec<UnitId> = ids.into_iter().map(UnitId).collect();
            let mut missing = Vec::new();
            let mut present = Vec::new();
            for id in &ids {
                match store.unit(*id)? {
                    Some(_) => present.push(*id),
                    None => missing.push(*id),
                }
            }
            let n = if dry_run {
                present.len() as u64
            } else {
                store.delete_units(&present, None)?
            };
            if json {
                outln!(
                    "{}",
                    serde_json::json!({"deleted": n, "units": present, "missing": missing, "dry_run": dry_run})
                )?;
            } else {
                crate::talk!(
                    "{} {n} units{}",
                    if dry_run { "would delete" } else { "deleted" },
                    if dry_run {
                        " (dry run: nothing changed)"
                    } else {
                        ""
                    }
                );
            }
            if !missing.is_empty() {
                let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
                crate::talk!("no such unit: {}", list.join(", "));
                return Ok(ExitCode::FAILURE);
            }
        }
        Action::Find {
            filter,
            lang,
            contains,
            limit,
            json,
        } => {
            let filter = filter.resolve(&store)?;
            let by_text = lang.is_some() || contains.is_some();
            let candidates = store.find_units(&filter, if by_text { None } else { limit })?;
            let mut found = Vec::new();
            for id in candidates {
                if limit.is_some_and(|l| found.len() >= l) {
                    break;
                }
                if by_text {
                    let Some(s) = store.unit(id)? else { continue };
                    let hit = s.unit.variants.iter().any(|v| {
                        lang.as_ref().is_none_or(|l| lang_matches(l, &v.lang))
                            && contains
                                .as_deref()
                                .is_none_or(|c| v.segment.text.contains(c))
                    });
                    if !hit {
                        continue;
                    }
                }
                found.push(id);
            }
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string(&found)?)?;
            } else {
                for id in &found {
                    writeln!(out, "{id}")?;
                }
            }
            crate::talk!("{} units", found.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_unit(stored: &StoredUnit, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let shown = Shown {
            id: stored.id,
            origin_id: stored.origin_id,
            unit: &stored.unit,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&shown)?)?;
        return Ok(());
    }
    let u = &stored.unit;
    writeln!(out, "unit {} (origin #{})", stored.id, stored.origin_id)?;
    let attr =
        |out: &mut dyn Write, indent: &str, a: &tmm::model::Attributes| -> std::io::Result<()> {
            for (k, v) in [
                ("creationdate", &a.creationdate),
                ("creationid", &a.creationid),
                ("changedate", &a.changedate),
                ("changeid", &a.changeid),
            ] {
                if let Some(v) = v {
                    writeln!(out, "{indent}{k:<13} {v}")?;
                }
            }
            Ok(())
        };
    if let Some(t) = &u.tuid {
        writeln!(out, "  tuid          {t}")?;
    }
    if let Some(s) = &u.srclang {
        writeln!(out, "  srclang       {s}")?;
    }
    attr(&mut out, "  ", &u.attributes)?;
    for p in &u.props {
        writeln!(out, "  prop {} = {}", p.kind, p.value)?;
    }
    for n in &u.notes {
        writeln!(out, "  note {}", n.text)?;
    }
    for v in &u.variants {
        writeln!(out, "  {:<6} {}", v.lang, v.segment.text)?;
        if let Some(m) = &v.segment.markup {
            writeln!(out, "         markup {m}")?;
        }
        attr(&mut out, "         ", &v.attributes)?;
        for p in &v.props {
            writeln!(out, "         prop {} = {}", p.kind, p.value)?;
        }
        for n in &v.notes {
            writeln!(out, "         note {}", n.text)?;
        }
    }
    Ok(())
}
