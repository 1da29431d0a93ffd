//! What differs between the SQL engines docket compiles for: how a script
//! reads a CSV file, lists, lambdas, time-zone conversions.

/// An SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// DuckDB (1.3 or later).
    DuckDb,
}

impl Engine {
    /// Its name in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::DuckDb => "DuckDB",
        }
    }

    /// A text literal.
    pub(crate) fn text(self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    /// A quoted identifier.
    pub(crate) fn ident(self, s: &str) -> String {
        format!("\"{}\"", s.replace('"', "\"\""))
    }

    /// The type of a list of `elem` (an SQL type).
    pub(crate) fn list_type(self, elem: &str) -> String {
        format!("{elem}[]")
    }

    /// A lambda over `x`.
    pub(crate) fn lambda(self, body: &str) -> String {
        format!("lambda x: {body}")
    }

    /// `list` with only the items for which `pred` (over `x`) holds.
    pub(crate) fn list_filter(self, list: &str, pred: &str) -> String {
        format!("list_filter({list}, {})", self.lambda(pred))
    }

    /// `list` with `f` (over `x`) applied to every item.
    pub(crate) fn list_map(self, list: &str, f: &str) -> String {
        format!("list_transform({list}, {})", self.lambda(f))
    }

    /// Whether `list` holds `v` (both present).
    pub(crate) fn list_contains(self, list: &str, v: &str) -> String {
        format!("list_contains({list}, {v})")
    }

    /// The number of items of a present list.
    pub(crate) fn list_len(self, list: &str) -> String {
        format!("len({list})")
    }

    /// An aggregate collecting `v` into a list, in `order`.
    pub(crate) fn list_agg(self, v: &str, order: &str) -> String {
        format!("list({v} ORDER BY {order})")
    }

    /// A value that orders rows as `keys` do, a missing key first.
    pub(crate) fn order_key(self, keys: &[String]) -> String {
        let fields: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("'k{i}': COALESCE({k}, -4611686018427387904)"))
            .collect();
        format!("{{{}}}", fields.join(", "))
    }

    /// `value` of the first (or last) row of `from` by `key`, in one
    /// aggregate (a missing value stays missing: it travels in a struct).
    pub(crate) fn pick(
        self,
        first: bool,
        value: &str,
        key: &str,
        from: &str,
        cond: &str,
    ) -> String {
        let f = if first { "arg_min" } else { "arg_max" };
        format!("(SELECT {f}({{'v': {value}}}, {key}).v FROM {from} WHERE {cond})")
    }

    /// The items of a list joined by `sep`.
    pub(crate) fn list_join(self, list: &str, sep: &str) -> String {
        format!("array_to_string({list}, {})", self.text(sep))
    }

    /// Text split at `sep`.
    pub(crate) fn split(self, s: &str, sep: &str) -> String {
        format!("string_split({s}, {})", self.text(sep))
    }

    /// Text without the ASCII whitespace at either end.
    pub(crate) fn trim(self, s: &str) -> String {
        format!("trim({s}, ' \t\r\n\u{b}\u{c}')")
    }

    /// Whether the whole of `s` matches the regular expression `re`.
    pub(crate) fn full_match(self, s: &str, re: &str) -> String {
        format!("regexp_full_match({s}, {})", self.text(re))
    }

    /// Text as a whole number, `NULL` when it is not one (or out of range).
    pub(crate) fn to_int(self, s: &str) -> String {
        format!("TRY_CAST({s} AS BIGINT)")
    }

    /// `s` read with the strptime format `f`: a naive timestamp, or `NULL`.
    pub(crate) fn strptime(self, s: &str, f: &str) -> String {
        format!("try_strptime({s}, {})", self.text(f))
    }

    /// A naive timestamp as epoch days of its date.
    pub(crate) fn ts_days(self, ts: &str) -> String {
        format!("(CAST({ts} AS DATE) - DATE '1970-01-01')")
    }

    /// A timestamp with a zone (or naive UTC) as epoch milliseconds.
    pub(crate) fn ts_ms(self, ts: &str) -> String {
        format!("epoch_ms({ts})")
    }

    /// A naive local timestamp in `zone` as epoch milliseconds: a time the
    /// clocks repeat is its first occurrence, a time they skip reads with
    /// the offset before the gap (as docket reads local times).
    pub(crate) fn local_ms(self, ts: &str, zone: &str) -> String {
        let z = self.text(zone);
        // The engine takes the later of two repeated times; three hours
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
        format!(
            "timezone({}, make_timestamptz(CAST({ms} AS BIGINT) * 1000))",
            self.text(zone)
        )
    }

    /// Epoch milliseconds as the epoch day of their date in `zone`.
    pub(crate) fn local_date(self, ms: &str, zone: &str) -> String {
        self.ts_days(&self.local_ts(ms, zone))
    }

    /// Epoch milliseconds as a UTC timestamp (the `deadline` column).
    pub(crate) fn ms_to_timestamp(self, ms: &str) -> String {
        format!("make_timestamptz(CAST({ms} AS BIGINT) * 1000)")
    }

    /// A date (epoch days) as `YYYY-MM-DD`.
    pub(crate) fn show_date(self, days: &str) -> String {
        format!("strftime(DATE '1970-01-01' + CAST({days} AS INTEGER), '%Y-%m-%d')")
    }

    /// An instant (epoch ms) as `Tue 25 Nov 2025 13:44` in `zone`.
    pub(crate) fn show_instant(self, ms: &str, zone: &str) -> String {
        format!(
            "strftime({}, '%a %-d %b %Y %H:%M')",
            self.local_ts(ms, zone)
        )
    }

    /// The integers `0..n` as one row each, `n` a column of the row
    /// (`FROM t, <this> AS c(c)`).
    pub(crate) fn cycles(self, n: &str) -> String {
        format!("unnest(range(0, {n}))")
    }

    /// A CSV file read with every column as text.
    pub(crate) fn read_csv(self, path: &str, d: &crate::data::dialect::Dialect) -> String {
        let delim = d
            .delimiter
            .map_or(",".to_string(), |c| (c as char).to_string());
        let mut out = format!(
            "read_csv({}, header = true, all_varchar = true, delim = {}, quote = {}, skip = {}",
            self.text(path),
            self.text(&delim),
            self.text(&(d.quote as char).to_string()),
            d.skip_lines
        );
        if let Some(e) = d.escape {
            out.push_str(&format!(
                ", escape = {}",
                self.text(&(e as char).to_string())
            ));
        }
        out.push_str(", null_padding = true, strict_mode = false)");
        out
    }
}
