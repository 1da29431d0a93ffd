//! A read buffer whose unread bytes stay together: more input is read in
//! after them, and the buffer grows when one record outgrows it. The CSV
//! reader, the decoder and the dialect rewriter all read this way.

use std::io::Read;

/// Bytes read from `src`, consumed from the front.
pub(crate) struct Buffered<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> Buffered<R> {
    /// A buffer over `src`, of `capacity` bytes to begin with.
    pub(crate) fn new(src: R, capacity: usize) -> Buffered<R> {
        Buffered {
            src,
            buf: vec![0; capacity.max(16)],
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// The bytes read and not yet consumed.
    pub(crate) fn pending(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// Consumes the first `n` pending bytes.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Whether the source has ended (what is pending is all there is).
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// Everything left: the pending bytes and the rest of the source.
    pub(crate) fn rest(&mut self) -> std::io::Result<Vec<u8>> {
        let mut out = self.pending().to_vec();
        self.src.read_to_end(&mut out)?;
        self.start = self.end;
        self.eof = true;
        Ok(out)
    }

    /// Reads more after the pending bytes (moved to the front, the buffer
    /// doubled when they fill it); false at the end of the source.
    pub(crate) fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            let Some(space) = self.buf.get_mut(self.end..) else {
                return Ok(false);
            };
            match self.src.read(space) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Copies what is left of `out` from `*at` into `buf` (for a reader that
/// produces its output a piece at a time); the bytes copied.
pub(crate) fn copy_out(out: &[u8], at: &mut usize, buf: &mut [u8]) -> usize {
    let ready = out.get(*at..).unwrap_or(&[]);
    let n = ready.len().min(buf.len());
    if let (Some(dst), Some(src)) = (buf.get_mut(..n), ready.get(..n)) {
        dst.copy_from_slice(src);
    }
    *at += n;
    n
}
