//! `tmm origins`: list, delete and rename origins (imported files and aligned documents).

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;
use tmm::store::Store;

/// List the origins (imported files and aligned documents): id, kind, name, units and when
/// each was imported; delete one with its units, or rename one.
///
/// Examples: `tmm origins`; `tmm origins delete old.tmx --dry-run`; `tmm origins rename 3 un-2012`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Print as JSON
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List the origins (the default)
    List,
    /// Delete an origin and all its units; the match index follows
    Delete {
        /// The origin: its number, file name, path or document symbol
        #[arg(value_name = "ID|NAME")]
        origin: String,
        /// Show what would be deleted, change nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
    },
    /// Rename an origin (what --origin and provenance show)
    Rename {
        /// The origin: its number, file name, path or document symbol
        #[arg(value_name = "ID|NAME")]
        origin: String,
        /// The new name
        #[arg(value_name = "NEW")]
        name: String,
        /// Show what would change, change nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
    },
}

#[derive(Serialize)]
struct Deleted<'a> {
    origin: i64,
    name: &'a str,
    units: u64,
    dry_run: bool,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let origins = store.origins()?;
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&origins)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            outln!(
                "{:>4}  {:<6} {:>7}  {:<16}  name",
                "id",
                "kind",
                "units",
                "imported"
            )?;
            for o in &origins {
                let doc = o
                    .document
                    .as_deref()
                    .map(|d| format!(" [{d}]"))
                    .unwrap_or_default();
                outln!(
                    "{:>4}  {:<6} {:>7}  {:<16}  {}{doc}",
                    o.id,
                    o.kind,
                    o.units,
                    o.imported_at,
                    o.name
                )?;
            }
            if origins.is_empty() {
                crate::talk!("the memory has no origins yet");
            }
        }
        Action::Delete { origin, dry_run } => {
            let id = store.find_origin(&origin)?;
            let info = store
                .origins()?
                .into_iter()
                .find(|o| o.id == id)
                .ok_or_else(|| tmm::Error::UnknownOrigin {
                    key: origin.clone(),
                })?;
            let units = if dry_run {
                info.units as u64
            } else {
                match store.delete_origin(id, None)? {
                    Some(n) => n,
                    None => bail!("origin {id} was deleted meanwhile"),
                }
            };
            if args.json {
                let d = Deleted {
                    origin: id.0,
                    name: &info.name,
                    units,
                    dry_run,
                };
                outln!("{}", serde_json::to_string_pretty(&d)?)?;
            } else if dry_run {
                crate::talk!(
                    "would delete origin #{id} {} and its {units} units (dry run: nothing changed)",
                    info.name
                );
            } else {
                crate::talk!("deleted origin #{id} {} and its {units} units", info.name);
            }
        }
        Action::Rename {
            origin,
            name,
            dry_run,
        } => {
            if name.trim().is_empty() {
                bail!("the new name is empty");
            }
            let id = store.find_origin(&origin)?;
            let old = store
                .origins()?
                .into_iter()
                .find(|o| o.id == id)
                .map(|o| o.name)
                .unwrap_or_default();
            if !dry_run && !store.rename_origin(id, &name, None)? {
                bail!("origin {id} was deleted meanwhile");
            }
            if args.json {
                outln!(
                    "{}",
                    serde_json::json!({"origin": id, "old": old, "name": name, "dry_run": dry_run})
                )?;
            } else {
                crate::talk!(
                    "{} origin #{id} {old} to {name}{}",
                    if dry_run { "would rename" } else { "renamed" },
                    if dry_run {
                        " (dry run: nothing changed)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
