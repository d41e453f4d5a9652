//! PG120: a function's execution role should let it write its logs.

use super::context::Context;
use super::needs::{self, Need, Subject};
use super::requirements;
use crate::diag::Finding;
use crate::model::{RoleLink, SymStr, Symbol};

crate::declare_check! {
    /// a function's execution role cannot write the function's CloudWatch Logs
    ///
    /// ## What it checks
    /// The execution role of every function should allow `logs:CreateLogStream` and
    /// `logs:PutLogEvents` on the function's log group (`/aws/lambda/<name>`, or
    /// `LoggingConfig.LogGroup` when set). Every AWS managed Lambda
    /// execution policy grants them. `logs:CreateLogGroup` is not checked: it is not needed
    /// when the log group is created ahead, as many templates do.
    ///
    /// ## Why it matters
    /// The function, and its event source mapping, work; but nothing it prints reaches
    /// CloudWatch, so failures cannot be diagnosed. This is a warning, not an error.
    ///
    /// ## How to fix
    /// Attach `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`, or add the
    /// statement under `fix`.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [logs:CreateLogStream, logs:PutLogEvents]
    ///   Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${Fn}:*
    /// ```
    pub static FUNCTION_LOGS = {
        id: "PG120",
        slug: "function-logs",
        severity: Warning,
        sources: ["L-KAFKA-OLD", "L-MSK-PERM", "MAMIP"],
    }
}

/// The ARN of a function's log streams: `log-group:<group>:log-stream:<stream>`.
fn log_streams(cx: &Context<'_>, function: &crate::model::Function) -> SymStr {
    let mut r = SymStr::lit("log-group:");
    match &function.log_group {
        Some(group) => r.push(&group.value),
        None => {
            r.push_lit("/aws/lambda/");
            r.push(&function.name);
        }
    }
    r.push_lit(":log-stream:");
    r.push_sym(Symbol::Unknown("the log stream".into()));
    cx.stack.env.regional_arn("logs", &r)
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for function in &stack.functions {
        let RoleLink::Local(id) = function.role else {
            continue;
        };
        let (Some(role), Some(set)) = (stack.role(id), cx.policies(id)) else {
            continue;
        };
        let target = log_streams(cx, function);
        let wanted: Vec<Need> = requirements::LOGS
            .iter()
            .filter(|r| !r.any_of.contains(&"logs:CreateLogGroup"))
            .map(|r| Need::new(&FUNCTION_LOGS, r.any_of, target.clone()))
            .collect();
        let subject = Subject {
            origin: &function.origin,
            noun: "function",
            purpose: "write its logs".into(),
            related: vec![super::function::role_named_at(function)],
        };
        needs::report(cx, &subject, role, set, wanted, findings);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_LOGS);
    }
}
