//! PG207: a permission whose principal is not a principal AWS knows.

use super::context::Context;
use super::push::{self, PermissionSpec, PrincipalKind};
use crate::aws::actions::{self, ActionLookup};
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::model::{LambdaPermission, PushKind};

crate::declare_check! {
    /// a permission's principal is not a service principal, an account or an IAM ARN (a typo)
    ///
    /// ## What it checks
    /// The `Principal` of every permission must be `*`, a 12-digit account id, an IAM ARN, or
    /// a service principal — a domain under `amazonaws.com` (`amazonaws.com.cn` in China, the
    /// `amazon.com` of Alexa). Reported: a service principal under another domain
    /// (`s3.amazonaws.co`, `sns.amazon.com`), an account id that is not 12 digits, a bare word
    /// (`s3`), and a service name one typo away from a principal that invokes functions
    /// (`event.amazonaws.com` for `events.amazonaws.com`, `cognito.amazonaws.com` for
    /// `cognito-idp.amazonaws.com`). Names of real services are never reported.
    ///
    /// ## Why it matters
    /// Lambda accepts the statement, but no service sends that principal: the trigger it was
    /// meant for is refused at run time, while the template looks right.
    ///
    /// ## How to fix
    /// Use the service principal of the source: `s3.amazonaws.com`, `sns.amazonaws.com`,
    /// `events.amazonaws.com`, `logs.amazonaws.com`, `apigateway.amazonaws.com`,
    /// `iot.amazonaws.com`, `cognito-idp.amazonaws.com`,
    /// `elasticloadbalancing.amazonaws.com`, `ses.amazonaws.com`, `config.amazonaws.com`,
    /// `alexa-appkit.amazon.com`.
    ///
    /// ## Example
    /// ```yaml
    /// S3MayInvoke:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:InvokeFunction
    ///     FunctionName: !GetAtt Handler.Arn
    ///     Principal: s3.amazonaws.co      # fix: s3.amazonaws.com
    ///     SourceAccount: !Ref AWS::AccountId
    /// ```
    pub static PERMISSION_PRINCIPAL_UNKNOWN = {
        id: "PG207",
        slug: "permission-principal-unknown",
        severity: Warning,
        sources: ["L-SVC", "CFNLINT", "PS"],
    }
}

/// The principals push sources invoke with (spec §4.1).
const PUSH_KINDS: &[PushKind] = &[
    PushKind::S3,
    PushKind::Sns,
    PushKind::EventBridge,
    PushKind::CloudwatchLogs,
    PushKind::ApiGateway,
    PushKind::Iot,
    PushKind::Cognito,
    PushKind::Alb,
    PushKind::Ses,
    PushKind::Alexa,
    PushKind::Config,
];

/// Domains of service principals: the `aws` and China partitions, the ISO partitions, and
/// `amazon.com` (Alexa).
const SERVICE_DOMAINS: &[&str] = &[
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
    ".amazon.com",
];

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let (stack, format) = (cx.stack, cx.format);
    for p in &stack.permissions {
        let Some((problem, suggestion)) = problem(p) else {
            continue;
        };
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
        let fix = suggestion.map(|principal| {
            let mut spec = PermissionSpec::from_permission(format, p);
            spec.principal = push::principal_json(principal);
            Fix {
                help: format!("use the service principal `{principal}`"),
                statement: push::permission_resource(stack, format, &spec),
                source: None,
            }
        });
        let message = match suggestion {
            Some(s) => format!(
                "`{}` grants unknown principal `{}` ({problem}); did you mean `{s}`?",
                p.origin.id, p.principal.value
            ),
            None => format!(
                "`{}` grants unknown principal `{}` ({problem})",
                p.origin.id, p.principal.value
            ),
        };
        findings.push(Finding {
            check: PERMISSION_PRINCIPAL_UNKNOWN.id,
            severity: Severity::Warning,
            certainty: Certainty::Certain,
            message,
            resource: p.origin.id.clone(),
            span: p.principal.span.or(p.origin.span),
            related,
            missing: vec![Missing {
                action: p.action.value.to_string(),
                resource: push::permission_text(stack, format, p),
            }],
            fix,
            location: None,
        });
    }
}

/// What is wrong with the principal, and the principal probably meant.
fn problem(p: &LambdaPermission) -> Option<(&'static str, Option<&'static str>)> {
    match push::principal_kind(&p.principal.value) {
        PrincipalKind::Everyone | PrincipalKind::Account | PrincipalKind::Arn => None,
        PrincipalKind::Symbolic => None,
        PrincipalKind::Other(text) => {
            if text.is_empty() {
                return None;
            }
            if text.bytes().all(|b| b.is_ascii_digit()) {
                return Some(("account ids have 12 digits", None));
            }
            Some(("not a domain, an account id or an ARN", closest_push(&text)))
        }
        PrincipalKind::Service(text) => service_problem(&text),
    }
}

fn service_problem(text: &str) -> Option<(&'static str, Option<&'static str>)> {
    if PUSH_KINDS.iter().any(|k| k.principal() == text) {
        return None;
    }
    let Some(domain) = SERVICE_DOMAINS.iter().find(|d| text.ends_with(**d)) else {
        let service = text.split('.').next().unwrap_or(text);
        return Some((
            "service principals end in `.amazonaws.com`",
            closest_push(service),
        ));
    };
    let host = text.strip_suffix(domain).unwrap_or(text);
    let service = host.split('.').next().unwrap_or(host);
    let labels_ok = host.split('.').all(|label| {
        label == "*"
            || (!label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    });
    if !labels_ok {
        return Some((
            "service principals are lowercase letters, digits and `-`",
            closest_push(&host.to_ascii_lowercase()),
        ));
    }
    if *domain == ".amazon.com" {
        // Only Alexa uses `amazon.com`; `sns.amazon.com` means `sns.amazonaws.com`.
        return (!service.starts_with("alexa-"))
            .then(|| closest_push(service).map(|s| ("not an `amazon.com` service", Some(s))))
            .flatten();
    }
    // A service of the Service Authorization Reference is a real service (PS).
    if matches!(
        actions::lookup(&format!("{service}:*")),
        ActionLookup::Known
    ) {
        return None;
    }
    closest_push(service).map(|s| ("no such service", Some(s)))
}

/// The push principal whose service name is one typo away from `service` (or extends it with
/// `-…`, as `cognito-idp` extends `cognito`).
fn closest_push(service: &str) -> Option<&'static str> {
    let service = service.trim().to_ascii_lowercase();
    if service.is_empty() {
        return None;
    }
    PUSH_KINDS.iter().map(|k| k.principal()).find(|principal| {
        let name = principal.split('.').next().unwrap_or(principal);
        name == service
            || name
                .strip_prefix(service.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
            || (service.len() >= 3 && within_one_edit(name, &service))
    })
}

/// Whether two words differ by at most one insertion, deletion, substitution or swap of
/// neighbours.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (la, lb) = (a.len(), b.len());
    if la == lb {
        if prefix == la {
            return true;
        }
        // One substitution, or two neighbours swapped.
        let rest_a = a.get(prefix..).unwrap_or(&[]);
        let rest_b = b.get(prefix..).unwrap_or(&[]);
        return prefix + suffix + 1 >= la
            || (rest_a.len() >= 2
                && rest_a.get(2..) == rest_b.get(2..)
                && rest_a.first() == rest_b.get(1)
                && rest_a.get(1) == rest_b.first());
    }
    la.abs_diff(lb) == 1 && prefix + suffix >= la.min(lb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services() {
        assert_eq!(service_problem("s3.amazonaws.com"), None);
        assert_eq!(service_problem("sqs.amazonaws.com"), None);
        assert_eq!(service_problem("logs.eu-west-1.amazonaws.com"), None);
        assert_eq!(service_problem("logs.*.amazonaws.com"), None);
        assert_eq!(service_problem("alexa-connectedhome.amazon.com"), None);
        assert_eq!(service_problem("s3.amazonaws.com.cn"), None);
        assert_eq!(
            service_problem("s3.amazonaws.co"),
            Some((
                "service principals end in `.amazonaws.com`",
                Some("s3.amazonaws.com")
            ))
        );
        assert_eq!(
            service_problem("event.amazonaws.com"),
            Some(("no such service", Some("events.amazonaws.com")))
        );
        assert_eq!(
            service_problem("cognito.amazonaws.com"),
            Some(("no such service", Some("cognito-idp.amazonaws.com")))
        );
        assert_eq!(
            service_problem("sns.amazon.com"),
            Some(("not an `amazon.com` service", Some("sns.amazonaws.com")))
        );
        // Unknown to the reference, far from every push service: not reported.
        assert_eq!(service_problem("edgelambda.amazonaws.com"), None);
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("events", "event"));
        assert!(within_one_edit("events", "evnets"));
        assert!(within_one_edit("sns", "sms"));
        assert!(!within_one_edit("sns", "sqs3"));
        assert!(!within_one_edit("logs", "lgo"));
    }

    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::PERMISSION_PRINCIPAL_UNKNOWN);
    }
}
