//! `tmm clean`: remove duplicates, stale alternatives, untranslated and broken variants.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use tmm::clean::{self, CleanOptions, Finding, Rule};
use tmm::formats::tmx::TmxWriter;
use tmm::model::{Attributes, Header};
use tmm::output::OutputFile;
use tmm::store::Store;

/// Find and remove what spoils a memory. Each rule is chosen by its flag; with none, every
/// rule runs. A finding drops one variant (a unit left with fewer than two languages is
/// deleted), all in one transaction, and the match index follows.
///
/// Examples: `tmm clean --dry-run`; `tmm clean --duplicates --untranslated --reject removed.tmx`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Identical units, and translations superseded by a newer translation of the same
    /// source in the same language (newest by change date, then the later import, stays)
    #[arg(long)]
    duplicates: bool,
    /// Translations equal to their source (and holding letters), empty or only spaces
    #[arg(long)]
    untranslated: bool,
    /// Inline tags that do not match between source and translation
    #[arg(long)]
    tags: bool,
    /// Numbers that differ between source and translation
    #[arg(long)]
    numbers: bool,
    /// A length ratio outside its language pair's norm (the aligner's length model,
    /// estimated from the memory's own pairs; pairs with fewer than 20 units are not judged)
    #[arg(long)]
    length_ratio: bool,
    /// Variants mostly in a script their language tag does not use (Latin under zh, ...)
    #[arg(long)]
    script: bool,
    /// How far outside the norm a length ratio may go, in standard deviations
    #[arg(long, value_name = "SD", default_value_t = 4.0)]
    max_deviation: f64,
    /// Show what would go, change nothing
    #[arg(long, short = 'n')]
    dry_run: bool,
    /// Write what is removed to this TMX file (each removed variant with an
    /// x-tmm-clean-rule prop naming its rules), so it can be imported back
    #[arg(long, value_name = "FILE.tmx")]
    reject: Option<PathBuf>,
    /// Examples shown per rule
    #[arg(long, value_name = "N", default_value_t = 3)]
    examples: usize,
    /// Print the result as JSON: one count per rule under its name
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report {
    rules: BTreeMap<&'static str, u64>,
    examples: BTreeMap<&'static str, Vec<Finding>>,
    units_read: u64,
    units_deleted: u64,
    units_changed: u64,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reject: Option<PathBuf>,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if !(args.max_deviation.is_finite() && args.max_deviation > 0.0) {
        anyhow::bail!("--max-deviation: give a positive number of standard deviations");
    }
    let store = Store::open_existing(db)?;
    let chosen: Vec<Rule> = [
        (args.duplicates, Rule::Duplicates),
        (args.untranslated, Rule::Untranslated),
        (args.tags, Rule::Tags),
        (args.numbers, Rule::Numbers),
        (args.length_ratio, Rule::LengthRatio),
        (args.script, Rule::Script),
    ]
    .into_iter()
    .filter_map(|(on, r)| on.then_some(r))
    .collect();
    let options = CleanOptions {
        rules: if chosen.is_empty() {
            Rule::ALL.to_vec()
        } else {
            chosen
        },
        examples: args.examples,
        max_deviation: args.max_deviation,
        ..CleanOptions::default()
    };
    let plan = clean::plan(&store, &options)?;
    // The reject file is whole before anything is removed.
    if let Some(path) = &args.reject {
        write_reject(path, &plan.rejected)
            .with_context(|| format!("writing the reject file {}", path.display()))?;
    }
    let (deleted, changed) = if args.dry_run {
        (plan.delete.len() as u64, plan.replace.len() as u64)
    } else {
        clean::apply(&store, &plan)?
    };
    let report = Report {
        rules: plan
            .reports
            .iter()
            .map(|r| (r.rule.name(), r.count))
            .collect(),
        examples: plan
            .reports
            .iter()
            .map(|r| (r.rule.name(), r.examples.clone()))
            .collect(),
        units_read: plan.units_read,
        units_deleted: deleted,
        units_changed: changed,
        dry_run: args.dry_run,
        reject: args.reject.clone(),
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &plan.reports {
        outln!("{:<13} {}", r.rule.name(), r.count)?;
        for e in &r.examples {
            let lang = e
                .lang
                .as_deref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default();
            outln!("    unit {}{lang}: {}", e.unit_id, e.detail)?;
        }
    }
    let verb = if args.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    crate::talk!(
        "{} units read; {verb} {deleted} units and {} {changed} more{}",
        plan.units_read,
        if args.dry_run { "change" } else { "changed" },
        if args.dry_run {
            " (dry run: nothing changed)"
        } else {
            ""
        }
    );
    if let Some(p) = &args.reject {
        crate::talk!("removed units written to {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn write_reject(path: &Path, units: &[tmm::model::TranslationUnit]) -> anyhow::Result<()> {
    let header = Header {
        srclang: Some("*all*".into()),
        adminlang: Some("en".into()),
        attributes: Attributes {
            creationtool: Some("tmm".into()),
            creationtoolversion: Some(env!("CARGO_PKG_VERSION").into()),
            datatype: Some("plaintext".into()),
            segtype: Some("sentence".into()),
            o_tmf: Some("tmm".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut file = std::io::BufWriter::new(OutputFile::create(path)?);
    let mut w = TmxWriter::new(&mut file, &header).map_err(|e| tmm::Error::io(path, e))?;
    for u in units {
        w.write_unit(u).map_err(|e| tmm::Error::io(path, e))?;
    }
    w.finish().map_err(|e| tmm::Error::io(path, e))?;
    file.into_inner()
        .map_err(|e| tmm::Error::io(path, e.into_error()))?
        .commit()?;
    Ok(())
}
