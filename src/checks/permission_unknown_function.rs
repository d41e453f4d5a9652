//! PG206: a permission whose `FunctionName` looks meant for a function of the input but names
//! none.

use super::context::Context;
use super::push::{self, FunctionRef, PermissionSpec};
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::model::{FunctionId, FunctionLink, LambdaPermission, Part, Stack, SymStr};

crate::declare_check! {
    /// a permission's `FunctionName` names no function, but looks meant for one of the input
    ///
    /// ## What it checks
    /// A permission whose `FunctionName` (`function_name`) resolves to no function, alias or
    /// version of the input, when it is clearly meant to: it references a resource of the
    /// input that is not a function (a role, a queue, a bucket, ...), or it is a name within
    /// a typo of a function of the input (`order-handler` for `orders-handler`, `Handler` for
    /// `handler`; Lambda names are case-sensitive). A name or ARN of a function defined
    /// elsewhere is not reported.
    ///
    /// ## Why it matters
    /// The statement is added to another function's policy (or the deploy fails because no
    /// function has that name), and the function the trigger targets gets no permission.
    ///
    /// ## How to fix
    /// Reference the function itself (`!GetAtt Handler.Arn`, `!Ref HandlerAlias`,
    /// `aws_lambda_function.handler.function_name`) instead of writing its name.
    ///
    /// ## Example
    /// ```yaml
    /// Handler:
    ///   Type: AWS::Lambda::Function
    ///   Properties:
    ///     FunctionName: orders-handler
    ///     # ...
    /// TopicMayInvoke:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:InvokeFunction
    ///     FunctionName: order-handler     # fix: !GetAtt Handler.Arn
    ///     Principal: sns.amazonaws.com
    ///     SourceArn: !Ref Topic
    /// ```
    pub static PERMISSION_UNKNOWN_FUNCTION = {
        id: "PG206",
        slug: "permission-unknown-function",
        severity: Warning,
        sources: ["CFNLINT", "TFSCHEMA"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let (stack, format) = (cx.stack, cx.format);
    for p in &stack.permissions {
        if matches!(p.function, Some(FunctionLink::Local { .. })) {
            continue;
        }
        let written = &p.function_name.value;
        let (message, suggestion) = if let Some((what, id)) = other_resource(stack, written) {
            (
                format!("`{}` names {what} `{id}` as its function", p.origin.id),
                None,
            )
        } else if let Some(function) = near_miss(stack, p) {
            let f = stack.function(function);
            let name = f.map(|f| f.name.to_string()).unwrap_or_default();
            (
                format!(
                    "`{}` names function `{}`, which is not in the input; did you mean `{name}`?",
                    p.origin.id,
                    push::split_function_name(written).0
                ),
                Some(function),
            )
        } else {
            continue;
        };
        let mut related = Vec::new();
        let mut fix = None;
        if let Some(id) = suggestion {
            if let Some(f) = stack.function(id) {
                related.push(Related {
                    resource: f.origin.id.clone(),
                    span: f.origin.span,
                    role: RelatedRole::Function,
                    note: Some(format!("function `{}`", f.name)),
                    location: None,
                });
            }
            let (_, qualifier) = push::split_function_name(written);
            let link = FunctionLink::Local {
                function: id,
                qualifier: p.qualifier.clone().or(qualifier),
            };
            let mut spec = PermissionSpec::from_permission(format, p);
            spec.function = FunctionRef::Link(&link);
            fix = Some(Fix {
                help: "reference the function instead of writing its name".into(),
                statement: push::permission_resource(stack, format, &spec),
                source: None,
            });
        }
        findings.push(Finding {
            check: PERMISSION_UNKNOWN_FUNCTION.id,
            severity: Severity::Warning,
            certainty: Certainty::Certain,
            message,
            resource: p.origin.id.clone(),
            span: p.function_name.span.or(p.origin.span),
            related,
            missing: vec![Missing {
                action: p.action.value.to_string(),
                resource: push::plain(format, written),
            }],
            fix,
            location: None,
        });
    }
}

/// The kind and id of a resource of the input that is not a function, when the value is one
/// of its attributes.
fn other_resource<'s>(stack: &'s Stack, value: &SymStr) -> Option<(&'static str, &'s str)> {
    let target = value.refers.as_ref()?.resource.as_str();
    let mut origins = (stack.roles.iter().map(|r| ("role", &r.origin)))
        .chain(stack.queues.iter().map(|r| ("queue", &r.origin)))
        .chain(stack.topics.iter().map(|r| ("topic", &r.origin)))
        .chain(stack.buckets.iter().map(|r| ("bucket", &r.origin)))
        .chain(stack.tables.iter().map(|r| ("table", &r.origin)))
        .chain(stack.streams.iter().map(|r| ("stream", &r.origin)))
        .chain(stack.secrets.iter().map(|r| ("secret", &r.origin)))
        .chain(stack.kms_keys.iter().map(|r| ("key", &r.origin)))
        .chain(
            stack
                .event_source_mappings
                .iter()
                .map(|r| ("event source mapping", &r.origin)),
        );
    origins
        .find(|(_, origin)| origin.id == target)
        .map(|(kind, origin)| (kind, origin.id.as_str()))
}

/// The function of the input whose name the permission's name is a likely typo of: equal but
/// for case, or within a small edit distance that is not only a change of digits
/// (`handler-2` next to `handler-1` is another function, not a typo).
fn near_miss(stack: &Stack, p: &LambdaPermission) -> Option<FunctionId> {
    let (name, _) = push::split_function_name(&p.function_name.value);
    let written = name.to_string();
    if written.chars().count() < 4 {
        return None;
    }
    let symbols: Vec<_> = name.symbols().collect();
    let mut best: Option<(usize, FunctionId)> = None;
    for (i, f) in stack.functions.iter().enumerate() {
        // Compare like with like: the same symbols in the same order, different text.
        if f.name.symbols().collect::<Vec<_>>() != symbols
            || f.name.parts.iter().all(|part| matches!(part, Part::Sym(_)))
        {
            continue;
        }
        let candidate = f.name.to_string();
        if candidate == written {
            continue;
        }
        let distance = if candidate.eq_ignore_ascii_case(&written) {
            0
        } else {
            edit_distance(&candidate, &written)
        };
        let limit = if written.chars().count() <= 8 { 1 } else { 2 };
        if distance > limit || only_digits_differ(&candidate, &written) {
            continue;
        }
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, FunctionId(i)));
        }
    }
    best.map(|(_, id)| id)
}

fn only_digits_differ(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    strip(a) == strip(b)
}

/// Levenshtein distance over characters (names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let deletion = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insertion = current.get(j).copied().unwrap_or(0) + 1;
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = substitution.min(deletion).min(insertion);
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("orders-handler", "order-handler"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
        assert!(only_digits_differ("handler-1", "handler-2"));
        assert!(!only_digits_differ("handler-1", "handlr-1"));
    }

    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::PERMISSION_UNKNOWN_FUNCTION);
    }
}
