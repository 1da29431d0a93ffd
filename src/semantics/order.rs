//! `order acknowledge-first, authorized-contact, …` in the policy header:
//! the order of the process the rules come from. `docket case` lists a
//! case's checklist in it, so a customer-success manager reads what is done
//! and what comes next from top to bottom.

use super::*;
use crate::diagnostic::{Code, did_you_mean};

impl Checker<'_> {
    /// Every rule's index in checklist order: the listed ids first, then the
    /// rules the list leaves out, in file order. An unknown or repeated id
    /// is a warning (a rule removed from the policy leaves its place in the
    /// order behind; `lint --deny-warnings` catches it) and is skipped.
    pub(super) fn check_order(&mut self, ids: &[&ast::Ident], rules: &[Rule]) -> Vec<usize> {
        let mut order: Vec<usize> = Vec::with_capacity(rules.len());
        for id in ids {
            match rules.iter().position(|r| r.id == id.name) {
                Some(i) if order.contains(&i) => self.error(
                    Diagnostic::warning(
                        Code::PolicyBadOrder,
                        format!("`order` lists rule `{}` twice", id.name),
                    )
                    .with_label(id.span, "listed again")
                    .with_help("a rule has one place in the process; keep one"),
                ),
                Some(i) => order.push(i),
                None => {
                    let mut d = Diagnostic::warning(
                        Code::PolicyBadOrder,
                        format!(
                            "`order` names rule `{}`, which the policy does not have",
                            id.name
                        ),
                    )
                    .with_label(id.span, "no such rule; skipped");
                    if let Some(help) = did_you_mean(&id.name, rules.iter().map(|r| r.id.as_str()))
                    {
                        d = d.with_help(help);
                    }
                    self.error(d);
                }
            }
        }
        let listed = order.clone();
        order.extend((0..rules.len()).filter(|i| !listed.contains(i)));
        order
    }
}
