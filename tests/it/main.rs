//! Integration tests: the real `tmm` binary on real files.

mod util;

mod align;
mod cli;
mod roundtrip;
