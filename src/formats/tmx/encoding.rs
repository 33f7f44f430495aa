//! Finds an XML file's real encoding (TMX, XLIFF) from its bytes (BOM, the shape of `<?xml`) and its
//! declaration, and turns it into a UTF-8 stream for the XML parser.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::{Error, Result};

/// A UTF-8 view of a file, with what was learnt about its encoding.
pub(crate) struct Decoded {
    pub reader: Box<dyn BufRead + Send>,
    /// The encoding the bytes are read in (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: &'static str,
    pub warning: Option<String>,
    /// Where a UTF-16 file held lone surrogates (the decoder puts U+FFFD there), as the
    /// bytes are read.
    pub surrogates: Surrogates,
}

/// Lone UTF-16 surrogates found so far: (line, column) of each, 1-based, in characters.
pub(crate) type Surrogates = std::sync::Arc<std::sync::Mutex<Vec<(u64, u64)>>>;

/// Lone surrogates noted at most: one file full of them says the same thing throughout.
const SURROGATES_NOTED: usize = 100;

/// Passes UTF-16 bytes through unchanged, noting where a surrogate has no partner.
struct SurrogateScan<R> {
    inner: R,
    big_endian: bool,
    /// An odd byte left from the previous read.
    odd: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: bool,
    line: u64,
    column: u64,
    found: Surrogates,
}

impl<R> SurrogateScan<R> {
    fn unit(&mut self, u: u16) {
        let lone = |s: &mut Self| {
            if let Ok(mut f) = s.found.lock()
                && f.len() < SURROGATES_NOTED
            {
                f.push((s.line, s.column));
            }
        };
        match u {
            0xD800..=0xDBFF => {
                if self.high {
                    lone(self);
                    self.column += 1;
                }
                self.high = true;
                return;
            }
            0xDC00..=0xDFFF if self.high => self.high = false,
            0xDC00..=0xDFFF => lone(self),
            _ if self.high => {
                self.high = false;
                lone(self);
                self.column += 1;
            }
            _ => {}
        }
        if u == u16::from(b'\n') {
            self.line += 1;
            self.column = 1;
        } else if u != 0xFEFF || self.line > 1 || self.column > 1 {
            self.column += 1;
        }
    }
}

impl<R: Read> Read for SurrogateScan<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if n == 0 && self.high {
            self.high = false;
            let (line, column) = (self.line, self.column);
            if let Ok(mut f) = self.found.lock() {
                f.push((line, column));
            }
        }
        let mut bytes = out[..n].iter().copied();
        loop {
            let first = match self.odd.take() {
                Some(b) => b,
                None => match bytes.next() {
                    Some(b) => b,
                    None => break,
                },
            };
            let Some(second) = bytes.next() else {
                self.odd = Some(first);
                break;
            };
            let u = if self.big_endian {
                u16::from_be_bytes([first, second])
            } else {
                u16::from_le_bytes([first, second])
            };
            self.unit(u);
        }
        Ok(n)
    }
}

/// Bytes looked at to decide the encoding.
const HEAD: usize = 512;

/// Reads the first bytes of `input` (fewer at its end) and gives them back with the rest.
pub(crate) fn peek(
    name: &Path,
    mut input: Box<dyn Read + Send>,
    n: usize,
) -> Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        match input.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(name, e)),
        }
    }
    head.truncate(filled);
    let rest: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head.clone()).chain(input));
    Ok((head, rest))
}

/// Opens the file at `path` as UTF-8 (to read it again, for an error's position).
pub(crate) fn open(path: &Path) -> Result<Decoded> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    decode(path, Box::new(file))
}

/// Turns `input` into UTF-8, deciding its encoding from its first bytes; `name` is for
/// messages.
pub(crate) fn decode(name: &Path, input: Box<dyn Read + Send>) -> Result<Decoded> {
    let (head, input) = peek(name, input, HEAD)?;
    let (encoding, warning) = sniff(&head).map_err(|message| Error::Format {
        path: name.to_path_buf(),
        message,
    })?;
    let surrogates = Surrogates::default();
    let reader: Box<dyn BufRead + Send> = if encoding == UTF_8 {
        let mut r = BufReader::with_capacity(1 << 16, input);
        // The parser sees no BOM; it is not part of the document.
        let buf = r.fill_buf().map_err(|e| Error::io(name, e))?;
        if buf.starts_with(b"\xEF\xBB\xBF") {
            r.consume(3);
        }
        Box::new(r)
    } else {
        let input: Box<dyn Read + Send> = if encoding == UTF_16LE || encoding == UTF_16BE {
            Box::new(SurrogateScan {
                inner: input,
                big_endian: encoding == UTF_16BE,
                odd: None,
                high: false,
                line: 1,
                column: 1,
                found: surrogates.clone(),
            })
        } else {
            input
        };
        let decoder = DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .build(input);
        Box::new(BufReader::with_capacity(1 << 16, decoder))
    };
    Ok(Decoded {
        reader,
        encoding: encoding.name(),
        warning,
        surrogates,
    })
}

/// Reads a whole stream as UTF-8 text in the encoding its bytes and declaration give.
///
/// # Errors
/// [`Error::Syntax`] at the first byte that is not valid in that encoding.
pub(crate) fn decode_to_string(
    name: &Path,
    input: Box<dyn Read + Send>,
) -> Result<(String, &'static str, Option<String>)> {
    let mut decoded = decode(name, input)?;
    let mut bytes = Vec::new();
    decoded
        .reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(name, e))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, decoded.encoding, decoded.warning)),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() as u64 + 1;
            let column = valid.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
            Err(Error::Syntax {
                path: name.to_path_buf(),
                line,
                column,
                message: format!(
                    "not valid {}: the bytes do not match the file's encoding (declare it, or save as UTF-8)",
                    decoded.encoding
                ),
            })
        }
    }
}

/// The encoding a name given by [`Decoded::encoding`] stands for.
pub(crate) fn by_name(name: &str) -> Option<&'static Encoding> {
    Encoding::for_label(name.as_bytes())
}

/// Decides the encoding from the first bytes: a BOM wins, then the byte pattern of `<?`,
/// then the declaration (only when it agrees with the bytes).
fn sniff(head: &[u8]) -> std::result::Result<(&'static Encoding, Option<String>), String> {
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok((UTF_8, None));
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"<\0?\0") {
        return Ok((UTF_16LE, None));
    }
    if head.starts_with(b"\xFE\xFF") || head.starts_with(b"\0<\0?") {
        return Ok((UTF_16BE, None));
    }
    let Some(label) = declared_encoding(head) else {
        return Ok((UTF_8, None));
    };
    match Encoding::for_label(label.as_bytes()) {
        Some(enc) if enc == UTF_16LE || enc == UTF_16BE => Ok((
            UTF_8,
            Some(format!(
                "declares encoding \"{label}\" but the bytes are UTF-8; read as UTF-8"
            )),
        )),
        Some(enc) => Ok((enc, None)),
        None => Err(format!(
            "unknown encoding \"{label}\" in the XML declaration"
        )),
    }
}

/// The `encoding` of an ASCII-compatible `<?xml ...?>` declaration.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head)
        .unwrap_or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default());
    let decl = text.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_decide() {
        assert_eq!(sniff(b"\xEF\xBB\xBF<?xml").unwrap().0, UTF_8);
        assert_eq!(sniff(b"\xFF\xFE<\0").unwrap().0, UTF_16LE);
        assert_eq!(sniff(b"\xFE\xFF\0<").unwrap().0, UTF_16BE);
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_bytes() {
        assert_eq!(sniff(b"<\0?\0x\0m\0l\0").unwrap().0, UTF_16LE);
        assert_eq!(sniff(b"\0<\0?\0x\0m\0l").unwrap().0, UTF_16BE);
    }

    #[test]
    fn declaration_names_8bit_encodings() {
        let (enc, warn) = sniff(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>").unwrap();
        assert_eq!(enc.name(), "windows-1252");
        assert!(warn.is_none());
        let (enc, _) = sniff(b"<?xml version='1.0' encoding='ISO-8859-1'?>").unwrap();
        assert_eq!(enc.name(), "windows-1252");
    }

    #[test]
    fn a_declaration_that_lies_is_overruled_by_the_bytes() {
        let (enc, warn) = sniff(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><tmx>").unwrap();
        assert_eq!(enc, UTF_8);
        assert!(warn.unwrap().contains("utf-16"));
    }

    #[test]
    fn unknown_encodings_are_refused() {
        assert!(sniff(b"<?xml version=\"1.0\" encoding=\"klingon-8\"?>").is_err());
    }

    #[test]
    fn a_stream_decodes_like_a_file() {
        let utf16: Vec<u8> = "<?xml version=\"1.0\"?><x>é</x>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let input: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(utf16));
        let (text, enc, _) = decode_to_string(Path::new("s"), input).unwrap();
        assert_eq!(enc, "UTF-16LE");
        assert_eq!(text, "<?xml version=\"1.0\"?><x>é</x>");
    }

    #[test]
    fn bytes_that_break_the_encoding_are_located() {
        let input: Box<dyn Read + Send> = Box::new(&b"<x>\nab\xFF</x>"[..]);
        match decode_to_string(Path::new("s"), input) {
            Err(Error::Syntax { line, column, .. }) => assert_eq!((line, column), (2, 3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_declaration_means_utf8() {
        assert_eq!(sniff(b"<tmx version=\"1.4\">").unwrap().0, UTF_8);
        assert_eq!(sniff(b"").unwrap().0, UTF_8);
    }
}
