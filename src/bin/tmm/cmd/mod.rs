//! One module per subcommand, each with its `Args` and `run`.

pub mod align;
pub mod export;
pub mod import;
pub mod stats;
