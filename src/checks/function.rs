//! What the function-level checks share: a function's execution role, and the driver that asks
//! it for what the function's own configuration needs.
//!
//! Input: the stack's functions (their VPC, dead-letter queue and environment-variable key) and
//! event invoke configs (their destinations). Output: the findings of PG401–PG404, one report
//! per configured setting, and PG490 when the function or its role is not in the input. A
//! function without any of these settings needs nothing here.

use super::context::Context;
use super::needs::{self, Need, Subject};
use super::{
    function_async_destination, function_dead_letter, function_kms_key, function_role_unverifiable,
    function_vpc_access,
};
use crate::diag::{Finding, Related, RelatedRole};
use crate::model::{Function, FunctionLink, Origin, RoleId, RoleLink, Stack};

/// The execution role of a function when it is in the stack, or why it cannot be known.
pub fn execution_role(function: &Function) -> Result<RoleId, String> {
    match &function.role {
        RoleLink::Local(id) => Ok(*id),
        RoleLink::External(arn) => match arn.parts.as_slice() {
            // A value that cannot be resolved at all (a reference to nothing): say why.
            [crate::model::Part::Sym(crate::model::Symbol::Unknown(reason))] => Err(format!(
                "the execution role of `{}` is not known: {reason}",
                function.origin.id
            )),
            _ => Err(format!(
                "the execution role of `{}` is defined outside this input (`{arn}`)",
                function.origin.id
            )),
        },
        RoleLink::OneOf(_) => Err(format!(
            "the execution role of `{}` depends on a condition",
            function.origin.id
        )),
        RoleLink::Missing(reason) => Err(format!("`{}`: {reason}", function.origin.id)),
    }
}

/// The function a link names, or why it is not in the input.
pub fn linked<'s>(stack: &'s Stack, link: &FunctionLink) -> Result<&'s Function, String> {
    match link {
        FunctionLink::Local { function, .. } => stack
            .function(*function)
            .ok_or_else(|| "the function is not in the input".to_string()),
        FunctionLink::External(name) => {
            Err(format!("function `{name}` is not defined in this input"))
        }
    }
}

/// The needs of one setting, with what they are for (completing "… needs them to …").
pub struct Group {
    pub purpose: String,
    pub needs: Vec<Need>,
}

/// Where a function names its role, for `related`.
pub fn role_named_at(function: &Function) -> Related {
    needs::related_at(
        &function.origin.id,
        function.role_span.or(function.origin.span),
        RelatedRole::Function,
    )
}

/// Every function-level permission check, function by function, then invoke config by invoke
/// config.
pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for function in &stack.functions {
        let groups: Vec<Group> = [
            function_vpc_access::needs(cx, function),
            function_dead_letter::needs(cx, function),
        ]
        .into_iter()
        .flatten()
        .collect();
        let role = execution_role(function);
        let related = vec![role_named_at(function)];
        audit(
            cx,
            &function.origin,
            "function",
            related,
            &role,
            groups,
            findings,
        );
        if let Ok(role) = role {
            function_kms_key::check(cx, function, role, findings);
        }
    }
    for config in &stack.event_invoke_configs {
        let function = linked(stack, &config.function);
        let groups = function_async_destination::needs(cx, config, function.as_ref().ok().copied());
        let related = match &function {
            Ok(f) => vec![role_named_at(f)],
            Err(_) => Vec::new(),
        };
        let role = function.and_then(execution_role);
        audit(
            cx,
            &config.origin,
            "invoke config",
            related,
            &role,
            groups,
            findings,
        );
    }
}

/// Reports each group against the role, or the lot as unverifiable when the role is unknown.
fn audit(
    cx: &Context<'_>,
    origin: &Origin,
    noun: &'static str,
    related: Vec<Related>,
    role: &Result<RoleId, String>,
    groups: Vec<Group>,
    findings: &mut Vec<Finding>,
) {
    if groups.is_empty() {
        return;
    }
    let id = match role {
        Ok(id) => *id,
        Err(reason) => {
            function_role_unverifiable::report(
                cx, origin, noun, reason, related, &groups, findings,
            );
            return;
        }
    };
    let (Some(role), Some(set)) = (cx.stack.role(id), cx.policies(id)) else {
        return;
    };
    for group in groups {
        let subject = Subject {
            origin,
            noun,
            purpose: group.purpose,
            related: related.clone(),
        };
        needs::report(cx, &subject, role, set, group.needs, findings);
    }
}
