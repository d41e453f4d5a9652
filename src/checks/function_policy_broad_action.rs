//! PG204: a function-policy statement that grants more than invoking.

use super::context::Context;
use super::push::{self, PermissionSpec, PrincipalKind};
use crate::aws::actions;
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::iam::wildcard::{Case, glob_match};
use crate::model::LambdaPermission;

crate::declare_check! {
    /// a function policy grants `lambda:*` (or another wildcard, or a non-invoke action to a service)
    ///
    /// ## What it checks
    /// A permission whose `Action` is a wildcard that covers more than the invoke actions
    /// (`lambda:*`, `*`, `lambda:Get*`): a warning. A permission that grants an AWS service
    /// principal an action other than `lambda:InvokeFunction` (`lambda:GetFunction`,
    /// `lambda:UpdateFunctionCode`): a note — push services only ever call
    /// `lambda:InvokeFunction`.
    ///
    /// ## Why it matters
    /// A function policy can grant more than invoking: `lambda:*` lets the principal read the
    /// function's code location and configuration and change its permissions, aliases and
    /// versions, as far as resource policies allow. Push services, and most callers, need only
    /// `lambda:InvokeFunction`.
    ///
    /// ## How to fix
    /// Grant `lambda:InvokeFunction` (and `lambda:InvokeFunctionUrl` for a function URL).
    ///
    /// ## Example
    /// ```yaml
    /// EventsMayInvoke:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:*            # fix: lambda:InvokeFunction
    ///     FunctionName: !GetAtt Handler.Arn
    ///     Principal: events.amazonaws.com
    ///     SourceArn: !GetAtt Nightly.Arn
    /// ```
    pub static FUNCTION_POLICY_BROAD_ACTION = {
        id: "PG204",
        slug: "function-policy-broad-action",
        severity: Warning,
        sources: ["L-SVC", "PS"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for p in &cx.stack.permissions {
        let Some(action) = p.action.value.as_literal().map(str::trim) else {
            continue;
        };
        if action.is_empty() {
            continue;
        }
        let severity = if broad_wildcard(action) {
            Severity::Warning
        } else if !action.contains(['*', '?'])
            && !push::is_invoke_action(action)
            && matches!(
                push::principal_kind(&p.principal.value),
                PrincipalKind::Service(_)
            )
        {
            Severity::Note
        } else {
            continue;
        };
        findings.push(finding(cx, p, action, severity));
    }
}

fn finding(cx: &Context<'_>, p: &LambdaPermission, action: &str, severity: Severity) -> Finding {
    let (stack, format) = (cx.stack, cx.format);
    let mut related = Vec::new();
    if let Some(f) = push::permission_function(stack, p) {
        related.push(Related {
            resource: f.origin.id.clone(),
            span: f.origin.span,
            role: RelatedRole::Function,
            note: None,
            location: None,
        });
    }
    let mut spec = PermissionSpec::from_permission(format, p);
    spec.action = push::INVOKE;
    let principal = &p.principal.value;
    Finding {
        check: FUNCTION_POLICY_BROAD_ACTION.id,
        severity,
        certainty: Certainty::Certain,
        message: if severity == Severity::Warning {
            format!(
                "`{}` grants `{action}` to `{principal}` where `{}` would do",
                p.origin.id,
                push::INVOKE
            )
        } else {
            format!(
                "`{}` grants `{action}` to service `{principal}`, which only invokes functions",
                p.origin.id
            )
        },
        resource: p.origin.id.clone(),
        span: p.action.span.or(p.origin.span),
        related,
        missing: vec![Missing {
            action: push::INVOKE.into(),
            resource: push::permission_text(stack, format, p),
        }],
        fix: Some(Fix {
            help: format!("grant `{}` only", push::INVOKE),
            statement: push::permission_resource(stack, format, &spec),
            source: None,
        }),
        location: None,
    }
}

/// Whether an action pattern covers a Lambda action other than invoking (PS: the Lambda
/// actions of the Service Authorization Reference).
fn broad_wildcard(action: &str) -> bool {
    if !action.contains(['*', '?']) {
        return false;
    }
    let (service, name) = action.split_once(':').unwrap_or((action, "*"));
    if !glob_match(service, "lambda", Case::Insensitive) {
        return false;
    }
    actions::expand(&format!("lambda:{name}"))
        .iter()
        .any(|a| !push::is_invoke_action(a))
}

#[cfg(test)]
mod tests {
    use super::broad_wildcard;

    #[test]
    fn wildcards_that_reach_beyond_invoking() {
        assert!(broad_wildcard("lambda:*"));
        assert!(broad_wildcard("*"));
        assert!(broad_wildcard("lambda:Get*"));
        assert!(!broad_wildcard("lambda:Invoke*"));
        assert!(!broad_wildcard("lambda:InvokeFunction"));
        assert!(!broad_wildcard("s3:*"));
    }

    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_POLICY_BROAD_ACTION);
    }
}
