//! `tmm token`: the bearer tokens of `tmm serve`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use tmm::server::auth;
use tmm::store::{Role, Store};

/// Manage the tokens that `tmm serve` accepts (`Authorization: Bearer TOKEN`).
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make a token and print it once, alone on the last line; only its hash is stored.
    ///
    /// Example: `tmm token add ana --role write`
    Add(AddArgs),
    /// List the tokens: name, role, when made (never the tokens themselves)
    List(ListArgs),
    /// Revoke a token: the server refuses it from the next request on
    Revoke(RevokeArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Who holds it: recorded as the change id of the units they store
    name: String,
    /// read: look up, search, export; write: also import and edit units; admin: also
    /// delete origins
    #[arg(long, value_enum)]
    role: RoleArg,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print the list as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The token's name
    name: String,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Read,
    Write,
    Admin,
}

pub fn run(db: &Path, command: Command) -> anyhow::Result<ExitCode> {
    let store =
        Store::open(db).with_context(|| format!("opening {}", tmm::store::location_label(db)))?;
    match command {
        Command::Add(args) => {
            let role = match args.role {
                RoleArg::Read => Role::Read,
                RoleArg::Write => Role::Write,
                RoleArg::Admin => Role::Admin,
            };
            let token = auth::new_token().context("making a random token")?;
            store.add_token(&args.name, role, &auth::hash(&token))?;
            eprintln!(
                "tmm: token \"{}\" ({}) added; it is shown once, below: keep it secret",
                args.name,
                role.as_str()
            );
            outln!("{token}")?;
        }
        Command::List(args) => {
            let tokens = store.tokens()?;
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&tokens)?)?;
            } else if tokens.is_empty() {
                eprintln!("no tokens (`tmm token add NAME --role read|write|admin` makes one)");
            } else {
                for t in &tokens {
                    outln!("{:<24} {:<6} {}", t.name, t.role.as_str(), t.created_at)?;
                }
            }
        }
        Command::Revoke(args) => {
            if !store.revoke_token(&args.name)? {
                bail!(
                    "no token named \"{}\" (`tmm token list` lists them)",
                    args.name
                );
            }
            eprintln!("tmm: token \"{}\" revoked", args.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
