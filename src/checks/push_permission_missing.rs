//! PG201: a push trigger whose service no function-policy statement lets invoke the function.

use super::context::Context;
use super::push::{self, Cover, PermissionSpec};
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::model::{FunctionLink, InputFormat, PushKind, PushTrigger, Stack};

crate::declare_check! {
    /// a push trigger invokes a function whose policy does not let that service invoke it
    ///
    /// ## What it checks
    /// Every resource that makes an AWS service invoke a function — an S3 bucket notification,
    /// an SNS subscription with protocol `lambda`, an EventBridge rule target, a CloudWatch
    /// Logs subscription filter, an API Gateway integration without `Credentials`, an IoT
    /// rule, a Cognito trigger, an ALB target group, an SES receipt rule, an AWS Config custom
    /// rule — needs a statement in the function's resource-based policy
    /// (`AWS::Lambda::Permission`, `AWS::Lambda::ResourcePolicy`, `aws_lambda_permission`)
    /// that lets the service principal (`s3.amazonaws.com`, `sns.amazonaws.com`, ...) call
    /// `lambda:InvokeFunction`:
    ///
    /// - on the ARN the trigger invokes: a statement on the function does not cover an alias
    ///   or version, and a statement on an alias covers neither the function nor the version
    ///   behind the alias;
    /// - with a `SourceArn` that matches the trigger's source (a statement for another bucket,
    ///   topic, rule or API does not count) and a `SourceAccount` that is the source's account.
    ///
    /// Permissions SAM generates for its push events are read like any other. When the input
    /// does not decide (a `SourceArn` uses a parameter, a plan's account is not known),
    /// permgate says it cannot verify, as a warning; for a function defined elsewhere, as a
    /// note.
    ///
    /// ## Why it matters
    /// Push services call the function with their own principal, not with the execution role,
    /// so only the function policy can let them in. Without the statement, S3 refuses the
    /// notification when CloudFormation creates the bucket ("Unable to validate the following
    /// destination configurations"), and every other service's calls are refused each time it
    /// tries to invoke.
    ///
    /// ## How to fix
    /// Add the permission resource shown in the finding, for the same function and qualifier
    /// the trigger names. With S3 in CloudFormation, make the bucket `DependsOn` the permission,
    /// so that it exists when S3 validates the notification.
    ///
    /// ## Example
    /// ```yaml
    /// Uploads:
    ///   Type: AWS::S3::Bucket
    ///   DependsOn: UploadsInvokePermission
    ///   Properties:
    ///     NotificationConfiguration:
    ///       LambdaConfigurations:
    ///         - Event: s3:ObjectCreated:*
    ///           Function: !GetAtt Handler.Arn
    /// UploadsInvokePermission:          # without it, the notification fails
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:InvokeFunction
    ///     FunctionName: !GetAtt Handler.Arn
    ///     Principal: s3.amazonaws.com
    ///     SourceArn: arn:aws:s3:::acme-uploads
    ///     SourceAccount: !Ref AWS::AccountId
    /// ```
    pub static PUSH_PERMISSION_MISSING = {
        id: "PG201",
        slug: "push-permission-missing",
        severity: Error,
        sources: ["L-SVC", "CFNLINT", "SAMT", "TFSCHEMA"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for t in &stack.push_triggers {
        // An API Gateway integration with `Credentials` invokes with that role (spec §4.2).
        if t.uses_role {
            continue;
        }
        check_trigger(stack, cx.format, t, findings);
    }
}

fn check_trigger(stack: &Stack, format: InputFormat, t: &PushTrigger, findings: &mut Vec<Finding>) {
    let mut unknown: Option<String> = None;
    let mut near_misses = Vec::new();
    for p in &stack.permissions {
        match push::covers(stack, t, p) {
            Cover::Yes => return,
            Cover::Unknown(reason) => {
                if unknown.is_none() {
                    unknown = Some(reason);
                }
            }
            Cover::No(push::Mismatch::Function | push::Mismatch::Principal) => {}
            Cover::No(m) => near_misses.push(Related {
                resource: p.origin.id.clone(),
                span: p.origin.span,
                role: RelatedRole::Permission,
                note: Some(push::mismatch_note(m, t, p, stack)),
                location: None,
            }),
        }
    }
    let principal = t.kind.principal();
    let target = push::link_label(stack, &t.function);
    let missing = vec![Missing {
        action: push::INVOKE.into(),
        resource: push::link_text(stack, format, &t.function),
    }];
    let mut related = Vec::new();
    if let Some(f) = push::local_function(stack, &t.function) {
        related.push(Related {
            resource: f.origin.id.clone(),
            span: f.origin.span,
            role: RelatedRole::Function,
            note: Some(format!(
                "`{principal}` needs a statement in the policy of this function"
            )),
            location: None,
        });
    }
    related.extend(near_misses);
    let external = matches!(t.function, FunctionLink::External(_));
    let certainty = match (unknown, external) {
        (Some(reason), _) => Certainty::CannotVerify { reason },
        (None, true) => Certainty::CannotVerify {
            reason: format!(
                "function `{target}` is not defined in this input; its policy may be defined with it"
            ),
        },
        (None, false) => Certainty::Certain,
    };
    // Undecided answers are one step lower (error → warning), like every check's; a function
    // defined elsewhere is a note, like a mapping's role defined elsewhere (PG190).
    let severity_unknown = if external {
        Severity::Note
    } else {
        Severity::Warning
    };
    let (severity, message, fix) = match certainty {
        Certainty::Certain => (
            Severity::Error,
            format!(
                "no permission lets `{principal}` invoke `{target}` for `{}`",
                t.origin.id
            ),
            Some(fix(stack, format, t)),
        ),
        Certainty::CannotVerify { .. } => (
            severity_unknown,
            format!(
                "cannot verify that `{principal}` may invoke `{target}` for `{}`",
                t.origin.id
            ),
            None,
        ),
    };
    findings.push(Finding {
        check: PUSH_PERMISSION_MISSING.id,
        severity,
        certainty,
        message,
        resource: t.origin.id.clone(),
        span: t.function_span.or(t.origin.span),
        related,
        missing,
        fix,
        location: None,
    });
}

fn fix(stack: &Stack, format: InputFormat, t: &PushTrigger) -> Fix {
    let cfn = matches!(format, InputFormat::Cloudformation | InputFormat::Sam);
    let source_arn = t.source_arn.as_ref().map(|arn| {
        let mut arn = arn.clone();
        // A bucket's `!GetAtt Bucket.Arn` in the permission makes a dependency cycle with the
        // bucket's notification; the ARN written from the bucket's name does not.
        if t.kind == PushKind::S3 && cfn && has_given_name(stack, t) {
            arn.refers = None;
        }
        push::value_json(format, &arn)
    });
    // Bucket ARNs carry no account: `SourceAccount` ties the statement to the owner (spec §4.1,
    // CFNLINT W3663). Without a source ARN, the account is the only restriction left.
    let source_account = (t.kind == PushKind::S3 || source_arn.is_none())
        .then(|| push::value_json(format, &push::source_account(stack, t)));
    let fn_label = push::link_label(stack, &t.function);
    let spec = PermissionSpec {
        name: format!(
            "{} {} permission",
            push::short_name(&fn_label),
            push::short_name(&t.origin.id)
        ),
        function: push::FunctionRef::Link(&t.function),
        action: push::INVOKE,
        principal: push::principal_json(t.kind.principal()),
        source_arn,
        source_account,
        principal_org_id: None,
    };
    // S3 validates the destination when the notification is saved, so the permission must
    // exist first (AWS Knowledge Center, "unable-validate-circular-dependency-cloudformation").
    let mut help = format!(
        "add this permission so that `{}` may invoke `{fn_label}`",
        t.kind.principal()
    );
    if t.kind == PushKind::S3 && cfn {
        help.push_str("; make the bucket `DependsOn` it");
    }
    Fix {
        help,
        statement: push::permission_resource(stack, format, &spec),
        source: None,
    }
}

/// Whether the trigger's bucket is named in the input (not a generated name).
fn has_given_name(stack: &Stack, t: &PushTrigger) -> bool {
    let Some(bucket) = stack.buckets.iter().find(|b| {
        t.source_arn
            .as_ref()
            .and_then(|a| a.refers.as_ref())
            .is_some_and(|r| r.resource == b.origin.id)
            || t.origin.id == b.origin.id
    }) else {
        return false;
    };
    !bucket
        .name
        .symbols()
        .any(|s| matches!(s, crate::model::Symbol::PhysicalName { .. }))
}

#[cfg(test)]
mod tests {
    use crate::diag::{Certainty, Severity};
    use crate::readers::{self, ReadOutcome};
    use crate::source::SourceFile;

    /// The PG201 findings of a template with a function, its alias `live`, a version, a rule
    /// that targets `target` and a permission for `permitted`.
    fn pg201(target: &str, permitted: &str) -> Vec<(Severity, bool)> {
        let text = format!(
            r#"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}]}}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {{Runtime: python3.12, Handler: a.h, Code: {{ZipFile: x}}, Role: !GetAtt Role.Arn}}
  Version:
    Type: AWS::Lambda::Version
    Properties: {{FunctionName: !Ref Fn}}
  Live:
    Type: AWS::Lambda::Alias
    Properties: {{FunctionName: !Ref Fn, FunctionVersion: !GetAtt Version.Version, Name: live}}
  Beta:
    Type: AWS::Lambda::Alias
    Properties: {{FunctionName: !Ref Fn, FunctionVersion: !GetAtt Version.Version, Name: beta}}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets: [{{Id: fn, Arn: {target}}}]
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: {permitted}
      Principal: events.amazonaws.com
      SourceArn: !GetAtt Rule.Arn
"#
        );
        let file = SourceFile::new("qualifiers.yaml", text);
        let Ok(Some(ReadOutcome::Stack { format, stack })) = readers::read(&file, true) else {
            panic!("the template does not read");
        };
        crate::checks::run_all(&stack, format)
            .into_iter()
            .filter(|f| f.check == super::PUSH_PERMISSION_MISSING.id)
            .map(|f| (f.severity, f.certainty == Certainty::Certain))
            .collect()
    }

    #[test]
    fn a_statement_covers_only_the_arn_it_was_added_for() {
        let covered = Vec::<(Severity, bool)>::new();
        let missing = vec![(Severity::Error, true)];
        // Function for function, alias for alias, version for version.
        assert_eq!(pg201("!GetAtt Fn.Arn", "!Ref Fn"), covered);
        assert_eq!(pg201("!Ref Live", "!Ref Live"), covered);
        assert_eq!(pg201("!Ref Live", "!Sub '${Fn.Arn}:live'"), covered);
        assert_eq!(pg201("!Ref Version", "!Ref Version"), covered);
        // The function's statement covers no alias or version, and the alias's statement
        // covers neither the function nor the version behind it, nor another alias.
        assert_eq!(pg201("!Ref Live", "!GetAtt Fn.Arn"), missing);
        assert_eq!(pg201("!GetAtt Fn.Arn", "!Ref Live"), missing);
        assert_eq!(pg201("!Ref Version", "!Ref Live"), missing);
        assert_eq!(pg201("!Ref Live", "!Ref Beta"), missing);
    }

    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::PUSH_PERMISSION_MISSING);
    }
}
