//! The compiled policy: names resolved to indices, every expression typed.
//!
//! This is what the data layer (which tables, columns, types and formats to
//! load) and the evaluator (what to compute per case) consume. Nothing in it
//! refers to a name by string lookup at evaluation time.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::types::Type;
use crate::source::Span;
use crate::syntax::ast::{Quantifier, RuleKind, ScalarType};
use crate::time::{Instant, TimeFormat};

/// Tables and columns are numbered as the data layer's schema numbers
/// them ([`Policy::schema`]), so a policy's indices read a dataset directly.
pub use crate::data::{ColumnRef, TableId};

/// A checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `policy "…"`
    pub name: String,
    /// `version "…"`
    pub version: Option<String>,
    /// The zone local date-times are read in.
    pub timezone: Tz,
    /// Where the header is.
    pub header_span: Span,
    /// Declared tables.
    pub tables: Vec<Table>,
    /// Derived fields.
    pub defines: Vec<Define>,
    /// Rules in declaration order (files sorted by name, then source order).
    pub rules: Vec<Rule>,
}

impl Policy {
    /// A table by name.
    pub fn table_id(&self, name: &str) -> Option<TableId> {
        self.tables.iter().position(|t| t.name == name)
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The column behind a reference.
    pub fn column(&self, c: ColumnRef) -> Option<&Column> {
        self.tables
            .get(c.table)
            .and_then(|t| t.columns.get(c.column))
    }

    /// `table.column`, for messages.
    pub fn column_path(&self, c: ColumnRef) -> String {
        match (self.tables.get(c.table), self.column(c)) {
            (Some(t), Some(col)) => format!("{}.{}", t.name, col.name),
            _ => "?".to_string(),
        }
    }
}

/// A table read from one CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// Name, also the name of its rows in expressions.
    pub name: String,
    /// The declaration.
    pub span: Span,
    /// The CSV file name.
    pub file: String,
    /// Columns read from the file.
    pub columns: Vec<Column>,
    /// One-to-many relations to other tables.
    pub relations: Vec<Relation>,
    /// The key column, if rows have one.
    pub key: Option<usize>,
    /// The column giving the time of a row, when a relation orders this table by one.
    pub time: Option<usize>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// One value.
    Scalar(ScalarType),
    /// Several values in one cell.
    List(ScalarType),
    /// The key of a row of another table.
    Ref(TableId),
}

/// A declared column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Name in expressions.
    pub name: String,
    /// The declaration.
    pub span: Span,
    /// CSV header.
    pub header: String,
    /// Where the header string is.
    pub header_span: Span,
    /// Type.
    pub ty: ColumnType,
    /// An empty cell is a data error.
    pub required: bool,
    /// The value an empty cell stands for.
    pub default: Option<Lit>,
    /// Accepted patterns (date and date-time columns).
    pub formats: Vec<TimeFormat>,
    /// Values the policy may compare this column with; unless
    /// [`Column::one_of_open`], the only values a cell may hold.
    pub one_of: Option<Vec<String>>,
    /// `one of […] or others`: other values are read as written.
    pub one_of_open: bool,
    /// Where `one of […]` is written.
    pub one_of_span: Option<Span>,
    /// List separator.
    pub separator: String,
}

/// `name: many target by via ordered by … where …`
#[derive(Debug, Clone)]
pub struct Relation {
    /// Name in expressions.
    pub name: String,
    /// The declaration.
    pub span: Span,
    /// The related table.
    pub target: TableId,
    /// The `ref` column of `target` pointing back.
    pub via: usize,
    /// Column of `target` the rows are sorted by.
    pub ordered_by: Option<usize>,
    /// Rows kept; slot 0 is the related row.
    pub filter: Option<Expr>,
    /// Slots the filter needs.
    pub slots: usize,
}

/// A derived field: `define table.name as body`.
#[derive(Debug, Clone)]
pub struct Define {
    /// Name.
    pub name: String,
    /// The table it belongs to.
    pub table: TableId,
    /// Its value; slot 0 is the row.
    pub body: Expr,
    /// Slots the body needs.
    pub slots: usize,
    /// The declaration.
    pub span: Span,
    /// Reference paths (from the row) that the body navigates.
    pub needs: Vec<Vec<ColumnRef>>,
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// `error`
    Error,
    /// `warning`
    Warning,
}

impl Severity {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A source citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The document.
    pub document: String,
    /// The section.
    pub section: Option<String>,
}

/// A rule-local name.
#[derive(Debug, Clone)]
pub struct Let {
    /// Name.
    pub name: String,
    /// Where its value is stored.
    pub slot: usize,
    /// Its value.
    pub value: Expr,
}

/// A variable a rule kind provides to its messages (`arm`, `deadline`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindVar {
    /// Name.
    pub name: &'static str,
    /// Slot.
    pub slot: usize,
    /// Type.
    pub ty: Type,
}

/// A reference path a rule reads through, e.g. `case.account`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Need {
    /// Ref columns followed from the subject row.
    pub path: Vec<ColumnRef>,
    /// `case.account`
    pub text: String,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Where the id is.
    pub id_span: Span,
    /// The whole rule.
    pub span: Span,
    /// Kind.
    pub kind: RuleKind,
    /// Severity.
    pub severity: Severity,
    /// Human title.
    pub title: String,
    /// The table whose rows it is about.
    pub subject: TableId,
    /// `for … where …`
    pub applies: Option<Expr>,
    /// Citations.
    pub sources: Vec<Source>,
    /// Local names in order.
    pub lets: Vec<Let>,
    /// `when …`
    pub guard: Option<Expr>,
    /// What is checked.
    pub body: RuleBody,
    /// Message templates, first match wins.
    pub messages: Vec<Message>,
    /// Slots an evaluation needs.
    pub slots: usize,
    /// Variables of the rule kind.
    pub kind_vars: Vec<KindVar>,
    /// Rows the rule reads through references; missing ones make it not applicable.
    pub needs: Vec<Need>,
}

impl Rule {
    /// The slot of a kind variable.
    pub fn kind_slot(&self, name: &str) -> Option<usize> {
        self.kind_vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.slot)
    }
}

/// What a rule checks.
#[derive(Debug, Clone)]
pub enum RuleBody {
    /// `require expr`
    Require(Expr),
    /// `expect value in list`: a missing value or list violates.
    Allowlist {
        /// The value.
        value: Expr,
        /// The list it must be in.
        list: Expr,
        /// Compare ignoring case.
        ignore_case: bool,
    },
    /// A notice period.
    Notice(Notice),
    /// An escalation ladder.
    Escalation(Ladder),
}

/// `from`/`to` and arms.
#[derive(Debug, Clone)]
pub struct Notice {
    /// When notice was given.
    pub from: Expr,
    /// When the change takes effect.
    pub to: Expr,
    /// Arms in order; the first that matches decides.
    pub arms: Vec<Arm>,
}

/// A notice arm.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Label for messages.
    pub label: String,
    /// When it matches; `None` always matches.
    pub condition: Option<Expr>,
    /// What it decides.
    pub decision: Decision,
    /// The clause.
    pub span: Span,
}

/// An arm's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No notice required.
    Exempt,
    /// Calendar days (on dates).
    Days(i64),
    /// Elapsed milliseconds (on date-times).
    Elapsed(i64),
}

/// An escalation ladder.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// When the ladder starts (a date-time; missing: the rule does not apply).
    pub start: Expr,
    /// Stop times; the earliest present one stops the ladder.
    pub stops: Vec<Expr>,
    /// Repeat period in milliseconds.
    pub period: Option<i64>,
    /// Marks sorted by offset.
    pub marks: Vec<Mark>,
}

/// A mark of a ladder.
#[derive(Debug, Clone)]
pub struct Mark {
    /// Offset from the start (within a period), milliseconds.
    pub offset: i64,
    /// What is expected, in words.
    pub label: String,
    /// Rows that satisfy the mark.
    pub expect: Expr,
    /// The time column of those rows.
    pub time: ColumnRef,
    /// Explicit window length, milliseconds.
    pub within: Option<i64>,
    /// The clause.
    pub span: Span,
}

/// A message template.
#[derive(Debug, Clone)]
pub struct Message {
    /// Text and values.
    pub parts: Vec<Part>,
    /// Used only when true.
    pub condition: Option<Expr>,
    /// The template string.
    pub span: Span,
}

/// A piece of a message.
#[derive(Debug, Clone)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A value shown in the policy's conventions.
    Value(Expr),
}

/// A constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lit {
    /// Text or e-mail.
    Text(String),
    /// Integer.
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// Calendar date.
    Date(NaiveDate),
    /// Instant.
    DateTime(Instant),
    /// Calendar days.
    Days(i64),
    /// Elapsed milliseconds.
    Duration(i64),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Text tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextOp {
    /// `starts with`
    StartsWith,
    /// `ends with`
    EndsWith,
    /// `contains`
    Contains,
}

/// `+` or `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// `local_date(datetime)`: the calendar date in the policy's zone.
    LocalDate,
    /// `lower(text)`
    Lower,
    /// `upper(text)`
    Upper,
    /// `len(list)`: number of items (a missing list has 0).
    Len,
}

impl Func {
    /// All functions with their names.
    pub const ALL: [(&'static str, Func); 4] = [
        ("local_date", Func::LocalDate),
        ("lower", Func::Lower),
        ("upper", Func::Upper),
        ("len", Func::Len),
    ];
}

/// A typed expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where it is written.
    pub span: Span,
}

/// The typed expression forms.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A constant.
    Lit(Lit),
    /// The as-of instant.
    Now,
    /// A slot: the subject row, a `let`, a quantifier's row, a kind variable.
    Var(usize),
    /// A column of a row.
    Column {
        /// The row.
        base: Box<Expr>,
        /// Which column.
        column: ColumnRef,
    },
    /// A derived field of a row.
    Define {
        /// The row.
        base: Box<Expr>,
        /// Index in [`Policy::defines`].
        define: usize,
    },
    /// The related rows of a row.
    Relation {
        /// The row.
        base: Box<Expr>,
        /// Its table.
        table: TableId,
        /// Index in [`Table::relations`].
        relation: usize,
    },
    /// A column of each row: `rows.column`.
    Project {
        /// The rows.
        rows: Box<Expr>,
        /// Which column.
        column: ColumnRef,
    },
    /// `not`
    Not(Box<Expr>),
    /// `-`
    Neg(Box<Expr>),
    /// `and`
    And(Box<Expr>, Box<Expr>),
    /// `or`
    Or(Box<Expr>, Box<Expr>),
    /// A comparison.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `+`, `-`.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// A text test.
    Text(TextOp, Box<Expr>, Box<Expr>),
    /// `value [not] in list [ignoring case]`
    In {
        /// The value.
        value: Box<Expr>,
        /// The list.
        list: Box<Expr>,
        /// `not in`
        negated: bool,
        /// `ignoring case`
        ignore_case: bool,
    },
    /// `is present` / `is missing`.
    IsPresent {
        /// The value.
        value: Box<Expr>,
        /// `present` (true) or `missing`.
        present: bool,
    },
    /// `if … then … else …`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `any|no|first|last|count rows [where …]`
    Quant {
        /// Which.
        q: Quantifier,
        /// The rows.
        rows: Box<Expr>,
        /// The slot the current row is bound to in `filter`.
        slot: usize,
        /// Keeps rows for which it is true.
        filter: Option<Box<Expr>>,
    },
    /// `rows where …`
    Filter {
        /// The rows.
        rows: Box<Expr>,
        /// The slot of the current row.
        slot: usize,
        /// Keeps rows for which it is true.
        pred: Box<Expr>,
    },
    /// A built-in function.
    Call(Func, Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
}
