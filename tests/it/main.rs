//! Integration tests: the real `tmm` binary on real files.

mod util;

mod align;
mod cli;
mod corpus;
mod export;
mod import;
mod matching;
mod roundtrip;
mod xliff;
