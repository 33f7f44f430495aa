//! `tmm migrate`: move a whole memory between SQLite and PostgreSQL.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use tmm::store::{Store, location_label};

/// Copy a whole memory from one backend to the other (SQLite file ⇄ PostgreSQL), ids kept,
/// in one transaction on the target; the target must hold no memory yet.
///
/// Example: `tmm migrate --from tm.db --to postgresql://tmm@localhost/tm`, and back with
/// `tmm migrate --from postgresql://tmm@localhost/tm --to copy.db`. `tmm export` of both then
/// gives the same bytes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The memory to copy: a SQLite file or a postgresql:// URL
    #[arg(long, value_name = "DB")]
    from: PathBuf,
    /// Where to copy it: a new SQLite file or an empty PostgreSQL database
    #[arg(long, value_name = "DB")]
    to: PathBuf,
    /// Print what was copied as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let from = Store::open_existing(&args.from)
        .with_context(|| format!("opening {}", location_label(&args.from)))?;
    let to =
        Store::open(&args.to).with_context(|| format!("opening {}", location_label(&args.to)))?;
    let summary = from.migrate_to(&to).with_context(|| {
        format!(
            "migrating {} to {}",
            location_label(&args.from),
            location_label(&args.to)
        )
    })?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for (table, rows) in &summary.tables {
        talk!("{table:<14} {rows} rows");
    }
    talk!(
        "{} ({}) copied to {} ({})",
        location_label(&args.from),
        from.backend_name(),
        location_label(&args.to),
        to.backend_name()
    );
    Ok(ExitCode::SUCCESS)
}
