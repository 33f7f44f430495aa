//! Sentence segmentation per language, by rules of the kind SRX files encode: a break after
//! a sentence terminator (with any closing quotes and brackets) that is followed by space and
//! something that can start a sentence; no break after an abbreviation (`Mr.`, `No.`,
//! `art.`, `p.ej.`, `т.е.`), an initial (`J. Smith`), a dotted acronym (`U.N.`, `e.g.`), a
//! list number at the start of a paragraph (`1.`, `55/100.`), or inside a number or date
//! (`12.5`, `12.09.2012`). The CJK full stops `。！？` end a sentence without a following
//! space; the Arabic question mark `؟` and the Spanish `¿…?`/`¡…!` pairs are handled.
//!
//! Legal and UN text: a semicolon or colon (`;`, `؛`, `；`, `:`, `：`) followed by a numbered
//! or lettered item (`2.`, `2．`, `2 -`, `2)`, `(a)`, `(iv)`, `b)`, `а)`, `(أ)`) ends the
//! clause before it, so that "…in their territory; 2. Reaffirms…" gives two segments in every
//! language, also where the item starts in lower case (Russian `2. подтверждает`).

use std::collections::HashSet;
use std::sync::Arc;

use crate::lang::LanguageTag;

/// Abbreviations followed by a full stop that do not end a sentence, by language; compared
/// in lower case without the final stop. Dotted acronyms (`e.g`, `U.N`, `EE.UU`) and single
/// letters need no entry.
const COMMON: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "no", "nos", "nr", "art", "arts", "vs",
    "cf", "para", "paras", "p", "pp", "vol", "vols", "fig", "figs", "ch", "chap", "sect", "sec",
    "op", "cit", "ibid", "approx", "dept", "est", "inc", "ltd", "co", "corp", "gen", "gov", "sen",
    "rep", "rev", "hon", "mt", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "ed", "eds", "al", "resp", "incl", "min", "max", "etc", "add", "corr", "rev",
    "annex", "suppl",
];
const FRENCH: &[&str] = &[
    "m", "mm", "mme", "mmes", "mlle", "mlles", "me", "pr", "ste", "éd", "av", "bd", "env", "chap",
    "suiv", "par", "art", "al", "etc", "réf", "vol", "chap", "p", "pp", "cf",
];
const SPANISH: &[&str] = &[
    "sr", "sra", "sras", "sres", "srta", "srtas", "dra", "dres", "ud", "uds", "vd", "vds", "núm",
    "pág", "págs", "lic", "ing", "apdo", "av", "avda", "dpto", "admón", "cía", "excmo", "excma",
    "párr", "párrs", "art", "arts", "cap", "vol", "etc", "pág", "sres",
];
const RUSSIAN: &[&str] = &[
    "г", "гг", "ст", "им", "др", "см", "ул", "стр", "руб", "млн", "млрд", "тыс", "трлн", "проф",
    "акад", "рис", "табл", "ок", "прим", "напр", "пр", "д", "с", "т", "п", "пп", "гл", "разд",
    "прил", "ч", "е", "н", "э",
];
const GERMAN: &[&str] = &["bzw", "usw", "abs", "hr", "fr", "ca", "vgl", "evtl", "ggf"];

/// Characters that end a sentence.
fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | '…'
            | '。'
            | '！'
            | '？'
            | '｡'
            | '؟'
            | '‼'
            | '⁇'
            | '⁈'
            | '⁉'
            | '।'
            | '۔'
    )
}

/// Terminators that end a sentence even without a following space.
fn is_full_width_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '｡')
}

/// Closing quotes and brackets that belong to the sentence they follow.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '］'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〗'
            | '＂'
            | '＇'
    )
}

/// Characters after which a new sentence cannot start.
fn cannot_start(c: char) -> bool {
    c.is_lowercase() || matches!(c, ',' | ';' | ':' | '،' | '、' | '，' | '-' | '–' | '—')
}

/// A rule-based sentence splitter for one language.
#[derive(Debug, Clone)]
pub struct SentenceSplitter {
    abbreviations: HashSet<String>,
    /// Chinese, Japanese: ASCII `!?` may end a sentence directly before a CJK character.
    cjk: bool,
    /// SRX rules that replace the built-in ones.
    srx: Option<Vec<Arc<Vec<super::srx::Rule>>>>,
}

impl SentenceSplitter {
    /// The splitter for `lang` (its primary subtag chooses the abbreviations).
    pub fn new(lang: &LanguageTag) -> Self {
        let primary = lang.primary();
        let extra: &[&str] = match primary {
            "fr" => FRENCH,
            "es" | "ca" | "gl" => SPANISH,
            "ru" | "uk" | "be" | "bg" => RUSSIAN,
            "de" => GERMAN,
            _ => &[],
        };
        SentenceSplitter {
            abbreviations: COMMON.iter().chain(extra).map(|s| s.to_string()).collect(),
            cjk: matches!(primary, "zh" | "ja" | "ko"),
            srx: None,
        }
    }

    /// A splitter that follows SRX rules ([`super::srx::Srx::rules_for`]) instead of the
    /// built-in ones.
    pub fn from_srx(rules: Vec<Arc<Vec<super::srx::Rule>>>) -> Self {
        SentenceSplitter {
            abbreviations: HashSet::new(),
            cjk: false,
            srx: Some(rules),
        }
    }

    /// Adds abbreviations (without their final stop) that must not end a sentence.
    pub fn add_abbreviations<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) {
        self.abbreviations.extend(
            words
                .into_iter()
                .map(|w| w.trim_end_matches('.').to_lowercase()),
        );
    }

    /// The sentences of `text`, trimmed, in order; none is empty.
    ///
    /// ```
    /// use tmm::{lang::LanguageTag, text::SentenceSplitter};
    /// let en = SentenceSplitter::new(&LanguageTag::parse("en").unwrap());
    /// assert_eq!(en.split("Mr. Ban spoke. He left."), ["Mr. Ban spoke.", "He left."]);
    /// ```
    pub fn split<'a>(&self, text: &'a str) -> Vec<&'a str> {
        if let Some(rules) = &self.srx {
            let mut out = Vec::new();
            let mut start = 0;
            for end in super::srx::breaks(rules, text)
                .into_iter()
                .chain(std::iter::once(text.len()))
            {
                let s = text[start..end].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = end;
            }
            return out;
        }
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let n = chars.len();
        let byte = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
        let mut out = Vec::new();
        let mut start = 0usize; // char index where the current sentence starts
        let mut i = 0usize;
        while i < n {
            let c = chars[i].1;
            if is_clause_end(c) {
                let mut k = i + 1;
                while k < n && chars[k].1.is_whitespace() {
                    k += 1;
                }
                if k < n && is_item_marker(&chars[k..]) {
                    let sentence = text[byte(start)..byte(i + 1)].trim();
                    if !sentence.is_empty() {
                        out.push(sentence);
                    }
                    start = k;
                }
                i += 1;
                continue;
            }
            if !is_terminator(c) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && is_terminator(chars[j].1) {
                j += 1;
            }
            // Closing quotes and brackets, also after a space (French `. »`).
            loop {
                let mut k = j;
                while k < n && matches!(chars[k].1, ' ' | '\u{a0}' | '\u{202f}') {
                    k += 1;
                }
                if k < n && is_closing(chars[k].1) && (k == j || matches!(chars[k].1, '»' | '›'))
                {
                    j = k + 1;
                } else {
                    break;
                }
            }
            if self.breaks(&chars, start, i, j) {
                let sentence = text[byte(start)..byte(j)].trim();
                if !sentence.is_empty() {
                    out.push(sentence);
                }
                start = j;
                while start < n && chars[start].1.is_whitespace() {
                    start += 1;
                }
            }
            i = j;
        }
        let rest = text[byte(start)..].trim();
        if !rest.is_empty() {
            out.push(rest);
        }
        out
    }

    /// Whether the terminators at `i..j` (with closers) end the sentence begun at `start`.
    fn breaks(&self, chars: &[(usize, char)], start: usize, i: usize, j: usize) -> bool {
        let n = chars.len();
        let run: Vec<char> = chars[i..j].iter().map(|&(_, c)| c).collect();
        if run.iter().copied().any(is_full_width_terminator) {
            // `「こんにちは。」と言った`: a quotation inside the sentence.
            let quoted = run.last().is_some_and(|&c| is_closing(c));
            return !(quoted && j < n && matches!(chars[j].1, 'と' | 'っ'));
        }
        if j >= n {
            return false;
        }
        let next = chars[j].1;
        if !next.is_whitespace() {
            // `你好!再见`: an ASCII mark straight before a CJK character.
            return self.cjk && matches!(run[0], '!' | '?') && crate::text::is_cjk(next);
        }
        let Some(&(_, first)) = chars[j..].iter().find(|(_, c)| !c.is_whitespace()) else {
            return false;
        };
        if cannot_start(first) || (is_closing(first) && !matches!(first, '"' | '\'')) {
            return false;
        }
        let single_stop = run.iter().filter(|&&c| c == '.').count() == 1
            && run
                .iter()
                .all(|&c| c == '.' || is_closing(c) || c.is_whitespace());
        if !single_stop {
            return true;
        }
        // The word before the stop, without opening punctuation.
        let word_start = chars[start..i]
            .iter()
            .rposition(|(_, c)| c.is_whitespace())
            .map_or(start, |p| start + p + 1);
        let word: String = chars[word_start..i]
            .iter()
            .map(|&(_, c)| c)
            .skip_while(|c| matches!(c, '(' | '[' | '"' | '\'' | '“' | '‘' | '«' | '¿' | '¡'))
            .collect();
        // French and Italian elision: `l'art.` is the abbreviation `art`.
        let word = match word.rfind(['\'', '’']) {
            Some(p) if p > 0 => word[p..].trim_start_matches(['\'', '’']).to_string(),
            _ => word,
        };
        !(self.is_abbreviation(&word) || (word_start == start && is_list_number(&word)))
    }

    fn is_abbreviation(&self, word: &str) -> bool {
        if word.is_empty() {
            return false;
        }
        let mut letters = word.chars();
        let initial = letters.next().is_some_and(char::is_uppercase) && letters.next().is_none();
        // `U.N`, `e.g`, `p.ej`, `EE.UU`, `т.е`: short letter groups joined by stops.
        let dotted = word.contains('.')
            && word.split('.').all(|part| {
                let k = part.chars().count();
                (1..=2).contains(&k) && part.chars().all(char::is_alphabetic)
            });
        initial || dotted || self.abbreviations.contains(&word.to_lowercase())
    }
}

/// Punctuation that ends an operative clause or introduces a list of items.
fn is_clause_end(c: char) -> bool {
    matches!(c, ';' | '؛' | '；' | ':' | '：')
}

/// Whether `rest` starts with a list item's number or letter and the space after it:
/// `2. `, `2． `, `12) `, `3 - ` (Arabic), `(a) `, `(iv) `, `b) `, `а) `, `(أ) `.
fn is_item_marker(rest: &[(usize, char)]) -> bool {
    let c = |k: usize| rest.get(k).map(|&(_, c)| c);
    let is_digit = |x: Option<char>| x.is_some_and(|x| x.is_numeric());
    let spaced = |k: usize| c(k).is_some_and(char::is_whitespace);
    if is_digit(c(0)) {
        let mut k = 0;
        while is_digit(c(k)) {
            k += 1;
        }
        if k > 3 {
            return false;
        }
        return match c(k) {
            Some('.' | '．' | ')') => spaced(k + 1) || c(k) == Some('．'),
            Some(' ') => matches!(c(k + 1), Some('-' | '–' | '—')) && spaced(k + 2),
            _ => false,
        };
    }
    let (open, first) = if c(0) == Some('(') { (1, 1) } else { (0, 0) };
    let mut k = first;
    while c(k).is_some_and(char::is_alphabetic) {
        k += 1;
    }
    let letters = k - first;
    if letters == 0 || c(k) != Some(')') || !spaced(k + 1) {
        return false;
    }
    let word: String = rest[first..k].iter().map(|&(_, c)| c).collect();
    let roman = word.chars().all(|c| "ivxlc".contains(c)) && letters <= 5;
    let single = letters == 1 && word.chars().all(char::is_lowercase);
    // `(a)` or `a)`; a longer word in brackets only when it is a roman numeral in brackets.
    single || (letters == 1 && open == 1) || (roman && open == 1)
}

/// A paragraph's leading number: `1`, `12.3`, `55/100`, `iv`, `(a)`, `b`.
fn is_list_number(word: &str) -> bool {
    let w = word.trim_matches(|c| matches!(c, '(' | ')'));
    if w.is_empty() {
        return false;
    }
    let numeric = w.chars().any(|c| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | '-'));
    let roman = w.len() <= 5 && w.chars().all(|c| "ivxlcIVXLC".contains(c));
    let letter = w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
    numeric || roman || letter
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(lang: &str, text: &str) -> Vec<String> {
        SentenceSplitter::new(&LanguageTag::parse(lang).unwrap())
            .split(text)
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            split(
                "en",
                "Mr. Ban met Dr. Chan. See No. 5 and art. 3, e.g. here. Done."
            ),
            [
                "Mr. Ban met Dr. Chan.",
                "See No. 5 and art. 3, e.g. here.",
                "Done."
            ]
        );
        assert_eq!(
            split("en", "The U.N. Secretary-General spoke. He left."),
            ["The U.N. Secretary-General spoke.", "He left."]
        );
        assert_eq!(
            split("fr", "M. Ban et Mme Dupont sont venus. Ils sont partis."),
            ["M. Ban et Mme Dupont sont venus.", "Ils sont partis."]
        );
        assert_eq!(
            split("es", "El Sr. Ban visitó EE.UU. en junio. Luego volvió."),
            ["El Sr. Ban visitó EE.UU. en junio.", "Luego volvió."]
        );
        assert_eq!(
            split(
                "ru",
                "Это т.е. пример. В 2012 г. Пан Ги Мун выступил. Конец."
            ),
            [
                "Это т.е. пример.",
                "В 2012 г. Пан Ги Мун выступил.",
                "Конец."
            ]
        );
    }

    #[test]
    fn numbers_dates_and_initials_do_not_end_sentences() {
        assert_eq!(
            split(
                "en",
                "It rose 12.5 per cent on 12.09.2012 here. J. R. Smith agreed."
            ),
            [
                "It rose 12.5 per cent on 12.09.2012 here.",
                "J. R. Smith agreed."
            ]
        );
        assert_eq!(
            split("en", "1. Once again calls upon States. 2. Reaffirms it."),
            ["1. Once again calls upon States.", "2. Reaffirms it."]
        );
        assert_eq!(
            split("en", "55/100. Respect for the right. Next one."),
            ["55/100. Respect for the right.", "Next one."]
        );
        assert_eq!(
            split("en", "It ended in 2012. The next began."),
            ["It ended in 2012.", "The next began."]
        );
    }

    #[test]
    fn numbered_items_after_a_semicolon_start_a_segment_in_all_six_languages() {
        // Regression: English cut "…territory; 2." and began the next sentence at
        // "Reaffirms"; Russian did not split its lower-case items at all.
        let cases = [
            (
                "en",
                "1. Calls upon all States to act in their territory; 2. Reaffirms that all Governments must act;",
                [
                    "1. Calls upon all States to act in their territory;",
                    "2. Reaffirms that all Governments must act;",
                ],
            ),
            (
                "fr",
                "1. Engage tous les États à agir sur leur territoire; 2. Réaffirme que les gouvernements doivent agir;",
                [
                    "1. Engage tous les États à agir sur leur territoire;",
                    "2. Réaffirme que les gouvernements doivent agir;",
                ],
            ),
            (
                "es",
                "1. Exhorta a todos los Estados a actuar en su territorio; 2. Reafirma que los gobiernos deben actuar;",
                [
                    "1. Exhorta a todos los Estados a actuar en su territorio;",
                    "2. Reafirma que los gobiernos deben actuar;",
                ],
            ),
            (
                "ru",
                "1. призывает все государства действовать на их территории; 2. подтверждает, что правительства должны действовать;",
                [
                    "1. призывает все государства действовать на их территории;",
                    "2. подтверждает, что правительства должны действовать;",
                ],
            ),
            (
                "zh",
                "1． 呼吁所有国家在其境内采取行动；2． 重申各国政府必须采取行动；",
                [
                    "1． 呼吁所有国家在其境内采取行动；",
                    "2． 重申各国政府必须采取行动；",
                ],
            ),
            (
                "ar",
                "1 - تهيب بجميع الدول أن تعمل في أراضيها؛ 2 - تؤكد من جديد أن على الحكومات أن تعمل؛",
                [
                    "1 - تهيب بجميع الدول أن تعمل في أراضيها؛",
                    "2 - تؤكد من جديد أن على الحكومات أن تعمل؛",
                ],
            ),
        ];
        for (lang, text, expected) in cases {
            assert_eq!(split(lang, text), expected, "{lang}");
        }
    }

    #[test]
    fn lettered_and_roman_items_after_a_colon_or_semicolon_start_a_segment() {
        assert_eq!(
            split(
                "en",
                "Decides: (a) to act now; (b) to report; and (iv) to stay seized."
            ),
            [
                "Decides:",
                "(a) to act now;",
                "(b) to report; and (iv) to stay seized."
            ]
        );
        assert_eq!(
            split("ru", "постановляет: а) действовать; б) доложить."),
            ["постановляет:", "а) действовать;", "б) доложить."]
        );
        assert_eq!(
            split("ar", "تقرر: (أ) أن تعمل؛ (ب) أن تقدم تقريرا."),
            ["تقرر:", "(أ) أن تعمل؛", "(ب) أن تقدم تقريرا."]
        );
        // A semicolon before ordinary words is no boundary.
        assert_eq!(
            split("en", "It acts; it reports; 2012 was a year."),
            ["It acts; it reports; 2012 was a year."]
        );
    }

    #[test]
    fn legal_abbreviations_are_no_boundaries() {
        assert_eq!(
            split(
                "en",
                "See No. 5, para. 94 and Art. 12, etc. Then more. Done."
            ),
            ["See No. 5, para. 94 and Art. 12, etc. Then more.", "Done."]
        );
        assert_eq!(
            split("fr", "M. Dupont cite l'art. 3 et le par. 2. Fin."),
            ["M. Dupont cite l'art. 3 et le par. 2.", "Fin."]
        );
        assert_eq!(
            split("es", "Véase el párr. 4 y el art. 5. Fin."),
            ["Véase el párr. 4 y el art. 5.", "Fin."]
        );
        assert_eq!(
            split(
                "ru",
                "В 2000 г. принята резолюция, см. п. 3 и ст. 12. Конец."
            ),
            ["В 2000 г. принята резолюция, см. п. 3 и ст. 12.", "Конец."]
        );
    }

    #[test]
    fn quotes_and_brackets_after_a_stop_stay_with_the_sentence() {
        assert_eq!(
            split("en", "He said \"Go.\" Then he left. (See above.) Next."),
            ["He said \"Go.\"", "Then he left.", "(See above.)", "Next."]
        );
        assert_eq!(
            split("en", "He said “Go.” Then left."),
            ["He said “Go.”", "Then left."]
        );
        assert_eq!(
            split("fr", "Il a dit « Partez. » Puis il est parti."),
            ["Il a dit « Partez. »", "Puis il est parti."]
        );
    }

    #[test]
    fn cjk_full_stops_end_sentences_without_spaces() {
        assert_eq!(
            split("zh", "他说：“走吧。”然后离开了。真的吗？是的！好"),
            ["他说：“走吧。”", "然后离开了。", "真的吗？", "是的！", "好"]
        );
        assert_eq!(
            split("ja", "「こんにちは。」と言った。次の文。"),
            ["「こんにちは。」と言った。", "次の文。"]
        );
        assert_eq!(split("zh", "增长12.5%。完"), ["增长12.5%。", "完"]);
        assert_eq!(split("zh", "真的吗?是的"), ["真的吗?", "是的"]);
    }

    #[test]
    fn arabic_and_spanish_questions() {
        assert_eq!(
            split("ar", "هل هذا صحيح؟ نعم. انتهى"),
            ["هل هذا صحيح؟", "نعم.", "انتهى"]
        );
        assert_eq!(
            split("es", "¿Qué pasa? Nada. ¡Hola! ¿Vienes? dijo él."),
            ["¿Qué pasa?", "Nada.", "¡Hola!", "¿Vienes? dijo él."]
        );
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            split("en", "Wait... what? And so… It ended... Then more."),
            ["Wait... what?", "And so…", "It ended...", "Then more."]
        );
    }

    proptest::proptest! {
        // Splitting loses and adds nothing but whitespace, and never panics, whatever the
        // text (terminators, quotes and CJK mixed in at random).
        #[test]
        fn splitting_keeps_every_character(
            text in "([a-zA-Z0-9 ]|[.!?…。！？؟¿¡\"'”»)(\n]|Mr\\.|U\\.N\\.|12\\.5|你好|مرحبا)*",
            lang in "(en|fr|es|ru|zh|ja|ar)",
        ) {
            let splitter = SentenceSplitter::new(&LanguageTag::parse(&lang).unwrap());
            let sentences = splitter.split(&text);
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            proptest::prop_assert_eq!(squeeze(&sentences.concat()), squeeze(&text));
            proptest::prop_assert!(sentences.iter().all(|s| !s.trim().is_empty()));
        }
    }

    #[test]
    fn the_seed_message_has_the_documented_sentence_counts() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed-2012");
        for lang in ["en", "fr", "es", "ru", "zh", "ar"] {
            let text = std::fs::read_to_string(format!("{dir}/{lang}.txt")).unwrap();
            let counts: Vec<usize> = crate::text::paragraphs(&text)
                .iter()
                .map(|p| split(lang, p).len())
                .collect();
            assert_eq!(counts, [2, 2, 2, 2, 2, 2, 1], "{lang}");
        }
    }
}
