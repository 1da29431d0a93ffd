//! CSV exports → typed, indexed tables, and an account of every row.
//!
//! The policy's table declarations say which files to read and how to read
//! each declared column. Loading never stops at a bad row: every problem is a
//! [`DataError`] with file, physical line, column, the offending text and what
//! was expected, and every row read is counted as loaded or rejected (by
//! reason) in the file's [`FileAccount`]. Only a run that cannot start (a
//! missing file or column) is an error of [`load`] itself.
//!
//! What happens to a bad row:
//! * wrong number of fields, a file cut inside a quote, a missing or
//!   unreadable key, a duplicate key: the row is **rejected** (for a
//!   duplicate key, the first row is kept);
//! * an unreadable value in another column (not of its type, not valid
//!   UTF-8, not one of a closed `one of` set), or an empty `required` one:
//!   the row is loaded and the cell is **invalid**, which reads as missing;
//!   in a list, only the bad item is left out;
//! * a reference to a key that does not exist: the row is loaded and the
//!   reference is **broken**; rules that need the referenced row are not
//!   evaluated for it;
//! * a rejected row that belongs to another (an event of a case) is
//!   **dropped** from the parent's related rows; its line is kept with the
//!   parent, so findings about the parent can name it.
//!
//! Loaded rows with a data error are marked ([`TableData::errored`]).
//! Values read only by interpreting them (a local time the clocks repeat
//! or skip, a near miss of an open value set) and files that look odd (a
//! header and no rows, a quoted field over many lines) are *warnings*
//! ([`Dataset::warnings`]): said, never an error.

mod buffer;
mod builder;
mod cell;
mod chunks;
mod codes;
pub(crate) mod csvread;
mod decode;
pub mod dialect;
mod error;
mod footer;
mod index;
mod lines;
mod load;
mod merge;
mod open;
mod parse;
mod raw;
mod refs;
mod rewrite;
mod row;
mod sample;
pub(crate) mod schema;
pub mod select;
mod shared;
mod sheet;
mod sniff;
mod store;
mod typing;
mod values;

pub(crate) use cell::{date_to_days, days_to_date, parse_duration};
pub use error::{DataError, FileAccount, Reject};
pub use load::{LoadTimings, Loader};
pub use open::{Input, Opened, Sources};
pub(crate) use row::row_id;
pub use row::{MAX_ITEMS, MAX_ROWS};
pub(crate) use sample::{ColumnSample, FileSample};
pub use schema::{
    ColumnRef, ColumnSchema, DefaultValue, Kind, RelationSchema, Schema, TableId, TableSchema,
    ValueType,
};
pub use shared::{Projection, SharedError, load_shared};
pub use store::*;
