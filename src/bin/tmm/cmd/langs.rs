//! `tmm langs`: the memory's language tags, and merging them.

use std::path::Path;
use std::process::ExitCode;

use tmm::lang::LanguageTag;
use tmm::store::Store;

/// List the language tags the memory holds, or merge some into one.
///
/// Memories gathered from several tools hold `en`, `en-US` and `en-GB` apart. Merging
/// retags their variants (each keeps its old tag in an `x-tmm-original-lang` prop), in one
/// transaction.
///
/// Examples: `tmm langs`; `tmm langs merge en-US en`; `tmm langs merge en-US en-GB --into en`
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
    /// List the tags with their variant counts (the default)
    List,
    /// Merge tags: `merge en-US en` retags en-US as en; with --into, every tag named goes
    /// into that one
    Merge {
        /// The tags to merge, then (without --into) the tag they become
        #[arg(value_name = "LANG", required = true)]
        tags: Vec<LanguageTag>,
        /// The tag they become
        #[arg(long, value_name = "LANG")]
        into: Option<LanguageTag>,
        /// Show what would change, change nothing
        #[arg(long, short = 'n')]
        dry_run: bool,
    },
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let langs = store.stats()?.languages;
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&langs)?)?;
            } else {
                for (lang, n) in &langs {
                    outln!("{lang:<12} {n}")?;
                }
            }
        }
        Action::Merge {
            mut tags,
            into,
            dry_run,
        } => {
            let into = match into {
                Some(i) => i,
                None if tags.len() >= 2 => tags.pop().expect("two or more"),
                None => anyhow::bail!(
                    "name the tag to merge into: `tmm langs merge {} en`, or --into",
                    tags[0]
                ),
            };
            let merge = store.merge_languages(&tags, &into, dry_run, None)?;
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&merge)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            for (tag, n) in &merge.variants {
                outln!("{tag:<12} {n} variants → {}", merge.into)?;
            }
            crate::talk!(
                "{} {} units{}",
                if dry_run { "would change" } else { "changed" },
                merge.units,
                if dry_run {
                    " (dry run: nothing changed)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
