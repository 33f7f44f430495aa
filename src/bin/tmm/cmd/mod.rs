//! One module per subcommand, each with its `Args` and `run`.

pub mod align;
pub mod analyze;
pub mod concordance;
pub mod export;
pub mod import;
pub mod index;
pub mod pretranslate;
pub mod serve;
pub mod stats;
pub mod suggest;
pub mod token;
