//! Integration tests: the real `tmm` binary on real files.

mod util;

mod cli;
mod matching;
mod roundtrip;
