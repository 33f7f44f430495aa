//! `tmm concordance`: stored segments containing a phrase.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use tmm::lang::LanguageTag;
use tmm::matching::Matcher;
use tmm::store::Store;

use super::filter::FilterArgs;

/// Every stored segment containing a phrase (case and Arabic diacritics ignored), the hit
/// highlighted, with its aligned translation. One or two Chinese characters work too.
///
/// Example: `tmm concordance "South-South cooperation" --from en --to fr` (`--lang` is the
/// old spelling of `--from`)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The phrase to look up
    #[arg(value_name = "PHRASE")]
    phrase: String,
    /// The language of the phrase
    #[arg(long, value_name = "LANG", visible_alias = "lang")]
    from: LanguageTag,
    /// Show the translation in this language beside each hit
    #[arg(long, value_name = "LANG")]
    to: Option<LanguageTag>,
    /// Hits shown at most, newest first
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print the hits as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    filter: FilterArgs,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(db)?;
    let matcher = Matcher::new(&store);
    let filter = args.filter.resolve(&store)?;
    let hits = matcher.concordance_filtered(
        &args.phrase,
        &args.from,
        args.to.as_ref(),
        args.limit,
        &filter,
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&hits)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let colour = std::io::stdout().is_terminal() && super::suggest::colour_wanted();
    for h in &hits {
        let doc = h.from.document.as_deref().unwrap_or(&h.from.origin);
        writeln!(out, "── {doc} #{}", h.from.position + 1)?;
        write!(out, "  {} ", h.lang)?;
        let mut last = 0;
        for &(b, e) in &h.spans {
            write!(out, "{}", &h.text[last..b])?;
            if colour {
                write!(out, "\x1b[1;33m{}\x1b[0m", &h.text[b..e])?;
            } else {
                write!(out, "[[{}]]", &h.text[b..e])?;
            }
            last = e;
        }
        writeln!(out, "{}", &h.text[last..])?;
        if let Some((lang, text)) = &h.target {
            writeln!(out, "  {lang} {text}")?;
        }
    }
    if hits.is_empty() {
        crate::talk!("no stored segment contains \"{}\"", args.phrase);
    }
    Ok(ExitCode::SUCCESS)
}
