//! Row numbers. A table's rows are numbered from 0 as `u32`; the three
//! highest values are kept as markers in reference columns ([`NO_ROW`],
//! [`BROKEN`], [`BAD_REF`]). The loader refuses a table with more rows than
//! [`MAX_ROWS`], or a list column with more items than [`MAX_ITEMS`], before
//! joining its blocks, so every row index and list offset made after that
//! fits: [`row_id`] and [`item_offset`] convert without a fallback.

use super::store::{BAD_REF, BROKEN, NO_ROW};

/// The most rows one table holds: every row number stays below the markers.
pub const MAX_ROWS: usize = BAD_REF as usize;

// The markers sit above every row number, in this order.
const _: () = assert!(NO_ROW > BROKEN && BROKEN > BAD_REF);

/// The most items one list column holds across its table.
pub const MAX_ITEMS: usize = u32::MAX as usize;

/// The `u32` number of row `i` of a loaded table (or of a block of one).
#[inline]
pub(crate) fn row_id(i: usize) -> u32 {
    // INVARIANT: `i` indexes a row of a table the loader accepted, so
    // `i < MAX_ROWS < u32::MAX` and the cast keeps every bit.
    debug_assert!(i < MAX_ROWS);
    i as u32
}

/// The `u32` offset of item `i` of a list column.
#[inline]
pub(super) fn item_offset(i: usize) -> u32 {
    // INVARIANT: the loader refuses a list column of more than MAX_ITEMS
    // items, so every offset into one fits in `u32`.
    debug_assert!(i <= MAX_ITEMS);
    i as u32
}

/// Why a table of `rows` rows whose largest list column holds `items`
/// items cannot be loaded, if it cannot.
pub(super) fn too_large(rows: usize, items: usize) -> Option<String> {
    if rows > MAX_ROWS {
        Some(format!(
            "it holds {rows} rows; docket numbers rows with 32 bits and reads at most {MAX_ROWS} rows per table"
        ))
    } else if items > MAX_ITEMS {
        Some(format!(
            "one of its list columns holds {items} items; docket reads at most {MAX_ITEMS} per column"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_sit_below_the_markers() {
        assert_eq!(row_id(MAX_ROWS - 1), BAD_REF - 1);
        assert!(too_large(MAX_ROWS, MAX_ITEMS).is_none());
        assert!(too_large(MAX_ROWS + 1, 0).is_some_and(|m| m.contains("rows")));
        assert!(too_large(1, MAX_ITEMS + 1).is_some_and(|m| m.contains("items")));
    }
}
