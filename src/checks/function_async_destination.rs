//! PG403: the destinations of a function's asynchronous invocations need its role to send to
//! them.

use super::context::Context;
use super::esm_on_failure::{DestinationKind, destination_kind, objects_fix, objects_of};
use super::function::Group;
use super::needs::{self, Need};
use super::render;
use crate::diag::RelatedRole;
use crate::model::{EventInvokeConfig, Function, FunctionLink, Located, SymStr};

crate::declare_check! {
    /// the execution role cannot send asynchronous invocation records to their destination
    ///
    /// ## What it checks
    /// An `AWS::Lambda::EventInvokeConfig`, a SAM function's `EventInvokeConfig` or an
    /// `aws_lambda_function_event_invoke_config` with an on-success or on-failure destination
    /// makes Lambda send a record of each asynchronous invocation there, with the function's
    /// execution role: an SQS queue needs `sqs:SendMessage`, an SNS topic `sns:Publish`, a
    /// function `lambda:InvokeFunction`, an EventBridge event bus `events:PutEvents`, and an S3
    /// bucket (on failure only) `s3:PutObject` on its objects and `s3:ListBucket` on the bucket. SAM adds these statements to a role it creates, not to a role you
    /// pass in `Role`. The kind comes from the destination's ARN or the resource it refers to;
    /// when neither says, a role that allows none of these actions on it cannot send there
    /// either way.
    ///
    /// ## Why it matters
    /// The records are lost: Lambda only counts them in the `DestinationDeliveryFailures`
    /// metric. Creating the configuration may also fail when Lambda checks the permission.
    ///
    /// ## How to fix
    /// Add the statement under `fix` to the execution role of the function.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: sns:Publish
    ///   Resource: !Ref FailureTopic
    /// ```
    pub static FUNCTION_ASYNC_DESTINATION = {
        id: "PG403",
        slug: "function-async-destination",
        severity: Error,
        sources: ["SAMT", "L-ASYNC"],
    }
}

/// One group per destination of the configuration.
pub fn needs(
    cx: &Context<'_>,
    config: &EventInvokeConfig,
    function: Option<&Function>,
) -> Vec<Group> {
    let name = match (function, &config.function) {
        (Some(f), _) => f.origin.id.clone(),
        (None, FunctionLink::External(name)) => render::label(name),
        (None, FunctionLink::Local { .. }) => "the function".into(),
    };
    [
        ("succeed", &config.on_success),
        ("fail", &config.on_failure),
    ]
    .into_iter()
    .filter_map(|(outcome, dest)| {
        let dest = dest.as_ref()?;
        let needs = destination_needs(cx, config, dest, outcome == "fail");
        (!needs.is_empty()).then(|| Group {
            purpose: format!(
                "send the records of asynchronous invocations of `{name}` that {outcome} to `{}`",
                render::label(&dest.value)
            ),
            needs,
        })
    })
    .collect()
}

fn destination_needs(
    cx: &Context<'_>,
    config: &EventInvokeConfig,
    dest: &Located<SymStr>,
    on_failure: bool,
) -> Vec<Need> {
    let mut about = needs::related_at(&config.origin.id, dest.span, RelatedRole::Destination);
    about.note = Some(
        if on_failure {
            "the on-failure destination"
        } else {
            "the on-success destination"
        }
        .into(),
    );
    let about = Some(about);
    let need = |actions: &[&'static str], resource: SymStr| {
        Need::new(&FUNCTION_ASYNC_DESTINATION, actions, resource).about(about.clone())
    };
    let arn = dest.value.clone();
    match destination_kind(cx.stack, &dest.value) {
        Some(DestinationKind::Queue) => vec![need(&["sqs:SendMessage"], arn)],
        Some(DestinationKind::Topic) => vec![need(&["sns:Publish"], arn)],
        Some(DestinationKind::Function) => vec![need(&["lambda:InvokeFunction"], arn)],
        Some(DestinationKind::EventBus) => vec![need(&["events:PutEvents"], arn)],
        Some(DestinationKind::Bucket) if on_failure => {
            let mut put = need(&["s3:PutObject"], objects_of(&arn));
            put.fix_resource = objects_fix(cx.format, &arn);
            vec![put, need(&["s3:ListBucket"], arn)]
        }
        // An on-success bucket is refused by Lambda at deploy (L-ASYNC).
        Some(DestinationKind::Bucket) => Vec::new(),
        // Whatever the destination is, a role with none of these cannot send to it.
        None => vec![need(
            &[
                "sqs:SendMessage",
                "sns:Publish",
                "lambda:InvokeFunction",
                "events:PutEvents",
                "s3:PutObject",
            ],
            arn,
        )],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_ASYNC_DESTINATION);
    }
}
