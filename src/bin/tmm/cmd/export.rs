//! `tmm export`: the store (or part of it) as TMX 1.4b.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use tmm::lang::LanguageTag;
use tmm::store::{ExportFilter, Store};

/// Export units as TMX 1.4b (UTF-8, valid against the TMX 1.4 DTD, same store → same bytes).
///
/// Example: `tmm export -o memory.tmx --langs en,fr`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output file; `-` writes to standard output
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Keep only these languages (comma-separated; `fr` also selects fr-FR, fr-CA);
    /// units left with fewer than two are dropped
    #[arg(long, value_delimiter = ',', value_name = "LANGS")]
    langs: Vec<String>,
    /// Keep only units whose source language is this one
    #[arg(long, value_name = "LANG")]
    source_lang: Option<String>,
    /// Keep only units from this origin: an imported file's name or path, a document
    /// symbol, or the origin number shown by `tmm stats`
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,
    /// Write language tags as the imported files spelled them (en_US), not normalised
    #[arg(long)]
    original_lang_tags: bool,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let langs = args
        .langs
        .iter()
        .map(|l| LanguageTag::parse(l))
        .collect::<Result<Vec<_>, _>>()?;
    if langs.len() == 1 {
        bail!("--langs needs at least two languages (a unit needs two to be a translation)");
    }
    let filter = ExportFilter {
        langs,
        source_lang: args
            .source_lang
            .as_deref()
            .map(LanguageTag::parse)
            .transpose()?,
        origin: args
            .origin
            .as_deref()
            .map(|o| store.find_origin(o))
            .transpose()?,
    };
    let count = if args.output.as_os_str() == "-" {
        let stdout = std::io::stdout().lock();
        store.export_tmx(
            &filter,
            BufWriter::new(stdout),
            &args.output,
            args.original_lang_tags,
        )?
    } else {
        // Write beside the target and rename, so a failed export leaves no partial file.
        let dir = args
            .output
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        let mut out = BufWriter::new(tmp);
        let count = store.export_tmx(&filter, &mut out, &args.output, args.original_lang_tags)?;
        out.flush()
            .with_context(|| format!("writing {}", args.output.display()))?;
        let tmp = out.into_inner().map_err(|e| e.into_error())?;
        tmp.persist(&args.output)
            .with_context(|| format!("writing {}", args.output.display()))?;
        count
    };
    eprintln!("{count} units exported to {}", args.output.display());
    Ok(ExitCode::SUCCESS)
}
