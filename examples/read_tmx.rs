//! Reads a TMX file through tmm's streaming reader and counts its units, without storing
//! them: the reader's share of an import, for benchmarks.
//!
//! `cargo run --release --example read_tmx -- FILE.tmx`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: read_tmx FILE.tmx")?;
    let mut reader = tmm::formats::tmx::TmxReader::open(path.as_ref())?;
    let (mut units, mut variants) = (0u64, 0u64);
    while let Some(item) = reader.next_item()? {
        if let tmm::formats::tmx::Item::Unit(read) = item {
            units += 1;
            variants += read.unit.variants.len() as u64;
        }
    }
    println!("{units} units, {variants} variants");
    Ok(())
}
