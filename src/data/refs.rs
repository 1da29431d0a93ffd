//! How one reference column of a block finds the rows it names: by the
//! next-row check (children sorted like their parents), a lookup, or a
//! lookup deferred to the end of the block.

use super::store::{BROKEN, TableData};

/// How one reference column of a block finds the rows it names.
#[derive(Default)]
pub(super) struct RefCursor {
    /// The last reference's text and the row it found (`None`: not found,
    /// or not looked up yet).
    pub(super) text: String,
    pub(super) row: Option<u32>,
    /// References found by the next-row check, and those it missed.
    pub(super) hits: u32,
    pub(super) misses: u32,
    /// References looked up once the block is read: the row they are on
    /// and their key.
    pub(super) later: Vec<(u32, LaterKey)>,
}

/// The key of a reference looked up later.
pub(super) enum LaterKey {
    /// Where it lies in the block.
    At(usize, usize),
    /// Its text, for a record the CSV state machine read into a buffer.
    Owned(Box<str>),
}

impl LaterKey {
    /// The key's text (`block` is the block's bytes, `text` the same when
    /// they are all UTF-8).
    pub(super) fn text<'a>(&'a self, text: Option<&'a str>, block: &'a [u8]) -> &'a str {
        match self {
            LaterKey::At(a, z) => match text {
                Some(t) => t.get(*a..*z),
                None => block.get(*a..*z).and_then(|k| std::str::from_utf8(k).ok()),
            }
            .unwrap_or(""),
            LaterKey::Owned(k) => k,
        }
    }
}

impl RefCursor {
    /// The row of `t` that the reference `s` (on row `row` of the block)
    /// names: found now, by the next-row check or a lookup, or left for
    /// [`RefCursor::finish`] with `key` (`BROKEN` until then). `None`: no
    /// such row.
    pub(super) fn resolve(
        &mut self,
        t: &TableData,
        s: &str,
        row: u32,
        key: impl FnOnce() -> LaterKey,
    ) -> Option<u32> {
        if self.text.as_str() == s && self.row.is_some() {
            return self.row;
        }
        // Children sorted like their parents (events by case) name the
        // parent row after the last one: no lookup.
        let next = self
            .row
            .and_then(|r| r.checked_add(1))
            .filter(|r| t.key_of(*r as usize) == Some(s));
        match (next, self.row) {
            (Some(_), _) => self.hits += 1,
            (None, Some(_)) => self.misses += 1,
            (None, None) => {}
        }
        self.text.clear();
        self.text.push_str(s);
        self.row = match next {
            Some(r) => Some(r),
            // In their parents' order: find it now, so the next one can be
            // checked against the next row.
            None if self.hits >= self.misses => t.row_of(s).and_then(|r| u32::try_from(r).ok()),
            // In another order: looked up with the block's other such
            // references, once it is read.
            None => {
                self.row = None;
                self.later.push((row, key()));
                return Some(BROKEN);
            }
        };
        self.row
    }

    /// Looks up the references left for later, one after another (with
    /// nothing else between them, the memory each waits on is fetched
    /// together), and writes their rows; the text of those not found goes
    /// to `broken`.
    pub(super) fn finish(
        self,
        t: &TableData,
        text: Option<&str>,
        block: &[u8],
        rows: &mut [u32],
        broken: &mut Vec<(u32, Box<str>)>,
    ) {
        for (r, key) in self.later {
            let key = key.text(text, block);
            let found = t.row_of(key).and_then(|x| u32::try_from(x).ok());
            if let Some(slot) = rows.get_mut(r as usize) {
                *slot = found.unwrap_or(BROKEN);
            }
            if found.is_none() {
                broken.push((r, key.into()));
            }
        }
    }
}
