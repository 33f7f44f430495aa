//! Normalisation and tokenisation for matching, per script.
//!
//! - Words are runs of letters, digits and combining marks; their key is lower-cased.
//! - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) give
//!   one token per character, so a Chinese sentence has about as many tokens as its meaning
//!   has words and an edit scores like an English one.
//! - Arabic keys drop diacritics (harakat, superscript alef) and tatweel and write every alef
//!   form as a bare alef.
//! - Numbers (`2012`, `1,000.5`, `35th`, Arabic-Indic digits) are placeables: they share one
//!   key, so a segment that differs only in its numbers has distance 0, and their value is
//!   kept for the penalty and for carrying the new number into the translation.
//! - Dates (`12 September 2012`, `12/09/2012`, `2012年9月12日`, `١٢ أيلول/سبتمبر ٢٠١٢`, see
//!   [`super::date`]) are one placeable each: one token with a key of their own and the ISO
//!   date as value, so `12 September` → `3 October` is no word edit.
//! - Everything else that is not whitespace is a punctuation token: it does not count in the
//!   distance, only in the punctuation penalty and the diff.

use xxhash_rust::xxh3::xxh3_64;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    /// A date: its value is the ISO date (`2012-09-12`, `--09-12`, `2012-09`), or the
    /// fields as written for a numeric date with two readings (`3/4/2012`).
    Date,
    Punct,
}

/// One token of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the segment.
    pub start: usize,
    pub end: usize,
    /// The normalised key compared by the edit distance (`#` for every number, `#date` for
    /// every date).
    pub key: String,
    /// For numbers: the digits in ASCII with their separators (`1,000.5`), for the others
    /// the key.
    pub value: String,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }

    /// The 64-bit id of the key, as stored in the index.
    pub fn id(&self) -> u64 {
        key_id(&self.key)
    }

    /// True for tokens that count in the edit distance (words and numbers).
    pub fn is_content(&self) -> bool {
        self.kind != TokenKind::Punct
    }
}

/// The key every number shares.
pub const NUMBER_KEY: &str = "#";

/// The key every date shares.
pub const DATE_KEY: &str = "#date";

/// Changes whenever tokenisation changes what [`content_ids`] returns (an index built by
/// another version must be rebuilt): 2 made dates one token.
pub const TOKENIZER_VERSION: u32 = 2;

/// The 64-bit id of a key.
pub fn key_id(key: &str) -> u64 {
    xxh3_64(key.as_bytes())
}

/// True for characters of scripts written without spaces between words.
pub fn is_unspaced_script(c: char) -> bool {
    (c as u32) >= 0x0E00
        && matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9D    // half-width Katakana
        | 0x20000..=0x2FA1F  // CJK extensions B–F, compatibility supplement
        | 0x0E00..=0x0E7F    // Thai
        | 0x0E80..=0x0EFF    // Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF) // Khmer
        // Every code point of the main ideograph block is a letter: skip the table lookup.
        && (matches!(c as u32, 0x4E00..=0x9FFF) || c.is_alphanumeric())
}

/// Combining marks that belong inside a word (Latin combining diacritics, Hebrew and Arabic
/// points, Indic signs).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F
        | 0x0483..=0x0489
        | 0x0591..=0x05C7
        | 0x0610..=0x061A
        | 0x064B..=0x065F
        | 0x0670
        | 0x06D6..=0x06ED
        | 0x0900..=0x0903
        | 0x093A..=0x094F
        | 0x0951..=0x0957
        | 0x0962..=0x0963
        | 0x200C..=0x200D)
}

/// Letters, digits, combining marks and tatweel: what words are made of.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Letter blocks of the common scripts, without the Unicode table lookup.
    match c as u32 {
        0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x024F => true, // Latin
        0x0400..=0x0481 | 0x048A..=0x052F => true,                   // Cyrillic
        0x0621..=0x063A | 0x0641..=0x064A => true,                   // Arabic letters
        0x4E00..=0x9FFF => true,                                     // CJK ideographs
        _ => c.is_alphanumeric() || is_mark(c) || c == '\u{0640}',
    }
}

/// True for Arabic marks removed from keys: harakat, superscript alef, Quranic marks.
fn is_arabic_diacritic(c: char) -> bool {
    matches!(c as u32, 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

/// Lower-cases a word and folds Arabic: no diacritics or tatweel, one alef.
pub fn normalize_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    normalize_into(&mut out, word);
    out
}

/// [`normalize_word`] appending to a buffer.
fn normalize_into(out: &mut String, word: &str) {
    // Most words of the Latin-script languages are ASCII: copied and lower-cased at once.
    if word.is_ascii() {
        let from = out.len();
        out.push_str(word);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        match c {
            '\u{0640}' => {}
            c if is_arabic_diacritic(c) => {}
            '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => {
                out.push('\u{0627}')
            }
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            // Scripts without case: no table lookup.
            c if matches!(c as u32, 0x0590..=0x08FF | 0x3000..=0x9FFF) => out.push(c),
            c => match fold_case(c) {
                Some(lower) => out.push(lower),
                None => out.extend(c.to_lowercase()),
            },
        }
    }
}

/// The lower case of Latin-1 and basic Cyrillic letters without the Unicode table (most
/// of the French, Spanish and Russian a memory holds); `None` for the others.
fn fold_case(c: char) -> Option<char> {
    let shift = match c as u32 {
        0x00C0..=0x00D6 | 0x00D8..=0x00DE | 0x0410..=0x042F => 0x20,
        0x0400..=0x040F => 0x50,
        0x00DF..=0x00F6 | 0x00F8..=0x00FF | 0x0430..=0x045F => 0,
        _ => return None,
    };
    char::from_u32(c as u32 + shift)
}

fn ascii_digit(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    // Decimal digits of other scripts: their value is the offset from the block's zero.
    let zeros = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0xFF10,
    ];
    let cp = c as u32;
    zeros
        .iter()
        .find(|&&z| (z..z + 10).contains(&cp))
        .and_then(|&z| char::from_digit(cp - z, 10))
}

/// The value of a run of decimal digits of one or more scripts (None past `u32`).
pub(crate) fn value_of_digits(digits: &str) -> Option<u32> {
    let mut v: u32 = 0;
    for c in digits.chars() {
        let d = ascii_digit(c)?.to_digit(10)?;
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(v)
}

/// A token as the scanner finds it, before its key is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Raw {
    Word,
    /// A number; its digits end at this byte (an ordinal suffix may follow).
    Number(usize),
    Punct,
}

/// The character at byte `at` of `text` and the byte after it; `None` at the end.
fn char_at(text: &str, at: usize) -> Option<(char, usize)> {
    let c = text.get(at..)?.chars().next()?;
    Some((c, at + c.len_utf8()))
}

/// Finds the tokens of `text`: kind and byte range. Walks byte offsets rather than
/// collecting the text's characters first: every variant an import indexes is scanned.
fn scan(text: &str, mut emit: impl FnMut(Raw, usize, usize)) {
    let digit_at = |at: usize| char_at(text, at).filter(|&(c, _)| ascii_digit(c).is_some());
    let mut i = 0;
    while let Some((c, after)) = char_at(text, i) {
        let start = i;
        if c.is_whitespace() {
            i = after;
            continue;
        }
        if is_unspaced_script(c) {
            emit(Raw::Word, start, after);
            i = after;
            continue;
        }
        if ascii_digit(c).is_some() {
            // Digits with inner separators: 1,000.5 or 12.09.
            let mut j = after;
            while let Some((d, next)) = char_at(text, j) {
                if ascii_digit(d).is_some() {
                    j = next;
                } else if let Some((_, past)) = matches!(d, ',' | '.' | '\u{066B}' | '\u{066C}')
                    .then(|| digit_at(next))
                    .flatten()
                {
                    j = past;
                } else {
                    break;
                }
            }
            // An ordinal suffix is 1–3 lower-case letters ending the word (not 3D, not 4x4).
            let (mut k, mut letters) = (j, 0);
            while letters < 4 {
                match char_at(text, k) {
                    Some((l, next)) if l.is_lowercase() && !is_unspaced_script(l) => {
                        k = next;
                        letters += 1;
                    }
                    _ => break,
                }
            }
            let suffix_ok = letters <= 3
                && !char_at(text, k)
                    .is_some_and(|(n, _)| n.is_alphanumeric() && !is_unspaced_script(n));
            let end = if suffix_ok { k } else { j };
            if end == j
                && char_at(text, j)
                    .is_some_and(|(n, _)| n.is_alphabetic() && !is_unspaced_script(n))
            {
                // Digits glued to a word (3D, 4x4tech): one word.
                let w = word_end(text, i);
                emit(Raw::Word, start, w);
                i = w;
                continue;
            }
            emit(Raw::Number(j), start, end);
            i = end;
            continue;
        }
        if is_word_char(c) {
            let w = word_end(text, i);
            emit(Raw::Word, start, w);
            i = w;
            continue;
        }
        emit(Raw::Punct, start, after);
        i = after;
    }
}

/// Splits a segment into tokens.
///
/// ```
/// use tmm::text::token::{tokenize, TokenKind};
/// let t = tokenize("Held in June 2012, Rio+20.");
/// let keys: Vec<_> = t.iter().map(|t| t.key.as_str()).collect();
/// assert_eq!(keys, ["held", "in", "#date", ",", "rio", "+", "#", "."]);
/// assert_eq!((t[2].kind, t[2].value.as_str()), (TokenKind::Date, "2012-06"));
/// assert_eq!(t[6].kind, TokenKind::Number);
/// assert_eq!(tokenize("南南合作").len(), 4);
/// ```
pub fn tokenize(text: &str) -> Vec<Token> {
    tokens_of(text, true)
}

/// [`tokenize`] with dates left as their words and numbers (for word-level diffs).
pub fn tokenize_words(text: &str) -> Vec<Token> {
    tokens_of(text, false)
}

fn tokens_of(text: &str, dates: bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut push = |item| {
        let (kind, start, end, key, value) = match item {
            Item::Date(p) => (
                TokenKind::Date,
                p.start,
                p.end,
                DATE_KEY.to_string(),
                p.value(None),
            ),
            Item::Raw(raw, start, end) => {
                let s = &text[start..end];
                let (kind, key, value) = match raw {
                    Raw::Number(digits_end) => {
                        let value: String = text[start..digits_end]
                            .chars()
                            .map(|d| ascii_digit(d).unwrap_or(d))
                            .collect();
                        (TokenKind::Number, NUMBER_KEY.to_string(), value)
                    }
                    Raw::Word => {
                        let key = normalize_word(s);
                        if key.is_empty() {
                            // A lone tatweel or diacritic: not a word.
                            (TokenKind::Punct, s.to_string(), s.to_string())
                        } else {
                            (TokenKind::Word, key.clone(), key)
                        }
                    }
                    Raw::Punct => (TokenKind::Punct, s.to_string(), s.to_string()),
                };
                (kind, start, end, key, value)
            }
        };
        tokens.push(Token {
            kind,
            start,
            end,
            key,
            value,
        });
    };
    if dates {
        scan_with_dates(text, push);
    } else {
        scan(text, |raw, start, end| push(Item::Raw(raw, start, end)));
    }
    tokens
}

/// The scanner's tokens of `text`: kind and byte range.
pub(crate) fn raw_tokens(text: &str) -> Vec<(Raw, usize, usize)> {
    let mut raws = Vec::with_capacity(text.len() / 5 + 1);
    scan(text, |raw, start, end| raws.push((raw, start, end)));
    raws
}

/// False when `text` has no decimal digit of any script [`ascii_digit`] knows (a byte test:
/// it may say true for a text without one).
fn may_hold_digit(text: &str) -> bool {
    // ASCII digits, and the lead bytes of the other scripts' digit blocks (U+0660–U+07C9,
    // U+0966–U+17E9, U+FF10–U+FF19).
    let bytes = text.as_bytes();
    if text.is_ascii() {
        return bytes.iter().any(u8::is_ascii_digit);
    }
    bytes
        .iter()
        .any(|b| b.is_ascii_digit() || matches!(b, 0xD9 | 0xDB | 0xDF | 0xE0 | 0xE1 | 0xEF))
}

/// A scanner token, or a date made of several.
enum Item {
    Raw(Raw, usize, usize),
    Date(super::date::Parsed),
}

/// The scanner's tokens with dates merged into one item each.
fn scan_with_dates(text: &str, mut emit: impl FnMut(Item)) {
    // Every date holds a digit: without one, the scanner's tokens go straight out.
    if !may_hold_digit(text) {
        scan(text, |raw, start, end| emit(Item::Raw(raw, start, end)));
        return;
    }
    let raws = raw_tokens(text);
    let mut k = 0;
    while k < raws.len() {
        if super::date::may_start(text, &raws, k)
            && let Some(p) = super::date::recognize(text, &raws, k)
        {
            k += p.tokens;
            emit(Item::Date(p));
            continue;
        }
        let (raw, start, end) = raws[k];
        emit(Item::Raw(raw, start, end));
        k += 1;
    }
}

/// The byte where the word that begins at byte `at` ends.
fn word_end(text: &str, mut at: usize) -> usize {
    // ASCII letters and digits a byte at a time; the first other byte decides below.
    let bytes = text.as_bytes();
    while bytes.get(at).is_some_and(u8::is_ascii_alphanumeric) {
        at += 1;
    }
    while let Some((c, next)) = char_at(text, at) {
        if !is_word_char(c) || is_unspaced_script(c) {
            break;
        }
        at = next;
    }
    at
}

/// The id of a word's key: of the word itself when it is lower-case ASCII already (most
/// words are), else of its normal form, made in `buf`; `None` when that is empty.
fn word_id(buf: &mut String, word: &str) -> Option<u64> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Some(key_id(word));
    }
    buf.clear();
    normalize_into(buf, word);
    (!buf.is_empty()).then(|| key_id(buf))
}

/// The ids of the content tokens (words and numbers) of a segment, in order: what the edit
/// distance compares and the index stores. The fast path of [`tokenize`]: no allocation
/// per token.
pub fn content_ids(text: &str) -> Vec<u64> {
    // Without a digit there is no date: the scanner's own tokens, without the date pass.
    if !may_hold_digit(text) {
        return word_ids(text);
    }
    let number = key_id(NUMBER_KEY);
    let date = key_id(DATE_KEY);
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut buf = String::new();
    scan_with_dates(text, |item| match item {
        Item::Date(_) => out.push(date),
        Item::Raw(Raw::Number(_), ..) => out.push(number),
        Item::Raw(Raw::Word, start, end) => out.extend(word_id(&mut buf, &text[start..end])),
        Item::Raw(Raw::Punct, ..) => {}
    });
    out
}

/// The ids of the words and numbers of a segment with dates left as their words and numbers
/// ([`tokenize_words`]' content tokens): what a phrase lookup of a month name needs, where
/// [`content_ids`] holds one date token instead (and, without a digit, the same ids).
pub fn word_ids(text: &str) -> Vec<u64> {
    let number = key_id(NUMBER_KEY);
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut buf = String::new();
    scan(text, |raw, start, end| match raw {
        Raw::Number(_) => out.push(number),
        Raw::Word => out.extend(word_id(&mut buf, &text[start..end])),
        Raw::Punct => {}
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn case_folding_without_the_table_agrees_with_it() {
        let mut folded = 0;
        for c in (0..0x600).filter_map(char::from_u32) {
            if let Some(lower) = fold_case(c) {
                assert_eq!(lower.to_string(), c.to_lowercase().to_string(), "{c:?}");
                folded += 1;
            }
        }
        assert_eq!(folded, 158);
    }

    #[test]
    fn english_words_numbers_and_punctuation() {
        assert_eq!(
            keys("VIENNA, 12 September (UN) - the post-2015 agenda"),
            [
                "vienna", ",", "#date", "(", "un", ")", "-", "the", "post", "-", "#", "agenda"
            ]
        );
    }

    #[test]
    fn numbers_keep_their_value_and_separators() {
        let t = tokenize("1,000.5 people, the 35th year, ٢٠١٣");
        let nums: Vec<_> = t
            .iter()
            .filter(|t| t.kind == TokenKind::Number)
            .map(|t| t.value.as_str())
            .collect();
        assert_eq!(nums, ["1,000.5", "35", "2013"]);
        assert_eq!(t[4].text("1,000.5 people, the 35th year, ٢٠١٣"), "35th");
    }

    #[test]
    fn digits_glued_to_a_word_are_a_word() {
        assert_eq!(keys("3D printing G77"), ["3d", "printing", "g77"]);
    }

    #[test]
    fn chinese_is_one_token_per_character() {
        assert_eq!(
            keys("南南合作，9月12日"),
            ["南", "南", "合", "作", "，", "#date"]
        );
        assert_eq!(keys("ภาษาไทย").len(), 7);
    }

    #[test]
    fn arabic_drops_diacritics_and_tatweel_and_unifies_alef() {
        let plain = keys("أظهر العقد الماضي");
        assert_eq!(keys("أَظْهَرَ العـــقد الماضي"), plain);
        assert_eq!(keys("اظهر العقد الماضي"), plain);
        assert_eq!(keys("إظهر"), keys("آظهر"));
    }

    #[test]
    fn french_apostrophes_split_words_and_accents_stay() {
        assert_eq!(keys("l’équité"), ["l", "’", "équité"]);
        assert_ne!(keys("été"), keys("ete"));
    }

    #[test]
    fn dates_are_one_token_and_their_words_stay_available() {
        let s = "Held on 12 September 2012 in Vienna";
        let t = tokenize(s);
        assert_eq!(t[2].kind, TokenKind::Date);
        assert_eq!(
            (t[2].text(s), t[2].value.as_str()),
            ("12 September 2012", "2012-09-12")
        );
        assert_eq!(content_ids(s).len(), 5);
        let words: Vec<u64> = tokenize_words(s)
            .iter()
            .filter(|t| t.is_content())
            .map(Token::id)
            .collect();
        assert_eq!(word_ids(s), words);
        assert_eq!(words.len(), 7);
    }

    #[test]
    fn the_fast_path_gives_the_ids_of_the_tokens() {
        for s in [
            "VIENNA, 12 September 2012 - the post-2015 agenda, 35th",
            "南南合作，9月12日",
            "أَظْهَرَ العـــقد ـ الماضي",
        ] {
            let slow: Vec<u64> = tokenize(s)
                .iter()
                .filter(|t| t.is_content())
                .map(Token::id)
                .collect();
            assert_eq!(content_ids(s), slow, "{s}");
        }
    }

    #[test]
    fn fast_paths_agree_with_the_unicode_tables() {
        for cp in 0x80u32..0xA000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let slow = c.is_alphanumeric() || is_mark(c) || c == '\u{0640}';
            assert_eq!(is_word_char(c), slow, "U+{cp:04X}");
            let mut fast = String::new();
            normalize_into(&mut fast, &c.to_string());
            if !is_arabic_diacritic(c)
                && !matches!(
                    c,
                    '\u{0640}' | '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}'..='\u{0673}'
                )
            {
                assert_eq!(fast, c.to_lowercase().collect::<String>(), "U+{cp:04X}");
            }
        }
    }

    #[test]
    fn the_digit_test_sees_every_digit_script() {
        for cp in 0u32..0x11_0000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            if ascii_digit(c).is_some() {
                assert!(may_hold_digit(&c.to_string()), "U+{cp:04X}");
            }
        }
        assert!(!may_hold_digit("South-South cooperation"));
    }

    #[test]
    fn empty_and_whitespace_give_no_tokens() {
        assert!(tokenize("").is_empty());
        assert!(tokenize(" \t\n ").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn tokens_are_in_order_and_on_char_boundaries(s in "\\PC{0,60}") {
            let t = tokenize(&s);
            let mut last = 0;
            for tok in &t {
                proptest::prop_assert!(tok.start >= last && tok.end > tok.start);
                proptest::prop_assert!(s.is_char_boundary(tok.start) && s.is_char_boundary(tok.end));
                last = tok.end;
            }
        }

        #[test]
        fn fast_path_agrees(s in "\\PC{0,60}") {
            let slow: Vec<u64> = tokenize(&s).iter().filter(|t| t.is_content()).map(Token::id).collect();
            proptest::prop_assert_eq!(content_ids(&s), slow);
        }

        // Date-like pieces in any order: no panic, tokens in order, both paths agree.
        #[test]
        fn date_pieces_never_break_the_tokeniser(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "12", "09", "9", "2012", "٢٠١٢", "١٢", "31", "/", "-", ".", ",", " ", "de",
                "September", "septembre", "сентября", "أيلول", "سبتمبر", "كانون", "الأول",
                "年", "月", "日", "1er", "May", "may", "２０１２",
            ]),
            0..14,
        )) {
            let s: String = parts.concat();
            let t = tokenize(&s);
            let mut last = 0;
            for tok in &t {
                proptest::prop_assert!(tok.start >= last && tok.end > tok.start);
                last = tok.end;
                if tok.kind == TokenKind::Date {
                    proptest::prop_assert!(super::super::date::parse(tok.text(&s)).is_some(), "{}", tok.text(&s));
                }
            }
            let slow: Vec<u64> = t.iter().filter(|t| t.is_content()).map(Token::id).collect();
            proptest::prop_assert_eq!(content_ids(&s), slow);
        }

        #[test]
        fn ascii_is_lower_cased_as_unicode_does(s in "[ -~]{0,40}") {
            proptest::prop_assert_eq!(normalize_word(&s), s.to_lowercase());
        }

        #[test]
        fn a_word_ends_where_its_characters_say(s in "[a-zA-Z0-9 .é_]{0,20}\\PC{0,20}") {
            // The reference: one character at a time, without the ASCII fast path.
            let by_chars = |mut at: usize| {
                while let Some(c) = s[at..].chars().next() {
                    if !is_word_char(c) || is_unspaced_script(c) {
                        break;
                    }
                    at += c.len_utf8();
                }
                at
            };
            for at in (0..=s.len()).filter(|&i| s.is_char_boundary(i)) {
                proptest::prop_assert_eq!(word_end(&s, at), by_chars(at), "at {}", at);
            }
        }

        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize_word(&s);
            proptest::prop_assert_eq!(normalize_word(&once), once.clone());
        }
    }
}
