//! Splitting a new document into the segments to match: paragraphs separated by blank lines.
//! (Sentence splitting belongs to the aligner's text module; `--file` uses paragraphs until
//! it lands.)

/// A segment of a new document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The paragraph's lines joined by single spaces, trimmed.
    pub text: String,
    /// 1-based line where it starts.
    pub line: usize,
}

/// The paragraphs of `text`: runs of non-blank lines, joined with spaces.
///
/// ```
/// let p = tmm::matching::segment::paragraphs("One\ntwo.\n\n\nThree.\n");
/// assert_eq!(p.len(), 2);
/// assert_eq!((p[0].text.as_str(), p[1].line), ("One two.", 5));
/// ```
pub fn paragraphs(text: &str) -> Vec<Piece> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut out = Vec::new();
    let mut current: Option<Piece> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            out.extend(current.take());
            continue;
        }
        match &mut current {
            Some(p) => {
                p.text.push(' ');
                p.text.push_str(line);
            }
            None => {
                current = Some(Piece {
                    text: line.to_string(),
                    line: i + 1,
                })
            }
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_with_spaces_separate_and_bom_is_dropped() {
        let p = paragraphs("\u{FEFF}a\r\n \t\r\nb\nc");
        assert_eq!(
            p.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(),
            ["a", "b c"]
        );
        assert!(paragraphs("\n\n").is_empty());
    }
}
