//! Integration tests: the real `tmm` binary on real files.

mod util;
mod validate;

mod align;
mod cli;
mod corpus;
mod export;
mod fixtures;
mod import;
mod maintenance;
mod matching;
mod pg;
mod rough_edges;
mod roundtrip;
mod serve;
mod srx;
mod store;
mod subsegments;
mod xliff;
