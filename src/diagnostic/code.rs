//! Every diagnostic code docket emits, as one enum: a misspelt code is a
//! compile error, and `tests/diagnostics.rs` checks [`Code::ALL`] against
//! `docs/diagnostics.md` both ways (every code documented, every documented
//! code emitted and tested).

use std::fmt;

/// Declares the codes: each variant with the text reports show.
macro_rules! codes {
    ($($variant:ident = $text:literal,)*) => {
        /// A diagnostic code: `docket::<area>::<name>`.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = concat!("`", $text, "`")]
                $variant,
            )*
            /// A finding drawn as a diagnostic: it has no code of its own.
            Finding,
        }

        impl Code {
            /// Every code, in the order declared ([`Code::Finding`] is not one).
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as reports show it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                    Code::Finding => "",
                }
            }
        }
    };
}

codes! {
    AllowlistNotMembership = "docket::allowlist::not-membership",
    CliAsOf = "docket::cli::as-of",
    CliAsOfShifted = "docket::cli::as-of-shifted",
    CliBaseline = "docket::cli::baseline",
    CliBaselineVersion = "docket::cli::baseline-version",
    CliGroupBy = "docket::cli::group-by",
    CliOutput = "docket::cli::output",
    CliTable = "docket::cli::table",
    CliTableOption = "docket::cli::table-option",
    CliThreads = "docket::cli::threads",
    CliUnknownCase = "docket::cli::unknown-case",
    CliUnknownRule = "docket::cli::unknown-rule",
    CliWhere = "docket::cli::where",
    CliWithin = "docket::cli::within",
    DataAmbiguousColumn = "docket::data::ambiguous-column",
    DataAmbiguousDelimiter = "docket::data::ambiguous-delimiter",
    DataCellError = "docket::data::cell-error",
    DataEncodingError = "docket::data::encoding-error",
    DataExtraCell = "docket::data::extra-cell",
    DataFileEncoding = "docket::data::file-encoding",
    DataFooter = "docket::data::footer",
    DataForeignKey = "docket::data::foreign-key",
    DataLongField = "docket::data::long-field",
    DataMissingCell = "docket::data::missing-cell",
    DataMissingColumn = "docket::data::missing-column",
    DataMissingFile = "docket::data::missing-file",
    DataNearValue = "docket::data::near-value",
    DataNoHeader = "docket::data::no-header",
    DataNoRows = "docket::data::no-rows",
    DataAbsentColumn = "docket::data::absent-column",
    DataNoSheet = "docket::data::no-sheet",
    DataNoSource = "docket::data::no-source",
    DataOutsideExport = "docket::data::outside-export",
    DataPrimaryKey = "docket::data::primary-key",
    DataRepeatedTime = "docket::data::repeated-time",
    DataRequired = "docket::data::required",
    DataSkippedTime = "docket::data::skipped-time",
    DataTooLarge = "docket::data::too-large",
    DataTruncated = "docket::data::truncated",
    DataTypeError = "docket::data::type-error",
    DataUnknownTable = "docket::data::unknown-table",
    DataUnknownValue = "docket::data::unknown-value",
    DataWorkbook = "docket::data::workbook",
    DiffTablesDiffer = "docket::diff::tables-differ",
    DurationInvalid = "docket::duration::invalid",
    EscalationDuplicateMark = "docket::escalation::duplicate-mark",
    EscalationNoStart = "docket::escalation::no-start",
    EscalationNoTime = "docket::escalation::no-time",
    EscalationOpenWindow = "docket::escalation::open-window",
    FmtInternal = "docket::fmt::internal",
    FormatInvalid = "docket::format::invalid",
    FormatAmbiguous = "docket::format::ambiguous",
    IoEncoding = "docket::io::encoding",
    IoNoPolicy = "docket::io::no-policy",
    IoRead = "docket::io::read",
    IoWrite = "docket::io::write",
    LintBadValues = "docket::lint::bad-values",
    LintColumnType = "docket::lint::column-type",
    LintUnusedColumn = "docket::lint::unused-column",
    LintReadUnusedColumn = "docket::lint::read-unused-column",
    NamesCyclicDefine = "docket::names::cyclic-define",
    NamesDeepDefine = "docket::names::deep-define",
    NamesDuplicateDefine = "docket::names::duplicate-define",
    NamesDuplicateLet = "docket::names::duplicate-let",
    NamesDuplicateMember = "docket::names::duplicate-member",
    NamesDuplicateRule = "docket::names::duplicate-rule",
    NamesDuplicateTable = "docket::names::duplicate-table",
    NamesUnknownField = "docket::names::unknown-field",
    NamesUnknownFunction = "docket::names::unknown-function",
    NamesUnknownName = "docket::names::unknown-name",
    NamesUnknownTable = "docket::names::unknown-table",
    NamesUnknownValue = "docket::names::unknown-value",
    NoticeNoFallback = "docket::notice::no-fallback",
    NoticeUnreachableArm = "docket::notice::unreachable-arm",
    ParseBadDate = "docket::parse::bad-date",
    ParseBadEscape = "docket::parse::bad-escape",
    ParseBadNumber = "docket::parse::bad-number",
    ParseChainedComparison = "docket::parse::chained-comparison",
    ParseExpected = "docket::parse::expected",
    ParseHoleOutsideMessage = "docket::parse::hole-outside-message",
    ParseNestedQuantifier = "docket::parse::nested-quantifier",
    ParseNoNull = "docket::parse::no-null",
    ParseReservedWord = "docket::parse::reserved-word",
    ParseTooDeep = "docket::parse::too-deep",
    ParseUnclosed = "docket::parse::unclosed",
    SqlUnsupported = "docket::sql::unsupported",
    ParseUnknownType = "docket::parse::unknown-type",
    ParseUnknownUnit = "docket::parse::unknown-unit",
    ParseUnmatchedBrace = "docket::parse::unmatched-brace",
    ParseUnterminatedString = "docket::parse::unterminated-string",
    ParseWhereRows = "docket::parse::where-rows",
    ParseWrongOperator = "docket::parse::wrong-operator",
    PolicyBadField = "docket::policy::bad-field",
    PolicyBadOrder = "docket::policy::bad-order",
    PolicyDuplicateHeader = "docket::policy::duplicate-header",
    PolicyMissingHeader = "docket::policy::missing-header",
    PolicyMissingTimezone = "docket::policy::missing-timezone",
    PolicyUnknownTimezone = "docket::policy::unknown-timezone",
    RuleDuplicateClause = "docket::rule::duplicate-clause",
    RuleEmptyTitle = "docket::rule::empty-title",
    RuleMisplacedClause = "docket::rule::misplaced-clause",
    RuleMissingClause = "docket::rule::missing-clause",
    RuleNoSource = "docket::rule::no-source",
    RuleUnreachableMessage = "docket::rule::unreachable-message",
    TableBadKey = "docket::table::bad-key",
    TableBadList = "docket::table::bad-list",
    TableBadModifier = "docket::table::bad-modifier",
    TableBadOption = "docket::table::bad-option",
    TableBadRelation = "docket::table::bad-relation",
    TableConflictingOrder = "docket::table::conflicting-order",
    TableDuplicateOption = "docket::table::duplicate-option",
    TableDuplicateValue = "docket::table::duplicate-value",
    TableEmptyHeader = "docket::table::empty-header",
    TableOutsideExport = "docket::table::outside-export",
    TableTwoKeys = "docket::table::two-keys",
    TestNoTests = "docket::test::no-tests",
    TestSyntax = "docket::test::syntax",
    TypesArity = "docket::types::arity",
    TypesBadDatetime = "docket::types::bad-datetime",
    TypesBadDefault = "docket::types::bad-default",
    TypesMismatch = "docket::types::mismatch",
    TypesNoFields = "docket::types::no-fields",
    TypesOutOfRange = "docket::types::out-of-range",
    TypesShiftedDatetime = "docket::types::shifted-datetime",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            let text = c.as_str();
            assert!(seen.insert(text), "{text} twice");
            let parts: Vec<&str> = text.split("::").collect();
            assert_eq!(parts.len(), 3, "{text}");
            assert_eq!(parts.first(), Some(&"docket"), "{text}");
        }
    }
}
