//! Dictionary codes in the narrowest integer that holds them.
//!
//! A column of statuses or event names has a handful of distinct values: one
//! byte a row is enough. The vector starts at `u8` and widens (once) when a
//! code no longer fits.

/// Per-row dictionary codes.
#[derive(Debug, Clone)]
pub enum Codes {
    /// Codes below 256.
    U8(Vec<u8>),
    /// Codes below 65,536.
    U16(Vec<u16>),
    /// Any code.
    U32(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Self {
        Codes::U8(Vec::new())
    }
}

impl Codes {
    /// Room for `n` codes.
    pub(crate) fn with_capacity(n: usize) -> Codes {
        Codes::U8(Vec::with_capacity(n))
    }

    /// Rows.
    pub(crate) fn len(&self) -> usize {
        match self {
            Codes::U8(v) => v.len(),
            Codes::U16(v) => v.len(),
            Codes::U32(v) => v.len(),
        }
    }

    /// The code of a row.
    #[inline]
    pub(crate) fn get(&self, row: usize) -> Option<u32> {
        match self {
            Codes::U8(v) => v.get(row).map(|c| u32::from(*c)),
            Codes::U16(v) => v.get(row).map(|c| u32::from(*c)),
            Codes::U32(v) => v.get(row).copied(),
        }
    }

    /// Appends a code, widening the vector when it does not fit.
    #[inline]
    pub(crate) fn push(&mut self, code: u32) {
        match self {
            Codes::U8(v) => match u8::try_from(code) {
                Ok(c) => v.push(c),
                Err(_) => {
                    self.widen(code);
                    self.push(code);
                }
            },
            Codes::U16(v) => match u16::try_from(code) {
                Ok(c) => v.push(c),
                Err(_) => {
                    self.widen(code);
                    self.push(code);
                }
            },
            Codes::U32(v) => v.push(code),
        }
    }

    /// Appends `f(code)` for every code of `other`; `max` bounds the codes
    /// `f` gives. One widening up front, then a plain loop per width pair
    /// (joining blocks' dictionaries runs this over every row).
    pub(crate) fn extend_map(&mut self, other: &Codes, max: u32, f: impl Fn(u32) -> u32) {
        let fits = match self {
            Codes::U8(_) => max <= u32::from(u8::MAX),
            Codes::U16(_) => max <= u32::from(u16::MAX),
            Codes::U32(_) => true,
        };
        if !fits {
            self.widen(max);
        }
        fn go<S: Copy + Into<u32>, D: TryFrom<u32>>(
            dst: &mut Vec<D>,
            src: &[S],
            f: &impl Fn(u32) -> u32,
        ) {
            dst.reserve(src.len());
            dst.extend(src.iter().filter_map(|c| D::try_from(f((*c).into())).ok()));
        }
        match (self, other) {
            (Codes::U8(d), Codes::U8(s)) => go(d, s, &f),
            (Codes::U8(d), Codes::U16(s)) => go(d, s, &f),
            (Codes::U8(d), Codes::U32(s)) => go(d, s, &f),
            (Codes::U16(d), Codes::U8(s)) => go(d, s, &f),
            (Codes::U16(d), Codes::U16(s)) => go(d, s, &f),
            (Codes::U16(d), Codes::U32(s)) => go(d, s, &f),
            (Codes::U32(d), Codes::U8(s)) => go(d, s, &f),
            (Codes::U32(d), Codes::U16(s)) => go(d, s, &f),
            (Codes::U32(d), Codes::U32(s)) => go(d, s, &f),
        }
    }

    /// Moves to a width that holds `code`.
    fn widen(&mut self, code: u32) {
        let old = std::mem::take(self);
        let cap = old.capacity().max(old.len() + 1);
        *self = if code <= u32::from(u16::MAX) {
            let mut v = Vec::with_capacity(cap);
            v.extend(old.iter().map(|c| c as u16));
            Codes::U16(v)
        } else {
            let mut v = Vec::with_capacity(cap);
            v.extend(old.iter());
            Codes::U32(v)
        };
    }

    fn capacity(&self) -> usize {
        match self {
            Codes::U8(v) => v.capacity(),
            Codes::U16(v) => v.capacity(),
            Codes::U32(v) => v.capacity(),
        }
    }

    /// Every code, in row order.
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Codes::U8(v) => Box::new(v.iter().map(|c| u32::from(*c))),
            Codes::U16(v) => Box::new(v.iter().map(|c| u32::from(*c))),
            Codes::U32(v) => Box::new(v.iter().copied()),
        }
    }

    /// Room for `n` more.
    pub(crate) fn reserve(&mut self, n: usize) {
        match self {
            Codes::U8(v) => v.reserve(n),
            Codes::U16(v) => v.reserve(n),
            Codes::U32(v) => v.reserve(n),
        }
    }

    /// Keeps the first `n`.
    pub(crate) fn truncate(&mut self, n: usize) {
        match self {
            Codes::U8(v) => v.truncate(n),
            Codes::U16(v) => v.truncate(n),
            Codes::U32(v) => v.truncate(n),
        }
    }

    /// Frees spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        match self {
            Codes::U8(v) => v.shrink_to_fit(),
            Codes::U16(v) => v.shrink_to_fit(),
            Codes::U32(v) => v.shrink_to_fit(),
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Codes::U8(v) => v.capacity(),
            Codes::U16(v) => v.capacity() * 2,
            Codes::U32(v) => v.capacity() * 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn starts_narrow_and_widens_once_per_step() {
        let mut c = Codes::default();
        c.push(3);
        assert!(matches!(c, Codes::U8(_)));
        c.push(300);
        assert!(matches!(c, Codes::U16(_)));
        c.push(70_000);
        assert!(matches!(c, Codes::U32(_)));
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![3, 300, 70_000]);
    }

    proptest! {
        #[test]
        fn keeps_every_code(codes in proptest::collection::vec(
            prop_oneof![0u32..256, 0u32..70_000, any::<u32>()], 0..100), cut in 0usize..100) {
            let mut c = Codes::with_capacity(4);
            for &x in &codes {
                c.push(x);
            }
            prop_assert_eq!(c.len(), codes.len());
            for (i, x) in codes.iter().enumerate() {
                prop_assert_eq!(c.get(i), Some(*x));
            }
            c.truncate(cut);
            prop_assert_eq!(c.iter().collect::<Vec<_>>(), codes.iter().copied().take(cut).collect::<Vec<_>>());
        }

        /// Appending another vector's codes through a map widens as needed
        /// and keeps every code, whatever the two widths.
        #[test]
        fn extend_map_keeps_every_code(a in proptest::collection::vec(
            prop_oneof![0u32..256, 0u32..70_000, any::<u32>()], 0..50),
            b in proptest::collection::vec(prop_oneof![0u32..256, 0u32..70_000], 0..50),
            shift in prop_oneof![Just(0u32), Just(200), Just(70_000)]) {
            let mut c = Codes::default();
            for &x in &a {
                c.push(x);
            }
            let mut other = Codes::default();
            for &x in &b {
                other.push(x);
            }
            let max = b.iter().map(|x| x + shift).max().unwrap_or(0);
            c.extend_map(&other, max, |x| x + shift);
            let want: Vec<u32> = a.iter().copied().chain(b.iter().map(|x| x + shift)).collect();
            prop_assert_eq!(c.iter().collect::<Vec<_>>(), want);
        }
    }
}
