//! Text that does not repeat (keys, e-mail addresses), stored end to end.
//!
//! Each row costs four bytes: where its text ends, modulo 2^32 (the rows
//! where the running length passes a multiple of 2^32 are listed, so a
//! column may hold any amount of text). Empty and unreadable cells take no
//! text; the few rows that are either are listed, sorted, so an empty
//! string that was really in the file stays distinct from a missing value.

use super::store::TextCell;

/// A column of raw text.
#[derive(Debug, Clone, Default)]
pub struct RawText {
    /// Per row: the end of its text in `bytes`, modulo 2^32.
    ends: Vec<u32>,
    /// Rows whose end is past another 2^32 bytes, in order.
    wraps: Vec<u32>,
    /// Missing rows, in order.
    missing: Vec<u32>,
    /// Unreadable rows, in order.
    invalid: Vec<u32>,
    /// The text of every row.
    bytes: String,
}

impl RawText {
    /// Room for `rows` rows.
    pub(crate) fn with_capacity(rows: usize) -> RawText {
        RawText {
            ends: Vec::with_capacity(rows),
            ..RawText::default()
        }
    }

    /// Rows.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where row `row`'s text ends in `bytes`.
    #[inline]
    fn end(&self, row: usize) -> Option<usize> {
        let low = *self.ends.get(row)? as u64;
        let high = if self.wraps.is_empty() {
            0
        } else {
            self.wraps.partition_point(|w| (*w as usize) <= row) as u64
        };
        usize::try_from((high << 32) | low).ok()
    }

    /// The cell of a row.
    #[inline]
    pub(crate) fn get(&self, row: usize) -> TextCell<'_> {
        let Some(end) = self.end(row) else {
            return TextCell::Missing;
        };
        let start = match row.checked_sub(1) {
            Some(prev) => self.end(prev).unwrap_or(0),
            None => 0,
        };
        if start == end {
            let listed =
                |v: &Vec<u32>| u32::try_from(row).is_ok_and(|r| v.binary_search(&r).is_ok());
            if listed(&self.missing) {
                return TextCell::Missing;
            }
            if listed(&self.invalid) {
                return TextCell::Invalid;
            }
        }
        self.bytes
            .get(start..end)
            .map_or(TextCell::Invalid, TextCell::Value)
    }

    /// Appends a cell.
    #[inline]
    pub(crate) fn push(&mut self, cell: TextCell) {
        let row = super::row::row_id(self.ends.len());
        match cell {
            TextCell::Missing => self.missing.push(row),
            TextCell::Invalid => self.invalid.push(row),
            TextCell::Value(s) => self.bytes.push_str(s),
        }
        self.seal(row);
    }

    /// Records the end of row `row` (the text so far).
    #[inline]
    fn seal(&mut self, row: u32) {
        let total = self.bytes.len() as u64;
        let high = total >> 32;
        if high > self.wraps.len() as u64 {
            // Past another 2^32 bytes (a single cell is far shorter).
            while (self.wraps.len() as u64) < high {
                self.wraps.push(row);
            }
        }
        self.ends.push(total as u32);
    }

    /// Appends every row of `other`.
    pub(crate) fn append(&mut self, other: &RawText) {
        let base = self.bytes.len() as u64;
        let rows = self.ends.len();
        if self.wraps.is_empty()
            && other.wraps.is_empty()
            && base + other.bytes.len() as u64 <= u64::from(u32::MAX)
            && u32::try_from(rows + other.len()).is_ok()
        {
            // Everything stays below 4 GiB: move the ends, copy the text.
            let (base, shift) = (base as u32, rows as u32);
            self.ends.extend(other.ends.iter().map(|e| e + base));
            self.missing.extend(other.missing.iter().map(|r| r + shift));
            self.invalid.extend(other.invalid.iter().map(|r| r + shift));
            self.bytes.push_str(&other.bytes);
            return;
        }
        self.ends.reserve(other.len());
        self.bytes.reserve(other.bytes.len());
        for row in 0..other.len() {
            self.push(other.get(row));
        }
    }

    /// Room for `n` more rows.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.ends.reserve(n);
    }

    /// Keeps the first `n` rows.
    pub(crate) fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        let end = match n.checked_sub(1) {
            Some(last) => self.end(last).unwrap_or(0),
            None => 0,
        };
        self.bytes.truncate(end);
        self.ends.truncate(n);
        let below = |v: &mut Vec<u32>| {
            let keep = v.partition_point(|r| (*r as usize) < n);
            v.truncate(keep);
        };
        below(&mut self.wraps);
        below(&mut self.missing);
        below(&mut self.invalid);
    }

    /// Frees spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.ends.shrink_to_fit();
        self.wraps.shrink_to_fit();
        self.missing.shrink_to_fit();
        self.invalid.shrink_to_fit();
        self.bytes.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        (self.ends.capacity()
            + self.wraps.capacity()
            + self.missing.capacity()
            + self.invalid.capacity())
            * 4
            + self.bytes.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = Option<Option<String>>> {
        prop_oneof![
            Just(None),
            Just(Some(None)),
            "[a-zé]{0,6}".prop_map(|s| Some(Some(s))),
        ]
    }

    fn as_cell(c: &Option<Option<String>>) -> TextCell<'_> {
        match c {
            None => TextCell::Missing,
            Some(None) => TextCell::Invalid,
            Some(Some(s)) => TextCell::Value(s),
        }
    }

    proptest! {
        #[test]
        fn keeps_every_cell(cells in proptest::collection::vec(cell(), 0..60),
                            more in proptest::collection::vec(cell(), 0..20),
                            cut in 0usize..80) {
            let mut r = RawText::with_capacity(2);
            for c in &cells {
                r.push(as_cell(c));
            }
            prop_assert_eq!(r.len(), cells.len());
            for (i, c) in cells.iter().enumerate() {
                prop_assert_eq!(r.get(i), as_cell(c));
            }
            let mut tail = RawText::default();
            for c in &more {
                tail.push(as_cell(c));
            }
            r.append(&tail);
            let all: Vec<_> = cells.iter().chain(&more).collect();
            for (i, c) in all.iter().enumerate() {
                prop_assert_eq!(r.get(i), as_cell(c));
            }
            r.truncate(cut);
            prop_assert_eq!(r.len(), cut.min(all.len()));
            for (i, c) in all.iter().take(cut).enumerate() {
                prop_assert_eq!(r.get(i), as_cell(c));
            }
            r.push(TextCell::Value("end"));
            prop_assert_eq!(r.get(cut.min(all.len())), TextCell::Value("end"));
        }
    }

    #[test]
    fn empty_text_is_not_missing() {
        let mut r = RawText::default();
        r.push(TextCell::Value(""));
        r.push(TextCell::Missing);
        r.push(TextCell::Invalid);
        r.push(TextCell::Value("x"));
        assert_eq!(r.get(0), TextCell::Value(""));
        assert_eq!(r.get(1), TextCell::Missing);
        assert_eq!(r.get(2), TextCell::Invalid);
        assert_eq!(r.get(3), TextCell::Value("x"));
        assert_eq!(r.get(4), TextCell::Missing);
    }
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn ends_past_four_gib_count_their_wraps() {
        let r = RawText {
            ends: vec![10, 5, 7],
            wraps: vec![1],
            ..RawText::default()
        };
        assert_eq!(r.end(0), Some(10));
        assert_eq!(r.end(1), Some((1 << 32) + 5));
        assert_eq!(r.end(2), Some((1 << 32) + 7));
    }
}
