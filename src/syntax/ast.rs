//! The abstract syntax tree of a policy file, exactly as written.
//!
//! Every node carries the [`Span`] it was parsed from. Nothing here is
//! resolved: names are plain text and types are checked later by
//! `semantics`. Parentheses are kept ([`ExprKind::Paren`]) so the formatter
//! can keep the author's grouping.

use chrono::NaiveDate;

use crate::source::{FileId, Span};

/// One parsed policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Which file.
    pub file: FileId,
    /// Top-level items in source order.
    pub items: Vec<Item>,
    /// Every comment in the file, in source order.
    pub comments: Vec<Comment>,
}

/// A `#` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// From `#` to the end of the line (line break excluded).
    pub span: Span,
    /// The text after `#`, trailing whitespace removed.
    pub text: String,
}

/// A name written in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A string literal (escapes already applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The value.
    pub value: String,
    /// Where, quotes included.
    pub span: Span,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `policy "name" …`
    Policy(PolicyHeader),
    /// `table name from "file.csv" …`
    Table(TableDecl),
    /// `define table.name as expr`
    Define(DefineDecl),
    /// `rule|notice|allowlist|escalation id "title" …`
    Rule(RuleDecl),
}

impl Item {
    /// The item's full span.
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(p) => p.span,
            Item::Table(t) => t.span,
            Item::Define(d) => d.span,
            Item::Rule(r) => r.span,
        }
    }
}

/// The policy header: name, version, zone, default formats.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyHeader {
    /// Whole header.
    pub span: Span,
    /// `policy "…"`
    pub name: StrLit,
    /// Clauses in source order.
    pub clauses: Vec<HeaderClause>,
}

/// One header clause.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderClause {
    /// Whole clause.
    pub span: Span,
    /// What it says.
    pub kind: HeaderClauseKind,
}

/// The header clauses.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderClauseKind {
    /// `version "1.0.0"`
    Version(StrLit),
    /// `timezone "America/New_York"`
    Timezone(StrLit),
    /// `date formats "YYYY-MM-DD", …`
    DateFormats(Vec<FormatSpec>),
    /// `datetime formats iso8601, …`
    DateTimeFormats(Vec<FormatSpec>),
    /// `fields case.owner, case.contact_email as requester, …`: values that
    /// travel with every finding about that row.
    Fields(Vec<FieldDecl>),
    /// `order acknowledge-first, notice-period, …`: the order a case's
    /// checklist lists the rules in (the process order).
    Order(Vec<Ident>),
    /// `waivers "waivers.csv"`: the waivers register, a file of the export.
    Waivers(StrLit),
}

/// One of the header's `fields`: a path from a row, and the name reports
/// give it (`as NAME`; default: the path without the row).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The path, e.g. `case.account.name`.
    pub path: Expr,
    /// `as requester`
    pub alias: Option<Ident>,
}

/// A date or date-time format: a pattern string or the name `iso8601`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatSpec {
    /// `"M/D/YYYY"`
    Pattern(StrLit),
    /// `iso8601`
    Iso8601(Span),
}

/// `table name from "file.csv"` and its members.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDecl {
    /// Whole table.
    pub span: Span,
    /// The table's name, also the name of its rows in expressions.
    pub name: Ident,
    /// The CSV file name.
    pub file: StrLit,
    /// How the file is written, in source order (before the members).
    pub options: Vec<TableOption>,
    /// Columns and relations in source order.
    pub members: Vec<Member>,
}

/// A line saying how a table's file is written: `delimiter ";"`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableOption {
    /// The whole line.
    pub span: Span,
    /// Which option, with its value.
    pub kind: TableOptionKind,
}

/// The options of a table's file.
#[derive(Debug, Clone, PartialEq)]
pub enum TableOptionKind {
    /// `encoding "windows-1252"`
    Encoding(StrLit),
    /// `delimiter ";"`
    Delimiter(StrLit),
    /// `quote "'"`
    Quote(StrLit),
    /// `escape "\\"`
    Escape(StrLit),
    /// `skip 2 lines`: lines before the header.
    Skip(u64, Span),
    /// `footer none`, `footer auto`, `footer after blank line`,
    /// `footer matching "…", "…"`
    Footer(FooterRule),
    /// `missing "NULL", "-"`: cell texts that mean a missing value.
    Missing(Vec<StrLit>),
    /// `sheet "Cases"`: a workbook's sheet.
    Sheet(StrLit),
}

/// Which trailing lines are a footer.
#[derive(Debug, Clone, PartialEq)]
pub enum FooterRule {
    /// `footer auto`: a report footer is recognised (the default).
    Auto,
    /// `footer none`: no footer.
    None,
    /// `footer after blank line`: the data ends at the first blank line.
    AfterBlankLine,
    /// `footer matching "…", …`: trailing lines matching the patterns.
    Matching(Vec<StrLit>),
}

impl TableOptionKind {
    /// The word the option starts with.
    pub fn keyword(&self) -> &'static str {
        match self {
            TableOptionKind::Encoding(_) => "encoding",
            TableOptionKind::Delimiter(_) => "delimiter",
            TableOptionKind::Quote(_) => "quote",
            TableOptionKind::Escape(_) => "escape",
            TableOptionKind::Skip(..) => "skip",
            TableOptionKind::Footer(_) => "footer",
            TableOptionKind::Missing(_) => "missing",
            TableOptionKind::Sheet(_) => "sheet",
        }
    }
}

/// A column or relation of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Whole member.
    pub span: Span,
    /// `name:`
    pub name: Ident,
    /// Column or relation.
    pub kind: MemberKind,
}

/// What a member is.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberKind {
    /// `name: type from "Header" modifiers…`
    Column(ColumnDecl),
    /// `name: many table by field [ordered by field] [where expr]`
    Relation(RelationDecl),
}

/// A column read from the CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDecl {
    /// Declared type.
    pub ty: TypeExpr,
    /// The CSV header.
    pub header: StrLit,
    /// `key`, `required`, `default …`, `formats …`, `one of […]`, `separated by "…"`.
    pub modifiers: Vec<Modifier>,
}

/// The scalar types a column or list can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// `text`
    Text,
    /// `int`
    Int,
    /// `bool`
    Bool,
    /// `date`
    Date,
    /// `datetime`
    DateTime,
    /// `email`
    Email,
    /// `duration`: elapsed time (hours, minutes).
    Duration,
    /// `days`: a number of calendar days.
    Days,
}

impl ScalarType {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ScalarType::Text => "text",
            ScalarType::Int => "int",
            ScalarType::Bool => "bool",
            ScalarType::Date => "date",
            ScalarType::DateTime => "datetime",
            ScalarType::Email => "email",
            ScalarType::Duration => "duration",
            ScalarType::Days => "days",
        }
    }

    /// All scalar types.
    pub const ALL: [ScalarType; 8] = [
        ScalarType::Text,
        ScalarType::Int,
        ScalarType::Bool,
        ScalarType::Date,
        ScalarType::DateTime,
        ScalarType::Email,
        ScalarType::Duration,
        ScalarType::Days,
    ];
}

/// A column type as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// `text`, `date`, …
    Scalar(ScalarType, Span),
    /// `list of email`
    List(ScalarType, Span),
    /// `ref account`
    Ref(Ident, Span),
}

impl TypeExpr {
    /// Where the type is written.
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Scalar(_, s) | TypeExpr::List(_, s) | TypeExpr::Ref(_, s) => *s,
        }
    }
}

/// A column modifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Modifier {
    /// Whole modifier.
    pub span: Span,
    /// Which.
    pub kind: ModifierKind,
}

/// The column modifiers.
#[derive(Debug, Clone, PartialEq)]
pub enum ModifierKind {
    /// `key`: the column identifies rows; implies `required`.
    Key,
    /// `required`: an empty cell is a data error.
    Required,
    /// `default <literal>`: the value an empty cell stands for.
    Default(Expr),
    /// `formats "…", …`: accepted date/date-time patterns for this column.
    Formats(Vec<FormatSpec>),
    /// `one of ["…", …]`: the values this text column holds, and the only
    /// ones the policy may compare it with. Closed: any other value is a
    /// data error. With `or others` (the `bool`) the set is open: other
    /// values are read as written, and near misses are warned about.
    OneOf(Vec<StrLit>, bool),
    /// `separated by ";"`: the list separator.
    SeparatedBy(StrLit),
    /// `unused`: no rule reads the column, deliberately (lint says so if
    /// one does, and stays quiet otherwise).
    Unused,
}

/// `many event by case ordered by at where …`
#[derive(Debug, Clone, PartialEq)]
pub struct RelationDecl {
    /// The related table.
    pub target: Ident,
    /// The `ref` column of the related table that points back here.
    pub by: Ident,
    /// Column of the related table that orders the rows.
    pub ordered_by: Option<Ident>,
    /// Rows kept (the element is named after the related table).
    pub filter: Option<Expr>,
}

/// `define case.closed as …`
#[derive(Debug, Clone, PartialEq)]
pub struct DefineDecl {
    /// Whole definition.
    pub span: Span,
    /// The table the derived field belongs to.
    pub table: Ident,
    /// The derived field's name.
    pub name: Ident,
    /// Its value; the row is named after the table.
    pub body: Expr,
}

/// The kinds of rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `rule`: a plain requirement.
    Require,
    /// `notice`: a notice period chosen by arms.
    Notice,
    /// `allowlist`: a value must be in a list.
    Allowlist,
    /// `escalation`: a ladder of marks after a start event.
    Escalation,
}

impl RuleKind {
    /// The keyword that introduces the rule.
    pub fn keyword(self) -> &'static str {
        match self {
            RuleKind::Require => "rule",
            RuleKind::Notice => "notice",
            RuleKind::Allowlist => "allowlist",
            RuleKind::Escalation => "escalation",
        }
    }

    /// All kinds.
    pub const ALL: [RuleKind; 4] = [
        RuleKind::Require,
        RuleKind::Notice,
        RuleKind::Allowlist,
        RuleKind::Escalation,
    ];
}

/// A rule of any kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    /// Whole rule.
    pub span: Span,
    /// Which kind.
    pub kind: RuleKind,
    /// The kind keyword's span.
    pub kind_span: Span,
    /// The stable rule id, e.g. `notice-period`.
    pub id: Ident,
    /// The human title.
    pub title: StrLit,
    /// Clauses in source order.
    pub clauses: Vec<Clause>,
}

/// A rule clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// Whole clause.
    pub span: Span,
    /// What it says.
    pub kind: ClauseKind,
}

/// Severity as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeverityLit {
    /// `error`
    Error,
    /// `warning`
    Warning,
}

/// The rule clauses. The parser accepts every clause in every kind of rule;
/// the checker says which belong where.
#[derive(Debug, Clone, PartialEq)]
pub enum ClauseKind {
    /// `severity error|warning`
    Severity(SeverityLit),
    /// `for table [where expr]`
    For {
        /// The table whose rows the rule is about.
        table: Ident,
        /// Which of them.
        filter: Option<Expr>,
    },
    /// `source "document" [section "section"]`
    Source {
        /// The document.
        document: StrLit,
        /// The section.
        section: Option<StrLit>,
    },
    /// `let name = expr`
    Let {
        /// The local name.
        name: Ident,
        /// Its value.
        value: Expr,
    },
    /// `when expr`: the rule applies only when this holds.
    When(Expr),
    /// `require expr` (rule)
    Require(Expr),
    /// `expect value in list [ignoring case]` (allowlist)
    Expect(Expr),
    /// `from expr` (notice): the date notice was given.
    From(Expr),
    /// `to expr` (notice): the date the change takes effect.
    To(Expr),
    /// `arm "label" [when expr]: exempt | <days>` (notice)
    Arm {
        /// Shown in messages.
        label: StrLit,
        /// When the arm matches; none means always.
        condition: Option<Expr>,
        /// What the arm decides.
        result: ArmResult,
    },
    /// `start at expr` (escalation)
    Start(Expr),
    /// `stop at expr` (escalation)
    Stop(Expr),
    /// `every <duration>` (escalation)
    Every(DurationLit),
    /// `at <duration> ["label"] expect rows [within <duration>]` (escalation)
    Mark {
        /// Offset from the start.
        offset: DurationLit,
        /// What the action is, for messages.
        label: Option<StrLit>,
        /// The rows that satisfy the mark.
        expect: Expr,
        /// Window length when it is not "until the next mark".
        within: Option<DurationLit>,
    },
    /// `message "template" [if expr]`
    Message {
        /// The template.
        template: Template,
        /// Used only when this holds.
        condition: Option<Expr>,
    },
}

impl ClauseKind {
    /// The keyword that starts the clause.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Severity(_) => "severity",
            ClauseKind::For { .. } => "for",
            ClauseKind::Source { .. } => "source",
            ClauseKind::Let { .. } => "let",
            ClauseKind::When(_) => "when",
            ClauseKind::Require(_) => "require",
            ClauseKind::Expect(_) => "expect",
            ClauseKind::From(_) => "from",
            ClauseKind::To(_) => "to",
            ClauseKind::Arm { .. } => "arm",
            ClauseKind::Start(_) => "start",
            ClauseKind::Stop(_) => "stop",
            ClauseKind::Every(_) => "every",
            ClauseKind::Mark { .. } => "at",
            ClauseKind::Message { .. } => "message",
        }
    }
}

/// A notice arm's decision.
#[derive(Debug, Clone, PartialEq)]
pub enum ArmResult {
    /// `exempt`: no notice required.
    Exempt(Span),
    /// A notice period.
    Period(DurationLit),
}

/// Units of duration literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// Calendar days.
    Days,
    /// Elapsed hours.
    Hours,
    /// Elapsed minutes.
    Minutes,
}

impl DurationUnit {
    /// The canonical spelling for `n` units.
    pub fn word(self, n: i64) -> &'static str {
        match (self, n == 1) {
            (DurationUnit::Days, true) => "day",
            (DurationUnit::Days, false) => "days",
            (DurationUnit::Hours, true) => "hour",
            (DurationUnit::Hours, false) => "hours",
            (DurationUnit::Minutes, true) => "minute",
            (DurationUnit::Minutes, false) => "minutes",
        }
    }
}

/// `90 days`, `48h`, `30 minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationLit {
    /// How many.
    pub amount: i64,
    /// Of what.
    pub unit: DurationUnit,
    /// Where.
    pub span: Span,
}

/// A message template: text with `{expr}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The string literal, quotes included.
    pub span: Span,
    /// Text and holes in order.
    pub parts: Vec<TemplatePart>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text (escapes applied, `{{` as `{`).
    Text(String),
    /// `{expr}`
    Hole(Expr),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// Binary operators, loosest first in the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `starts with`
    StartsWith,
    /// `ends with`
    EndsWith,
    /// `contains`
    Contains,
    /// `+`
    Add,
    /// `-`
    Sub,
}

impl BinOp {
    /// How the operator is written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::StartsWith => "starts with",
            BinOp::EndsWith => "ends with",
            BinOp::Contains => "contains",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }

    /// True for the comparison level (`=`, `<`, `starts with`, …).
    pub fn is_comparison(self) -> bool {
        !matches!(self, BinOp::Or | BinOp::And | BinOp::Add | BinOp::Sub)
    }
}

/// Quantifiers over rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// `any rows` — true when there is at least one.
    Any,
    /// `no rows` — true when there is none.
    No,
    /// `first rows` — the earliest row (rows are kept in order).
    First,
    /// `last rows` — the latest row.
    Last,
    /// `count rows` — how many.
    Count,
}

impl Quantifier {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::No => "no",
            Quantifier::First => "first",
            Quantifier::Last => "last",
            Quantifier::Count => "count",
        }
    }
}

/// The expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `"text"`
    Str(String),
    /// `42`
    Int(i64),
    /// `true` / `false`
    Bool(bool),
    /// `2024-06-03`
    Date(NaiveDate),
    /// `2025-11-21T13:44:00-05:00` as written (resolved in the policy's zone by the checker).
    DateTime(String),
    /// `90 days`
    Duration(DurationLit),
    /// `now`: the as-of instant.
    Now,
    /// `[a, b]`
    List(Vec<Expr>),
    /// A name: a row, a `let`, or a rule-kind variable.
    Name(Ident),
    /// `expr.field`
    Field(Box<Expr>, Ident),
    /// `name(args…)`
    Call(Ident, Vec<Expr>),
    /// `(expr)`
    Paren(Box<Expr>),
    /// `not expr`
    Not(Box<Expr>),
    /// `-expr`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `value [not] in list [ignoring case]`
    In {
        /// The value looked for.
        value: Box<Expr>,
        /// The list.
        list: Box<Expr>,
        /// `not in`
        negated: bool,
        /// `ignoring case`
        ignore_case: bool,
    },
    /// `value is missing` / `value is present`
    Is {
        /// The value tested.
        value: Box<Expr>,
        /// `present` (true) or `missing` (false).
        present: bool,
    },
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `any|no|first|last|count rows [where pred]`
    Quant {
        /// Which quantifier.
        q: Quantifier,
        /// The rows.
        rows: Box<Expr>,
        /// Keeps only rows for which this is true.
        filter: Option<Box<Expr>>,
    },
    /// `rows where pred`
    Where(Box<Expr>, Box<Expr>),
}
