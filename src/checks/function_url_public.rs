//! PG205: a function URL that anyone on the internet can call.

use serde_json::json;

use super::context::Context;
use super::push::{self, PrincipalKind};
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::iam::wildcard::{Case, equals};
use crate::model::{FunctionLink, FunctionUrl, InputFormat, Stack};

crate::declare_check! {
    /// a function URL has `AuthType: NONE`: anyone on the internet can call the function
    ///
    /// ## What it checks
    /// Every function URL (`AWS::Lambda::Url`, SAM `FunctionUrlConfig`,
    /// `aws_lambda_function_url`) whose auth type is `NONE`, with the statements that open it
    /// to everyone (principal `*` with `FunctionUrlAuthType: NONE`, and, since October 2025,
    /// `lambda:InvokeFunction` with `InvokedViaFunctionUrl`). URLs with `AWS_IAM` are not
    /// reported. An auth type the input does not determine is a note.
    ///
    /// ## Why it matters
    /// With `NONE`, Lambda does no authentication: any client that knows the URL can call the
    /// function, as often as it likes, and you pay for every call. That is right for a public
    /// webhook or website that authenticates callers itself, and wrong for everything else.
    ///
    /// ## How to fix
    /// Use `AuthType: AWS_IAM` and grant the callers `lambda:InvokeFunctionUrl` and
    /// `lambda:InvokeFunction` (in their identity policies, or in the function policy for
    /// another account). If the URL must be public, check the caller in the function and
    /// suppress this finding for the URL, with the reason: on the URL resource (or the SAM
    /// function whose `FunctionUrlConfig` makes it),
    /// `Metadata: {permgate: {ignore: [{id: PG205, reason: "…"}]}}`; for a Terraform plan, an
    /// `[[ignore]]` entry with `check = "PG205"` and the URL's address as `resource` in
    /// `.permgate.toml`.
    ///
    /// ## Example
    /// ```yaml
    /// HandlerUrl:
    ///   Type: AWS::Lambda::Url
    ///   Properties:
    ///     TargetFunctionArn: !GetAtt Handler.Arn
    ///     AuthType: NONE              # fix: AWS_IAM
    /// ```
    pub static FUNCTION_URL_PUBLIC = {
        id: "PG205",
        slug: "function-url-public",
        severity: Warning,
        sources: ["CFNLINT", "SAMT", "TFSCHEMA"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let (stack, format) = (cx.stack, cx.format);
    for url in &stack.function_urls {
        let auth = url.auth_type.value.as_literal().map(str::trim);
        let certainty = match auth {
            Some(a) if a.eq_ignore_ascii_case("NONE") => Certainty::Certain,
            Some(_) => continue,
            None => Certainty::CannotVerify {
                reason: format!(
                    "the auth type `{}` is only known at deploy time",
                    url.auth_type.value
                ),
            },
        };
        let target = push::link_label(stack, &url.function);
        let mut related = Vec::new();
        if let Some(f) = push::local_function(stack, &url.function) {
            related.push(Related {
                resource: f.origin.id.clone(),
                span: f.origin.span,
                role: RelatedRole::Function,
                note: None,
                location: None,
            });
        }
        related.extend(
            public_statements(stack, url)
                .into_iter()
                .map(|(id, span)| Related {
                    resource: id,
                    span,
                    role: RelatedRole::Permission,
                    note: Some("opens the URL to everyone".into()),
                    location: None,
                }),
        );
        let certain = certainty == Certainty::Certain;
        findings.push(Finding {
            check: FUNCTION_URL_PUBLIC.id,
            severity: if certain {
                Severity::Warning
            } else {
                Severity::Note
            },
            certainty,
            message: if certain {
                format!(
                    "function URL `{}` lets anyone on the internet call `{target}`",
                    url.origin.id
                )
            } else {
                format!(
                    "cannot verify whether function URL `{}` of `{target}` is public",
                    url.origin.id
                )
            },
            resource: url.origin.id.clone(),
            span: url.auth_type.span.or(url.origin.span),
            related,
            missing: vec![Missing {
                action: "lambda:InvokeFunctionUrl".into(),
                resource: push::link_text(stack, format, &url.function),
            }],
            fix: certain.then(|| Fix {
                help:
                    "require IAM authentication, and grant the callers `lambda:InvokeFunctionUrl` \
                       and `lambda:InvokeFunction`"
                        .into(),
                statement: auth_fix(format),
                source: None,
            }),
            location: None,
        });
    }
}

fn auth_fix(format: InputFormat) -> serde_json::Value {
    match format {
        InputFormat::Cloudformation | InputFormat::Sam => json!({ "AuthType": "AWS_IAM" }),
        InputFormat::TerraformPlan | InputFormat::TerraformState => {
            json!({ "authorization_type": "AWS_IAM" })
        }
    }
}

/// The statements with principal `*` that apply to the URL's function and qualifier through
/// a function URL: `lambda:InvokeFunctionUrl` with `FunctionUrlAuthType`, and, for URLs created
/// since October 2025, `lambda:InvokeFunction` with `InvokedViaFunctionUrl` (Lambda DG "Control
/// access to Lambda function URLs", <https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html>).
fn public_statements(
    stack: &Stack,
    url: &FunctionUrl,
) -> Vec<(String, Option<crate::source::Span>)> {
    let FunctionLink::Local {
        function,
        qualifier,
    } = &url.function
    else {
        return Vec::new();
    };
    stack
        .permissions
        .iter()
        .filter(|p| push::principal_kind(&p.principal.value) == PrincipalKind::Everyone)
        .filter(|p| {
            p.function_url_auth_type.is_some()
                || p.invoked_via_function_url
                    .as_ref()
                    .is_some_and(|v| v.value.as_literal() == Some("true"))
        })
        .filter(|p| match &p.function {
            Some(FunctionLink::Local {
                function: pf,
                qualifier: pq,
            }) => {
                let pq = p.qualifier.as_ref().or(pq.as_ref());
                pf == function
                    && match (qualifier, pq) {
                        (None, None) => true,
                        (Some(a), Some(b)) => !equals(a, b, Case::Sensitive).is_no(),
                        _ => false,
                    }
            }
            _ => false,
        })
        .map(|p| (p.origin.id.clone(), p.origin.span))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_URL_PUBLIC);
    }
}
