//! Reading a file in another encoding as UTF-8, as it streams.
//!
//! Decoding keeps every line break, so lines are numbered as in the file.
//! A byte sequence that is not valid in the file's encoding (an unpaired
//! UTF-16 surrogate, a UTF-32 unit beyond Unicode) is never replaced
//! silently: it comes out as a byte that is not valid UTF-8, so the cell
//! holding it is a data error like any other undecodable cell.

use std::io::Read;

use encoding_rs::{Decoder, DecoderResult};

use super::buffer::{Buffered, copy_out};
use super::dialect::TextEncoding;

/// Written in place of a malformed sequence: never valid in UTF-8.
const MALFORMED: u8 = 0xFF;

/// Bytes read from the source at a time.
const CHUNK: usize = 64 * 1024;

enum Scheme {
    Whatwg(Box<Decoder>),
    Latin1,
    Utf32 { big: bool },
}

/// A reader of UTF-8 over a source in `encoding` (its byte-order mark,
/// if any, already skipped).
pub(crate) struct Decode<R> {
    input: Buffered<R>,
    kind: Scheme,
    out: Vec<u8>,
    at: usize,
}

impl<R: Read> Decode<R> {
    /// A decoder of `src`; `None` for UTF-8, which needs none.
    pub(crate) fn new(src: R, encoding: TextEncoding) -> Option<Decode<R>> {
        let kind = match encoding {
            TextEncoding::Utf8 => return None,
            TextEncoding::Latin1 => Scheme::Latin1,
            TextEncoding::Utf32Le => Scheme::Utf32 { big: false },
            TextEncoding::Utf32Be => Scheme::Utf32 { big: true },
            TextEncoding::Whatwg(e) => {
                Scheme::Whatwg(Box::new(e.new_decoder_without_bom_handling()))
            }
        };
        Some(Decode {
            input: Buffered::new(src, CHUNK),
            kind,
            out: Vec::with_capacity(CHUNK * 3 + 16),
            at: 0,
        })
    }

    /// Decodes what is buffered into `out`.
    fn decode(&mut self) {
        self.out.clear();
        self.at = 0;
        let pending = self.input.pending();
        let last = self.input.at_eof();
        let used = match &mut self.kind {
            Scheme::Latin1 => {
                self.out.resize(pending.len() * 2, 0);
                let (read, written) =
                    encoding_rs::mem::convert_latin1_to_utf8_partial(pending, &mut self.out);
                self.out.truncate(written);
                read
            }
            Scheme::Utf32 { big } => utf32(pending, *big, last, &mut self.out),
            Scheme::Whatwg(d) => whatwg(d, pending, last, &mut self.out),
        };
        self.input.consume(used);
    }
}

/// Decodes `src` with an `encoding_rs` decoder; returns the bytes used.
fn whatwg(d: &mut Decoder, src: &[u8], last: bool, out: &mut Vec<u8>) -> usize {
    let mut used = 0;
    let room = d
        .max_utf8_buffer_length_without_replacement(src.len())
        .unwrap_or(src.len().saturating_mul(3))
        .max(16);
    out.resize(room, 0);
    let mut written = 0;
    loop {
        let rest = src.get(used..).unwrap_or(&[]);
        let dst = out.get_mut(written..).unwrap_or(&mut []);
        let (res, read, n) = d.decode_to_utf8_without_replacement(rest, dst, last);
        used += read;
        written += n;
        match res {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let more = out.len() * 2;
                out.resize(more, 0);
            }
            DecoderResult::Malformed(_, _) => {
                if out.len() <= written {
                    out.push(0);
                }
                if let Some(b) = out.get_mut(written) {
                    *b = MALFORMED;
                }
                written += 1;
            }
        }
    }
    out.truncate(written);
    used
}

/// Decodes whole UTF-32 units of `src`; returns the bytes used. At the end
/// of the file, a unit cut short is malformed.
fn utf32(src: &[u8], big: bool, last: bool, out: &mut Vec<u8>) -> usize {
    let mut chunks = src.chunks_exact(4);
    for c in &mut chunks {
        let b = [c.first(), c.get(1), c.get(2), c.get(3)].map(|x| x.copied().unwrap_or(0));
        let n = if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        };
        match char::from_u32(n) {
            Some(ch) => {
                let mut tmp = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            }
            None => out.push(MALFORMED),
        }
    }
    let whole = src.len() - chunks.remainder().len();
    if last && !chunks.remainder().is_empty() {
        out.push(MALFORMED);
        return src.len();
    }
    whole
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.at < self.out.len() {
                return Ok(copy_out(&self.out, &mut self.at, buf));
            }
            if self.input.at_eof() && self.input.pending().is_empty() {
                return Ok(0);
            }
            self.input.fill()?;
            self.decode();
        }
    }
}

/// `bytes` (a line, a cell) decoded for display: malformed sequences as U+FFFD.
pub(crate) fn decode_lossy(bytes: &[u8], encoding: TextEncoding) -> String {
    match encoding {
        TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        _ => {
            let mut out = Vec::new();
            if let Some(mut d) = Decode::new(bytes, encoding) {
                let _ = d.read_to_end(&mut out);
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], e: TextEncoding) -> Vec<u8> {
        let mut out = Vec::new();
        let mut d = Decode::new(bytes, e).unwrap_or_else(|| unreachable!());
        d.read_to_end(&mut out).unwrap_or_default();
        out
    }

    #[test]
    fn windows_1252_and_latin1_differ_only_in_0x80_to_0x9f() {
        let bytes = b"M\xfcller \x80 caf\xe9\r\n";
        let w = TextEncoding::for_label("windows-1252").unwrap_or(TextEncoding::Utf8);
        assert_eq!(decoded(bytes, w), "Müller € café\r\n".as_bytes());
        assert_eq!(
            decoded(bytes, TextEncoding::Latin1),
            "Müller \u{80} café\r\n".as_bytes()
        );
    }

    #[test]
    fn utf16_and_utf32_keep_line_breaks_and_flag_what_is_malformed() {
        let text = "Zoë,1\nÅsa,2\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let u16le = TextEncoding::for_label("utf-16le").unwrap_or(TextEncoding::Utf8);
        assert_eq!(decoded(&le, u16le), text.as_bytes());
        // An unpaired surrogate comes out as a byte that is not UTF-8.
        let mut bad = le.clone();
        bad.extend_from_slice(&[0x00, 0xD8, b'x', 0]);
        let out = decoded(&bad, u16le);
        assert!(std::str::from_utf8(&out).is_err());
        assert!(out.ends_with(b"x"));
        let be32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        assert_eq!(decoded(&be32, TextEncoding::Utf32Be), text.as_bytes());
        let mut cut = be32.clone();
        cut.push(0);
        assert!(decoded(&cut, TextEncoding::Utf32Be).ends_with(&[MALFORMED]));
    }

    #[test]
    fn small_reads_and_large_inputs_decode_the_same() {
        let text: String = (0..20_000).map(|i| format!("Ünïcode {i},ß\n")).collect();
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let u16le = TextEncoding::for_label("utf-16le").unwrap_or(TextEncoding::Utf8);
        let mut d = Decode::new(&le[..], u16le).unwrap_or_else(|| unreachable!());
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = d.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        }
        assert_eq!(out, text.as_bytes());
    }
}
