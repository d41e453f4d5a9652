//! PG202: a function-policy statement that lets anyone invoke the function.

use super::context::Context;
use super::push::{self, PermissionSpec, PrincipalKind};
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::model::LambdaPermission;

crate::declare_check! {
    /// a function policy lets anyone in any AWS account call the function
    ///
    /// ## What it checks
    /// A permission (`AWS::Lambda::Permission`, a statement of `AWS::Lambda::ResourcePolicy`,
    /// `aws_lambda_permission`) whose principal is `*` and that has none of `SourceArn`,
    /// `SourceAccount`, `PrincipalOrgID` or `EventSourceToken`. The statements that make a
    /// function URL public (`FunctionUrlAuthType: NONE`, `InvokedViaFunctionUrl: true`) are
    /// left to PG205.
    ///
    /// ## Why it matters
    /// Such a statement lets any principal of any account call the function with the Lambda
    /// API (`lambda:InvokeFunction`) — anyone who learns the function's ARN can run it, with
    /// its role's permissions, and make you pay for it. IAM Access Analyzer reports these
    /// functions as public. An AWS service that needs to call the function has its own
    /// principal (`sns.amazonaws.com`), and another account can be named by its id, so a
    /// correct policy never needs an unconditioned `*`: this is an error.
    ///
    /// ## How to fix
    /// Name who may call the function: an account id or role ARN as `Principal`, an
    /// organization with `PrincipalOrgID`, or the service principal with the `SourceArn` of
    /// the resource that invokes it.
    ///
    /// ## Example
    /// ```yaml
    /// AnyoneMayInvoke:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:InvokeFunction
    ///     FunctionName: !GetAtt Handler.Arn
    ///     Principal: "*"              # fix: Principal: !Ref AWS::AccountId, or PrincipalOrgID
    /// ```
    pub static FUNCTION_POLICY_PUBLIC = {
        id: "PG202",
        slug: "function-policy-public",
        severity: Error,
        sources: ["L-SVC", "CFNLINT"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let (stack, format) = (cx.stack, cx.format);
    for p in &stack.permissions {
        if push::principal_kind(&p.principal.value) != PrincipalKind::Everyone || restricted(p) {
            continue;
        }
        let mut related = Vec::new();
        if let Some(f) = push::permission_function(stack, p) {
            related.push(Related {
                resource: f.origin.id.clone(),
                span: f.origin.span,
                role: RelatedRole::Function,
                note: Some("anyone may call this function".into()),
                location: None,
            });
        }
        let mut spec = PermissionSpec::from_permission(format, p);
        spec.principal = push::value_json(format, &stack.env.account());
        findings.push(Finding {
            check: FUNCTION_POLICY_PUBLIC.id,
            severity: Severity::Error,
            certainty: Certainty::Certain,
            message: format!(
                "`{}` lets anyone in any AWS account call `{}` on `{}`",
                p.origin.id,
                p.action.value,
                push::permission_label(stack, p)
            ),
            resource: p.origin.id.clone(),
            span: p.principal.span.or(p.origin.span),
            related,
            missing: vec![Missing {
                action: p.action.value.to_string(),
                resource: push::permission_text(stack, format, p),
            }],
            fix: Some(Fix {
                help: "name the account that may call the function as principal (or add \
                       `PrincipalOrgID`, or the `SourceArn` of the invoking resource)"
                    .into(),
                statement: push::permission_resource(stack, format, &spec),
                source: None,
            }),
            location: None,
        });
    }
}

/// Whether a condition narrows the statement, or it is one of a function URL's statements.
fn restricted(p: &LambdaPermission) -> bool {
    p.source_arn.is_some()
        || p.source_account.is_some()
        || p.principal_org_id.is_some()
        || p.event_source_token.is_some()
        || p.function_url_auth_type.is_some()
        || p.invoked_via_function_url.as_ref().is_some_and(|v| {
            !v.value
                .as_literal()
                .is_some_and(|t| t.eq_ignore_ascii_case("false"))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_POLICY_PUBLIC);
    }
}
