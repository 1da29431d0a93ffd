//! The canonical layout of policy files (`docket fmt`).
//!
//! One item per paragraph, one clause or member per line indented two
//! spaces, long conditions broken before `and`, `or` and `where`. Every
//! comment is kept: a comment on its own line stays before the clause or
//! item that follows it, a comment at the end of a line stays at the end of
//! that line (a comment inside a multi-line expression moves above the
//! clause). At most one blank line is kept where the author left one.
//! Formatting is idempotent; [`format_source`] re-parses its own output and
//! refuses to return anything that changed more than layout.

use chrono::Datelike;

use super::ast::*;
use super::prec::Prec;
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Lines longer than this are broken where the grammar allows.
pub(crate) const WIDTH: usize = 100;
const INDENT: usize = 2;

/// Parses and formats a file. Errors when the file does not parse, or (a
/// formatter bug) when the output would not mean the same.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (ast, diags) = super::parse(file, text);
    if !diags.is_empty() {
        return Err(diags);
    }
    let out = format_file(&ast, text);
    let (again, diags2) = super::parse(file, &out);
    let mut a = ast.clone();
    let mut b = again;
    erase_file(&mut a);
    erase_file(&mut b);
    if !diags2.is_empty() || a.items != b.items || a.comments.len() != b.comments.len() {
        return Err(vec![
            Diagnostic::error(
                Code::FmtInternal,
                "the formatter would change the meaning of this file; it was left as is",
            )
            .with_help("please report this with the file attached"),
        ]);
    }
    Ok(out)
}

/// Formats a parsed file; `text` is the source it came from (for comments
/// and blank lines; may be empty for generated trees).
pub fn format_file(file: &File, text: &str) -> String {
    let mut f = Formatter {
        text,
        comments: &file.comments,
        next: 0,
        out: String::new(),
        last: 0,
    };
    for (i, item) in file.items.iter().enumerate() {
        let start = item.span().start;
        if i > 0 {
            f.out.push('\n');
        }
        f.leading(start, 0, i == 0);
        f.item(item);
    }
    // Comments after the last item.
    f.leading(u32::MAX, 0, f.out.is_empty());
    f.out
}

struct Formatter<'a> {
    text: &'a str,
    comments: &'a [Comment],
    next: usize,
    out: String,
    /// Source position after the last thing emitted.
    last: u32,
}

impl Formatter<'_> {
    fn src(&self, a: u32, b: u32) -> Option<&str> {
        self.text.get(a as usize..b as usize)
    }

    fn blank_between(&self, a: u32, b: u32) -> bool {
        let Some(s) = self.src(a.min(b), b) else {
            return false;
        };
        let mut newlines = 0;
        for c in s.chars() {
            match c {
                '\n' => {
                    newlines += 1;
                    if newlines >= 2 {
                        return true;
                    }
                }
                c if c.is_whitespace() => {}
                _ => newlines = 0,
            }
        }
        false
    }

    /// Keeps one blank line where the source had one before `pos`.
    fn maybe_blank(&mut self, pos: u32) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && self.blank_between(self.last, pos)
        {
            self.out.push('\n');
        }
    }

    fn same_line(&self, a: u32, b: u32) -> bool {
        self.src(a, b).is_some_and(|s| !s.contains('\n'))
    }

    /// Emits own-line comments that start before `pos`.
    fn leading(&mut self, pos: u32, indent: usize, first_in_block: bool) {
        let mut first = first_in_block;
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= pos {
                break;
            }
            if !first {
                self.maybe_blank(c.span.start);
            }
            first = false;
            push_indent(&mut self.out, indent);
            self.out.push('#');
            self.out.push_str(&c.text);
            self.out.push('\n');
            self.last = c.span.end;
            self.next += 1;
        }
        if !first && pos != u32::MAX {
            self.maybe_blank(pos);
        }
        if pos != u32::MAX {
            self.last = self.last.max(pos);
        }
    }

    /// Ends a line, with the comment that follows `end` on the same line.
    fn end_line(&mut self, end: u32) {
        if let Some(c) = self.comments.get(self.next)
            && c.span.start >= end
            && self.same_line(end, c.span.start)
        {
            self.out.push_str("  #");
            self.out.push_str(&c.text);
            self.next += 1;
            self.last = c.span.end;
        } else {
            self.last = self.last.max(end);
        }
        self.out.push('\n');
    }

    /// Emits one node of a block: its leading comments, its lines, and a trailing comment.
    fn node(&mut self, span: Span, indent: usize, first: bool, lines: Vec<String>) {
        self.leading(span.start, indent, first);
        // Comments inside the node's span (within a multi-line expression)
        // move above it; one after its end on its last line is trailing.
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= span.end || c.span.start < span.start {
                break;
            }
            push_indent(&mut self.out, indent);
            self.out.push('#');
            self.out.push_str(&c.text);
            self.out.push('\n');
            self.next += 1;
        }
        let n = lines.len();
        for (i, l) in lines.into_iter().enumerate() {
            self.out.push_str(&l);
            if i + 1 == n {
                self.end_line(span.end);
            } else {
                self.out.push('\n');
            }
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Policy(h) => {
                let head = format!("policy {}", string(&h.name.value));
                self.head(h.span, h.name.span.end, head);
                for (i, c) in h.clauses.iter().enumerate() {
                    self.node(c.span, INDENT, i == 0, header_clause(&c.kind));
                }
            }
            Item::Table(t) => {
                let head = format!("table {} from {}", t.name.name, string(&t.file.value));
                self.head(t.span, t.file.span.end, head);
                for (i, o) in t.options.iter().enumerate() {
                    let line = indented(INDENT, &table_option(&o.kind));
                    self.node(o.span, INDENT, i == 0, vec![line]);
                }
                for (i, m) in t.members.iter().enumerate() {
                    let lines = member_lines(m);
                    self.node(m.span, INDENT, i == 0 && t.options.is_empty(), lines);
                }
            }
            Item::Define(d) => {
                let lead = format!("define {}.{} as ", d.table.name, d.name.name);
                let mut lines = Vec::new();
                layout(&d.body, Within::TOP, lead, 0, &mut lines);
                self.node(d.span, 0, true, lines);
            }
            Item::Rule(r) => {
                let head = format!(
                    "{} {} {}",
                    r.kind.keyword(),
                    r.id.name,
                    string(&r.title.value)
                );
                self.head(r.span, r.title.span.end, head);
                for (i, c) in r.clauses.iter().enumerate() {
                    let lines = clause_lines(c);
                    self.node(c.span, INDENT, i == 0, lines);
                }
            }
        }
    }

    /// The first line of an item.
    fn head(&mut self, span: Span, head_end: u32, text: String) {
        self.out.push_str(&text);
        self.last = span.start;
        // Comments between the keyword and the end of the head line move above? They
        // cannot occur inside a head (it is one line of tokens); a trailing one stays.
        self.end_line(head_end);
    }
}

/// A header clause's lines: one, or a long list wrapped after its commas.
fn header_clause(kind: &HeaderClauseKind) -> Vec<String> {
    let (head, items): (&str, Vec<String>) = match kind {
        HeaderClauseKind::Version(v) => ("version", vec![string(&v.value)]),
        HeaderClauseKind::Timezone(t) => ("timezone", vec![string(&t.value)]),
        HeaderClauseKind::Waivers(w) => ("waivers", vec![string(&w.value)]),
        HeaderClauseKind::DateFormats(f) => ("date formats", vec![formats(f)]),
        HeaderClauseKind::DateTimeFormats(f) => ("datetime formats", vec![formats(f)]),
        HeaderClauseKind::Fields(list) => (
            "fields",
            list.iter()
                .map(|f| match &f.alias {
                    Some(a) => format!("{} as {}", print(&f.path, Within::TOP), a.name),
                    None => print(&f.path, Within::TOP),
                })
                .collect(),
        ),
        HeaderClauseKind::Order(ids) => ("order", ids.iter().map(|i| i.name.clone()).collect()),
    };
    let mut lines = Vec::new();
    let mut line = indented(INDENT, head);
    let n = items.len();
    for (k, item) in items.into_iter().enumerate() {
        let comma = if k + 1 < n { "," } else { "" };
        let width = line.chars().count() + 1 + item.chars().count() + comma.len();
        if k == 0 || width <= WIDTH {
            line.push(' ');
        } else {
            lines.push(std::mem::replace(&mut line, indented(2 * INDENT, "")));
        }
        line.push_str(&item);
        line.push_str(comma);
    }
    lines.push(line);
    lines
}

fn push_indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn indented(n: usize, s: &str) -> String {
    let mut out = String::new();
    push_indent(&mut out, n);
    out.push_str(s);
    out
}

/// A string literal, escaped.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn formats(f: &[FormatSpec]) -> String {
    f.iter()
        .map(|s| match s {
            FormatSpec::Pattern(p) => string(&p.value),
            FormatSpec::Iso8601(_) => "iso8601".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn duration(d: &DurationLit) -> String {
    format!("{} {}", d.amount, d.unit.word(d.amount))
}

fn type_expr(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Scalar(s, _) => s.keyword().to_string(),
        TypeExpr::List(s, _) => format!("list of {}", s.keyword()),
        TypeExpr::Ref(n, _) => format!("ref {}", n.name),
    }
}

fn string_list(list: &[StrLit]) -> String {
    list.iter()
        .map(|s| string(&s.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table option's line.
fn table_option(o: &TableOptionKind) -> String {
    let word = o.keyword();
    match o {
        TableOptionKind::Encoding(s)
        | TableOptionKind::Delimiter(s)
        | TableOptionKind::Quote(s)
        | TableOptionKind::Escape(s)
        | TableOptionKind::Sheet(s) => format!("{word} {}", string(&s.value)),
        TableOptionKind::Skip(n, _) => {
            format!("skip {n} {}", if *n == 1 { "line" } else { "lines" })
        }
        TableOptionKind::Footer(FooterRule::Auto) => "footer auto".to_string(),
        TableOptionKind::Footer(FooterRule::None) => "footer none".to_string(),
        TableOptionKind::Footer(FooterRule::AfterBlankLine) => {
            "footer after blank line".to_string()
        }
        TableOptionKind::Footer(FooterRule::Matching(p)) => {
            format!("footer matching {}", string_list(p))
        }
        TableOptionKind::Missing(list) => format!("missing {}", string_list(list)),
    }
}

fn member_lines(m: &Member) -> Vec<String> {
    let mut lines = Vec::new();
    match &m.kind {
        MemberKind::Column(c) => {
            let head = format!(
                "{}: {} from {}",
                m.name.name,
                type_expr(&c.ty),
                string(&c.header.value)
            );
            let mods: Vec<String> = c.modifiers.iter().map(modifier).collect();
            let flat = std::iter::once(head.clone())
                .chain(mods.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ");
            let one_of = c
                .modifiers
                .iter()
                .position(|md| matches!(&md.kind, ModifierKind::OneOf(v, _) if !v.is_empty()));
            match one_of {
                Some(at) if INDENT + flat.chars().count() > WIDTH => {
                    // One value per line; the modifiers after the list follow `]`.
                    let mut first = head;
                    for m in mods.iter().take(at) {
                        first.push(' ');
                        first.push_str(m);
                    }
                    first.push_str(" one of [");
                    lines.push(indented(INDENT, &first));
                    let mut last = String::from("]");
                    if let Some(ModifierKind::OneOf(values, open)) =
                        c.modifiers.get(at).map(|m| &m.kind)
                    {
                        if *open {
                            last.push_str(" or others");
                        }
                        let n = values.len();
                        for (i, v) in values.iter().enumerate() {
                            let comma = if i + 1 < n { "," } else { "" };
                            lines.push(indented(
                                2 * INDENT,
                                &format!("{}{comma}", string(&v.value)),
                            ));
                        }
                    }
                    for m in mods.iter().skip(at + 1) {
                        last.push(' ');
                        last.push_str(m);
                    }
                    lines.push(indented(INDENT, &last));
                }
                _ => lines.push(indented(INDENT, &flat)),
            }
        }
        MemberKind::Relation(r) => {
            let mut s = format!("{}: many {} by {}", m.name.name, r.target.name, r.by.name);
            if let Some(o) = &r.ordered_by {
                s.push_str(" ordered by ");
                s.push_str(&o.name);
            }
            match &r.filter {
                None => lines.push(indented(INDENT, &s)),
                Some(f) => {
                    s.push_str(" where ");
                    layout(f, Within::OR, indented(INDENT, &s), INDENT, &mut lines);
                }
            }
        }
    }
    lines
}

fn modifier(md: &Modifier) -> String {
    match &md.kind {
        ModifierKind::Key => "key".to_string(),
        ModifierKind::Required => "required".to_string(),
        ModifierKind::Unused => "unused".to_string(),
        ModifierKind::Default(e) => format!("default {}", print(e, Within::UNARY)),
        ModifierKind::Formats(f) => format!("formats {}", formats(f)),
        ModifierKind::OneOf(v, open) => format!(
            "one of [{}]{}",
            v.iter()
                .map(|x| string(&x.value))
                .collect::<Vec<_>>()
                .join(", "),
            if *open { " or others" } else { "" }
        ),
        ModifierKind::SeparatedBy(x) => format!("separated by {}", string(&x.value)),
    }
}

fn clause_lines(c: &Clause) -> Vec<String> {
    let mut lines = Vec::new();
    let lead = |s: &str| indented(INDENT, s);
    match &c.kind {
        ClauseKind::Severity(s) => lines.push(lead(match s {
            SeverityLit::Error => "severity error",
            SeverityLit::Warning => "severity warning",
        })),
        ClauseKind::For { table, filter } => match filter {
            None => lines.push(lead(&format!("for {}", table.name))),
            Some(f) => layout(
                f,
                Within::OR,
                lead(&format!("for {} where ", table.name)),
                INDENT,
                &mut lines,
            ),
        },
        ClauseKind::Source { document, section } => {
            let mut s = format!("source {}", string(&document.value));
            if let Some(sec) = section {
                s.push_str(" section ");
                s.push_str(&string(&sec.value));
            }
            lines.push(lead(&s));
        }
        ClauseKind::Let { name, value } => layout(
            value,
            Within::TOP,
            lead(&format!("let {} = ", name.name)),
            INDENT,
            &mut lines,
        ),
        ClauseKind::When(e) => layout(e, Within::TOP, lead("when "), INDENT, &mut lines),
        ClauseKind::Require(e) => layout(e, Within::TOP, lead("require "), INDENT, &mut lines),
        ClauseKind::Expect(e) => layout(e, Within::TOP, lead("expect "), INDENT, &mut lines),
        ClauseKind::From(e) => layout(e, Within::TOP, lead("from "), INDENT, &mut lines),
        ClauseKind::To(e) => layout(e, Within::TOP, lead("to "), INDENT, &mut lines),
        ClauseKind::Start(e) => layout(e, Within::TOP, lead("start at "), INDENT, &mut lines),
        ClauseKind::Stop(e) => layout(e, Within::TOP, lead("stop at "), INDENT, &mut lines),
        ClauseKind::Every(d) => lines.push(lead(&format!("every {}", duration(d)))),
        ClauseKind::Arm {
            label,
            condition,
            result,
        } => {
            let res = match result {
                ArmResult::Exempt(_) => "exempt".to_string(),
                ArmResult::Period(d) => duration(d),
            };
            match condition {
                None => lines.push(lead(&format!("arm {}: {res}", string(&label.value)))),
                Some(cnd) => {
                    let flat = format!(
                        "arm {} when {}: {res}",
                        string(&label.value),
                        print(cnd, Within::OR)
                    );
                    if INDENT + flat.chars().count() <= WIDTH {
                        lines.push(lead(&flat));
                    } else {
                        layout(
                            cnd,
                            Within::OR,
                            lead(&format!("arm {} when ", string(&label.value))),
                            INDENT,
                            &mut lines,
                        );
                        if let Some(last) = lines.last_mut() {
                            last.push_str(&format!(": {res}"));
                        }
                    }
                }
            }
        }
        ClauseKind::Mark {
            offset,
            label,
            expect,
            within,
        } => {
            let mut head = format!("at {}", duration(offset));
            if let Some(l) = label {
                head.push(' ');
                head.push_str(&string(&l.value));
            }
            head.push_str(" expect ");
            layout(expect, Within::TOP, lead(&head), INDENT, &mut lines);
            if let Some(w) = within
                && let Some(last) = lines.last_mut()
            {
                last.push_str(&format!(" within {}", duration(w)));
            }
        }
        ClauseKind::Message {
            template,
            condition,
        } => {
            let t = print_template(template);
            match condition {
                None => lines.push(lead(&format!("message {t}"))),
                Some(cnd) => layout(
                    cnd,
                    Within::TOP,
                    lead(&format!("message {t} if ")),
                    INDENT,
                    &mut lines,
                ),
            }
        }
    }
    lines
}

fn print_template(t: &Template) -> String {
    let mut s = String::from("\"");
    for p in &t.parts {
        match p {
            TemplatePart::Text(x) => {
                let esc = string(x);
                s.push_str(esc.get(1..esc.len() - 1).unwrap_or(""));
            }
            TemplatePart::Hole(e) => {
                s.push('{');
                s.push_str(&print(e, Within::TOP));
                s.push('}');
            }
        }
    }
    s.push('"');
    s
}

// ---------------------------------------------------------------------------
// Expressions

/// Where an expression is printed: the loosest precedence allowed there,
/// and whether more tokens follow it (so an expression that extends to the
/// right, like `any … where …`, must be parenthesised).
#[derive(Debug, Clone, Copy)]
struct Within {
    min: Prec,
    closed: bool,
}

impl Within {
    const TOP: Within = Within {
        min: Prec::Where,
        closed: false,
    };
    const OR: Within = Within {
        min: Prec::Or,
        closed: false,
    };
    const UNARY: Within = Within {
        min: Prec::Neg,
        closed: false,
    };
    fn closed(min: Prec) -> Within {
        Within { min, closed: true }
    }
    fn open(min: Prec) -> Within {
        Within { min, closed: false }
    }
}

fn prec(e: &Expr) -> Prec {
    Prec::of(&e.kind)
}

/// True when the printed form ends with something that would swallow what
/// follows (`where …`, `else …`).
fn right_open(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::If(..) | ExprKind::Where(..) => true,
        ExprKind::Quant { filter, .. } => filter.is_some(),
        ExprKind::Not(x) | ExprKind::Neg(x) => right_open(x),
        ExprKind::Binary(_, _, r) => right_open(r),
        ExprKind::In {
            list, ignore_case, ..
        } => !ignore_case && right_open(list),
        _ => false,
    }
}

/// Prints the rows of `rows where pred`.
fn where_rows(rows: &Expr) -> String {
    if !crate::syntax::parser::is_path_like(rows) {
        format!("({})", print(rows, Within::TOP))
    } else {
        print(rows, Within::closed(Prec::Or))
    }
}

fn needs_parens(e: &Expr, ctx: Within) -> bool {
    prec(e) < ctx.min || (ctx.closed && right_open(e))
}

fn print(e: &Expr, ctx: Within) -> String {
    stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || print_inner(e, ctx))
}

// Flat match over every expression kind, one arm each: the printer reads
// as the grammar of expressions.
fn print_inner(e: &Expr, ctx: Within) -> String {
    if needs_parens(e, ctx) {
        return format!("({})", print(e, Within::TOP));
    }
    match &e.kind {
        ExprKind::Str(s) => string(s),
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Date(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        ExprKind::DateTime(s) => s.clone(),
        ExprKind::Duration(d) => duration(d),
        ExprKind::Now => "now".to_string(),
        ExprKind::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| print(i, Within::TOP))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Field(base, f) => {
            let b = if matches!(
                base.kind,
                ExprKind::Quant { .. }
                    | ExprKind::Int(_)
                    | ExprKind::Duration(_)
                    | ExprKind::Date(_)
                    | ExprKind::DateTime(_)
            ) {
                format!("({})", print(base, Within::TOP))
            } else {
                print(base, Within::closed(Prec::Postfix))
            };
            format!("{b}.{}", f.name)
        }
        ExprKind::Call(f, args) => format!(
            "{}({})",
            f.name,
            args.iter()
                .map(|a| print(a, Within::TOP))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Paren(inner) => format!("({})", print(inner, Within::TOP)),
        ExprKind::Not(x) => format!(
            "not {}",
            print(
                x,
                Within {
                    min: Prec::Not,
                    closed: ctx.closed
                }
            )
        ),
        ExprKind::Neg(x) => format!(
            "-{}",
            print(
                x,
                Within {
                    min: Prec::Neg,
                    closed: ctx.closed
                }
            )
        ),
        ExprKind::Binary(op, l, r) => {
            let p = prec(e);
            let (lmin, rmin) = match op {
                BinOp::Or | BinOp::And | BinOp::Add | BinOp::Sub => (p, p.tighter()),
                _ => (Prec::Add, Prec::Add),
            };
            format!(
                "{} {} {}",
                print(l, Within::closed(lmin)),
                op.symbol(),
                print(
                    r,
                    Within {
                        min: rmin,
                        closed: ctx.closed
                    }
                )
            )
        }
        ExprKind::In {
            value,
            list,
            negated,
            ignore_case,
        } => {
            let mut s = format!(
                "{} {}in {}",
                print(value, Within::closed(Prec::Add)),
                if *negated { "not " } else { "" },
                print(
                    list,
                    Within {
                        min: Prec::Add,
                        closed: ctx.closed || *ignore_case
                    }
                )
            );
            if *ignore_case {
                s.push_str(" ignoring case");
            }
            s
        }
        ExprKind::Is { value, present } => format!(
            "{} is {}",
            print(value, Within::closed(Prec::Add)),
            if *present { "present" } else { "missing" }
        ),
        ExprKind::If(c, a, b) => format!(
            "if {} then {} else {}",
            print(c, Within::TOP),
            print(a, Within::TOP),
            print(b, Within::open(Prec::Where))
        ),
        ExprKind::Quant { q, rows, filter } => {
            let r = quant_rows(rows, filter.is_some());
            match filter {
                None => format!("{} {r}", q.keyword()),
                Some(f) => format!(
                    "{} {r} where {}",
                    q.keyword(),
                    print(f, Within::open(Prec::Or))
                ),
            }
        }
        ExprKind::Where(rows, pred) => format!(
            "{} where {}",
            where_rows(rows),
            print(pred, Within::open(Prec::Or))
        ),
    }
}

fn quant_rows(rows: &Expr, closed: bool) -> String {
    if !crate::syntax::parser::is_path_like(rows) {
        format!("({})", print(rows, Within::TOP))
    } else {
        print(
            rows,
            Within {
                min: Prec::Postfix,
                closed,
            },
        )
    }
}

/// Lays an expression out after `lead`, breaking long lines before `and`,
/// `or` and `where`. `indent` is the indentation of the line `lead` starts.
fn layout(e: &Expr, ctx: Within, lead: String, indent: usize, out: &mut Vec<String>) {
    let flat = print(e, ctx);
    if lead.chars().count() + flat.chars().count() <= WIDTH || needs_parens(e, ctx) {
        out.push(lead + &flat);
        return;
    }
    let cont = indent + INDENT;
    match &e.kind {
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), _, _) => {
            let mut operands = Vec::new();
            flatten(e, *op, &mut operands);
            let p = prec(e);
            let n = operands.len();
            for (i, x) in operands.into_iter().enumerate() {
                let last = i + 1 == n;
                let c = if i == 0 {
                    Within::closed(p)
                } else if last {
                    Within {
                        min: p.tighter(),
                        closed: ctx.closed,
                    }
                } else {
                    Within::closed(p.tighter())
                };
                if i == 0 {
                    layout(x, c, lead.clone(), indent, out);
                } else {
                    layout(
                        x,
                        c,
                        indented(cont, &format!("{} ", op.symbol())),
                        cont,
                        out,
                    );
                }
            }
        }
        ExprKind::Quant {
            q,
            rows,
            filter: Some(f),
        } => {
            out.push(format!("{lead}{} {}", q.keyword(), quant_rows(rows, true)));
            layout(
                f,
                Within::open(Prec::Or),
                indented(cont, "where "),
                cont,
                out,
            );
        }
        ExprKind::Where(rows, pred) => {
            out.push(format!("{lead}{}", where_rows(rows)));
            layout(
                pred,
                Within::open(Prec::Or),
                indented(cont, "where "),
                cont,
                out,
            );
        }
        _ => out.push(lead + &flat),
    }
}

/// The operands of a chain of the same left-associative operator.
fn flatten<'e>(e: &'e Expr, op: BinOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            flatten(l, op, out);
            out.push(r);
        }
        _ => out.push(e),
    }
}

// ---------------------------------------------------------------------------
// Comparing trees

/// Resets every span and removes parentheses, so two trees compare equal
/// exactly when they mean the same.
pub fn erase_file(f: &mut File) {
    f.file = FileId(0);
    for c in &mut f.comments {
        c.span = Span::DUMMY;
    }
    for i in &mut f.items {
        erase_item(i);
    }
}

fn erase_ident(i: &mut Ident) {
    i.span = Span::DUMMY;
}

fn erase_str(s: &mut StrLit) {
    s.span = Span::DUMMY;
}

fn erase_formats(f: &mut [FormatSpec]) {
    for s in f {
        match s {
            FormatSpec::Pattern(p) => erase_str(p),
            FormatSpec::Iso8601(sp) => *sp = Span::DUMMY,
        }
    }
}

fn erase_duration(d: &mut DurationLit) {
    d.span = Span::DUMMY;
}

fn erase_item(i: &mut Item) {
    match i {
        Item::Policy(h) => {
            h.span = Span::DUMMY;
            erase_str(&mut h.name);
            for c in &mut h.clauses {
                c.span = Span::DUMMY;
                match &mut c.kind {
                    HeaderClauseKind::Version(s)
                    | HeaderClauseKind::Timezone(s)
                    | HeaderClauseKind::Waivers(s) => erase_str(s),
                    HeaderClauseKind::Fields(list) => list.iter_mut().for_each(|f| {
                        erase_expr(&mut f.path);
                        if let Some(a) = &mut f.alias {
                            erase_ident(a);
                        }
                    }),
                    HeaderClauseKind::Order(ids) => ids.iter_mut().for_each(erase_ident),
                    HeaderClauseKind::DateFormats(f) | HeaderClauseKind::DateTimeFormats(f) => {
                        erase_formats(f)
                    }
                }
            }
        }
        Item::Table(t) => {
            t.span = Span::DUMMY;
            erase_ident(&mut t.name);
            erase_str(&mut t.file);
            for o in &mut t.options {
                o.span = Span::DUMMY;
                match &mut o.kind {
                    TableOptionKind::Encoding(s)
                    | TableOptionKind::Delimiter(s)
                    | TableOptionKind::Quote(s)
                    | TableOptionKind::Escape(s)
                    | TableOptionKind::Sheet(s) => erase_str(s),
                    TableOptionKind::Skip(_, sp) => *sp = Span::DUMMY,
                    TableOptionKind::Footer(FooterRule::Matching(l))
                    | TableOptionKind::Missing(l) => l.iter_mut().for_each(erase_str),
                    TableOptionKind::Footer(_) => {}
                }
            }
            for m in &mut t.members {
                m.span = Span::DUMMY;
                erase_ident(&mut m.name);
                match &mut m.kind {
                    MemberKind::Column(c) => {
                        match &mut c.ty {
                            TypeExpr::Scalar(_, s) | TypeExpr::List(_, s) => *s = Span::DUMMY,
                            TypeExpr::Ref(n, s) => {
                                erase_ident(n);
                                *s = Span::DUMMY;
                            }
                        }
                        erase_str(&mut c.header);
                        for md in &mut c.modifiers {
                            md.span = Span::DUMMY;
                            match &mut md.kind {
                                ModifierKind::Key
                                | ModifierKind::Required
                                | ModifierKind::Unused => {}
                                ModifierKind::Default(e) => erase_expr(e),
                                ModifierKind::Formats(f) => erase_formats(f),
                                ModifierKind::OneOf(v, _) => v.iter_mut().for_each(erase_str),
                                ModifierKind::SeparatedBy(s) => erase_str(s),
                            }
                        }
                    }
                    MemberKind::Relation(r) => {
                        erase_ident(&mut r.target);
                        erase_ident(&mut r.by);
                        if let Some(o) = &mut r.ordered_by {
                            erase_ident(o);
                        }
                        if let Some(f) = &mut r.filter {
                            erase_expr(f);
                        }
                    }
                }
            }
        }
        Item::Define(d) => {
            d.span = Span::DUMMY;
            erase_ident(&mut d.table);
            erase_ident(&mut d.name);
            erase_expr(&mut d.body);
        }
        Item::Rule(r) => {
            r.span = Span::DUMMY;
            r.kind_span = Span::DUMMY;
            erase_ident(&mut r.id);
            erase_str(&mut r.title);
            for c in &mut r.clauses {
                c.span = Span::DUMMY;
                erase_clause(&mut c.kind);
            }
        }
    }
}

fn erase_clause(c: &mut ClauseKind) {
    match c {
        ClauseKind::Severity(_) => {}
        ClauseKind::For { table, filter } => {
            erase_ident(table);
            if let Some(f) = filter {
                erase_expr(f);
            }
        }
        ClauseKind::Source { document, section } => {
            erase_str(document);
            if let Some(s) = section {
                erase_str(s);
            }
        }
        ClauseKind::Let { name, value } => {
            erase_ident(name);
            erase_expr(value);
        }
        ClauseKind::When(e)
        | ClauseKind::Require(e)
        | ClauseKind::Expect(e)
        | ClauseKind::From(e)
        | ClauseKind::To(e)
        | ClauseKind::Start(e)
        | ClauseKind::Stop(e) => erase_expr(e),
        ClauseKind::Every(d) => erase_duration(d),
        ClauseKind::Arm {
            label,
            condition,
            result,
        } => {
            erase_str(label);
            if let Some(c) = condition {
                erase_expr(c);
            }
            match result {
                ArmResult::Exempt(s) => *s = Span::DUMMY,
                ArmResult::Period(d) => erase_duration(d),
            }
        }
        ClauseKind::Mark {
            offset,
            label,
            expect,
            within,
        } => {
            erase_duration(offset);
            if let Some(l) = label {
                erase_str(l);
            }
            erase_expr(expect);
            if let Some(w) = within {
                erase_duration(w);
            }
        }
        ClauseKind::Message {
            template,
            condition,
        } => {
            template.span = Span::DUMMY;
            for p in &mut template.parts {
                if let TemplatePart::Hole(e) = p {
                    erase_expr(e);
                }
            }
            merge_text_parts(&mut template.parts);
            if let Some(c) = condition {
                erase_expr(c);
            }
        }
    }
}

fn merge_text_parts(parts: &mut Vec<TemplatePart>) {
    let mut out: Vec<TemplatePart> = Vec::with_capacity(parts.len());
    for p in parts.drain(..) {
        match (out.last_mut(), p) {
            (Some(TemplatePart::Text(a)), TemplatePart::Text(b)) => a.push_str(&b),
            (_, TemplatePart::Text(b)) if b.is_empty() => {}
            (_, p) => out.push(p),
        }
    }
    *parts = out;
}

/// Erases spans and parentheses of an expression.
pub(crate) fn erase_expr(e: &mut Expr) {
    while let ExprKind::Paren(inner) = &mut e.kind {
        let inner = std::mem::replace(
            inner.as_mut(),
            Expr {
                kind: ExprKind::Now,
                span: Span::DUMMY,
            },
        );
        *e = inner;
    }
    e.span = Span::DUMMY;
    match &mut e.kind {
        ExprKind::Str(_)
        | ExprKind::Int(_)
        | ExprKind::Bool(_)
        | ExprKind::Date(_)
        | ExprKind::DateTime(_)
        | ExprKind::Now => {}
        ExprKind::Duration(d) => erase_duration(d),
        ExprKind::List(items) => items.iter_mut().for_each(erase_expr),
        ExprKind::Name(n) => erase_ident(n),
        ExprKind::Field(b, f) => {
            erase_expr(b);
            erase_ident(f);
        }
        ExprKind::Call(f, args) => {
            erase_ident(f);
            args.iter_mut().for_each(erase_expr);
        }
        ExprKind::Paren(inner) => erase_expr(inner),
        ExprKind::Not(x) | ExprKind::Neg(x) => erase_expr(x),
        ExprKind::Binary(_, l, r) | ExprKind::Where(l, r) => {
            erase_expr(l);
            erase_expr(r);
        }
        ExprKind::In { value, list, .. } => {
            erase_expr(value);
            erase_expr(list);
        }
        ExprKind::Is { value, .. } => erase_expr(value),
        ExprKind::If(a, b, c) => {
            erase_expr(a);
            erase_expr(b);
            erase_expr(c);
        }
        ExprKind::Quant { rows, filter, .. } => {
            erase_expr(rows);
            if let Some(f) = filter {
                erase_expr(f);
            }
        }
    }
}

#[cfg(test)]
mod tests;
