//! PG501: a grant that the deploy may create after the resource that needs it.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::context::Context;
use super::esm::{self, ExecutionRole, Mapping};
use super::function;
use super::function_vpc_access;
use super::needs::{self, Need, Verdict};
use super::push::{self, Cover};
use crate::diag::{Certainty, Finding, Fix, Related, RelatedRole, Severity};
use crate::iam::eval::{PolicyKind, PolicySet, StatementRef};
use crate::model::order::OrderGraph;
use crate::model::{InputFormat, Origin, PolicySource, PushKind, Role, Stack};

crate::declare_check! {
    /// a grant the deploy may create after the mapping, VPC function or S3 notification that needs it
    ///
    /// ## What it checks
    /// CloudFormation and Terraform create resources in parallel unless a dependency orders
    /// them: `DependsOn` or a `Ref` / `Fn::GetAtt` / `Fn::Sub` in CloudFormation,
    /// `depends_on` or an expression reference in Terraform. A permission can be in the input
    /// and still not be in place when it is checked:
    ///
    /// - an event source mapping: `CreateEventSourceMapping` checks that the execution role can
    ///   read the source
    ///   (<https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions>);
    /// - a function with `VpcConfig`: `CreateFunction` checks that the role can create network
    ///   interfaces (<https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html>);
    /// - an S3 bucket notification: S3 checks, when the bucket's notification configuration is
    ///   written, that it may invoke the function (its `AWS::Lambda::Permission`).
    ///
    /// For each permission the resource needs, when the role grants it (or the function policy
    /// allows S3) only through resources that the same deploy creates and that the resource
    /// is not ordered after (an `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy` that names the
    /// role in `Roles`, an `aws_iam_role_policy`, an `aws_iam_role_policy_attachment`, an
    /// `AWS::Lambda::Permission`), the finding names the resource that may be created first,
    /// the grant it would not yet see, and the dependency to add. The grant exists, so its
    /// actions are in the message and in `related`, not in `missing`.
    ///
    /// No ordering is needed for what exists as soon as the role exists: inline policies
    /// (`Policies`, `inline_policy`, the statements SAM writes for a function), and managed
    /// policies the role names in `ManagedPolicyArns` / `managed_policy_arns` (the role waits
    /// for them). A SAM S3 event is ordered by SAM itself (the bucket gets `DependsOn` on the
    /// permission). In a Terraform plan, a grant that already exists and that the plan leaves
    /// as it is (`no-op`) is in place before anything is created; a plan that creates the
    /// grant and the mapping together can race.
    ///
    /// ## Why it matters
    /// When the race is lost, `CreateEventSourceMapping` fails with "The provided execution role
    /// does not have permissions to call ReceiveMessage on SQS", `CreateFunction` with "… to
    /// call CreateNetworkInterface on EC2", and S3 with "Unable to validate the following
    /// destination configurations"; a CloudFormation stack rolls back. It depends on timing,
    /// so it passes in one account and fails in the next. Users keep meeting it and adding the
    /// dependency by hand after a failed deploy:
    /// <https://github.com/serverless/serverless/issues/2697>,
    /// <https://github.com/serverless/serverless/issues/3997>,
    /// <https://github.com/aws-amplify/amplify-cli/issues/4759>,
    /// <https://github.com/pulumi/pulumi-cdk/issues/72>,
    /// <https://github.com/aws-solutions/instance-scheduler-on-aws/pull/657> and
    /// <https://github.com/github-aws-runners/terraform-aws-github-runner/pull/5098>
    /// ("consistently reproducible" on Terraform). The AWS CDK orders its own: a function whose
    /// role gets a default policy depends on that policy, and the mapping names the function.
    ///
    /// CloudFormation does not retry, so a race there is a **warning**. The Terraform AWS
    /// provider retries `CreateEventSourceMapping` for five minutes when the error says "execution
    /// role does not have permissions" (`retryEventSourceMapping` with `lambdaPropagationTimeout`
    /// in `internal/service/lambda/event_source_mapping.go`,
    /// <https://github.com/hashicorp/terraform-provider-aws>), so a mapping's race in a plan is a
    /// **note**: it fails only when the grant takes longer than that. A function or an S3
    /// notification in a plan stays a warning: the provider retries
    /// `PutBucketNotificationConfiguration` only while the bucket does not exist.
    ///
    /// Sources: CloudFormation User Guide, "DependsOn attribute"
    /// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html>);
    /// Terraform, "The depends_on Meta-Argument"
    /// (<https://developer.hashicorp.com/terraform/language/meta-arguments/depends_on>);
    /// Lambda Developer Guide, "Lambda execution role"
    /// (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>);
    /// CloudFormation reference, `AWS::Lambda::Permission` and `AWS::S3::Bucket`
    /// `NotificationConfiguration`
    /// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html>).
    ///
    /// ## How to fix
    /// Order the resource after the grant: `DependsOn: [OrdersPolicy]` on the mapping or on
    /// its function (a mapping names its function, so it waits for whatever the function waits
    /// for), `DependsOn` on the bucket for its permission, or `depends_on =
    /// [aws_iam_role_policy.orders]` in Terraform. Moving the statements inline into the role
    /// works too. A permission whose `SourceArn` is `!GetAtt Bucket.Arn` is created after the
    /// bucket, so the bucket cannot wait for it: write the bucket's name in `SourceArn` (as the
    /// CloudFormation documentation does), then add the `DependsOn`. In CDK code, the
    /// dependency is `mapping.node.addDependency(policy)`.
    ///
    /// ## Example
    /// ```yaml
    /// OrdersMapping:
    ///   Type: AWS::Lambda::EventSourceMapping
    ///   DependsOn: [OrdersPolicy]   # without it, the mapping may be created first
    ///   Properties:
    ///     FunctionName: !Ref OrdersFunction
    ///     EventSourceArn: !GetAtt OrdersQueue.Arn
    /// OrdersPolicy:
    ///   Type: AWS::IAM::Policy
    ///   Properties:
    ///     Roles: [!Ref OrdersRole]
    ///     PolicyName: orders
    ///     PolicyDocument: ...
    /// ```
    pub static DEPLOY_ORDER = {
        id: "PG501",
        slug: "deploy-order",
        severity: Warning,
        sources: ["L-SQS", "L-SVC", "TFP-ESM", "CFNLINT"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    if !stack.order.known {
        return;
    }
    let order = Order::new(stack);
    for e in &stack.event_source_mappings {
        let ExecutionRole::Local(role_id) = esm::execution_role(stack, e) else {
            continue;
        };
        let (Some(role), Some(set)) = (stack.role(role_id), cx.policies(role_id)) else {
            continue;
        };
        if !has_separate_policy(&order, role) {
            continue;
        }
        let m = Mapping {
            stack,
            esm: e,
            function: esm::function_of(stack, e),
            format: cx.format,
        };
        let subject = Dependent {
            origin: &e.origin,
            noun: "mapping",
            purpose: m.purpose(),
            severity: match cx.format {
                // The provider retries this exact error for five minutes (TFP-ESM).
                InputFormat::TerraformPlan | InputFormat::TerraformState => Severity::Note,
                _ => Severity::Warning,
            },
        };
        role_race(
            cx,
            &order,
            &subject,
            role,
            set,
            &esm::mapping_needs(&m),
            findings,
        );
    }
    for f in &stack.functions {
        let Ok(role_id) = function::execution_role(f) else {
            continue;
        };
        let (Some(role), Some(set)) = (stack.role(role_id), cx.policies(role_id)) else {
            continue;
        };
        if !has_separate_policy(&order, role) {
            continue;
        }
        let Some(group) = function_vpc_access::needs(cx, f) else {
            continue;
        };
        let subject = Dependent {
            origin: &f.origin,
            noun: "function",
            purpose: group.purpose,
            severity: Severity::Warning,
        };
        role_race(cx, &order, &subject, role, set, &group.needs, findings);
    }
    for t in &stack.push_triggers {
        if t.kind == PushKind::S3 && !t.uses_role {
            permission_race(cx, &order.graph, t, findings);
        }
    }
}

/// The graph of the stack's order and its policy attachments, indexed once per stack.
struct Order<'s> {
    graph: OrderGraph<'s>,
    /// Policy → role → the resources that attach the policy to the role.
    attachments: HashMap<&'s str, HashMap<&'s str, Vec<&'s str>>>,
    /// Roles with a policy attached by a resource of its own.
    attached_roles: HashSet<&'s str>,
}

impl<'s> Order<'s> {
    fn new(stack: &'s Stack) -> Order<'s> {
        let mut attachments: HashMap<&str, HashMap<&str, Vec<&str>>> = HashMap::new();
        for a in &stack.order.attachments {
            attachments
                .entry(a.policy.as_str())
                .or_default()
                .entry(a.role.as_str())
                .or_default()
                .push(a.by.as_str());
        }
        Order {
            graph: stack.order.graph(),
            attached_roles: stack
                .order
                .attachments
                .iter()
                .map(|a| a.role.as_str())
                .collect(),
            attachments,
        }
    }

    fn attached_by(&self, policy: &str, role: &str) -> &[&'s str] {
        self.attachments
            .get(policy)
            .and_then(|roles| roles.get(role))
            .map_or(&[], Vec::as_slice)
    }
}

/// The resource that must wait for its grant.
struct Dependent<'a> {
    origin: &'a Origin,
    noun: &'static str,
    purpose: String,
    severity: Severity,
}

/// A policy that lives in a resource of its own, which the deploy creates separately from
/// the role.
fn separate(source: &PolicySource) -> bool {
    matches!(
        source,
        PolicySource::Standalone | PolicySource::CustomerManaged
    )
}

fn has_separate_policy(order: &Order<'_>, role: &Role) -> bool {
    role.policies.iter().any(|p| separate(&p.source))
        || order.attached_roles.contains(role.origin.id.as_str())
}

/// Needs the role grants, but only through policies not yet in place when `dependent` is
/// created.
fn role_race(
    cx: &Context<'_>,
    order: &Order<'_>,
    dependent: &Dependent<'_>,
    role: &Role,
    set: &PolicySet,
    wanted: &[Need],
    findings: &mut Vec<Finding>,
) {
    let stack_order = &cx.stack.order;
    // A resource that exists already (a plan's `no-op` or update) is not being created.
    if stack_order.existing.contains(&dependent.origin.id) {
        return;
    }
    let role_id = role.origin.id.as_str();
    // What can come late: a policy of its own, or one attached by a resource of its own.
    // A grant in a resource's own policy (a queue or key policy) is never reported as racing:
    // whether such a policy, created in the same deploy, can lose the race is not modelled, and
    // a false race costs more than a missed one.
    let may_be_late = |p: &crate::iam::eval::PolicyRef| match &p.kind {
        PolicyKind::Model(source) => separate(source),
        PolicyKind::AwsManaged { arn, .. } => !order.attached_by(arn, role_id).is_empty(),
        PolicyKind::Resource { .. } => false,
    };
    let granted: Vec<(&Need, Vec<StatementRef>)> = wanted
        .iter()
        .filter_map(|need| match needs::assess(cx, role, set, need) {
            Verdict::Granted { by } if by.iter().any(|s| may_be_late(&s.policy)) => {
                Some((need, by))
            }
            _ => None,
        })
        .collect();
    if granted.is_empty() {
        return;
    }
    // A way through a reference the input does not resolve says nothing either way.
    let Some(after) = order.graph.created_after(&dependent.origin.id) else {
        return;
    };
    let attached_in_place = |policy: &str| {
        order
            .attached_by(policy, role_id)
            .iter()
            .all(|by| stack_order.in_place_before(by, &after))
    };
    let in_place = |p: &crate::iam::eval::PolicyRef| match &p.kind {
        PolicyKind::Model(source) if separate(source) => {
            stack_order.in_place_before(&p.origin, &after) && attached_in_place(&p.origin)
        }
        // An AWS managed policy attached by a resource of its own (Terraform).
        PolicyKind::AwsManaged { arn, .. } => attached_in_place(arn),
        PolicyKind::Model(_) | PolicyKind::Resource { .. } => true,
    };
    let early = set.retaining(in_place);
    let mut racing: Vec<(&Need, Vec<StatementRef>)> = Vec::new();
    for (need, by) in granted {
        // Only a certain "not yet" is a race: an unknown answer says nothing about order.
        if !matches!(
            needs::assess(cx, role, &early, need),
            Verdict::Denied { .. }
        ) {
            continue;
        }
        let late: Vec<StatementRef> = by.into_iter().filter(|s| !in_place(&s.policy)).collect();
        if !late.is_empty() {
            racing.push((need, late));
        }
    }
    if racing.is_empty() {
        return;
    }
    let mut grants: Vec<String> = Vec::new();
    // One label per statement, with every action it grants that may come too late.
    let mut late: Vec<(&StatementRef, Vec<String>)> = Vec::new();
    for (need, statements) in &racing {
        let action = format!("`{}`", need.actions.join(" or "));
        for s in statements {
            let policy = match &s.policy.kind {
                PolicyKind::AwsManaged { arn, .. } => arn.as_str(),
                PolicyKind::Model(_) | PolicyKind::Resource { .. } => s.policy.origin.as_str(),
            };
            let grant = grant_resource(cx.stack, order, policy, role_id);
            if !grants.contains(&grant) {
                grants.push(grant);
            }
            match late.iter_mut().find(|(x, _)| *x == s) {
                Some((_, actions)) if !actions.contains(&action) => actions.push(action.clone()),
                Some(_) => {}
                None => late.push((s, vec![action.clone()])),
            }
        }
    }
    let related: Vec<Related> = late
        .iter()
        .map(|(s, actions)| Related {
            location: None,
            resource: s.policy.origin.clone(),
            span: s.span.or(s.policy.span),
            role: RelatedRole::Statement,
            note: Some(format!(
                "{} of policy `{}` grants {}, but may not exist yet",
                s.label(),
                s.policy.name,
                list(actions)
            )),
        })
        .collect();
    let mut actions: Vec<String> = Vec::new();
    for (need, _) in &racing {
        let a = format!("`{}`", need.actions.join(" or "));
        if !actions.contains(&a) {
            actions.push(a);
        }
    }
    let names: Vec<String> = grants.iter().map(|g| format!("`{g}`")).collect();
    let message = format!(
        "{} `{}` may be created before {} grants {} that it needs to {}",
        dependent.noun,
        dependent.origin.id,
        list(&names),
        list(&actions),
        dependent.purpose
    );
    findings.push(finding(
        cx,
        dependent.origin,
        dependent.severity,
        message,
        related,
        &grants,
    ));
}

/// The resource whose creation puts the grant in place: the attachment when the policy is
/// attached through one that is created, else the policy resource.
fn grant_resource(stack: &Stack, order: &Order<'_>, policy: &str, role: &str) -> String {
    order
        .attached_by(policy, role)
        .iter()
        .find(|by| !stack.order.existing.contains(**by))
        .map_or_else(|| policy.to_string(), |by| (*by).to_string())
}

/// An S3 notification whose every covering permission may be created after the bucket.
fn permission_race(
    cx: &Context<'_>,
    graph: &OrderGraph<'_>,
    t: &crate::model::PushTrigger,
    findings: &mut Vec<Finding>,
) {
    let stack = cx.stack;
    // SAM orders its own (SAMT: the bucket gets `DependsOn` on the permission); a
    // notification that exists already is not being written.
    if t.sam_generated || stack.order.existing.contains(&t.origin.id) {
        return;
    }
    let covering: Vec<&crate::model::LambdaPermission> = stack
        .permissions
        .iter()
        .filter(|p| push::covers(stack, t, p) == Cover::Yes)
        .collect();
    if covering.is_empty() {
        return;
    }
    let Some(after) = graph.created_after(&t.origin.id) else {
        return;
    };
    if covering
        .iter()
        .any(|p| stack.order.in_place_before(&p.origin.id, &after))
    {
        return;
    }
    let related = covering
        .iter()
        .map(|p| Related {
            location: None,
            resource: p.origin.id.clone(),
            span: p.origin.span,
            role: RelatedRole::Permission,
            note: Some(format!(
                "lets `s3.amazonaws.com` invoke `{}`, but may not exist yet",
                push::link_label(stack, &t.function)
            )),
        })
        .collect();
    let names: Vec<String> = covering
        .iter()
        .map(|p| format!("`{}`", p.origin.id))
        .collect();
    let message = format!(
        "the notification of `{}` may be written before {} lets S3 invoke `{}`",
        t.origin.id,
        list(&names),
        push::link_label(stack, &t.function)
    );
    let targets: Vec<String> = covering.iter().map(|p| p.origin.id.clone()).collect();
    let mut found = finding(cx, &t.origin, Severity::Warning, message, related, &targets);
    // A permission that names the bucket through a reference waits for the bucket: the
    // dependency the fix adds would be a cycle.
    let waits_for_trigger = covering.iter().any(|p| {
        graph
            .created_after(&p.origin.id)
            .is_some_and(|a| a.contains(stack.order.node(&t.origin.id).as_ref()))
    });
    if let (true, Some(fix)) = (waits_for_trigger, found.fix.as_mut()) {
        fix.help = format!(
            "{}, after writing the bucket's name (not a reference to the bucket) in the permission's source ARN, which would make the dependency a cycle",
            fix.help
        );
    }
    findings.push(found);
}

fn finding(
    cx: &Context<'_>,
    dependent: &Origin,
    severity: Severity,
    message: String,
    related: Vec<Related>,
    grants: &[String],
) -> Finding {
    Finding {
        location: None,
        check: DEPLOY_ORDER.id,
        severity,
        certainty: Certainty::Certain,
        message,
        resource: dependent.id.clone(),
        span: dependent.span,
        related,
        missing: Vec::new(),
        fix: Some(fix(cx.format, dependent, grants)),
    }
}

/// The dependency to add, in the input's language.
fn fix(format: InputFormat, dependent: &Origin, grants: &[String]) -> Fix {
    match format {
        InputFormat::TerraformPlan | InputFormat::TerraformState => {
            let (module, _) = split_module(&dependent.id);
            let refs: Vec<String> = grants
                .iter()
                .map(|g| terraform_reference(module, g))
                .collect();
            // Terraform's own language: the meta-argument as it is written in the block.
            let hcl = format!("depends_on = [{}]", refs.join(", "));
            Fix {
                source: Some(hcl),
                help: format!(
                    "add `depends_on = [{}]` to `{}`",
                    refs.join(", "),
                    resource_of(&dependent.id)
                ),
                statement: json!({ "depends_on": refs }),
            }
        }
        InputFormat::Cloudformation | InputFormat::Sam => {
            // A mapping SAM generates for an event is edited through its function: the
            // mapping names the function, so it waits for what the function waits for.
            let target = dependent.generated_from.as_deref().unwrap_or(&dependent.id);
            Fix {
                source: None,
                help: format!("add `DependsOn: [{}]` to `{target}`", grants.join(", ")),
                statement: json!({ "DependsOn": grants }),
            }
        }
    }
}

/// `module.a.module.b.aws_x.y[0]` → (`module.a.module.b.`, `aws_x.y[0]`).
fn split_module(address: &str) -> (&str, &str) {
    let mut at = 0;
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after
            .find('.')
            .map_or(after.len(), |i| i + "module.".len() + 1);
        at += name_end;
        rest = address.get(at..).unwrap_or("");
    }
    (address.get(..at).unwrap_or(""), rest)
}

/// A resource address without its instance key: what `depends_on` names.
fn resource_of(address: &str) -> String {
    let (module, local) = split_module(address);
    let local = local
        .find('[')
        .map_or(local, |i| local.get(..i).unwrap_or(local));
    format!("{module}{local}")
}

/// How a resource in module `from` names the grant in `depends_on`: the resource within the
/// same module, else the module call that holds it (its outputs are not enough to order).
fn terraform_reference(from: &str, grant: &str) -> String {
    let (module, local) = split_module(grant);
    if module == from {
        return resource_of(local);
    }
    match module
        .strip_prefix(from)
        .and_then(|m| m.strip_prefix("module."))
    {
        Some(child) => format!("module.{}", child.split('.').next().unwrap_or(child)),
        None => resource_of(grant),
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::DEPLOY_ORDER);
    }

    #[test]
    fn terraform_references_are_relative_to_the_dependent_module() {
        assert_eq!(
            split_module("module.a.module.b.aws_x.y[0]"),
            ("module.a.module.b.", "aws_x.y[0]")
        );
        assert_eq!(split_module("aws_x.y"), ("", "aws_x.y"));
        assert_eq!(
            terraform_reference("", "aws_iam_role_policy.orders"),
            "aws_iam_role_policy.orders"
        );
        assert_eq!(
            terraform_reference(
                "module.app.",
                "module.app.aws_iam_role_policy.orders[\"a\"]"
            ),
            "aws_iam_role_policy.orders"
        );
        assert_eq!(
            terraform_reference("", "module.iam.module.inner.aws_iam_role_policy.orders"),
            "module.iam"
        );
        assert_eq!(
            resource_of("module.app.aws_lambda_event_source_mapping.this[0]"),
            "module.app.aws_lambda_event_source_mapping.this"
        );
    }
}
