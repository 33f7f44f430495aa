//! The metadata filters that `suggest`, `concordance`, `analyze`, `pretranslate` and
//! `units find` share.

use tmm::corpus::parse_date_bound;
use tmm::model::OriginId;
use tmm::store::{Store, UnitFilter};

/// Filters by metadata.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only units from this origin: an imported file's name or path, a document symbol, or
    /// the number `tmm origins` shows (repeat for several)
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Vec<String>,
    /// Only units of this document (its symbol, or the x-document prop of its file)
    #[arg(long, value_name = "DOCUMENT")]
    pub document: Option<String>,
    /// Only units changed on or after this date (YYYY-MM-DD or YYYYMMDDThhmmssZ)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only units changed on or before this date (a day includes all of it)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only units last changed (else created) by this user id
    #[arg(long, value_name = "ID")]
    pub changeid: Option<String>,
    /// Only units with this prop on the unit or a variant, as TYPE=VALUE (repeat for all of
    /// several)
    #[arg(long, value_name = "TYPE=VALUE", value_parser = parse_prop)]
    pub prop: Vec<(String, String)>,
}

fn parse_prop(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not TYPE=VALUE")),
    }
}

/// `ORIGIN=POINTS` of `--penalty`.
pub fn parse_penalty(s: &str) -> Result<(String, u32), String> {
    let (origin, points) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("`{s}` is not ORIGIN=POINTS"))?;
    let points: u32 = points
        .parse()
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| format!("`{points}` is not a number of points from 0 to 100"))?;
    if origin.is_empty() {
        return Err(format!("`{s}` names no origin"));
    }
    Ok((origin.to_string(), points))
}

impl FilterArgs {
    /// The filter, its origins looked up in `store`.
    pub fn resolve(&self, store: &Store) -> anyhow::Result<UnitFilter> {
        Ok(UnitFilter {
            origins: self
                .origin
                .iter()
                .map(|o| store.find_origin(o))
                .collect::<Result<_, _>>()?,
            document: self.document.clone(),
            since: self
                .since
                .as_deref()
                .map(|d| parse_date_bound(d, false))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|d| parse_date_bound(d, true))
                .transpose()?,
            changeid: self.changeid.clone(),
            props: self.prop.clone(),
        })
    }
}

/// `--penalty` values with their origins looked up.
pub fn resolve_penalties(
    store: &Store,
    given: &[(String, u32)],
) -> anyhow::Result<Vec<(OriginId, u32)>> {
    Ok(given
        .iter()
        .map(|(o, p)| store.find_origin(o).map(|id| (id, *p)))
        .collect::<Result<_, _>>()?)
}
