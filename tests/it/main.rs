//! Integration tests: the real `tmm` binary on real files.

mod util;
mod validate;

mod align;
mod cli;
mod corpus;
mod export;
mod fixtures;
mod import;
mod matching;
mod roundtrip;
mod srx;
mod store;
mod subsegments;
mod xliff;
