//! `tmm stats`: what the memory holds.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use tmm::store::Store;

/// Show units, variants per language, origins and the database size.
///
/// Example: `tmm stats --json`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the statistics as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let stats = store.stats()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "database   {} ({})",
        db.display(),
        human_bytes(stats.database_bytes)
    );
    println!("units      {}", stats.units);
    println!("variants   {}", stats.variants);
    println!("languages  {}", stats.languages.len());
    for (lang, n) in &stats.languages {
        println!("  {lang:<12} {n}");
    }
    println!("origins    {}", stats.origins.len());
    for o in &stats.origins {
        let doc = o
            .document
            .as_deref()
            .map(|d| format!(" [{d}]"))
            .unwrap_or_default();
        println!(
            "  #{:<4} {:<5} {}{doc}  {} units, imported {}",
            o.id, o.kind, o.name, o.units, o.imported_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
