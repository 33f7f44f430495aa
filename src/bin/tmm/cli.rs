//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::cmd;

/// tmm — a multilingual translation memory: import and export TMX, align releases, suggest
/// earlier translations.
#[derive(Debug, Parser)]
#[command(name = "tmm", version, about, long_about = None)]
pub struct Cli {
    /// The database file [default: $TMM_DB, else tmm.db in the user's data directory]
    #[arg(long, global = true, env = "TMM_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Say nothing on stderr but warnings and errors (data still goes to stdout)
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Align(cmd::align::Args),
    Import(cmd::import::Args),
    Export(cmd::export::Args),
    Stats(cmd::stats::Args),
    Index(cmd::index::Args),
    Suggest(cmd::suggest::Args),
    Analyze(cmd::analyze::Args),
    Pretranslate(cmd::pretranslate::Args),
    Concordance(cmd::concordance::Args),
    Origins(cmd::origins::Args),
    Units(cmd::units::Args),
    Clean(cmd::clean::Args),
    Langs(cmd::langs::Args),
    Migrate(cmd::migrate::Args),
    Completions(cmd::completions::Args),
    Man(cmd::completions::ManArgs),
    Serve(cmd::serve::Args),
    #[command(subcommand)]
    Token(cmd::token::Command),
}
