//! `Condition` blocks, evaluated for a request an AWS service makes with a role it assumed
//! (the Lambda poller with the execution role, MSK Connect with its service execution role).
//!
//! Input: the [`ConditionEntry`]s of a statement and what is known of the request (the
//! resource). Output: [`Tri`]. Entries are combined with AND, the values of one entry with OR
//! (IAM-COND).
//!
//! Only keys whose value for such a request the IAM documentation states are decided; every
//! other key is unknown, so a conditional Allow never passes silently:
//! * `aws:ViaAWSService` is `false`: the service signs with the role's own session, not with
//!   forward access sessions (IAM-GCK, IAM-FAS);
//! * `aws:PrincipalIsAWSService` is `false`: the principal is the assumed role, not a service
//!   principal (IAM-GCK);
//! * `aws:CalledVia`, `aws:CalledViaFirst`, `aws:CalledViaLast` are absent: they exist only in
//!   forward access sessions (IAM-GCK);
//! * `aws:RequestedRegion` is the region segment of the resource's ARN: an event source mapping
//!   reads a source in its own region (IAM-GCK; L-SQS, L-KIN: the source must be in the
//!   function's region) [derived]; unknown when the resource is `*` or has no region;
//! * `aws:PrincipalArn` is the role's ARN (not the session's) and `aws:PrincipalAccount` and
//!   `kms:CallerAccount` its account, when the caller gives them (IAM-GCK, KMS-COND);
//! * `kms:ViaService` is the service that calls KMS on the role's behalf (Secrets Manager
//!   decrypting a secret, SQS a queue's messages), when the caller says which; such a request
//!   is a forward access session, so `aws:ViaAWSService` is then `true` (KMS-COND, IAM-FAS).

use super::policy::ConditionEntry;
use super::wildcard::{Case, Tri, equals, matches};
use crate::model::{Part, SymStr, Symbol};

/// What is known of the request besides the action.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext<'a> {
    pub resource: &'a SymStr,
    /// The role's ARN and account, for `aws:PrincipalArn` / `aws:PrincipalAccount`.
    pub principal: Option<(&'a SymStr, &'a SymStr)>,
    /// The service principal that calls KMS for the role (`kms:ViaService`), when known.
    pub via_service: Option<&'a SymStr>,
}

impl<'a> RequestContext<'a> {
    /// A request on `resource` that says nothing of its principal.
    pub fn on(resource: &'a SymStr) -> RequestContext<'a> {
        RequestContext {
            resource,
            principal: None,
            via_service: None,
        }
    }
}

/// The value of a condition key in the request.
enum KeyValue {
    Absent,
    Value(SymStr),
    /// Not known; the reason when it is more specific than "not known before the request".
    Unknown(Option<String>),
}

/// Evaluates every entry of a `Condition` block (AND).
pub fn evaluate_all(entries: &[ConditionEntry], ctx: &RequestContext<'_>) -> Tri {
    let mut result = Tri::Yes;
    for entry in entries {
        result = result.and(evaluate(entry, ctx));
        if result.is_no() {
            break;
        }
    }
    result
}

/// Evaluates one `operator: { key: values }` entry.
pub fn evaluate(entry: &ConditionEntry, ctx: &RequestContext<'_>) -> Tri {
    let mut op = entry.operator.as_str();
    let mut set_op = None;
    for prefix in ["ForAnyValue:", "ForAllValues:"] {
        if let Some(rest) = op.strip_prefix(prefix) {
            set_op = Some(prefix);
            op = rest;
        }
    }
    let if_exists = op.ends_with("IfExists");
    let base = op.strip_suffix("IfExists").unwrap_or(op);
    let unknown = || {
        Tri::Unknown(format!(
            "condition `{}` on `{}` cannot be evaluated before the request is made",
            entry.operator, entry.key
        ))
    };
    if entry.operator == "Unknown" {
        return Tri::Unknown(entry.key.clone());
    }
    let negated = matches!(
        base,
        "StringNotEquals"
            | "StringNotEqualsIgnoreCase"
            | "StringNotLike"
            | "ArnNotEquals"
            | "ArnNotLike"
            | "NumericNotEquals"
            | "DateNotEquals"
            | "NotIpAddress"
    );
    match key_value(&entry.key, ctx) {
        KeyValue::Unknown(None) => unknown(),
        KeyValue::Unknown(Some(reason)) => Tri::Unknown(format!(
            "condition `{}` on `{}`: {reason}",
            entry.operator, entry.key
        )),
        KeyValue::Absent => {
            // IAM-COND: a missing key makes `Null: true` and `…IfExists` true, negated
            // operators true, `ForAllValues` true, everything else false.
            if base == "Null" {
                return any_value(&entry.values, |v| literal_bool(v, true));
            }
            Tri::from_bool(if_exists || negated || set_op == Some("ForAllValues:"))
        }
        KeyValue::Value(actual) => evaluate_present(entry, &actual),
    }
}

/// Evaluates one `operator: { key: values }` entry when the request carries `key` with the
/// value `actual` (a caller that knows a key this module does not, such as the
/// `aws:SourceAccount` a service sends when it assumes a role).
pub fn evaluate_present(entry: &ConditionEntry, actual: &SymStr) -> Tri {
    let mut op = entry.operator.as_str();
    for prefix in ["ForAnyValue:", "ForAllValues:"] {
        if let Some(rest) = op.strip_prefix(prefix) {
            op = rest;
        }
    }
    let base = op.strip_suffix("IfExists").unwrap_or(op);
    if base == "Null" {
        return any_value(&entry.values, |v| literal_bool(v, false));
    }
    let negated = base.contains("Not");
    let positive = match base {
        "StringEquals" | "StringNotEquals" => {
            any_value(&entry.values, |v| equals(v, actual, Case::Sensitive))
        }
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
            any_value(&entry.values, |v| equals(v, actual, Case::Insensitive))
        }
        "StringLike" | "StringNotLike" => {
            any_value(&entry.values, |v| matches(v, actual, Case::Sensitive))
        }
        "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => {
            any_value(&entry.values, |v| arn_match(v, actual))
        }
        "Bool" => any_value(&entry.values, |v| equals(v, actual, Case::Insensitive)),
        _ => {
            return Tri::Unknown(format!(
                "condition `{}` on `{}` cannot be evaluated before the request is made",
                entry.operator, entry.key
            ));
        }
    };
    if negated { positive.negate() } else { positive }
}

fn any_value(values: &[SymStr], f: impl Fn(&SymStr) -> Tri) -> Tri {
    values.iter().fold(Tri::No, |acc, v| acc.or(f(v)))
}

fn literal_bool(v: &SymStr, expected: bool) -> Tri {
    match v.as_literal() {
        Some(t) => Tri::from_bool(t.eq_ignore_ascii_case(if expected { "true" } else { "false" })),
        None => Tri::Unknown(
            v.symbols()
                .map(Symbol::reason)
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

fn key_value(key: &str, ctx: &RequestContext<'_>) -> KeyValue {
    // Condition key names are case-insensitive (IAM-COND).
    match key.to_ascii_lowercase().as_str() {
        "aws:viaawsservice" if ctx.via_service.is_some() => KeyValue::Value(SymStr::lit("true")),
        "aws:calledvia" | "aws:calledviafirst" | "aws:calledvialast"
            if ctx.via_service.is_some() =>
        {
            KeyValue::Unknown(None)
        }
        "kms:viaservice" => match ctx.via_service {
            Some(service) => KeyValue::Value(service.clone()),
            None => KeyValue::Unknown(None),
        },
        "aws:principalarn" => match ctx.principal {
            Some((arn, _)) => KeyValue::Value(arn.clone()),
            None => KeyValue::Unknown(None),
        },
        "aws:principalaccount" | "kms:calleraccount" => match ctx.principal {
            Some((_, account)) => KeyValue::Value(account.clone()),
            None => KeyValue::Unknown(None),
        },
        "aws:viaawsservice" | "aws:principalisawsservice" => KeyValue::Value(SymStr::lit("false")),
        "aws:calledvia" | "aws:calledviafirst" | "aws:calledvialast" => KeyValue::Absent,
        "aws:requestedregion" => match arn_segment(ctx.resource, 3) {
            Some(region) if region.as_literal() != Some("") => KeyValue::Value(region),
            Some(_) => KeyValue::Unknown(Some(format!("`{}` has no region", ctx.resource))),
            None => KeyValue::Unknown(Some(format!(
                "the region of `{}` is not known",
                ctx.resource
            ))),
        },
        _ => KeyValue::Unknown(None),
    }
}

/// `ArnLike` / `ArnEquals`: each of the six colon-delimited components of the ARN matches
/// separately (IAM-COND), so a `*` never spans one of the first five `:`. Falls back to a
/// whole-string match when either side cannot be split into components.
fn arn_match(pattern: &SymStr, value: &SymStr) -> Tri {
    match (arn_components(pattern), arn_components(value)) {
        (Some(p), Some(v)) => p.iter().zip(v.iter()).fold(Tri::Yes, |acc, (p, v)| {
            acc.and(matches(p, v, Case::Sensitive))
        }),
        _ => matches(pattern, value, Case::Sensitive),
    }
}

/// The six components of an ARN (the last one keeps its `:`), when the symbols before the
/// fifth `:` cannot hold one.
fn arn_components(arn: &SymStr) -> Option<Vec<SymStr>> {
    let mut out = vec![SymStr::default()];
    for part in &arn.parts {
        match part {
            Part::Lit(text) => {
                let mut rest = text.as_str();
                while out.len() < 6 {
                    let Some(at) = rest.find(':') else { break };
                    out.last_mut()?.push_lit(rest.get(..at)?);
                    out.push(SymStr::default());
                    rest = rest.get(at + 1..)?;
                }
                out.last_mut()?.push_lit(rest);
            }
            Part::Sym(sym) => {
                if out.len() < 6 && !sym.is_single_segment() {
                    return None;
                }
                out.last_mut()?.push_sym(sym.clone());
            }
        }
    }
    (out.len() == 6).then_some(out)
}

/// Segment `index` of an ARN (`arn:partition:service:region:account:resource`), when the
/// symbols before it cannot hold `:`.
pub fn arn_segment(arn: &SymStr, index: usize) -> Option<SymStr> {
    let mut segment = 0usize;
    let mut out = SymStr::default();
    for part in &arn.parts {
        match part {
            Part::Lit(text) => {
                for (i, piece) in text.split(':').enumerate() {
                    if i > 0 {
                        if segment == index {
                            return Some(out);
                        }
                        segment += 1;
                    }
                    if segment == index {
                        out.push_lit(piece);
                    }
                }
            }
            Part::Sym(sym) => {
                if !sym.is_single_segment() {
                    return None;
                }
                if segment == index {
                    out.push_sym(sym.clone());
                }
            }
        }
    }
    (segment == index && index < 5).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::testing::sym;

    fn entry(operator: &str, key: &str, values: &[&str]) -> ConditionEntry {
        ConditionEntry {
            operator: operator.into(),
            key: key.into(),
            values: values.iter().map(|v| sym(v)).collect(),
            span: None,
        }
    }

    fn eval(operator: &str, key: &str, values: &[&str], resource: &str) -> Tri {
        let resource = sym(resource);
        evaluate(
            &entry(operator, key, values),
            &RequestContext::on(&resource),
        )
    }

    const QUEUE: &str = "arn:aws:sqs:eu-west-1:123456789012:q";

    #[test]
    fn via_aws_service_is_false() {
        assert_eq!(
            eval("Bool", "aws:ViaAWSService", &["false"], QUEUE),
            Tri::Yes
        );
        assert_eq!(eval("Bool", "aws:viaawsservice", &["true"], QUEUE), Tri::No);
        assert_eq!(
            eval("Bool", "aws:ViaAWSService", &["FALSE"], QUEUE),
            Tri::Yes
        );
        assert_eq!(
            eval("Bool", "aws:PrincipalIsAWSService", &["true"], QUEUE),
            Tri::No
        );
    }

    #[test]
    fn called_via_is_absent() {
        assert_eq!(
            eval(
                "ForAnyValue:StringEquals",
                "aws:CalledVia",
                &["athena.amazonaws.com"],
                QUEUE
            ),
            Tri::No
        );
        assert_eq!(
            eval(
                "ForAllValues:StringEquals",
                "aws:CalledVia",
                &["athena.amazonaws.com"],
                QUEUE
            ),
            Tri::Yes
        );
        assert_eq!(
            eval("StringEqualsIfExists", "aws:CalledViaFirst", &["x"], QUEUE),
            Tri::Yes
        );
        assert_eq!(
            eval("StringNotEquals", "aws:CalledViaLast", &["x"], QUEUE),
            Tri::Yes
        );
        assert_eq!(eval("Null", "aws:CalledVia", &["true"], QUEUE), Tri::Yes);
        assert_eq!(eval("Null", "aws:CalledVia", &["false"], QUEUE), Tri::No);
    }

    #[test]
    fn requested_region_comes_from_the_resource() {
        let op = "StringEquals";
        let key = "aws:RequestedRegion";
        assert_eq!(eval(op, key, &["eu-west-1"], QUEUE), Tri::Yes);
        assert_eq!(eval(op, key, &["us-east-1", "eu-west-1"], QUEUE), Tri::Yes);
        assert_eq!(eval(op, key, &["us-east-1"], QUEUE), Tri::No);
        assert_eq!(
            eval("StringNotEquals", key, &["us-east-1"], QUEUE),
            Tri::Yes
        );
        assert_eq!(eval("StringLike", key, &["eu-*"], QUEUE), Tri::Yes);
        let symbolic = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q";
        match eval(op, key, &["eu-west-1"], symbolic) {
            Tri::Unknown(reason) => assert!(reason.contains("AWS::Region"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(eval(op, key, &["${AWS::Region}"], symbolic), Tri::Yes);
        assert!(matches!(
            eval(op, key, &["eu-west-1"], "*"),
            Tri::Unknown(_)
        ));
        assert!(matches!(
            eval(op, key, &["eu-west-1"], "arn:aws:s3:::bucket"),
            Tri::Unknown(_)
        ));
    }

    #[test]
    fn other_keys_are_unknown() {
        match eval(
            "StringEquals",
            "aws:SourceAccount",
            &["123456789012"],
            QUEUE,
        ) {
            Tri::Unknown(reason) => assert_eq!(
                reason,
                "condition `StringEquals` on `aws:SourceAccount` cannot be evaluated before the request is made"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            eval("IpAddress", "aws:SourceIp", &["10.0.0.0/8"], QUEUE),
            Tri::Unknown(_)
        ));
        assert!(matches!(
            eval(
                "NumericLessThan",
                "aws:MultiFactorAuthAge",
                &["3600"],
                QUEUE
            ),
            Tri::Unknown(_)
        ));
    }

    #[test]
    fn a_value_the_caller_knows() {
        let account = sym("${AWS::AccountId}");
        let eval = |op: &str, values: &[&str], actual: &SymStr| {
            evaluate_present(&entry(op, "aws:SourceAccount", values), actual)
        };
        assert_eq!(
            eval("StringEquals", &["${AWS::AccountId}"], &account),
            Tri::Yes
        );
        assert_eq!(
            eval("StringEquals", &["123456789012"], &sym("123456789012")),
            Tri::Yes
        );
        assert_eq!(
            eval("StringEquals", &["123456789012"], &sym("210987654321")),
            Tri::No
        );
        assert_eq!(
            eval("StringNotEquals", &["123456789012"], &sym("210987654321")),
            Tri::Yes
        );
        assert!(matches!(
            eval("StringEquals", &["123456789012"], &account),
            Tri::Unknown(_)
        ));
        let connector = sym("arn:aws:kafkaconnect:eu-west-1:1:connector/sink/${attr:C.uuid}");
        let arn = |op: &str, pattern: &str| {
            evaluate_present(&entry(op, "aws:SourceArn", &[pattern]), &connector)
        };
        assert_eq!(
            arn("ArnLike", "arn:aws:kafkaconnect:*:1:connector/sink/*"),
            Tri::Yes
        );
        assert_eq!(
            arn("ArnLike", "arn:aws:kafkaconnect:*:1:connector/other/*"),
            Tri::No
        );
        assert_eq!(
            arn("ArnNotLike", "arn:aws:kafkaconnect:*:1:connector/other/*"),
            Tri::Yes
        );
        // Components match separately: the region's `*` does not reach into the resource.
        assert_eq!(
            arn("ArnLike", "arn:aws:kafkaconnect:*:*:connector/sink/*"),
            Tri::Yes
        );
        assert_eq!(arn("ArnLike", "arn:aws:kafkaconnect:*:2:*"), Tri::No);
        assert_eq!(arn("ArnLike", "*"), Tri::Yes);
        assert!(matches!(arn("NumericLessThan", "1"), Tri::Unknown(_)));
        assert_eq!(
            evaluate_present(&entry("Null", "aws:SourceArn", &["true"]), &connector),
            Tri::No
        );
    }

    #[test]
    fn entries_combine_with_and() {
        let resource = sym(QUEUE);
        let ctx = RequestContext::on(&resource);
        let yes = entry("Bool", "aws:ViaAWSService", &["false"]);
        let no = entry("StringEquals", "aws:RequestedRegion", &["us-east-1"]);
        let unknown = entry("StringEquals", "aws:SourceVpc", &["vpc-1"]);
        assert_eq!(evaluate_all(std::slice::from_ref(&yes), &ctx), Tri::Yes);
        assert_eq!(evaluate_all(&[yes.clone(), no.clone()], &ctx), Tri::No);
        assert!(matches!(
            evaluate_all(&[yes.clone(), unknown.clone()], &ctx),
            Tri::Unknown(_)
        ));
        assert_eq!(evaluate_all(&[unknown, no], &ctx), Tri::No);
        assert_eq!(evaluate_all(&[], &ctx), Tri::Yes);
    }

    #[test]
    fn arn_segments() {
        let arn = sym("arn:${AWS::Partition}:sqs:${AWS::Region}:123:q");
        assert_eq!(arn_segment(&arn, 2), Some(SymStr::lit("sqs")));
        assert_eq!(arn_segment(&arn, 3), Some(sym("${AWS::Region}")));
        assert_eq!(arn_segment(&arn, 4), Some(SymStr::lit("123")));
        assert_eq!(arn_segment(&sym("${attr:Q.Arn}"), 3), None);
        assert_eq!(arn_segment(&SymStr::lit("*"), 3), None);
        assert_eq!(
            arn_segment(&SymStr::lit("arn:aws:s3:::b"), 3),
            Some(SymStr::lit(""))
        );
    }
}
