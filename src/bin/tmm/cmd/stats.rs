//! `tmm stats`: what the memory holds.

use std::path::Path;
use std::process::ExitCode;

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
    let store = Store::open_existing(db)?;
    let stats = store.stats()?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&stats)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "database   {} ({})",
        tmm::store::location_label(db),
        human_bytes(stats.database_bytes)
    )?;
    outln!("units      {}", stats.units)?;
    outln!("variants   {}", stats.variants)?;
    outln!("languages  {}", stats.languages.len())?;
    for (lang, n) in &stats.languages {
        outln!("  {lang:<12} {n}")?;
    }
    outln!("origins    {}", stats.origins.len())?;
    for o in &stats.origins {
        let doc = o
            .document
            .as_deref()
            .map(|d| format!(" [{d}]"))
            .unwrap_or_default();
        outln!(
            "  #{:<4} {:<5} {}{doc}  {} units, imported {}",
            o.id,
            o.kind,
            o.name,
            o.units,
            o.imported_at
        )?;
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
