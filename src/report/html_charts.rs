//! The HTML report's charts, as inline SVG made here: horizontal bars with
//! their numbers written beside them (no meaning by colour alone).

use maud::{Markup, html};

use super::{Context, Summary};

/// Pixels per bar row, and the width given to the bars.
const ROW: u64 = 20;
const BARS: f64 = 560.0;
const LABELS: u64 = 230;

/// One bar: a label and its parts (count, CSS class, word).
struct Bar {
    label: String,
    parts: Vec<(u64, &'static str, &'static str)>,
}

/// The charts the summary supports: findings per rule, per group, and
/// against the baseline.
pub(crate) fn charts(_ctx: &Context, s: &Summary) -> Markup {
    let per_rule: Vec<Bar> = s
        .rules
        .iter()
        .map(|r| Bar {
            label: r.rule.clone(),
            parts: vec![
                (r.stats.violated, "violated", "violated"),
                (r.stats.due, "due", "due"),
                (r.stats.waived, "waived", "waived"),
            ],
        })
        .collect();
    let groups: Option<Vec<Bar>> = s.groups.as_deref().map(group_bars);
    let baseline: Option<Vec<Bar>> = s.baseline.as_ref().map(|_| {
        s.rules
            .iter()
            .map(|r| {
                let b = r.baseline.clone().unwrap_or_default();
                Bar {
                    label: r.rule.clone(),
                    parts: vec![
                        (b.new, "violated", "new"),
                        (b.persisting, "due", "persisting"),
                        (b.resolved, "waived", "resolved"),
                    ],
                }
            })
            .collect()
    });
    let months: Option<(&str, Vec<Bar>)> = s
        .months
        .as_ref()
        .map(|(field, gs)| (field.as_str(), group_bars(gs)));
    html! {
        section {
            h2 { "Findings per rule" }
            (chart("Findings per rule: violated, due and waived", &per_rule))
            @if let Some((field, bars)) = &months {
                h2 { "Findings per month of " (field) }
                (chart(&format!("Findings per month of {field}"), bars))
            }
            @if let (Some(field), Some(g)) = (&s.group_by, &groups) {
                h2 { "Findings per " (field) }
                (chart(&format!("Findings per {field}"), g))
            }
            @if let Some(b) = &baseline {
                h2 { "Against the baseline" }
                (chart("New, persisting and resolved findings per rule", b))
            }
        }
    }
}

/// A bar per group (a field's value, a month).
fn group_bars(gs: &[super::groups::Group]) -> Vec<Bar> {
    gs.iter()
        .map(|g| Bar {
            label: g.value.clone().unwrap_or_else(|| "(none)".to_string()),
            parts: vec![
                (g.violated, "violated", "violated"),
                (g.due, "due", "due"),
                (g.waived, "waived", "waived"),
            ],
        })
        .collect()
}

/// A horizontal bar chart.
fn chart(title: &str, bars: &[Bar]) -> Markup {
    let max = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.0).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * bars.len() as u64 + 10;
    let width = LABELS + BARS as u64 + 200;
    html! {
        svg.chart role="img" aria-label=(title) width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = i as u64 * ROW + 5;
                text x=(LABELS - 6) y=(y + 14) text-anchor="end" { (b.label) }
                @let (segments, end) = segments(b, max);
                @for (x, w, class) in segments {
                    rect class=(format!("bar {class}")) x=(format!("{x:.1}")) y=(y + 2) width=(format!("{w:.1}")) height=(ROW - 6) fill=(fill(class)) {}
                }
                text x=(format!("{:.1}", end + 6.0)) y=(y + 14) {
                    (words(&b.parts))
                }
            }
        }
    }
}

/// A bar's parts as (x, width, class), and where the bar ends.
fn segments(b: &Bar, max: u64) -> (Vec<(f64, f64, &'static str)>, f64) {
    let mut x = LABELS as f64;
    let mut out = Vec::new();
    for &(n, class, _) in &b.parts {
        let w = BARS * n as f64 / max as f64;
        if n > 0 {
            out.push((x, w, class));
        }
        x += w;
    }
    (out, x)
}

fn fill(class: &str) -> &'static str {
    match class {
        "violated" => "#a40e26",
        "due" => "#0a4f9e",
        _ => "#6639ba",
    }
}

/// "12 violated, 1 due" (the parts that are not zero).
fn words(parts: &[(u64, &str, &str)]) -> String {
    let said: Vec<String> = parts
        .iter()
        .filter(|p| p.0 > 0)
        .map(|(n, _, w)| format!("{n} {w}"))
        .collect();
    if said.is_empty() {
        "none".to_string()
    } else {
        said.join(", ")
    }
}
