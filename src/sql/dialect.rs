//! What differs between the SQL engines docket compiles for: literals and
//! identifiers, lists and lambdas, time-zone conversions, reading a CSV
//! file, materialising a numbered table.

use crate::data::dialect::Dialect as FileDialect;

/// An SQL engine (dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// DuckDB (1.3 or later).
    DuckDb,
    /// Spark SQL (4.0 or later).
    Spark,
}

/// The most negative order key: a missing key sorts first.
const MISSING_FIRST: &str = "-4611686018427387904";

impl Engine {
    /// Its name in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::DuckDb => "DuckDB",
            Engine::Spark => "Spark SQL",
        }
    }

    fn spark(self) -> bool {
        self == Engine::Spark
    }

    /// Statements a script starts with (session settings it relies on).
    pub(crate) fn preamble(self) -> &'static str {
        match self {
            Engine::DuckDb => "",
            // Timestamps print and parse in UTC; a failed cast is NULL; a
            // view keeps its analysed plan (re-analysing the chain of views
            // at every reference costs the driver more than the data).
            Engine::Spark => concat!(
                "SET spark.sql.session.timeZone = UTC;\n",
                "SET spark.sql.ansi.enabled = false;\n",
                "SET spark.sql.legacy.storeAnalyzedPlanForView = true;\n\n"
            ),
        }
    }

    /// A text literal.
    pub(crate) fn text(self, s: &str) -> String {
        if self.spark() {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
        } else {
            format!("'{}'", s.replace('\'', "''"))
        }
    }

    /// A quoted identifier.
    pub(crate) fn ident(self, s: &str) -> String {
        if self.spark() {
            format!("`{}`", s.replace('`', "``"))
        } else {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
    }

    /// The text type.
    pub(crate) fn string_type(self) -> &'static str {
        if self.spark() { "STRING" } else { "VARCHAR" }
    }

    /// The type of an instant in the tables a script reads.
    pub(crate) fn instant_type(self) -> &'static str {
        if self.spark() {
            "TIMESTAMP"
        } else {
            "TIMESTAMPTZ"
        }
    }

    /// The type of a list of `elem` (an SQL type).
    pub(crate) fn list_type(self, elem: &str) -> String {
        if self.spark() {
            format!("ARRAY<{elem}>")
        } else {
            format!("{elem}[]")
        }
    }

    /// A list of the values `items`.
    pub(crate) fn list(self, items: &[String]) -> String {
        if self.spark() {
            format!("array({})", items.join(", "))
        } else {
            format!("[{}]", items.join(", "))
        }
    }

    /// An empty list of `elem`.
    pub(crate) fn empty_list(self, elem: &str) -> String {
        if self.spark() {
            format!("CAST(array() AS {})", self.list_type(elem))
        } else {
            format!("CAST([] AS {})", self.list_type(elem))
        }
    }

    /// A lambda over `x`.
    fn lambda(self, body: &str) -> String {
        if self.spark() {
            format!("x -> {body}")
        } else {
            format!("lambda x: {body}")
        }
    }

    /// `list` with only the items for which `pred` (over `x`) holds.
    pub(crate) fn list_filter(self, list: &str, pred: &str) -> String {
        let f = if self.spark() {
            "filter"
        } else {
            "list_filter"
        };
        format!("{f}({list}, {})", self.lambda(pred))
    }

    /// `list` with `f` (over `x`) applied to every item.
    pub(crate) fn list_map(self, list: &str, f: &str) -> String {
        let name = if self.spark() {
            "transform"
        } else {
            "list_transform"
        };
        format!("{name}({list}, {})", self.lambda(f))
    }

    /// Whether `list` holds `v` (both present).
    pub(crate) fn list_contains(self, list: &str, v: &str) -> String {
        let f = if self.spark() {
            "array_contains"
        } else {
            "list_contains"
        };
        format!("{f}({list}, {v})")
    }

    /// The number of items of a list (`NULL` for a missing one).
    pub(crate) fn list_len(self, list: &str) -> String {
        if self.spark() {
            format!("(CASE WHEN {list} IS NULL THEN NULL ELSE size({list}) END)")
        } else {
            format!("len({list})")
        }
    }

    /// An aggregate collecting `v` into a list ordered by `keys` (a
    /// missing key first).
    pub(crate) fn list_agg(self, v: &str, keys: &[String]) -> String {
        if self.spark() {
            let mut fields: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| format!("'k{i}', COALESCE({k}, {MISSING_FIRST})"))
                .collect();
            fields.push(format!("'v', {v}"));
            // A missing item is no item (a left join's padding row).
            format!(
                "transform(array_sort(collect_list(CASE WHEN {v} IS NOT NULL THEN named_struct({}) END)), x -> x.v)",
                fields.join(", ")
            )
        } else {
            let order: Vec<String> = keys.iter().map(|k| format!("{k} NULLS FIRST")).collect();
            format!("list({v} ORDER BY {})", order.join(", "))
        }
    }

    /// A value that orders rows as `keys` do, a missing key first.
    pub(crate) fn order_key(self, keys: &[String]) -> String {
        let fields: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if self.spark() {
                    format!("'k{i}', COALESCE({k}, {MISSING_FIRST})")
                } else {
                    format!("'k{i}': COALESCE({k}, {MISSING_FIRST})")
                }
            })
            .collect();
        if self.spark() {
            format!("named_struct({})", fields.join(", "))
        } else {
            format!("{{{}}}", fields.join(", "))
        }
    }

    /// `value` of the first (or last) row by `key`, as one aggregate (a
    /// missing value stays missing: it travels in a struct).
    pub(crate) fn pick(self, first: bool, value: &str, key: &str) -> String {
        let (f, wrap) = match (self.spark(), first) {
            (false, true) => ("arg_min", format!("{{'v': {value}}}")),
            (false, false) => ("arg_max", format!("{{'v': {value}}}")),
            (true, true) => ("min_by", format!("named_struct('v', {value})")),
            (true, false) => ("max_by", format!("named_struct('v', {value})")),
        };
        format!("{f}({wrap}, {key}).v")
    }

    /// Whether `from` has a row where `cond` holds (never `NULL`).
    pub(crate) fn exists(self, from: &str, cond: &str) -> String {
        if self.spark() {
            // Spark takes a correlated `EXISTS` only in a filter; a count
            // goes everywhere.
            format!("((SELECT count(*) FROM {from} WHERE {cond}) > 0)")
        } else {
            format!("EXISTS (SELECT 1 FROM {from} WHERE {cond})")
        }
    }

    /// The items of a list joined by `sep`.
    pub(crate) fn list_join(self, list: &str, sep: &str) -> String {
        let f = if self.spark() {
            "array_join"
        } else {
            "array_to_string"
        };
        format!("{f}({list}, {})", self.text(sep))
    }

    /// Text split at `sep`.
    pub(crate) fn split(self, s: &str, sep: &str) -> String {
        if self.spark() {
            // Spark splits at a regular expression.
            let quoted: String = sep
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() {
                        c.to_string()
                    } else {
                        format!("\\{c}")
                    }
                })
                .collect();
            format!("split({s}, {})", self.text(&quoted))
        } else {
            format!("string_split({s}, {})", self.text(sep))
        }
    }

    /// Text without the ASCII whitespace at either end.
    pub(crate) fn trim(self, s: &str) -> String {
        let chars = self.text(" \t\r\n\u{b}\u{c}");
        if self.spark() {
            format!("trim(BOTH {chars} FROM {s})")
        } else {
            format!("trim({s}, {chars})")
        }
    }

    /// Whether the whole of `s` matches the regular expression `re`.
    pub(crate) fn full_match(self, s: &str, re: &str) -> String {
        if self.spark() {
            format!("({s} RLIKE {})", self.text(&format!("^(?:{re})$")))
        } else {
            format!("regexp_full_match({s}, {})", self.text(re))
        }
    }

    /// A text test: `starts with`, `ends with`, `contains`.
    pub(crate) fn text_test(self, op: &str, h: &str, n: &str) -> String {
        let f = match (self.spark(), op) {
            (true, "starts") => "startswith",
            (true, "ends") => "endswith",
            (false, "starts") => "starts_with",
            (false, "ends") => "ends_with",
            _ => "contains",
        };
        format!("{f}({h}, {n})")
    }

    /// Integer division, rounding down (operands not negative).
    pub(crate) fn int_div(self, a: &str, b: &str) -> String {
        if self.spark() {
            format!("({a} div {b})")
        } else {
            format!("({a} // {b})")
        }
    }

    /// Text as a whole number, `NULL` when it is not one (or out of range).
    pub(crate) fn to_int(self, s: &str) -> String {
        format!("TRY_CAST({s} AS BIGINT)")
    }

    /// `s` read with the pattern `f` (see [`super::tables`]): a naive
    /// timestamp, or `NULL`.
    pub(crate) fn parse_time(self, s: &str, f: &str) -> String {
        if self.spark() {
            format!("try_to_timestamp({s}, {})", self.text(f))
        } else {
            format!("try_strptime({s}, {})", self.text(f))
        }
    }

    /// ISO 8601 text with an offset as an instant.
    pub(crate) fn iso_instant(self, s: &str) -> String {
        format!("TRY_CAST({s} AS {})", self.instant_type())
    }

    /// ISO 8601 text without an offset as a naive timestamp.
    pub(crate) fn iso_local(self, s: &str) -> String {
        format!("TRY_CAST({s} AS TIMESTAMP)")
    }

    /// A date as epoch days.
    pub(crate) fn date_days(self, d: &str) -> String {
        if self.spark() {
            format!("unix_date({d})")
        } else {
            format!("({d} - DATE '1970-01-01')")
        }
    }

    /// A naive timestamp as epoch days of its date.
    pub(crate) fn ts_days(self, ts: &str) -> String {
        self.date_days(&format!("CAST({ts} AS DATE)"))
    }

    /// An instant (a timestamp with a zone, or a Spark timestamp) as epoch
    /// milliseconds.
    pub(crate) fn ts_ms(self, ts: &str) -> String {
        if self.spark() {
            format!("unix_millis({ts})")
        } else {
            format!("epoch_ms({ts})")
        }
    }

    /// A naive local timestamp in `zone` as epoch milliseconds: a time the
    /// clocks repeat is its first occurrence, a time they skip reads with
    /// the offset before the gap (as docket reads local times).
    pub(crate) fn local_ms(self, ts: &str, zone: &str) -> String {
        let z = self.text(zone);
        if self.spark() {
            // Java's rules are docket's: the earlier offset of an overlap,
            // a gap shifted by its length.
            return format!("unix_millis(to_utc_timestamp({ts}, {z}))");
        }
        // DuckDB takes the later of two repeated times; three hours
        // earlier, shifted back, gives the earlier one when it is the same
        // local time.
        let later = format!("epoch_ms(timezone({z}, {ts}))");
        let earlier = format!("(epoch_ms(timezone({z}, {ts} - INTERVAL 3 HOUR)) + 10800000)");
        format!(
            "(CASE WHEN {} = {ts} THEN {earlier} ELSE {later} END)",
            self.local_ts(&earlier, zone)
        )
    }

    /// Epoch milliseconds as the naive local timestamp in `zone`.
    pub(crate) fn local_ts(self, ms: &str, zone: &str) -> String {
        if self.spark() {
            format!(
                "from_utc_timestamp(timestamp_millis(CAST({ms} AS BIGINT)), {})",
                self.text(zone)
            )
        } else {
            format!(
                "timezone({}, make_timestamptz(CAST({ms} AS BIGINT) * 1000))",
                self.text(zone)
            )
        }
    }

    /// Epoch milliseconds as the epoch day of their date in `zone`.
    pub(crate) fn local_date(self, ms: &str, zone: &str) -> String {
        self.ts_days(&self.local_ts(ms, zone))
    }

    /// Epoch milliseconds as an instant (the `deadline` column; UTC).
    pub(crate) fn ms_to_timestamp(self, ms: &str) -> String {
        if self.spark() {
            format!("timestamp_millis(CAST({ms} AS BIGINT))")
        } else {
            format!("make_timestamptz(CAST({ms} AS BIGINT) * 1000)")
        }
    }

    /// A date (epoch days) as `YYYY-MM-DD`.
    pub(crate) fn show_date(self, days: &str) -> String {
        if self.spark() {
            format!("date_format(date_from_unix_date(CAST({days} AS INT)), 'yyyy-MM-dd')")
        } else {
            format!("strftime(DATE '1970-01-01' + CAST({days} AS INTEGER), '%Y-%m-%d')")
        }
    }

    /// An instant (epoch ms) as `Tue 25 Nov 2025 13:44` in `zone`.
    pub(crate) fn show_instant(self, ms: &str, zone: &str) -> String {
        if self.spark() {
            format!(
                "date_format({}, 'EEE d MMM yyyy HH:mm')",
                self.local_ts(ms, zone)
            )
        } else {
            format!(
                "strftime({}, '%a %-d %b %Y %H:%M')",
                self.local_ts(ms, zone)
            )
        }
    }

    /// The integers `0..n` as one row each (in a `SELECT` list).
    pub(crate) fn cycles(self, n: &str) -> String {
        if self.spark() {
            format!(
                "explode(CASE WHEN {n} > 0 THEN sequence(CAST(0 AS BIGINT), CAST({n} AS BIGINT) - 1) ELSE CAST(array() AS ARRAY<BIGINT>) END)"
            )
        } else {
            format!("unnest(range(0, {n}))")
        }
    }

    /// Statements that make `name` the rows of `query` numbered in order
    /// (`_row`), computed once.
    pub(crate) fn numbered(self, name: &str, source: &str) -> String {
        if self.spark() {
            format!(
                "CREATE OR REPLACE TEMPORARY VIEW {name} AS SELECT monotonically_increasing_id() AS _row, * FROM {source};\nCACHE LAZY TABLE {name};\n"
            )
        } else {
            format!(
                "CREATE OR REPLACE TEMP TABLE {name} AS SELECT row_number() OVER () AS _row, * FROM {source};\n"
            )
        }
    }

    /// Whether a rule's layers of hoisted columns are views of their own,
    /// computed once: Spark mis-plans a filter over a correlated subquery
    /// that reads another one's result (it pushes the filter through and
    /// finds several rows where there is one).
    pub(crate) fn materialises_layers(self) -> bool {
        self.spark()
    }

    /// A view of `query`, computed once when first read and kept (Spark),
    /// or a plain view.
    pub(crate) fn cached_view(self, name: &str, query: &str) -> String {
        if self.spark() {
            format!(
                "CREATE OR REPLACE TEMPORARY VIEW {name} AS {query};\nCACHE LAZY TABLE {name};\n"
            )
        } else {
            format!("CREATE OR REPLACE TEMPORARY VIEW {name} AS {query};\n")
        }
    }

    /// The statements before a CSV file's typed view (Spark reads it as a
    /// view of its own), and what the typed view selects from.
    pub(crate) fn read_csv(self, raw: &str, path: &str, d: &FileDialect) -> (String, String) {
        let delim = d
            .delimiter
            .map_or(",".to_string(), |c| (c as char).to_string());
        let quote = (d.quote as char).to_string();
        let escape = d.escape.map_or(quote.clone(), |e| (e as char).to_string());
        if self.spark() {
            let view = self.ident(raw);
            (
                format!(
                    "CREATE OR REPLACE TEMPORARY VIEW {view} USING csv OPTIONS (path {}, header 'true', sep {}, quote {}, escape {}, multiLine 'true', mode 'PERMISSIVE', enforceSchema 'false');\n",
                    self.text(path),
                    self.text(&delim),
                    self.text(&quote),
                    self.text(&escape)
                ),
                view,
            )
        } else {
            let mut out = format!(
                "read_csv({}, header = true, all_varchar = true, delim = {}, quote = {}, escape = {}, skip = {}",
                self.text(path),
                self.text(&delim),
                self.text(&quote),
                self.text(&escape),
                d.skip_lines
            );
            out.push_str(", null_padding = true, strict_mode = false)");
            (String::new(), out)
        }
    }
}
