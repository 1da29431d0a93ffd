//! The physical line of every loaded row, stored as runs.
//!
//! In a file without line breaks inside quoted fields and without rejected
//! rows, row `r` sits on line `r + 2` (after the header): one number covers
//! the whole table. Each multi-line record or skipped row starts a new run,
//! so a table costs 12 bytes per run instead of 8 bytes per row, and a
//! lookup is a binary search over the runs.

/// Line numbers of a table's rows, in row order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LineMap {
    /// The first row of each run.
    starts: Vec<u32>,
    /// Per run: line minus row, for every row of the run.
    offsets: Vec<i64>,
    /// Rows.
    len: usize,
}

impl LineMap {
    /// An empty map.
    pub(crate) fn new() -> LineMap {
        LineMap::default()
    }

    /// Rows.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends the line of the next row.
    pub(crate) fn push(&mut self, line: u64) {
        let offset = (line as i64).wrapping_sub(self.len as i64);
        if self.offsets.last() != Some(&offset) {
            self.starts.push(super::row::row_id(self.len));
            self.offsets.push(offset);
        }
        self.len += 1;
    }

    /// The line of `row`, or 0 past the end.
    pub(crate) fn get(&self, row: usize) -> Option<u64> {
        if row >= self.len {
            return None;
        }
        let run = self
            .starts
            .partition_point(|s| (*s as usize) <= row)
            .checked_sub(1)?;
        let offset = self.offsets.get(run)?;
        Some((row as i64).wrapping_add(*offset) as u64)
    }

    /// Every line, in row order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let mut run = 0usize;
        (0..self.len).map(move |row| {
            while self
                .starts
                .get(run + 1)
                .is_some_and(|s| (*s as usize) <= row)
            {
                run += 1;
            }
            let offset = self.offsets.get(run).copied().unwrap_or(0);
            (row as i64).wrapping_add(offset) as u64
        })
    }

    /// Appends another map's rows with their lines moved by `shift`.
    pub(crate) fn extend_shifted(&mut self, other: &LineMap, shift: i64) {
        // Run by run: a row's offset moves by the shift, less the rows before it.
        let base = self.len as i64;
        for (start, offset) in other.starts.iter().zip(&other.offsets) {
            let o = offset.wrapping_add(shift).wrapping_sub(base);
            if self.offsets.last() != Some(&o) {
                self.starts
                    .push(super::row::row_id(self.len + *start as usize));
                self.offsets.push(o);
            }
        }
        self.len += other.len;
    }

    /// The rows for which `keep` is true.
    pub(crate) fn filter(&self, keep: &[bool]) -> LineMap {
        let mut out = LineMap::new();
        for (line, k) in self.iter().zip(keep) {
            if *k {
                out.push(line);
            }
        }
        out
    }

    /// Frees spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.starts.shrink_to_fit();
        self.offsets.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.starts.capacity() * 4 + self.offsets.capacity() * 8
    }
}

impl FromIterator<u64> for LineMap {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> LineMap {
        let mut m = LineMap::new();
        for line in iter {
            m.push(line);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_run_for_a_plain_file() {
        let mut m: LineMap = (2..1002).collect();
        m.shrink_to_fit();
        assert_eq!(m.len(), 1000);
        assert_eq!(m.heap_bytes(), 12);
        assert_eq!(m.get(0), Some(2));
        assert_eq!(m.get(999), Some(1001));
        assert_eq!(m.get(1000), None);
    }

    #[test]
    fn a_multi_line_record_starts_a_run() {
        let m: LineMap = [2, 3, 6, 7, 8, 20].into_iter().collect();
        let all: Vec<u64> = m.iter().collect();
        assert_eq!(all, vec![2, 3, 6, 7, 8, 20]);
        assert_eq!(m.get(2), Some(6));
        assert_eq!(m.get(5), Some(20));
    }

    proptest! {
        #[test]
        fn keeps_every_line(lines in proptest::collection::vec(0u64..u64::MAX, 0..200),
                            shift in -1000i64..1000,
                            keep in proptest::collection::vec(any::<bool>(), 0..200)) {
            let m: LineMap = lines.iter().copied().collect();
            prop_assert_eq!(m.len(), lines.len());
            for (i, l) in lines.iter().enumerate() {
                prop_assert_eq!(m.get(i), Some(*l));
            }
            prop_assert_eq!(m.iter().collect::<Vec<_>>(), lines.clone());
            let mut e: LineMap = [1u64].into_iter().collect();
            e.extend_shifted(&m, shift);
            let want: Vec<u64> = std::iter::once(1u64)
                .chain(lines.iter().map(|l| (*l as i64).wrapping_add(shift) as u64))
                .collect();
            prop_assert_eq!(e.iter().collect::<Vec<_>>(), want);
            let f = m.filter(&keep);
            let kept: Vec<u64> = lines.iter().zip(keep.iter().chain(std::iter::repeat(&false)))
                .filter(|(_, k)| **k).map(|(l, _)| *l).collect();
            prop_assert_eq!(f.iter().collect::<Vec<_>>(), kept);
        }
    }
}
