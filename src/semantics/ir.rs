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
    pub(crate) name: String,
    /// `version "…"`
    pub(crate) version: Option<String>,
    /// The zone local date-times are read in.
    pub timezone: Tz,
    /// Declared tables.
    pub tables: Vec<Table>,
    /// Derived fields.
    pub(crate) defines: Vec<Define>,
    /// Rules in declaration order (files sorted by name, then source order).
    pub rules: Vec<Rule>,
    /// Values that travel with findings (`fields …` in the header).
    pub(crate) fields: Vec<super::fields::Field>,
    /// Every rule's index in `rules`, in the order a case's checklist lists
    /// them: the header's `order`, then the rules it leaves out, in file order.
    pub(crate) order: Vec<usize>,
    /// The waivers register the header names (a file of the export).
    pub(crate) waivers: Option<String>,
}

impl Policy {
    /// A table by name.
    pub fn table_id(&self, name: &str) -> Option<TableId> {
        self.tables.iter().position(|t| t.name == name)
    }

    /// A rule by id.
    pub(crate) fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The column behind a reference.
    pub(crate) fn column(&self, c: ColumnRef) -> Option<&Column> {
        self.tables
            .get(c.table)
            .and_then(|t| t.columns.get(c.column))
    }
}

/// A table read from one CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// Name, also the name of its rows in expressions.
    pub(crate) name: String,
    /// The declaration.
    pub(crate) span: Span,
    /// The CSV file name.
    pub(crate) file: String,
    /// Where the file name is, quotes included.
    pub(crate) file_span: Span,
    /// Columns read from the file.
    pub columns: Vec<Column>,
    /// One-to-many relations to other tables.
    pub(crate) relations: Vec<Relation>,
    /// The key column, if rows have one.
    pub(crate) key: Option<usize>,
    /// The column giving the time of a row, when a relation orders this table by one.
    pub(crate) time: Option<usize>,
    /// How its file is written (encoding, delimiter, footer, …).
    pub(crate) dialect: crate::data::dialect::Dialect,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
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
    pub(crate) span: Span,
    /// CSV header.
    pub(crate) header: String,
    /// Where the header string is.
    pub(crate) header_span: Span,
    /// Type.
    pub(crate) ty: ColumnType,
    /// An empty cell is a data error.
    pub(crate) required: bool,
    /// The value an empty cell stands for.
    pub(crate) default: Option<Lit>,
    /// Accepted patterns (date and date-time columns).
    pub(crate) formats: Vec<TimeFormat>,
    /// Values the policy may compare this column with; unless
    /// [`Column::one_of_open`], the only values a cell may hold.
    pub(crate) one_of: Option<Vec<String>>,
    /// `one of […] or others`: other values are read as written.
    pub(crate) one_of_open: bool,
    /// Where `one of […]` is written.
    pub(crate) one_of_span: Option<Span>,
    /// List separator.
    pub(crate) separator: String,
    /// `unused`: where the column is declared deliberately unread.
    pub(crate) unused: Option<Span>,
}

/// `name: many target by via ordered by … where …`
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    /// Name in expressions.
    pub(crate) name: String,
    /// The declaration.
    pub(crate) span: Span,
    /// The related table.
    pub(crate) target: TableId,
    /// The `ref` column of `target` pointing back.
    pub(crate) via: usize,
    /// Column of `target` the rows are sorted by.
    pub(crate) ordered_by: Option<usize>,
    /// Rows kept; slot 0 is the related row.
    pub(crate) filter: Option<Expr>,
    /// Slots the filter needs.
    pub(crate) slots: usize,
}

/// A derived field: `define table.name as body`.
#[derive(Debug, Clone)]
pub(crate) struct Define {
    /// The table it belongs to.
    pub(crate) table: TableId,
    /// Its value; slot 0 is the row.
    pub(crate) body: Expr,
    /// Slots the body needs.
    pub(crate) slots: usize,
    /// Reference paths (from the row) that the body navigates.
    pub(crate) needs: Vec<Vec<ColumnRef>>,
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Severity {
    /// `error`
    Error,
    /// `warning`
    Warning,
}

impl Severity {
    /// As written.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A source citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// The document.
    pub(crate) document: String,
    /// The section.
    pub(crate) section: Option<String>,
}

impl Rule {
    /// Its citations, "Document › Section", joined by "; ".
    pub(crate) fn source_text(&self) -> String {
        self.sources
            .iter()
            .map(|s| match &s.section {
                Some(sec) => format!("{} › {sec}", s.document),
                None => s.document.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A rule-local name.
#[derive(Debug, Clone)]
pub(crate) struct Let {
    /// Name.
    pub(crate) name: String,
    /// Where its value is stored.
    pub(crate) slot: usize,
    /// Its value.
    pub(crate) value: Expr,
}

/// A variable a rule kind provides to its messages (`arm`, `deadline`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KindVar {
    /// Name.
    pub(crate) name: &'static str,
    /// Slot.
    pub(crate) slot: usize,
    /// Type.
    pub(crate) ty: Type,
}

/// A reference path a rule reads through, e.g. `case.account`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Need {
    /// Ref columns followed from the subject row.
    pub(crate) path: Vec<ColumnRef>,
    /// `case.account`
    pub(crate) text: String,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Where the id is.
    pub(crate) id_span: Span,
    /// The whole rule.
    pub(crate) span: Span,
    /// Kind.
    pub(crate) kind: RuleKind,
    /// Severity.
    pub(crate) severity: Severity,
    /// Human title.
    pub(crate) title: String,
    /// The table whose rows it is about.
    pub(crate) subject: TableId,
    /// `for … where …`
    pub(crate) applies: Option<Expr>,
    /// Citations.
    pub(crate) sources: Vec<Source>,
    /// Local names in order.
    pub(crate) lets: Vec<Let>,
    /// `when …`
    pub(crate) guard: Option<Expr>,
    /// What is checked.
    pub(crate) body: RuleBody,
    /// Message templates, first match wins.
    pub(crate) messages: Vec<Message>,
    /// Slots an evaluation needs.
    pub(crate) slots: usize,
    /// Variables of the rule kind.
    pub(crate) kind_vars: Vec<KindVar>,
    /// Rows the rule reads through references; missing ones make it not applicable.
    pub(crate) needs: Vec<Need>,
}

impl Rule {
    /// The slot of a kind variable.
    pub(crate) fn kind_slot(&self, name: &str) -> Option<usize> {
        self.kind_vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.slot)
    }
}

/// What a rule checks.
#[derive(Debug, Clone)]
pub(crate) enum RuleBody {
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
pub(crate) struct Notice {
    /// When notice was given.
    pub(crate) from: Expr,
    /// When the change takes effect.
    pub(crate) to: Expr,
    /// Arms in order; the first that matches decides.
    pub(crate) arms: Vec<Arm>,
}

/// A notice arm.
#[derive(Debug, Clone)]
pub(crate) struct Arm {
    /// Label for messages.
    pub(crate) label: String,
    /// When it matches; `None` always matches.
    pub(crate) condition: Option<Expr>,
    /// What it decides.
    pub(crate) decision: Decision,
}

/// An arm's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// No notice required.
    Exempt,
    /// Calendar days (on dates).
    Days(i64),
    /// Elapsed milliseconds (on date-times).
    Elapsed(i64),
}

/// An escalation ladder.
#[derive(Debug, Clone)]
pub(crate) struct Ladder {
    /// When the ladder starts (a date-time; missing: the rule does not apply).
    pub(crate) start: Expr,
    /// Stop times; the earliest present one stops the ladder.
    pub(crate) stops: Vec<Expr>,
    /// Repeat period in milliseconds.
    pub(crate) period: Option<i64>,
    /// Marks sorted by offset.
    pub(crate) marks: Vec<Mark>,
}

/// A mark of a ladder.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    /// Offset from the start (within a period), milliseconds.
    pub(crate) offset: i64,
    /// What is expected, in words.
    pub(crate) label: String,
    /// Rows that satisfy the mark.
    pub(crate) expect: Expr,
    /// The time column of those rows.
    pub(crate) time: ColumnRef,
    /// Explicit window length, milliseconds.
    pub(crate) within: Option<i64>,
    /// The clause.
    pub(crate) span: Span,
}

/// A message template.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// Text and values.
    pub(crate) parts: Vec<Part>,
    /// Used only when true.
    pub(crate) condition: Option<Expr>,
    /// `if pass [and …]`: says why the rule holds; never used for a finding.
    pub(crate) on_pass: bool,
}

/// A piece of a message.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// Literal text.
    Text(String),
    /// A value shown in the policy's conventions.
    Value(Expr),
}

/// A constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lit {
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
pub(crate) enum CmpOp {
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
pub(crate) enum TextOp {
    /// `starts with`
    StartsWith,
    /// `ends with`
    EndsWith,
    /// `contains`
    Contains,
}

/// `+` or `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Func {
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
    pub(crate) const ALL: [(&'static str, Func); 4] = [
        ("local_date", Func::LocalDate),
        ("lower", Func::Lower),
        ("upper", Func::Upper),
        ("len", Func::Len),
    ];
}

/// A typed expression.
#[derive(Debug, Clone)]
pub(crate) struct Expr {
    /// What it computes.
    pub(crate) kind: ExprKind,
    /// Its type.
    pub(crate) ty: Type,
    /// Where it is written.
    pub(crate) span: Span,
}

/// The typed expression forms.
#[derive(Debug, Clone)]
pub(crate) enum ExprKind {
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
