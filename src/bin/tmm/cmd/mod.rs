//! One module per subcommand, each with its `Args` and `run`.

pub mod align;
pub mod analyze;
pub mod clean;
pub mod completions;
pub mod concordance;
pub mod export;
pub mod filter;
pub mod import;
pub mod index;
pub mod langs;
pub mod migrate;
pub mod origins;
pub mod pretranslate;
pub mod serve;
pub mod stats;
pub mod suggest;
pub mod token;
pub mod units;
