//! What the push-source and function-policy checks share (research spec §4).
//!
//! Input: a [`Stack`]'s permissions, push triggers and functions. Output: three-valued answers
//! to "does this function-policy statement let this service invoke this function for this
//! source", the kind of a statement's principal, and permission resources for fixes, written in
//! the input's language.
//!
//! Invariants: symbolic values (names, ARNs, accounts) are compared with
//! [`crate::iam::wildcard`], never as strings; an answer is "no" only when it is no for every
//! value the symbols may take; every "unknown" carries the reason a note will print.

use serde_json::{Map, Value as Json, json};

use super::render;
use crate::iam::condition::arn_segment;
use crate::iam::wildcard::{Case, Tri, equals, matches};
use crate::model::{
    Existence, Function, FunctionLink, InputFormat, LambdaPermission, Part, Pseudo, PushKind,
    PushTrigger, Stack, SymStr, Symbol,
};

/// The action a push service calls (L-SVC).
pub const INVOKE: &str = "lambda:InvokeFunction";

// ---------------------------------------------------------------------------------------------
// Principals

/// What a permission's `Principal` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `*`: anyone.
    Everyone,
    /// A 12-digit account id.
    Account,
    /// An IAM ARN (`arn:aws:iam::123456789012:root`, a role, a user).
    Arn,
    /// A service principal; the text has `${AWS::URLSuffix}` written out and any other symbol
    /// (a region) as `*`.
    Service(String),
    /// Neither of the above: a typo or an unsupported form (PG207 says which).
    Other(String),
    /// A value the input does not determine.
    Symbolic,
}

/// Classifies a principal (CFNLINT `AWS::Lambda::Permission`: "The AWS service, AWS account,
/// IAM user, or IAM role that invokes the function"; L-SVC).
pub fn principal_kind(principal: &SymStr) -> PrincipalKind {
    let Some(text) = principal_text(principal) else {
        return PrincipalKind::Symbolic;
    };
    let text = text.trim();
    if text == "*" {
        PrincipalKind::Everyone
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.len() == 12 {
        PrincipalKind::Account
    } else if text.starts_with("arn:") {
        PrincipalKind::Arn
    } else if text.contains('.') {
        PrincipalKind::Service(text.to_string())
    } else {
        PrincipalKind::Other(text.to_string())
    }
}

/// The text of a principal: `${AWS::URLSuffix}` is `amazonaws.com` (the `aws` partition the
/// readers assume), a region symbol inside a service principal (`logs.${AWS::Region}.amazonaws.com`)
/// is `*`; `None` when any other part is symbolic.
fn principal_text(principal: &SymStr) -> Option<String> {
    let mut out = String::new();
    for part in &principal.parts {
        match part {
            Part::Lit(s) => out.push_str(s),
            Part::Sym(Symbol::Pseudo(Pseudo::UrlSuffix)) => out.push_str("amazonaws.com"),
            Part::Sym(Symbol::Pseudo(Pseudo::Region)) if out.ends_with('.') => out.push('*'),
            Part::Sym(_) => return None,
        }
    }
    Some(out)
}

/// Whether a permission's principal names `service` (or everyone). CloudWatch Logs also sends
/// as its regional principal `logs.<region>.amazonaws.com` (CFNLINT principal pattern, spec
/// §4.1); `.amazonaws.com.cn` is the China partition's spelling of the same principal.
pub fn principal_matches(principal: &SymStr, service: &str) -> Tri {
    let Some(text) = principal_text(principal) else {
        return Tri::Unknown(format!(
            "the principal `{principal}` is only known at deploy time"
        ));
    };
    let text = text.trim();
    if text == "*" {
        return Tri::Yes;
    }
    let text = text.strip_suffix(".cn").unwrap_or(text);
    if text == service {
        return Tri::Yes;
    }
    if text.eq_ignore_ascii_case(service) {
        return Tri::Unknown(format!(
            "service principals are lowercase: whether `{text}` stands for `{service}` is not known"
        ));
    }
    if let (Some(name), Some(rest)) = (
        service.strip_suffix(".amazonaws.com"),
        text.strip_suffix(".amazonaws.com"),
    ) {
        // `logs.<region>` for `logs`.
        if name == "logs" {
            if let Some(region) = rest.strip_prefix("logs.") {
                let regional = region == "*"
                    || (!region.is_empty()
                        && region
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
                return Tri::from_bool(regional);
            }
        }
    }
    Tri::No
}

/// True when the action is one of the invoke actions (`lambda:InvokeFunction`, the deprecated
/// `lambda:InvokeAsync`, `lambda:InvokeFunctionUrl` for URLs), compared like IAM compares
/// actions (case-insensitively).
pub fn is_invoke_action(action: &str) -> bool {
    [
        "lambda:InvokeFunction",
        "lambda:InvokeAsync",
        "lambda:InvokeFunctionUrl",
    ]
    .iter()
    .any(|a| a.eq_ignore_ascii_case(action.trim()))
}

// ---------------------------------------------------------------------------------------------
// Functions

/// The function a link names, when it is in the stack.
pub fn local_function<'s>(stack: &'s Stack, link: &FunctionLink) -> Option<&'s Function> {
    match link {
        FunctionLink::Local { function, .. } => stack.function(*function),
        FunctionLink::External(_) => None,
    }
}

/// The qualifier of a link (alias name or version), if any.
pub fn link_qualifier(link: &FunctionLink) -> Option<&SymStr> {
    match link {
        FunctionLink::Local { qualifier, .. } => qualifier.as_ref(),
        FunctionLink::External(_) => None,
    }
}

/// A short name of a link for messages: the function's logical id or address (with its
/// qualifier), or the external value.
pub fn link_label(stack: &Stack, link: &FunctionLink) -> String {
    match link {
        FunctionLink::Local {
            function,
            qualifier,
        } => {
            let id = stack
                .function(*function)
                .map_or_else(|| "?".to_string(), |f| f.origin.id.clone());
            match qualifier {
                Some(q) => format!("{id}:{q}"),
                None => id,
            }
        }
        FunctionLink::External(value) => {
            let (name, qualifier) = split_function_name(value);
            match (name.parts.is_empty(), qualifier) {
                (true, _) => value.to_string(),
                (false, Some(q)) => format!("{name}:{q}"),
                (false, None) => name.to_string(),
            }
        }
    }
}

/// The ARN a link invokes (qualified when the link is).
pub fn link_arn(link: &FunctionLink, stack: &Stack) -> SymStr {
    match link {
        FunctionLink::Local {
            function,
            qualifier,
        } => {
            let Some(f) = stack.function(*function) else {
                return SymStr::sym(Symbol::Unknown("the function".into()));
            };
            let mut arn = f.arn.clone();
            arn.refers = None;
            if let Some(q) = qualifier {
                arn.push_lit(":");
                arn.push(q);
            }
            arn
        }
        FunctionLink::External(name) => name.clone(),
    }
}

/// Splits a `FunctionName` value (name, `name:qualifier`, full or partial ARN, possibly
/// qualified) into the function's name and its qualifier.
pub fn split_function_name(value: &SymStr) -> (SymStr, Option<SymStr>) {
    // Everything after the last literal `function:` is `name[:qualifier]`.
    let mut tail_start: Option<(usize, usize)> = None;
    for (i, part) in value.parts.iter().enumerate() {
        if let Part::Lit(s) = part {
            if let Some(pos) = s.rfind("function:") {
                tail_start = Some((i, pos + "function:".len()));
            }
        }
    }
    let mut tail = SymStr::default();
    let parts = match tail_start {
        Some((i, pos)) => {
            if let Some(Part::Lit(s)) = value.parts.get(i) {
                tail.push_lit(s.get(pos..).unwrap_or(""));
            }
            value.parts.get(i + 1..).unwrap_or(&[])
        }
        None => value.parts.as_slice(),
    };
    for part in parts {
        match part {
            Part::Lit(s) => tail.push_lit(s),
            Part::Sym(sym) => tail.push_sym(sym.clone()),
        }
    }
    if tail_start.is_none() {
        tail.refers.clone_from(&value.refers);
        // A bare name may still be `name:qualifier`.
    }
    // The qualifier follows the last literal `:`.
    let mut name = SymStr::default();
    let mut qualifier: Option<SymStr> = None;
    for part in &tail.parts {
        match (part, &mut qualifier) {
            (Part::Lit(s), None) => match s.rfind(':') {
                Some(pos) => {
                    name.push_lit(s.get(..pos).unwrap_or(""));
                    qualifier = Some(SymStr::lit(s.get(pos + 1..).unwrap_or("")));
                }
                None => name.push_lit(s),
            },
            (Part::Sym(sym), None) => name.push_sym(sym.clone()),
            (Part::Lit(s), Some(q)) => q.push_lit(s),
            (Part::Sym(sym), Some(q)) => q.push_sym(sym.clone()),
        }
    }
    if qualifier.is_none() {
        return (tail, None);
    }
    (name, qualifier)
}

/// The name and qualifier a link invokes.
fn link_name(stack: &Stack, link: &FunctionLink) -> (SymStr, Option<SymStr>) {
    match link {
        FunctionLink::Local {
            function,
            qualifier,
        } => {
            let name = stack.function(*function).map_or_else(
                || SymStr::sym(Symbol::Unknown("the function's name".into())),
                |f| f.name.clone(),
            );
            (name, qualifier.clone())
        }
        FunctionLink::External(value) => split_function_name(value),
    }
}

/// The name and qualifier a permission applies to.
fn permission_name(stack: &Stack, p: &LambdaPermission) -> (SymStr, Option<SymStr>) {
    let (name, qualifier) = match &p.function {
        Some(link @ FunctionLink::Local { .. }) => link_name(stack, link),
        _ => split_function_name(&p.function_name.value),
    };
    (name, p.qualifier.clone().or(qualifier))
}

fn qualifiers_equal(a: Option<&SymStr>, b: Option<&SymStr>) -> Tri {
    match (a, b) {
        (None, None) => Tri::Yes,
        (Some(a), Some(b)) => {
            if (is_version(a) && is_alias_name(b)) || (is_version(b) && is_alias_name(a)) {
                return Tri::No;
            }
            equals(a, b, Case::Sensitive)
        }
        _ => Tri::No,
    }
}

/// A version qualifier: `$LATEST`, digits, or the `Version` attribute of a published version.
/// Versions match `(\$LATEST|[0-9]+)` and alias names `(?!^[0-9]+$)([a-zA-Z0-9-_]+)` (Lambda API
/// reference, `CreateAlias`), so a version never equals an alias name.
fn is_version(q: &SymStr) -> bool {
    match q.parts.as_slice() {
        [Part::Sym(Symbol::Attr { attr, .. })] => attr.eq_ignore_ascii_case("Version"),
        _ => q.as_literal().is_some_and(|t| {
            t == "$LATEST" || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        }),
    }
}

/// A literal alias name (not a version).
fn is_alias_name(q: &SymStr) -> bool {
    q.as_literal()
        .is_some_and(|t| !t.is_empty() && t != "$LATEST" && !t.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------------------------------------
// Does a permission cover a trigger?

/// The part of a permission that rules it out for a trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    Function,
    Qualifier,
    Principal,
    Action,
    UrlOnly,
    SourceArn,
    SourceAccount,
}

/// The answer for one permission and one trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cover {
    Yes,
    No(Mismatch),
    Unknown(String),
}

/// Accumulates the parts of a decision: the first "no" decides, else the first unknown.
struct Decision {
    unknown: Option<String>,
}

impl Decision {
    /// Records one part; `what` says what an unknown answer is about.
    fn part(
        &mut self,
        answer: Tri,
        mismatch: Mismatch,
        what: impl FnOnce() -> String,
    ) -> Result<(), Mismatch> {
        match answer {
            Tri::Yes => Ok(()),
            Tri::No => Err(mismatch),
            Tri::Unknown(reason) => {
                if self.unknown.is_none() {
                    self.unknown = Some(format!("{}: {reason}", what()));
                }
                Ok(())
            }
        }
    }

    fn unknown(&mut self, reason: String) {
        if self.unknown.is_none() {
            self.unknown = Some(reason);
        }
    }
}

/// Whether a trigger's invocation is the function a permission applies to: the function, and
/// the qualifier. A statement applies only to the ARN it was added for: on the unqualified
/// function it does not cover an alias or version ARN, and on an alias it covers neither the
/// function nor the version the alias points to (L-SVC; Lambda DG "Using aliases in event
/// sources and permissions policies", <https://docs.aws.amazon.com/lambda/latest/dg/using-aliases.html>;
/// CloudFormation reference `AWS::Lambda::Permission`: "If you use a qualifier, the invoker
/// must use the full ARN of that version or alias to invoke the function").
pub fn same_target(stack: &Stack, link: &FunctionLink, p: &LambdaPermission) -> (Tri, Tri) {
    if let (
        FunctionLink::Local {
            function: tf,
            qualifier: tq,
        },
        Some(FunctionLink::Local {
            function: pf,
            qualifier: pq,
        }),
    ) = (link, &p.function)
    {
        if tf != pf {
            return (Tri::No, Tri::No);
        }
        let pq = p.qualifier.as_ref().or(pq.as_ref());
        return (Tri::Yes, qualifiers_equal(tq.as_ref(), pq));
    }
    let (t_name, t_qualifier) = link_name(stack, link);
    let (p_name, p_qualifier) = permission_name(stack, p);
    let function = equals(&p_name, &t_name, Case::Sensitive);
    if function.is_no() {
        return (Tri::No, Tri::No);
    }
    (
        function,
        qualifiers_equal(t_qualifier.as_ref(), p_qualifier.as_ref()),
    )
}

/// Whether permission `p` lets the trigger's service invoke the trigger's target for the
/// trigger's source (spec §4.1 matching rules).
pub fn covers(stack: &Stack, t: &PushTrigger, p: &LambdaPermission) -> Cover {
    match covers_inner(stack, t, p) {
        Ok(None) => Cover::Yes,
        Ok(Some(reason)) => Cover::Unknown(reason),
        Err(m) => Cover::No(m),
    }
}

fn covers_inner(
    stack: &Stack,
    t: &PushTrigger,
    p: &LambdaPermission,
) -> Result<Option<String>, Mismatch> {
    let mut d = Decision { unknown: None };
    let (function, qualifier) = same_target(stack, &t.function, p);
    let (pid, tid) = (&p.origin.id, &t.origin.id);
    d.part(function, Mismatch::Function, || {
        format!("whether `{pid}` is for the function `{tid}` invokes is not known")
    })?;
    d.part(
        principal_matches(&p.principal.value, t.kind.principal()),
        Mismatch::Principal,
        || format!("the principal of `{pid}` is not known"),
    )?;
    d.part(qualifier, Mismatch::Qualifier, || {
        format!("whether `{pid}` is for the alias or version `{tid}` invokes is not known")
    })?;
    if p.action.value.parts.is_empty() {
        return Err(Mismatch::Action);
    }
    d.part(
        matches(&p.action.value, &SymStr::lit(INVOKE), Case::Insensitive),
        Mismatch::Action,
        || format!("the action of `{pid}` is not known"),
    )?;
    // A statement for function URLs carries a condition the services never send.
    if p.function_url_auth_type.is_some() {
        return Err(Mismatch::UrlOnly);
    }
    if let Some(via) = &p.invoked_via_function_url {
        match via
            .value
            .as_literal()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("true") => return Err(Mismatch::UrlOnly),
            Some(_) => {}
            None => d.unknown(format!(
                "whether `{}` applies only to function URL invocations is not known",
                p.origin.id
            )),
        }
    }
    if let Some(pattern) = &p.source_arn {
        match &t.source_arn {
            Some(source) => d.part(
                source_arn_covers(t.kind, &pattern.value, source),
                Mismatch::SourceArn,
                || format!("whether the `SourceArn` of `{pid}` matches the source of `{tid}` is not known"),
            )?,
            None => d.unknown(format!(
                "`{}` has a `SourceArn` and the ARN of `{}` is not known",
                p.origin.id, t.origin.id
            )),
        }
    }
    if let Some(account) = &p.source_account {
        d.part(
            equals(&account.value, &source_account(stack, t), Case::Sensitive),
            Mismatch::SourceAccount,
            || {
                format!(
                    "whether the `SourceAccount` of `{pid}` is the account of `{tid}` is not known"
                )
            },
        )?;
    }
    if let Some(org) = &p.principal_org_id {
        d.unknown(format!(
            "`{}` is limited to organization `{}`",
            p.origin.id, org.value
        ));
    }
    if p.event_source_token.is_some() && t.kind != PushKind::Alexa {
        d.unknown(format!("`{}` requires an event source token", p.origin.id));
    }
    if let Existence::IfCondition(c) = &p.existence {
        if t.existence != p.existence {
            d.unknown(format!(
                "`{}` exists only when condition `{c}` holds",
                p.origin.id
            ));
        }
    }
    Ok(d.unknown)
}

/// Whether a permission's `SourceArn` pattern (an `ArnLike` condition) matches the trigger's
/// source. An API Gateway source is every route of the API (`<api>/*`), and the model does not
/// know which routes the integration serves, so only the API part (up to the first `/`) is
/// compared: a statement for another API does not count, one for some routes of this API does.
fn source_arn_covers(kind: PushKind, pattern: &SymStr, source: &SymStr) -> Tri {
    if kind == PushKind::ApiGateway {
        return matches(
            &before_slash(pattern),
            &before_slash(source),
            Case::Sensitive,
        );
    }
    matches(pattern, source, Case::Sensitive)
}

/// The text before the first literal `/`.
fn before_slash(value: &SymStr) -> SymStr {
    let mut out = SymStr::default();
    for part in &value.parts {
        match part {
            Part::Lit(s) => {
                if let Some(pos) = s.find('/') {
                    out.push_lit(s.get(..pos).unwrap_or(""));
                    return out;
                }
                out.push_lit(s);
            }
            Part::Sym(sym) => out.push_sym(sym.clone()),
        }
    }
    out
}

/// The account of a trigger's source: as given, or the account segment of its ARN. A bucket
/// ARN has no account (spec §4.1): a bucket notification is set by the bucket's owner, the
/// deploying account. An opaque ARN of a resource of this input is in the deploying account.
pub fn source_account(stack: &Stack, t: &PushTrigger) -> SymStr {
    if let Some(account) = &t.source_account {
        return account.clone();
    }
    let Some(source) = &t.source_arn else {
        return stack.env.account();
    };
    match arn_segment(source, 4) {
        Some(account) if !account.parts.is_empty() => account,
        Some(_) => stack.env.account(),
        None if source.symbols().all(|s| s.distinct_resource().is_some()) => stack.env.account(),
        None => SymStr::sym(Symbol::Unknown(format!(
            "the account of `{source}` is not known"
        ))),
    }
}

/// Where a near miss falls short, for a label next to the permission.
pub fn mismatch_note(m: Mismatch, t: &PushTrigger, p: &LambdaPermission, stack: &Stack) -> String {
    match m {
        Mismatch::Function => "for another function".into(),
        Mismatch::Qualifier => {
            let (_, pq) = permission_name(stack, p);
            let tq = link_qualifier(&t.function);
            match (pq, tq) {
                (None, Some(q)) => format!(
                    "applies to the unqualified function, but `{}` invokes `{q}`",
                    t.origin.id
                ),
                (Some(q), None) => format!(
                    "applies to `{q}` only, but `{}` invokes the unqualified function",
                    t.origin.id
                ),
                (Some(q), Some(tq)) => format!(
                    "applies to `{q}` only, but `{}` invokes `{tq}`",
                    t.origin.id
                ),
                (None, None) => "applies to another qualifier".into(),
            }
        }
        Mismatch::Principal => format!(
            "grants `{}`, not `{}`",
            p.principal.value,
            t.kind.principal()
        ),
        Mismatch::Action => format!("allows `{}`, not `{INVOKE}`", p.action.value),
        Mismatch::UrlOnly => "applies only to invocations through a function URL".into(),
        Mismatch::SourceArn => format!(
            "its `SourceArn` `{}` does not match `{}`",
            p.source_arn
                .as_ref()
                .map(|s| s.value.to_string())
                .unwrap_or_default(),
            t.origin.id
        ),
        Mismatch::SourceAccount => format!(
            "its `SourceAccount` `{}` is not the account of `{}`",
            p.source_account
                .as_ref()
                .map(|s| s.value.to_string())
                .unwrap_or_default(),
            t.origin.id
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Fixes: a permission resource in the input's language

/// The function a permission resource in a fix names.
pub enum FunctionRef<'a> {
    /// A trigger's target: written as a reference to the function or alias of the input.
    Link(&'a FunctionLink),
    /// An existing permission's `FunctionName` (and Terraform `qualifier`), kept as written.
    AsWritten {
        name: &'a SymStr,
        qualifier: Option<&'a SymStr>,
    },
}

/// What a permission resource in a fix says.
pub struct PermissionSpec<'a> {
    /// A name for the new resource (logical id or Terraform name), before sanitizing.
    pub name: String,
    pub function: FunctionRef<'a>,
    pub action: &'a str,
    pub principal: Json,
    pub source_arn: Option<Json>,
    pub source_account: Option<Json>,
    pub principal_org_id: Option<Json>,
}

impl<'a> PermissionSpec<'a> {
    /// An existing permission, as written, to be changed by the caller.
    pub fn from_permission(format: InputFormat, p: &'a LambdaPermission) -> PermissionSpec<'a> {
        let action = p.action.value.as_literal().unwrap_or(INVOKE);
        PermissionSpec {
            name: short_name(&p.origin.id).to_string(),
            function: FunctionRef::AsWritten {
                name: &p.function_name.value,
                qualifier: p.qualifier.as_ref(),
            },
            action,
            principal: value_json(format, &p.principal.value),
            source_arn: p.source_arn.as_ref().map(|v| value_json(format, &v.value)),
            source_account: p
                .source_account
                .as_ref()
                .map(|v| value_json(format, &v.value)),
            principal_org_id: p
                .principal_org_id
                .as_ref()
                .map(|v| value_json(format, &v.value)),
        }
    }
}

/// The resource to add: `{"<LogicalId>": {"Type": "AWS::Lambda::Permission", ...}}` for a
/// template, `{"resource": {"aws_lambda_permission": {"<name>": {...}}}}` (Terraform JSON
/// syntax) for a plan.
pub fn permission_resource(stack: &Stack, format: InputFormat, spec: &PermissionSpec<'_>) -> Json {
    match format {
        InputFormat::Cloudformation | InputFormat::Sam => {
            let mut props = Map::new();
            props.insert("Action".into(), json!(spec.action));
            props.insert("FunctionName".into(), cfn_function_name(stack, spec));
            props.insert("Principal".into(), spec.principal.clone());
            if let Some(s) = &spec.source_arn {
                props.insert("SourceArn".into(), s.clone());
            }
            if let Some(s) = &spec.source_account {
                props.insert("SourceAccount".into(), s.clone());
            }
            if let Some(s) = &spec.principal_org_id {
                props.insert("PrincipalOrgID".into(), s.clone());
            }
            json!({ logical_id(&spec.name): { "Type": "AWS::Lambda::Permission", "Properties": props } })
        }
        InputFormat::TerraformPlan | InputFormat::TerraformState => {
            let mut attrs = Map::new();
            let (function_name, qualifier) = tf_function_name(stack, spec);
            attrs.insert("action".into(), json!(spec.action));
            attrs.insert("function_name".into(), function_name);
            if let Some(q) = qualifier {
                attrs.insert("qualifier".into(), q);
            }
            attrs.insert("principal".into(), spec.principal.clone());
            if let Some(s) = &spec.source_arn {
                attrs.insert("source_arn".into(), s.clone());
            }
            if let Some(s) = &spec.source_account {
                attrs.insert("source_account".into(), s.clone());
            }
            if let Some(s) = &spec.principal_org_id {
                attrs.insert("principal_org_id".into(), s.clone());
            }
            json!({ "resource": { "aws_lambda_permission": { tf_name(&spec.name): attrs } } })
        }
    }
}

/// `FunctionName` in a template: `!GetAtt Fn.Arn`, `!Ref Alias` for an alias or version of
/// the input, else the qualified ARN.
fn cfn_function_name(stack: &Stack, spec: &PermissionSpec<'_>) -> Json {
    let link = match &spec.function {
        FunctionRef::AsWritten { name, .. } => {
            return value_json(InputFormat::Cloudformation, name);
        }
        FunctionRef::Link(link) => *link,
    };
    let FunctionLink::Local {
        function,
        qualifier,
    } = link
    else {
        return value_json(InputFormat::Cloudformation, &link_arn(link, stack));
    };
    let Some(f) = stack.function(*function) else {
        return json!("*");
    };
    match qualifier {
        None => json!({ "Fn::GetAtt": [f.origin.id, "Arn"] }),
        Some(q) => match f
            .aliases
            .iter()
            .find(|a| equals(&a.qualifier, q, Case::Sensitive).is_yes())
        {
            Some(alias) => json!({ "Ref": alias.origin.id }),
            None => {
                let mut arn = SymStr::sym(Symbol::Attr {
                    resource: f.origin.id.clone(),
                    attr: "Arn".into(),
                });
                arn.push_lit(":");
                arn.push(q);
                render::resource(InputFormat::Cloudformation, &arn)
            }
        },
    }
}

/// `function_name` and `qualifier` in Terraform: references to the function and alias blocks
/// (addresses inside a module are written as the module itself would write them).
fn tf_function_name(stack: &Stack, spec: &PermissionSpec<'_>) -> (Json, Option<Json>) {
    let format = InputFormat::TerraformPlan;
    let link = match &spec.function {
        FunctionRef::AsWritten { name, qualifier } => {
            return (
                value_json(format, name),
                qualifier.map(|q| value_json(format, q)),
            );
        }
        FunctionRef::Link(link) => *link,
    };
    let FunctionLink::Local {
        function,
        qualifier,
    } = link
    else {
        return (value_json(format, &link_arn(link, stack)), None);
    };
    let Some(f) = stack.function(*function) else {
        return (json!("*"), None);
    };
    let name = json!(format!("${{{}.function_name}}", module_local(&f.origin.id)));
    let qualifier = qualifier.as_ref().map(|q| {
        match f
            .aliases
            .iter()
            .find(|a| equals(&a.qualifier, q, Case::Sensitive).is_yes())
        {
            Some(alias) => json!(format!("${{{}.name}}", module_local(&alias.origin.id))),
            None => render::resource(format, q),
        }
    });
    (name, qualifier)
}

/// A Terraform address without its `module.<name>[key].` prefixes.
fn module_local(address: &str) -> &str {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        // Skip the module name and an optional instance key, then the dot.
        let end = after
            .char_indices()
            .find(|&(_, c)| c == '.' || c == '[')
            .map_or(after.len(), |(i, _)| i);
        let mut tail = after.get(end..).unwrap_or("");
        if tail.starts_with('[') {
            let close = tail.find(']').map_or(tail.len(), |i| i + 1);
            tail = tail.get(close..).unwrap_or("");
        }
        match tail.strip_prefix('.') {
            Some(t) => rest = t,
            None => return address,
        }
    }
    rest
}

/// The words of a name hint: runs of letters and digits, split where a lowercase letter is
/// followed by an uppercase one (`HandlerLive` → `Handler`, `Live`).
fn words(hint: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in hint.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A CloudFormation logical id from a hint: its words, capitalized, joined.
pub fn logical_id(hint: &str) -> String {
    let id: String = words(hint)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    if id.is_empty() {
        "Permission".into()
    } else {
        id
    }
}

/// A Terraform resource name from a hint: its words, lowercase, joined by `_`.
pub fn tf_name(hint: &str) -> String {
    let name = words(hint)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if name.is_empty() {
        "permission".into()
    } else {
        name
    }
}

/// The last part of a logical id or address (`aws_s3_bucket.uploads[0]` → `uploads`).
pub fn short_name(id: &str) -> &str {
    let base = id.split('[').next().unwrap_or(id);
    base.rsplit('.').next().unwrap_or(base)
}

/// The function a link invokes, as text for `missing`: the template's reference to it
/// (`{"Fn::GetAtt":["Fn","Arn"]}`, `{"Ref":"Alias"}`), or its ARN.
pub fn link_text(stack: &Stack, format: InputFormat, link: &FunctionLink) -> String {
    if matches!(format, InputFormat::Cloudformation | InputFormat::Sam)
        && matches!(link, FunctionLink::Local { .. })
    {
        let spec = PermissionSpec {
            name: String::new(),
            function: FunctionRef::Link(link),
            action: INVOKE,
            principal: Json::Null,
            source_arn: None,
            source_account: None,
            principal_org_id: None,
        };
        return cfn_function_name(stack, &spec).to_string();
    }
    plain(format, &link_arn(link, stack))
}

/// A value as plain text for `missing` (a template expression as its JSON text).
pub fn plain(format: InputFormat, value: &SymStr) -> String {
    match render::resource(format, value) {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// The principal written in a fix.
pub fn principal_json(principal: &str) -> Json {
    json!(principal)
}

/// A value for a fix, written as the input would; a lone pseudo parameter or template
/// parameter is a `Ref` in a template.
pub fn value_json(format: InputFormat, value: &SymStr) -> Json {
    let cfn = matches!(format, InputFormat::Cloudformation | InputFormat::Sam);
    // A reference stays a reference, even when the model knows its value.
    if let Some(r) = &value.refers {
        return if !cfn {
            json!(format!("${{{}.{}}}", module_local(&r.resource), r.attr))
        } else if r.attr == "Ref" {
            json!({ "Ref": r.resource })
        } else {
            json!({ "Fn::GetAtt": [r.resource, r.attr] })
        };
    }
    if cfn {
        if let [Part::Sym(sym)] = value.parts.as_slice() {
            match sym {
                Symbol::Pseudo(p) => return json!({ "Ref": p.cfn_name() }),
                Symbol::Param(p) => return json!({ "Ref": p }),
                _ => {}
            }
        }
    }
    render::resource(format, value)
}

/// Triggers of the stack that invoke the function of `p` through its principal.
pub fn triggers_for<'s>(stack: &'s Stack, p: &LambdaPermission) -> Vec<&'s PushTrigger> {
    stack
        .push_triggers
        .iter()
        .filter(|t| !t.uses_role)
        .filter(|t| principal_matches(&p.principal.value, t.kind.principal()).is_yes())
        .filter(|t| {
            let (function, qualifier) = same_target(stack, &t.function, p);
            function.is_yes() && !qualifier.is_no()
        })
        .collect()
}

/// The function a permission names, when it is in the stack.
pub fn permission_function<'s>(stack: &'s Stack, p: &LambdaPermission) -> Option<&'s Function> {
    p.function.as_ref().and_then(|l| local_function(stack, l))
}

/// A short name of the function a permission applies to, for messages.
pub fn permission_label(stack: &Stack, p: &LambdaPermission) -> String {
    match &p.function {
        Some(link @ FunctionLink::Local { .. }) => {
            let label = link_label(stack, link);
            match (&p.qualifier, link_qualifier(link)) {
                (Some(q), None) => format!("{label}:{q}"),
                _ => label,
            }
        }
        _ => p.function_name.value.to_string(),
    }
}

/// The function a permission applies to, as text for `missing`: its `FunctionName` as written
/// in a template, its ARN in a plan.
pub fn permission_text(stack: &Stack, format: InputFormat, p: &LambdaPermission) -> String {
    if matches!(format, InputFormat::Cloudformation | InputFormat::Sam) {
        return match value_json(format, &p.function_name.value) {
            Json::String(s) => s,
            other => other.to_string(),
        };
    }
    plain(format, &permission_target(stack, p))
}

/// The ARN a permission applies to.
pub fn permission_target(stack: &Stack, p: &LambdaPermission) -> SymStr {
    match &p.function {
        Some(link @ FunctionLink::Local { .. }) => {
            let mut arn = link_arn(link, stack);
            if let (Some(q), None) = (&p.qualifier, link_qualifier(link)) {
                arn.push_lit(":");
                arn.push(q);
            }
            arn
        }
        _ => p.function_name.value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::testing::sym;

    #[test]
    fn principals_are_classified() {
        assert_eq!(principal_kind(&sym("*")), PrincipalKind::Everyone);
        assert_eq!(principal_kind(&sym("123456789012")), PrincipalKind::Account);
        assert_eq!(
            principal_kind(&sym("arn:aws:iam::123456789012:root")),
            PrincipalKind::Arn
        );
        assert_eq!(
            principal_kind(&sym("s3.amazonaws.com")),
            PrincipalKind::Service("s3.amazonaws.com".into())
        );
        assert_eq!(
            principal_kind(&sym("s3")),
            PrincipalKind::Other("s3".into())
        );
        let mut suffixed = SymStr::lit("s3.");
        suffixed.push_sym(Symbol::Pseudo(Pseudo::UrlSuffix));
        assert_eq!(
            principal_kind(&suffixed),
            PrincipalKind::Service("s3.amazonaws.com".into())
        );
        assert_eq!(
            principal_kind(&SymStr::sym(Symbol::Param("P".into()))),
            PrincipalKind::Symbolic
        );
    }

    #[test]
    fn principal_matching_accepts_regional_logs_and_everyone() {
        assert!(principal_matches(&sym("s3.amazonaws.com"), "s3.amazonaws.com").is_yes());
        assert!(principal_matches(&sym("*"), "sns.amazonaws.com").is_yes());
        assert!(principal_matches(&sym("sns.amazonaws.com"), "s3.amazonaws.com").is_no());
        assert!(
            principal_matches(&sym("logs.eu-west-1.amazonaws.com"), "logs.amazonaws.com").is_yes()
        );
        let mut regional = SymStr::lit("logs.");
        regional.push_sym(Symbol::Pseudo(Pseudo::Region));
        regional.push_lit(".amazonaws.com");
        assert!(principal_matches(&regional, "logs.amazonaws.com").is_yes());
        assert!(principal_matches(&regional, "s3.amazonaws.com").is_no());
        assert!(principal_matches(&sym("s3.amazonaws.com.cn"), "s3.amazonaws.com").is_yes());
        assert!(matches!(
            principal_matches(&SymStr::sym(Symbol::Param("P".into())), "s3.amazonaws.com"),
            Tri::Unknown(_)
        ));
    }

    #[test]
    fn function_names_split_into_name_and_qualifier() {
        let (n, q) = split_function_name(&sym(
            "arn:aws:lambda:us-east-1:123456789012:function:f:live",
        ));
        assert_eq!(
            (n.to_string(), q.map(|q| q.to_string())),
            ("f".into(), Some("live".into()))
        );
        let (n, q) = split_function_name(&sym("f"));
        assert_eq!((n.to_string(), q), ("f".into(), None));
        let (n, q) = split_function_name(&sym("f:3"));
        assert_eq!(
            (n.to_string(), q.map(|q| q.to_string())),
            ("f".into(), Some("3".into()))
        );
        let (n, q) = split_function_name(&sym("123456789012:function:f"));
        assert_eq!((n.to_string(), q), ("f".into(), None));
        let mut symbolic = SymStr::lit("arn:aws:lambda:us-east-1:123456789012:function:");
        symbolic.push_sym(Symbol::Param("Name".into()));
        let (n, q) = split_function_name(&symbolic);
        assert_eq!(n.parts, vec![Part::Sym(Symbol::Param("Name".into()))]);
        assert_eq!(q, None);
    }

    #[test]
    fn api_gateway_sources_compare_by_api() {
        let source = sym("arn:aws:execute-api:us-east-1:123456789012:abc/*");
        for (pattern, expected) in [
            ("arn:aws:execute-api:us-east-1:123456789012:abc/*/*", true),
            (
                "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/orders",
                true,
            ),
            ("arn:aws:execute-api:us-east-1:123456789012:*", true),
            ("arn:aws:execute-api:us-east-1:123456789012:xyz/*/*", false),
        ] {
            let answer = source_arn_covers(PushKind::ApiGateway, &sym(pattern), &source);
            assert_eq!(answer.is_yes(), expected, "{pattern}");
            assert_eq!(answer.is_no(), !expected, "{pattern}");
        }
    }

    #[test]
    fn names_for_fixes() {
        assert_eq!(
            logical_id("Handler:live Uploads permission"),
            "HandlerLiveUploadsPermission"
        );
        assert_eq!(tf_name("aws_s3_bucket.uploads"), "aws_s3_bucket_uploads");
        assert_eq!(
            tf_name("HandlerUploads permission"),
            "handler_uploads_permission"
        );
        assert_eq!(short_name("module.app.aws_s3_bucket.uploads[0]"), "uploads");
        assert_eq!(
            module_local("module.app[\"a.b\"].aws_lambda_function.f"),
            "aws_lambda_function.f"
        );
        assert_eq!(
            module_local("aws_lambda_function.f"),
            "aws_lambda_function.f"
        );
    }
}
