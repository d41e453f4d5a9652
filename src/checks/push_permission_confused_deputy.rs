//! PG203: a permission for an AWS service that does not say on behalf of which resource.

use super::context::Context;
use super::push::{self, PermissionSpec, PrincipalKind};
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::iam::condition::arn_segment;
use crate::model::{LambdaPermission, Part};

crate::declare_check! {
    /// a permission for an AWS service has no `SourceArn` or `SourceAccount` (confused deputy)
    ///
    /// ## What it checks
    /// A permission whose principal is an AWS service (`s3.amazonaws.com`,
    /// `events.amazonaws.com`, ...) and that has neither `SourceArn` nor `SourceAccount` (nor
    /// `PrincipalOrgID`, nor the `EventSourceToken` of an Alexa skill); or whose `SourceArn`
    /// carries no account — an S3 bucket ARN `arn:aws:s3:::name` — without `SourceAccount`.
    ///
    /// ## Why it matters
    /// The service principal is the same for every customer. Without a condition, a resource
    /// in *another* account — a bucket, a topic, a rule someone else owns — can make the
    /// service invoke your function: the service is a confused deputy. AWS recommends
    /// `SourceArn`, and for S3 also `SourceAccount`: a bucket ARN has no account, and a
    /// deleted bucket's name can be taken by another account (CloudFormation reference
    /// `AWS::Lambda::Permission`; cfn-lint W3663).
    ///
    /// ## How to fix
    /// Add the `SourceArn` of the resource that invokes the function (the bucket, topic,
    /// rule, API, log group) and, for S3, `SourceAccount`.
    ///
    /// ## Example
    /// ```yaml
    /// S3MayInvoke:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:InvokeFunction
    ///     FunctionName: !GetAtt Handler.Arn
    ///     Principal: s3.amazonaws.com
    ///     # fix: SourceArn: arn:aws:s3:::acme-uploads
    ///     #      SourceAccount: !Ref AWS::AccountId
    /// ```
    pub static PUSH_PERMISSION_CONFUSED_DEPUTY = {
        id: "PG203",
        slug: "push-permission-confused-deputy",
        severity: Warning,
        sources: ["L-SVC", "CFNLINT", "SAMT"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let (stack, format) = (cx.stack, cx.format);
    for p in &stack.permissions {
        let PrincipalKind::Service(service) = push::principal_kind(&p.principal.value) else {
            continue;
        };
        let Some(problem) = problem(p, &service) else {
            continue;
        };
        let triggers = push::triggers_for(stack, p);
        let mut related: Vec<Related> = triggers
            .iter()
            .map(|t| Related {
                resource: t.origin.id.clone(),
                span: t.origin.span,
                role: RelatedRole::Trigger,
                note: Some(format!(
                    "`{service}` invokes the function for this resource"
                )),
                location: None,
            })
            .collect();
        if let Some(f) = push::permission_function(stack, p) {
            related.insert(
                0,
                Related {
                    resource: f.origin.id.clone(),
                    span: f.origin.span,
                    role: RelatedRole::Function,
                    note: None,
                    location: None,
                },
            );
        }
        let mut spec = PermissionSpec::from_permission(format, p);
        // The one trigger of the input that goes through this statement names the source.
        if spec.source_arn.is_none() {
            if let [t] = triggers.as_slice() {
                spec.source_arn = t.source_arn.as_ref().map(|a| push::value_json(format, a));
            }
        }
        if spec.source_account.is_none() {
            spec.source_account = Some(push::value_json(format, &stack.env.account()));
        }
        findings.push(Finding {
            check: PUSH_PERMISSION_CONFUSED_DEPUTY.id,
            severity: Severity::Warning,
            certainty: Certainty::Certain,
            message: match problem {
                Problem::NoCondition => format!(
                    "`{}` lets `{service}` invoke `{}` on behalf of any resource in any account",
                    p.origin.id,
                    push::permission_label(stack, p)
                ),
                Problem::NoAccount => format!(
                    "`{}` has a `SourceArn` without account and no `SourceAccount`",
                    p.origin.id
                ),
            },
            resource: p.origin.id.clone(),
            span: p.origin.span,
            related,
            missing: vec![Missing {
                action: p.action.value.to_string(),
                resource: push::permission_text(stack, format, p),
            }],
            fix: Some(Fix {
                help: match problem {
                    Problem::NoCondition => format!(
                        "restrict the statement to the resource that invokes the function \
                         (`SourceArn`) and its account (`SourceAccount`; the deploying account is \
                         shown, change it if `{service}` acts for another account)"
                    ),
                    Problem::NoAccount => {
                        "add `SourceAccount`: the account that owns the source (the deploying \
                         account is shown)"
                            .into()
                    }
                },
                statement: push::permission_resource(stack, format, &spec),
                source: None,
            }),
            location: None,
        });
    }
}

#[derive(Clone, Copy)]
enum Problem {
    /// No `SourceArn`, `SourceAccount` or `PrincipalOrgID`.
    NoCondition,
    /// A `SourceArn` whose account segment is empty (S3) or only wildcards, and no
    /// `SourceAccount` (CFNLINT W3663).
    NoAccount,
}

fn problem(p: &LambdaPermission, service: &str) -> Option<Problem> {
    if p.source_account.is_some() || p.principal_org_id.is_some() {
        return None;
    }
    // An Alexa skill is identified by its token (SAMT `AlexaSkill`, spec §4.1).
    if service.starts_with("alexa-") && p.event_source_token.is_some() {
        return None;
    }
    let Some(arn) = &p.source_arn else {
        return Some(Problem::NoCondition);
    };
    if arn.value.as_literal().is_some_and(|a| a.trim() == "*") {
        return Some(Problem::NoCondition);
    }
    // Every source of `s3.amazonaws.com` is a bucket, whose ARN has no account.
    if service.strip_suffix(".cn").unwrap_or(service) == "s3.amazonaws.com" {
        return Some(Problem::NoAccount);
    }
    let account = arn_segment(&arn.value, 4)?;
    let accountless = account.parts.iter().all(|part| match part {
        Part::Lit(s) => s.chars().all(|c| c == '*' || c == '?'),
        Part::Sym(_) => false,
    });
    accountless.then_some(Problem::NoAccount)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::PUSH_PERMISSION_CONFUSED_DEPUTY);
    }
}
