use super::*;
use crate::source::SourceMap;

pub(crate) fn check_str(files: &[&str]) -> Loaded {
    let mut sources = SourceMap::new();
    for (i, f) in files.iter().enumerate() {
        sources.add(format!("p{i}.docket"), (*f).to_string());
    }
    check_sources(sources)
}

#[test]
fn the_bundled_policy_checks() {
    let loaded = load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies"
    )));
    let rendered =
        crate::diagnostic::render(&loaded.diagnostics, &loaded.sources, Default::default());
    assert!(loaded.diagnostics.is_empty(), "{rendered}");
    let p = loaded.policy.expect("policy");
    assert_eq!(p.rules.len(), 18);
}

fn codes(l: &Loaded) -> Vec<&'static str> {
    l.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

const TABLES: &str = r#"
policy "p"
  timezone "America/New_York"
table account from "a.csv"
  id: text from "Account ID" key
  flag: bool from "Flag"
  emails: list of email from "Emails"
  opportunities: many opportunity by account
table opportunity from "o.csv"
  id: text from "Opportunity ID" key
  account: ref account from "Account ID"
  stage: text from "Stage"
table case from "c.csv"
  number: text from "Case Number" key
  account: ref account from "Account ID"
  opportunity: ref opportunity from "Opportunity ID"
  email: email from "Email"
  opened: datetime from "Opened"
  due: date from "Due"
  events: many event by case ordered by at where event.at <= now
table event from "e.csv"
  case: ref case from "Case Number" required
  at: datetime from "At" required
  name: text from "Event" one of ["Tagged", "Answered"]
"#;

fn with_rules(rules: &str) -> Loaded {
    check_str(&[TABLES, rules])
}

#[test]
fn needs_follow_lets_and_navigation_but_not_presence_tests() {
    let l = with_rules(
        r#"
rule a "t"
  severity error
  source "d"
  for case
  let opp = case.opportunity
  when case.opportunity is present and opp.stage = "Closed Won"
  require case.account.flag
rule b "t"
  severity error
  source "d"
  for case
  require case.opportunity is present
rule c "t"
  severity error
  source "d"
  for case
  require any case.opportunity.account.opportunities where opportunity.stage = "X"
"#,
    );
    assert!(l.diagnostics.is_empty(), "{:?}", codes(&l));
    let p = l.policy.unwrap();
    let needs = |id: &str| {
        p.rule(id)
            .unwrap()
            .needs
            .iter()
            .map(|n| n.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(needs("a"), vec!["case.account", "case.opportunity"]);
    assert!(needs("b").is_empty());
    assert_eq!(
        needs("c"),
        vec!["case.opportunity", "case.opportunity.account"]
    );
}

#[test]
fn kind_variables_only_in_messages() {
    let l = with_rules(
        r#"
notice n "t"
  severity error
  source "d"
  for case
  from case.due
  to case.due
  arm "a": 10 days
  message "{required} {earliest} {arm} {shortfall}"
rule r "t"
  severity error
  source "d"
  for case
  require arm = "x"
"#,
    );
    assert_eq!(codes(&l), vec!["docket::names::unknown-name"]);
}

#[test]
fn stops_can_use_start_and_rows_give_their_time() {
    let l = with_rules(
        r#"
escalation e "t"
  severity error
  source "d"
  for case
  start at first case.events where event.name = "Tagged"
  stop at first case.events where event.name = "Answered" and event.at >= start
  every 48 hours
  at 24 hours expect case.events where event.name = "Tagged"
  at 48 hours expect case.events where event.name = "Tagged"
"#,
    );
    assert!(l.diagnostics.is_empty(), "{:?}", codes(&l));
    let p = l.policy.unwrap();
    let RuleBody::Escalation(ladder) = &p.rules[0].body else {
        panic!()
    };
    assert_eq!(ladder.start.ty, Type::DateTime);
    assert_eq!(ladder.marks.len(), 2);
    assert_eq!(ladder.period, Some(48 * crate::time::HOUR));
}

#[test]
fn files_split_or_reordered_check_the_same() {
    let rules = "rule r \"t\"\n  severity error\n  source \"d\"\n  for case\n  require case.email in case.account.emails\n";
    let one = check_str(&[&format!("{TABLES}\n{rules}")]);
    let split = check_str(&[rules, TABLES]);
    assert!(one.diagnostics.is_empty() && split.diagnostics.is_empty());
    assert_eq!(
        one.policy.unwrap().rules.len(),
        split.policy.unwrap().rules.len()
    );
}

#[test]
fn used_columns_of_the_bundled_policy() {
    let loaded = load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies"
    )));
    let p = loaded.policy.expect("policy");
    let used = p.used_columns();
    let unused: Vec<String> = p
        .tables
        .iter()
        .zip(&used)
        .flat_map(|(t, u)| {
            t.columns
                .iter()
                .zip(u)
                .filter(|(_, u)| !**u)
                .map(move |(c, _)| format!("{}.{}", t.name, c.name))
        })
        .collect();
    assert_eq!(unused, vec!["opportunity.type", "event.actor"]);
}
