//! PG402: a function's dead-letter queue or topic needs its role to send to it.

use super::context::Context;
use super::esm_on_failure::{DestinationKind, destination_kind};
use super::function::Group;
use super::needs::{self, Need};
use super::render;
use crate::diag::RelatedRole;
use crate::model::Function;

crate::declare_check! {
    /// the execution role cannot send to the function's dead-letter queue or topic
    ///
    /// ## What it checks
    /// A function with `DeadLetterConfig.TargetArn` (CloudFormation), `DeadLetterQueue` (SAM)
    /// or `dead_letter_config` (Terraform) sends the events of asynchronous invocations it
    /// gave up on to that SQS queue or SNS topic, with the execution role: a queue needs
    /// `sqs:SendMessage`, a topic `sns:Publish` on it. SAM adds the
    /// statement to a role it creates (`DeadLetterQueuePolicy`), not to a role you pass in
    /// `Role`. The kind comes from the target's ARN or the resource it refers to; when neither
    /// says, a role that allows neither action cannot send to it either way.
    ///
    /// ## Why it matters
    /// Lambda checks the permission when the function is created or updated: "The provided
    /// execution role does not have permissions to call SendMessage on SQS", and the deploy
    /// fails.
    ///
    /// ## How to fix
    /// Add the statement under `fix` to the execution role.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: sqs:SendMessage
    ///   Resource: !GetAtt DeadLetterQueue.Arn
    /// ```
    pub static FUNCTION_DEAD_LETTER = {
        id: "PG402",
        slug: "function-dead-letter",
        severity: Error,
        sources: ["SAMT", "L-ASYNC"],
    }
}

pub fn needs(cx: &Context<'_>, function: &Function) -> Option<Group> {
    let target = function.dead_letter_target.as_ref()?;
    let mut about = needs::related_at(&function.origin.id, target.span, RelatedRole::Destination);
    about.note = Some("the dead-letter target".into());
    let about = Some(about);
    let (noun, actions): (&str, &[&'static str]) = match destination_kind(cx.stack, &target.value) {
        Some(DestinationKind::Queue) => ("queue", &["sqs:SendMessage"]),
        Some(DestinationKind::Topic) => ("topic", &["sns:Publish"]),
        // Lambda accepts only a queue or a topic and refuses the rest at deploy.
        Some(_) => return None,
        None => ("queue or topic", &["sqs:SendMessage", "sns:Publish"]),
    };
    // Whatever the target is, a role with neither action cannot send to it.
    let need = Need::new(&FUNCTION_DEAD_LETTER, actions, target.value.clone()).about(about);
    Some(Group {
        purpose: format!(
            "send the events it fails to process to its dead-letter {noun} `{}`",
            render::label(&target.value)
        ),
        needs: vec![need],
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_DEAD_LETTER);
    }
}
