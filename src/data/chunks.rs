//! Cutting a CSV file into blocks that end on record boundaries, so blocks
//! can be parsed in parallel.
//!
//! A line break ends a record unless it is inside a quoted field; RFC 4180
//! quotes come in pairs (a doubled quote inside a field counts twice), so a
//! line break is a boundary exactly when an even number of quotes precede
//! it since the last boundary. The scan over quotes and line breaks is the
//! only serial pass; each block then knows nothing of the others but its
//! order.

use std::io::Read;

/// One block of whole records.
#[derive(Debug)]
pub(crate) struct Block {
    /// Its place in the file (0, 1, 2, …).
    pub(crate) index: usize,
    /// The bytes: whole records.
    pub(crate) bytes: Vec<u8>,
    /// Line breaks in `bytes`.
    pub(crate) newlines: u64,
    /// Line breaks in the file before this block (since the chunker began).
    pub(crate) lines_before: u64,
    /// For a table read from a sheet: the rows of the sheet this block
    /// stands for (`bytes` is then empty).
    pub(crate) rows: Option<std::ops::Range<usize>>,
}

impl Block {
    /// A block of a sheet's rows `rows`.
    pub(crate) fn of_rows(index: usize, rows: std::ops::Range<usize>) -> Block {
        Block {
            index,
            bytes: Vec::new(),
            newlines: 0,
            lines_before: 0,
            rows: Some(rows),
        }
    }
}

/// Splits a byte source into blocks of about `target` bytes.
pub(crate) struct Chunker<R> {
    src: R,
    target: usize,
    carry: Vec<u8>,
    eof: bool,
    index: usize,
    lines: u64,
}

impl<R: Read> Chunker<R> {
    /// A chunker over `src`, positioned at a record boundary.
    pub(crate) fn new(src: R, target: usize) -> Chunker<R> {
        Chunker {
            src,
            target: target.max(1),
            carry: Vec::new(),
            eof: false,
            index: 0,
            lines: 0,
        }
    }

    /// The next block, read into `spare` (a buffer given back after use,
    /// so blocks do not keep asking the system for fresh memory).
    pub(crate) fn next_block_in(&mut self, mut spare: Vec<u8>) -> std::io::Result<Option<Block>> {
        spare.clear();
        spare.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut buf = spare;
        loop {
            // Read up to the target (more when one record is larger).
            let want = self.target.max(buf.len() + 64 * 1024);
            if !self.eof && buf.len() < want {
                let limit = (want - buf.len()) as u64;
                let n = (&mut self.src).take(limit).read_to_end(&mut buf)?;
                if (n as u64) < limit {
                    self.eof = true;
                }
            }
            if buf.is_empty() {
                return Ok(None);
            }
            if self.eof {
                // The rest of the file is the last block, whatever it holds.
                let index = self.index;
                self.index += 1;
                let newlines = memchr::memchr_iter(b'\n', &buf).count() as u64;
                let lines_before = self.lines;
                self.lines += newlines;
                return Ok(Some(Block {
                    index,
                    bytes: buf,
                    newlines,
                    lines_before,
                    rows: None,
                }));
            }
            match last_boundary(&buf) {
                Some((cut, newlines)) => {
                    self.carry.extend_from_slice(buf.get(cut..).unwrap_or(&[]));
                    buf.truncate(cut);
                    let index = self.index;
                    self.index += 1;
                    let lines_before = self.lines;
                    self.lines += newlines;
                    return Ok(Some(Block {
                        index,
                        bytes: buf,
                        newlines,
                        lines_before,
                        rows: None,
                    }));
                }
                // No record ends in the buffer: read more.
                None => continue,
            }
        }
    }
}

/// The position just after the last line break outside quotes, given the
/// buffer starts at a record boundary, and the line breaks before it.
pub(crate) fn last_boundary(buf: &[u8]) -> Option<(usize, u64)> {
    let mut in_quotes = false;
    let mut last = None;
    let mut newlines = 0u64;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        match buf.get(i) {
            Some(b'"') => in_quotes = !in_quotes,
            _ => {
                newlines += 1;
                if !in_quotes {
                    last = Some((i + 1, newlines));
                }
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(data: &[u8], target: usize) -> Vec<Vec<u8>> {
        let mut c = Chunker::new(data, target);
        let mut out = Vec::new();
        while let Some(b) = c.next_block_in(Vec::new()).unwrap() {
            assert_eq!(
                b.newlines as usize,
                b.bytes.iter().filter(|c| **c == b'\n').count()
            );
            out.push(b.bytes);
        }
        out
    }

    #[test]
    fn blocks_end_on_record_boundaries_and_cover_everything() {
        let data = b"a,b\n\"x\ny\",z\n\"q\"\"\n\",w\nlast,row";
        for target in 1..data.len() + 2 {
            let got = blocks(data, target);
            assert_eq!(got.concat(), data.to_vec(), "target {target}");
            for b in got.iter().take(got.len().saturating_sub(1)) {
                assert_eq!(b.last(), Some(&b'\n'));
                // Every block but the last parses as whole records.
                let quotes = b.iter().filter(|c| **c == b'"').count();
                assert_eq!(
                    quotes % 2,
                    0,
                    "target {target}: {:?}",
                    String::from_utf8_lossy(b)
                );
            }
        }
    }
}
