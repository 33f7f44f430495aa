//! Dates as placeables: recognised in the six UN languages, compared by value, rewritten in
//! the form the stored translation uses.
//!
//! Recognised (month names from CLDR, see [`super::months`]; digits of any script):
//! - day, month name, year: `12 September 2012`, `12 septembre 2012`, `12 de septiembre de
//!   2012`, `12 сентября 2012`, `١٢ سبتمبر ٢٠١٢`, `١٢ أيلول/سبتمبر ٢٠١٢` (two names of one
//!   month joined by a slash), and without the year (`12 September`);
//! - English month first: `September 12, 2012`, `September 12`;
//! - month name and year: `September 2012`, `septiembre de 2012`;
//! - Chinese and Japanese: `2012年9月12日`, `9月12日`, `2012年9月`;
//! - numeric: `12/09/2012`, `12.09.2012`, `12-09-2012`, `2012-09-12`, `2012/9/12`.
//!
//! A numeric date whose first two fields can both be the day (`03/04/2012`) has two
//! readings. Its value is then its fields as written (`03/04/2012`): it still matches as one
//! placeable, but is only rewritten into another form when the shape, the language's CLDR
//! convention (see [`numeric_order`]) or the stored translation's own date leaves one reading.
//! English month names must be capitalised (`may` is a verb), days take no ordinal suffix
//! (`1er`, `12th` stay words and numbers), and years have four digits; anything else falls
//! back to words and numbers.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::months::{MONTH_NAMES, NUMERIC_ORDER};
use super::token::{Raw, normalize_word, value_of_digits};

/// A calendar date, possibly without its year or day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: Option<u32>,
    pub month: u32,
    pub day: Option<u32>,
}

impl Date {
    /// ISO 8601 form: `2012-09-12`, `2012-09` without a day, `--09-12` without a year.
    pub fn iso(&self) -> String {
        match (self.year, self.day) {
            (Some(y), Some(d)) => format!("{y:04}-{:02}-{d:02}", self.month),
            (Some(y), None) => format!("{y:04}-{:02}", self.month),
            (None, Some(d)) => format!("--{:02}-{d:02}", self.month),
            (None, None) => format!("--{:02}", self.month),
        }
    }

    /// Reads [`Date::iso`]'s forms back.
    pub fn from_iso(s: &str) -> Option<Date> {
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str| -> Option<u32> {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let date = match parts.as_slice() {
            [y, m, d] if !y.is_empty() => Date {
                year: Some(num(y)?),
                month: num(m)?,
                day: Some(num(d)?),
            },
            [y, m] => Date {
                year: Some(num(y)?),
                month: num(m)?,
                day: None,
            },
            ["", "", m, d] => Date {
                year: None,
                month: num(m)?,
                day: Some(num(d)?),
            },
            _ => return None,
        };
        date.valid().then_some(date)
    }

    fn valid(&self) -> bool {
        (1..=12).contains(&self.month)
            && self.day.is_none_or(|d| {
                let max = match self.month {
                    2 => {
                        if self
                            .year
                            .is_none_or(|y| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
                        {
                            29
                        } else {
                            28
                        }
                    }
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                (1..=max).contains(&d)
            })
    }
}

/// Digits in the text: their byte range and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub start: usize,
    pub end: usize,
    pub value: u32,
}

/// A month name in the text and the CLDR table it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name {
    pub start: usize,
    pub end: usize,
    pub month: u32,
    /// Index in [`MONTH_NAMES`]: the locale and context to write another month in.
    table: usize,
}

/// How the month is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Month {
    Digits(Field),
    /// One name, or two of the same month (`أيلول/سبتمبر`).
    Names(Vec<Name>),
}

/// Day and month of a recognised date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Known {
        day: Option<Field>,
        month: Month,
    },
    /// `a/b/yyyy` where either of `a` and `b` can be the day.
    Either {
        first: Field,
        second: Field,
    },
}

/// A date found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Scanner tokens it covers.
    pub tokens: usize,
    pub year: Option<Field>,
    pub reading: Reading,
}

impl Parsed {
    /// The dates it can mean: one, or two for an ambiguous numeric date.
    pub fn dates(&self) -> Vec<Date> {
        let year = self.year.map(|y| y.value);
        match &self.reading {
            Reading::Known { day, month } => {
                let month = match month {
                    Month::Digits(f) => f.value,
                    Month::Names(n) => n.first().map_or(0, |n| n.month),
                };
                vec![Date {
                    year,
                    month,
                    day: day.map(|d| d.value),
                }]
            }
            Reading::Either { first, second } => {
                let mut out = Vec::new();
                for (d, m) in [(first, second), (second, first)] {
                    let date = Date {
                        year,
                        month: m.value,
                        day: Some(d.value),
                    };
                    if date.valid() && !out.contains(&date) {
                        out.push(date);
                    }
                }
                out
            }
        }
    }

    /// The value compared between texts: the ISO date when there is one reading, else the
    /// fields as written (`03/04/2012`). `order` is the language's numeric convention.
    pub fn value(&self, order: Option<char>) -> String {
        match (&self.reading, self.resolve(order)) {
            (_, Some(date)) => date.iso(),
            (Reading::Either { first, second }, None) => format!(
                "{}/{}/{}",
                first.value,
                second.value,
                self.year.map_or(0, |y| y.value)
            ),
            (Reading::Known { .. }, None) => String::new(),
        }
    }

    /// The one date it means, using the language's numeric order for two readings.
    pub fn resolve(&self, order: Option<char>) -> Option<Date> {
        let dates = self.dates();
        match (&self.reading, dates.as_slice()) {
            (_, [one]) => Some(*one),
            (Reading::Either { first, second }, [_, _]) => {
                let (d, m) = match order? {
                    'D' => (first, second),
                    'M' => (second, first),
                    _ => return None,
                };
                Some(Date {
                    year: self.year.map(|y| y.value),
                    month: m.value,
                    day: Some(d.value),
                })
            }
            _ => None,
        }
    }

    /// The edits that write `new` in this date's own form: (start, end, text) for each
    /// field that changes. None when the fields present differ (a year to add or drop) or
    /// the date has two readings.
    pub fn rewrite(&self, text: &str, new: &Date) -> Option<Vec<(usize, usize, String)>> {
        let Reading::Known { day, month } = &self.reading else {
            return None;
        };
        if day.is_some() != new.day.is_some() || self.year.is_some() != new.year.is_some() {
            return None;
        }
        let mut edits = Vec::new();
        // Day and month are padded together (`03.10.2013`) when the stored date pads one.
        let pad = day
            .iter()
            .chain(match month {
                Month::Digits(f) => Some(f),
                Month::Names(_) => None,
            })
            .any(|f| zero_padded(&text[f.start..f.end]));
        let mut digits = |f: &Field, v: u32| {
            if f.value != v {
                edits.push((f.start, f.end, digits_like(v, &text[f.start..f.end], pad)));
            }
        };
        if let (Some(f), Some(v)) = (day, new.day) {
            digits(f, v);
        }
        if let (Some(f), Some(v)) = (&self.year, new.year) {
            digits(f, v);
        }
        match month {
            Month::Digits(f) => digits(f, new.month),
            Month::Names(names) => {
                for n in names {
                    let old = &text[n.start..n.end];
                    if n.month != new.month {
                        let name = MONTH_NAMES[n.table].names[new.month as usize - 1];
                        edits.push((n.start, n.end, like_case(name, old)));
                    }
                }
            }
        }
        edits.sort_by_key(|e| e.0);
        Some(edits)
    }

    /// For a date with two readings: the edits that put `first`, `second` and `year` in
    /// place of its fields (the same layout, nothing to interpret).
    pub fn rewrite_fields(
        &self,
        text: &str,
        first: u32,
        second: u32,
        year: u32,
    ) -> Option<Vec<(usize, usize, String)>> {
        let Reading::Either {
            first: a,
            second: b,
        } = &self.reading
        else {
            return None;
        };
        let mut edits = Vec::new();
        let pad = [a, b].iter().any(|f| zero_padded(&text[f.start..f.end]));
        for (f, v) in [
            (Some(a), first),
            (Some(b), second),
            (self.year.as_ref(), year),
        ] {
            if let Some(f) = f
                && f.value != v
            {
                edits.push((f.start, f.end, digits_like(v, &text[f.start..f.end], pad)));
            }
        }
        edits.sort_by_key(|e| e.0);
        Some(edits)
    }
}

/// Reads the fields of an ambiguous date's value (`3/4/2012`).
pub fn either_fields(value: &str) -> Option<(u32, u32, u32)> {
    let mut it = value.split('/').map(|p| p.parse::<u32>().ok());
    let (a, b, y) = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some((a, b, y))
}

/// The field a numeric date of `lang` starts with (`'D'`, `'M'`, `'Y'`), from CLDR's short
/// date patterns of all the language's locales; None when they disagree (English) or the
/// language is not in the table.
pub fn numeric_order(lang: &str) -> Option<char> {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    NUMERIC_ORDER
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(primary))
        .and_then(|(_, o)| *o)
}

/// True when `digits` starts with a zero (`09`).
fn zero_padded(digits: &str) -> bool {
    digits.chars().count() > 1
        && digits
            .chars()
            .next()
            .is_some_and(|c| value_of_digits(c.encode_utf8(&mut [0; 4])) == Some(0))
}

/// `v` in `like`'s digit script, with two digits at least when `pad` (`09`).
fn digits_like(v: u32, like: &str, pad: bool) -> String {
    let width = if pad { like.chars().count().max(2) } else { 0 };
    let ascii = format!("{v:0width$}");
    let zero = like.chars().next().and_then(|c| {
        let cp = c as u32;
        [0x30u32, 0x0660, 0x06F0, 0x0966, 0xFF10]
            .into_iter()
            .find(|z| (*z..z + 10).contains(&cp))
    });
    match zero {
        None | Some(0x30) => ascii,
        Some(z) => ascii
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .and_then(|d| char::from_u32(z + d))
                    .unwrap_or(c)
            })
            .collect(),
    }
}

/// `name` with the first letter upper-case when `like`'s is.
fn like_case(name: &str, like: &str) -> String {
    let upper = like.chars().next().is_some_and(char::is_uppercase);
    let lower = like.chars().next().is_some_and(char::is_lowercase);
    let mut c = name.chars();
    match c.next() {
        Some(f) if upper => f.to_uppercase().chain(c).collect(),
        Some(f) if lower => f.to_lowercase().chain(c).collect(),
        _ => name.to_string(),
    }
}

/// One month name of the tables, by its normalised first word.
#[derive(Debug)]
struct Entry {
    table: usize,
    month: u32,
    /// The normalised second word of a two-word name (`كانون الثاني`).
    second: Option<String>,
}

/// The month names by normalised first word, `format` context first.
fn month_index() -> &'static HashMap<String, Vec<Entry>> {
    static INDEX: OnceLock<HashMap<String, Vec<Entry>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_word: HashMap<String, Vec<Entry>> = HashMap::new();
        for (table, t) in MONTH_NAMES.iter().enumerate() {
            for (k, name) in t.names.iter().enumerate() {
                let words: Vec<String> = name.split_whitespace().map(normalize_word).collect();
                let Some(first) = words.first() else { continue };
                by_word.entry(first.clone()).or_default().push(Entry {
                    table,
                    month: k as u32 + 1,
                    second: words.get(1).cloned(),
                });
            }
        }
        // Two-word names first, so that the longest name is taken.
        for entries in by_word.values_mut() {
            entries.sort_by_key(|e| (e.second.is_none(), MONTH_NAMES[e.table].context != "format"));
        }
        by_word
    })
}

/// The scanner's tokens of a text, with helpers to read them as date parts.
struct View<'a> {
    text: &'a str,
    raws: &'a [(Raw, usize, usize)],
}

impl View<'_> {
    fn word(&self, k: usize) -> Option<String> {
        match self.raws.get(k) {
            Some(&(Raw::Word, s, e)) => Some(normalize_word(&self.text[s..e])),
            _ => None,
        }
    }

    /// Token `k` is the word `w` (ASCII letters compared case-blind; no allocation).
    fn is_word(&self, k: usize, w: &str) -> bool {
        matches!(self.raws.get(k), Some(&(Raw::Word, s, e)) if self.text[s..e].eq_ignore_ascii_case(w))
    }

    fn punct(&self, k: usize) -> Option<&str> {
        match self.raws.get(k) {
            Some(&(Raw::Punct, s, e)) => Some(&self.text[s..e]),
            _ => None,
        }
    }

    /// Token `k` follows token `k - 1` with nothing between.
    fn glued(&self, k: usize) -> bool {
        k > 0 && self.raws.get(k).is_some_and(|r| r.1 == self.raws[k - 1].2)
    }

    /// A number of plain digits (no separators, no suffix) of `min..=max` digits.
    fn digits(&self, k: usize, min: usize, max: usize) -> Option<Field> {
        let &(Raw::Number(digits_end), s, e) = self.raws.get(k)? else {
            return None;
        };
        if digits_end != e {
            return None;
        }
        let d = &self.text[s..e];
        let n = d.chars().count();
        if n < min || n > max || !d.chars().all(char::is_numeric) {
            return None;
        }
        Some(Field {
            start: s,
            end: e,
            value: value_of_digits(d)?,
        })
    }

    fn day(&self, k: usize) -> Option<Field> {
        self.digits(k, 1, 2).filter(|f| (1..=31).contains(&f.value))
    }

    fn year(&self, k: usize) -> Option<Field> {
        self.digits(k, 4, 4)
    }

    /// A month name (or two of one month joined by `/`) at `k`: the names and the next
    /// token.
    fn month(&self, k: usize) -> Option<(Vec<Name>, usize)> {
        let (first, mut next) = self.one_month(k)?;
        let mut names = vec![first];
        if self.punct(next) == Some("/")
            && let Some((second, after)) = self.one_month(next + 1)
            && second.month == first.month
        {
            names.push(second);
            next = after;
        }
        Some((names, next))
    }

    fn one_month(&self, k: usize) -> Option<(Name, usize)> {
        let w = self.word(k)?;
        let entries = month_index().get(&w)?;
        let (_, s, e) = self.raws[k];
        for entry in entries {
            // English writes month names with a capital: `may` and `march` are words.
            if MONTH_NAMES[entry.table].locale == "en"
                && !self.text[s..e].starts_with(|c: char| c.is_uppercase())
            {
                continue;
            }
            let (end, next) = match &entry.second {
                None => (e, k + 1),
                Some(second) if self.word(k + 1).as_ref() == Some(second) => {
                    (self.raws[k + 1].2, k + 2)
                }
                Some(_) => continue,
            };
            return Some((
                Name {
                    start: s,
                    end,
                    month: entry.month,
                    table: entry.table,
                },
                next,
            ));
        }
        None
    }

    fn english(names: &[Name]) -> bool {
        names.iter().any(|n| MONTH_NAMES[n.table].locale == "en")
    }
}

/// Builds a date with a name month, if valid.
fn named(
    view: &View,
    from: usize,
    to: usize,
    day: Option<Field>,
    names: Vec<Name>,
    year: Option<Field>,
) -> Option<Parsed> {
    let month = names.first()?.month;
    let date = Date {
        year: year.map(|y| y.value),
        month,
        day: day.map(|d| d.value),
    };
    date.valid().then(|| Parsed {
        start: view.raws[from].1,
        end: view.raws[to - 1].2,
        tokens: to - from,
        year,
        reading: Reading::Known {
            day,
            month: Month::Names(names),
        },
    })
}

/// A numeric date from three fields in written order and its separators' shape.
fn numeric(
    view: &View,
    from: usize,
    to: usize,
    fields: [Field; 3],
    year_first: bool,
) -> Option<Parsed> {
    let [a, b, c] = fields;
    let start = view.raws[from].1;
    let end = view.raws[to - 1].2;
    let parsed = |year: Field, reading: Reading| Parsed {
        start,
        end,
        tokens: to - from,
        year: Some(year),
        reading,
    };
    if year_first {
        let d = Date {
            year: Some(a.value),
            month: b.value,
            day: Some(c.value),
        };
        return d.valid().then(|| {
            parsed(
                a,
                Reading::Known {
                    day: Some(c),
                    month: Month::Digits(b),
                },
            )
        });
    }
    let dm = Date {
        year: Some(c.value),
        month: b.value,
        day: Some(a.value),
    };
    let md = Date {
        year: Some(c.value),
        month: a.value,
        day: Some(b.value),
    };
    match (dm.valid(), md.valid()) {
        (true, true) if a.value != b.value => Some(parsed(
            c,
            Reading::Either {
                first: a,
                second: b,
            },
        )),
        (true, _) => Some(parsed(
            c,
            Reading::Known {
                day: Some(a),
                month: Month::Digits(b),
            },
        )),
        (false, true) => Some(parsed(
            c,
            Reading::Known {
                day: Some(b),
                month: Month::Digits(a),
            },
        )),
        (false, false) => None,
    }
}

/// True when the scanner token `k` could start a date: worth calling [`recognize`].
pub(crate) fn may_start(text: &str, raws: &[(Raw, usize, usize)], k: usize) -> bool {
    match raws[k].0 {
        Raw::Number(_) => true,
        // A month name is followed by a number, by `de` or a second word and a number, or
        // by `/` and a second name; month names have 2 to 12 letters.
        Raw::Word => {
            let kind = |i: usize| raws.get(k + i).map(|r| r.0);
            let number = |i: usize| matches!(kind(i), Some(Raw::Number(_)));
            let slash = |i: usize| matches!(raws.get(k + i), Some(&(Raw::Punct, s, e)) if &text[s..e] == "/");
            let (_, s, e) = raws[k];
            (2..=36).contains(&(e - s))
                && (number(1)
                    || (kind(1) == Some(Raw::Word) && (number(2) || slash(2)))
                    || slash(1))
        }
        Raw::Punct => false,
    }
}

/// The date starting at scanner token `k` of `text`, if one does.
pub(crate) fn recognize(text: &str, raws: &[(Raw, usize, usize)], k: usize) -> Option<Parsed> {
    let v = View { text, raws };
    match raws.get(k)?.0 {
        Raw::Number(digits_end) => {
            let (_, s, e) = raws[k];
            // 12.09.2012: the scanner keeps dotted digits together.
            if digits_end == e && text[s..e].contains('.') {
                let parts: Vec<&str> = text[s..e].split('.').collect();
                if parts.len() != 3 {
                    return None;
                }
                let mut at = s;
                let mut fields = Vec::new();
                for p in &parts {
                    fields.push(Field {
                        start: at,
                        end: at + p.len(),
                        value: value_of_digits(p)?,
                    });
                    at += p.len() + 1;
                }
                let lens: Vec<usize> = parts.iter().map(|p| p.chars().count()).collect();
                let year_first = match lens.as_slice() {
                    [1 | 2, 1 | 2, 4] => false,
                    [4, 1 | 2, 1 | 2] => true,
                    _ => return None,
                };
                return numeric(&v, k, k + 1, [fields[0], fields[1], fields[2]], year_first);
            }
            // 12/09/2012, 2012-09-12: three numbers glued by one separator.
            if let Some(sep @ ("/" | "-")) = v.punct(k + 1)
                && v.glued(k + 1)
                && v.glued(k + 2)
                && v.punct(k + 3) == Some(sep)
                && v.glued(k + 3)
                && v.glued(k + 4)
            {
                // Not part of a longer run (1/2/2012/3).
                if (v.punct(k + 5) == Some(sep) && v.glued(k + 5))
                    || (k > 0 && v.punct(k - 1) == Some(sep) && v.glued(k))
                {
                    return None;
                }
                if let (Some(a), Some(b), Some(c)) =
                    (v.day(k), v.digits(k + 2, 1, 2), v.year(k + 4))
                {
                    return numeric(&v, k, k + 5, [a, b, c], false);
                }
                if let (Some(a), Some(b), Some(c)) =
                    (v.year(k), v.digits(k + 2, 1, 2), v.day(k + 4))
                {
                    return numeric(&v, k, k + 5, [a, b, c], true);
                }
                return None;
            }
            // 2012年9月12日, 9月12日, 2012年9月.
            if let Some(y) = v.year(k)
                && v.is_word(k + 1, "年")
                && let Some(m) = v.digits(k + 2, 1, 2)
                && v.is_word(k + 3, "月")
            {
                let (day, to) = match v.day(k + 4) {
                    Some(d) if v.is_word(k + 5, "日") => (Some(d), k + 6),
                    _ => (None, k + 4),
                };
                return han(&v, k, to, Some(y), m, day);
            }
            if let Some(m) = v.digits(k, 1, 2)
                && v.is_word(k + 1, "月")
                && let Some(d) = v.day(k + 2)
                && v.is_word(k + 3, "日")
            {
                return han(&v, k, k + 4, None, m, Some(d));
            }
            // 12 September 2012, 12 de septiembre de 2012, 12 сентября.
            let day = v.day(k)?;
            let at = if v.is_word(k + 1, "de") { k + 2 } else { k + 1 };
            let (names, next) = v.month(at)?;
            let de = usize::from(v.is_word(next, "de"));
            let (year, to) = match v.year(next + de) {
                Some(y) => (Some(y), next + de + 1),
                None => (None, next),
            };
            named(&v, k, to, Some(day), names, year)
        }
        Raw::Word => {
            let (names, next) = v.month(k)?;
            // September 12, 2012 and September 12 (English).
            if View::english(&names)
                && let Some(day) = v.day(next)
            {
                let comma = usize::from(v.punct(next + 1) == Some(","));
                let (year, to) = match v.year(next + 1 + comma) {
                    Some(y) => (Some(y), next + 2 + comma),
                    None => (None, next + 1),
                };
                return named(&v, k, to, Some(day), names, year);
            }
            // September 2012, septiembre de 2012.
            let de = usize::from(v.is_word(next, "de"));
            let year = v.year(next + de)?;
            named(&v, k, next + de + 1, None, names, Some(year))
        }
        Raw::Punct => None,
    }
}

fn han(
    view: &View,
    from: usize,
    to: usize,
    year: Option<Field>,
    month: Field,
    day: Option<Field>,
) -> Option<Parsed> {
    let date = Date {
        year: year.map(|y| y.value),
        month: month.value,
        day: day.map(|d| d.value),
    };
    date.valid().then(|| Parsed {
        start: view.raws[from].1,
        end: view.raws[to - 1].2,
        tokens: to - from,
        year,
        reading: Reading::Known {
            day,
            month: Month::Digits(month),
        },
    })
}

/// The date that `text` is, whole (surrounding whitespace aside).
pub fn parse(text: &str) -> Option<Parsed> {
    let raws = super::token::raw_tokens(text);
    let first = recognize(text, &raws, 0)?;
    (first.tokens == raws.len()).then_some(first)
}

/// Every date in `text`, in order.
pub fn find_all(text: &str) -> Vec<Parsed> {
    let raws = super::token::raw_tokens(text);
    let mut out = Vec::new();
    let mut k = 0;
    while k < raws.len() {
        if may_start(text, &raws, k)
            && let Some(p) = recognize(text, &raws, k)
        {
            k += p.tokens;
            out.push(p);
        } else {
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::months::LONG_PATTERNS;

    fn iso(text: &str) -> Option<String> {
        parse(text).map(|p| p.value(None))
    }

    #[test]
    fn the_issue_dates_are_one_placeable_each() {
        for (text, value) in [
            ("12 September 2012", "2012-09-12"),
            ("September 12, 2012", "2012-09-12"),
            ("12 septembre 2012", "2012-09-12"),
            ("12 de septiembre de 2012", "2012-09-12"),
            ("12 сентября 2012", "2012-09-12"),
            ("2012年9月12日", "2012-09-12"),
            ("١٢ سبتمبر ٢٠١٢", "2012-09-12"),
            ("١٢ أيلول/سبتمبر ٢٠١٢", "2012-09-12"),
            ("12 September", "--09-12"),
            ("9月12日", "--09-12"),
            ("September 2012", "2012-09"),
            ("septiembre de 2012", "2012-09"),
            ("2012-09-12", "2012-09-12"),
            ("2012/9/12", "2012-09-12"),
            ("13/09/2012", "2012-09-13"),
            ("09/13/2012", "2012-09-13"),
            ("12.09.2012", "12/9/2012"),
            ("12/09/2012", "12/9/2012"),
            ("09/09/2012", "2012-09-09"),
            ("١٢ كانون الأول ٢٠١٢", "2012-12-12"),
        ] {
            assert_eq!(iso(text).as_deref(), Some(value), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_date_stays_words() {
        for text in [
            "12 may 2012",
            "32 September 2012",
            "31 September 2012",
            "12th September 2012",
            "1er septembre 2012",
            "13/13/2012",
            "1/2/2012/3",
            "12 Septembers",
            "September",
            "2012年13月",
        ] {
            assert!(parse(text).is_none(), "{text}: {:?}", find_all(text));
            // What follows a refused day can still be a month and year.
            assert!(find_all(text).iter().all(|p| p.start > 0), "{text}");
        }
        // Russian genitive and nominative are both CLDR forms; 29 February needs a leap year.
        assert_eq!(iso("29 февраля 2012").as_deref(), Some("2012-02-29"));
        assert_eq!(iso("29 февраля 2013"), None);
    }

    #[test]
    fn ambiguous_numeric_dates_take_the_language_convention_only() {
        let p = parse("03/04/2012").unwrap();
        assert_eq!(p.dates().len(), 2);
        assert_eq!(p.resolve(None), None);
        assert_eq!(p.resolve(numeric_order("en")), None);
        assert_eq!(p.resolve(numeric_order("fr")).unwrap().iso(), "2012-04-03");
        assert_eq!(p.value(numeric_order("ru-RU")), "2012-04-03");
    }

    #[test]
    fn cldr_long_patterns_are_recognised() {
        // Each language's CLDR long date pattern, filled with one date per month.
        for &(lang, pattern) in LONG_PATTERNS {
            let table = MONTH_NAMES
                .iter()
                .find(|t| t.locale == lang && t.context == "format");
            for month in 1..=12u32 {
                let mut out = String::new();
                let mut quoted = false;
                let mut chars = pattern.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '\'' {
                        quoted = !quoted;
                        continue;
                    }
                    let mut n = 1;
                    while !quoted && c.is_ascii_alphabetic() && chars.peek() == Some(&c) {
                        chars.next();
                        n += 1;
                    }
                    match (quoted, c, n) {
                        (false, 'd', _) => out.push('7'),
                        (false, 'y', _) => out.push_str("2013"),
                        (false, 'M', 4) => out.push_str(table.unwrap().names[month as usize - 1]),
                        (false, 'M', _) => out.push_str(&month.to_string()),
                        _ => out.push(c),
                    }
                }
                let found = find_all(&out);
                assert_eq!(found.len(), 1, "{lang} {out}");
                assert_eq!(
                    found[0].dates(),
                    [Date {
                        year: Some(2013),
                        month,
                        day: Some(7)
                    }],
                    "{lang} {out}"
                );
            }
        }
    }

    #[test]
    fn rewriting_keeps_the_form_digits_and_case() {
        let new = Date {
            year: Some(2013),
            month: 10,
            day: Some(3),
        };
        for (text, want) in [
            ("12 septembre 2012", "3 octobre 2013"),
            ("2012年9月12日", "2013年10月3日"),
            ("١٢ أيلول/سبتمبر ٢٠١٢", "٣ تشرين الأول/أكتوبر ٢٠١٣"),
            ("12 сентября 2012", "3 октября 2013"),
            ("September 12, 2012", "October 3, 2013"),
            ("12.09.2012", "03.10.2013"),
        ] {
            let Some(p) = find_all(text).into_iter().next() else {
                panic!("{text}")
            };
            let edits = match p.rewrite(text, &new) {
                Some(e) => e,
                None => p.rewrite_fields(text, 3, 10, 2013).unwrap(),
            };
            let mut out = text.to_string();
            for (s, e, r) in edits.into_iter().rev() {
                out.replace_range(s..e, &r);
            }
            assert_eq!(out, want, "{text}");
        }
    }
}
