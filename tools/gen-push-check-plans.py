#!/usr/bin/env python3
"""Writes the Terraform plan fixtures of the push-source and function-policy checks (PG201-PG207).

Each plan is what `terraform show -json` writes for the configuration sketched in its docstring,
built with the plan writer of `testdata/readers/tfplan/fixtures.py` (format_version "1.2", AWS
provider 6.25 schema). Run `python3 tools/gen-push-check-plans.py` from the repository root after
editing; review the snapshots with `cargo insta review`.
"""

import importlib.util
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "tfplan_fixtures", os.path.join(ROOT, "testdata/readers/tfplan/fixtures.py"))
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

C, R, REGION, ACCOUNT = fx.C, fx.R, fx.REGION, fx.ACCOUNT


def write(check, name, plan):
    path = os.path.join(ROOT, "testdata/checks", check, name)
    with open(path, "w") as f:
        json.dump(plan.build(), f, indent=2)
        f.write("\n")


BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def base(p, alias=False):
    fx.lambda_role(p, "aws_iam_role.handler", "handler")
    p.instance("aws_iam_role_policy_attachment.basic", {"role": "handler", "policy_arn": BASIC})
    p.config("aws_iam_role_policy_attachment.basic", {"role": R("aws_iam_role.handler.name"),
                                                      "policy_arn": C(BASIC)})
    fx.function(p, "aws_lambda_function.handler", "handler", "aws_iam_role.handler.arn")
    if alias:
        p.instance("aws_lambda_alias.live", {"name": "live", "function_name": "handler",
                                             "function_version": "$LATEST", "region": REGION,
                                             "routing_config": []}, defaults=False)
        p.config("aws_lambda_alias.live", {"name": C("live"),
                                           "function_name": R("aws_lambda_function.handler.function_name"),
                                           "function_version": C("$LATEST")})


def permission(p, name, principal, source=None, values=None, config=None,
               function_ref="aws_lambda_function.handler.function_name", function_value="handler",
               action="lambda:InvokeFunction"):
    """An `aws_lambda_permission`; `source` is a reference whose value is unknown at plan time."""
    v = {"action": action, "function_name": function_value, "principal": principal,
         "statement_id": f"Allow{name.title()}", "region": REGION, "qualifier": None,
         "source_account": None, "event_source_token": None, "principal_org_id": None,
         "function_url_auth_type": None, "statement_id_prefix": None}
    unknown = []
    if source:
        unknown.append("source_arn")
    else:
        v["source_arn"] = None
    v.update(values or {})
    if "source_arn" in (values or {}) and "source_arn" in unknown:
        unknown.remove("source_arn")
    p.instance(f"aws_lambda_permission.{name}", v, unknown=unknown, defaults=False)
    e = {"statement_id": C(f"Allow{name.title()}"), "action": C(action),
         "function_name": R(function_ref) if function_ref else C(function_value),
         "principal": C(principal)}
    if source:
        e["source_arn"] = R(source)
    e.update(config or {})
    p.config(f"aws_lambda_permission.{name}", e)


def bucket(p, notify_ref="aws_lambda_function.handler.arn"):
    p.instance("aws_s3_bucket.uploads", {"bucket": "acme-uploads", "force_destroy": False,
                                         "region": REGION, "tags": None, "bucket_prefix": None},
               defaults=False)
    p.config("aws_s3_bucket.uploads", {"bucket": C("acme-uploads")})
    p.instance("aws_s3_bucket_notification.uploads", {
        "eventbridge": False, "queue": [], "topic": [], "region": REGION,
        "lambda_function": [{"events": ["s3:ObjectCreated:*"], "filter_prefix": None,
                             "filter_suffix": None, "id": None}]},
        unknown=["bucket", "lambda_function.0.lambda_function_arn"], defaults=False)
    p.config("aws_s3_bucket_notification.uploads", {
        "bucket": R("aws_s3_bucket.uploads.id"),
        "lambda_function": [{"lambda_function_arn": R(notify_ref),
                             "events": C(["s3:ObjectCreated:*"])}]})


def topic(p, endpoint_ref="aws_lambda_alias.live.arn"):
    p.instance("aws_sns_topic.events", {"name": "events", "region": REGION}, defaults=False)
    p.config("aws_sns_topic.events", {"name": C("events")})
    p.instance("aws_sns_topic_subscription.handler", {"protocol": "lambda", "region": REGION,
                                                      "raw_message_delivery": False},
               unknown=["topic_arn", "endpoint"], defaults=False)
    p.config("aws_sns_topic_subscription.handler", {"protocol": C("lambda"),
                                                    "topic_arn": R("aws_sns_topic.events.arn"),
                                                    "endpoint": R(endpoint_ref)})


def rule(p, name="nightly"):
    p.instance(f"aws_cloudwatch_event_rule.{name}", {"name": name, "event_bus_name": "default",
                                                     "schedule_expression": "rate(1 day)",
                                                     "state": "ENABLED", "region": REGION},
               defaults=False)
    p.config(f"aws_cloudwatch_event_rule.{name}", {"name": C(name),
                                                   "schedule_expression": C("rate(1 day)")})


def rule_target(p, name="nightly", arn_ref="aws_lambda_function.handler.arn"):
    p.instance(f"aws_cloudwatch_event_target.{name}", {"rule": name, "event_bus_name": "default",
                                                       "target_id": "handler", "region": REGION},
               unknown=["arn"], defaults=False)
    p.config(f"aws_cloudwatch_event_target.{name}", {"rule": R(f"aws_cloudwatch_event_rule.{name}.name"),
                                                     "arn": R(arn_ref), "target_id": C("handler")})


def pg201():
    """S3 notifies the function with no permission at all; an SNS subscription invokes alias
    `live` while the only SNS permission is on the unqualified function."""
    p = fx.Plan()
    base(p, alias=True)
    bucket(p)
    topic(p)
    permission(p, "sns", "sns.amazonaws.com", "aws_sns_topic.events.arn")
    write("PG201-push-permission-missing", "fail-tfplan.json", p)

    # The same triggers with their permissions: S3 with `source_arn`, SNS on the alias
    # (`qualifier`), an EventBridge rule with `lambda:*`, a log subscription with the regional
    # logs principal.
    p = fx.Plan()
    base(p, alias=True)
    bucket(p)
    permission(p, "s3", "s3.amazonaws.com", "aws_s3_bucket.uploads.arn")
    topic(p)
    permission(p, "sns", "sns.amazonaws.com", "aws_sns_topic.events.arn",
               values={"qualifier": "live"}, config={"qualifier": R("aws_lambda_alias.live.name")})
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn",
               action="lambda:*")
    p.instance("aws_cloudwatch_log_group.api", {"name": "/app/api", "retention_in_days": 14,
                                                "region": REGION}, defaults=False)
    p.config("aws_cloudwatch_log_group.api", {"name": C("/app/api")})
    p.instance("aws_cloudwatch_log_subscription_filter.api", {
        "name": "errors", "filter_pattern": "ERROR", "log_group_name": "/app/api", "region": REGION,
        "distribution": "ByLogStream", "role_arn": None}, unknown=["destination_arn"], defaults=False)
    p.config("aws_cloudwatch_log_subscription_filter.api", {
        "name": C("errors"), "filter_pattern": C("ERROR"),
        "log_group_name": R("aws_cloudwatch_log_group.api.name"),
        "destination_arn": R("aws_lambda_function.handler.arn")})
    permission(p, "logs", "logs.eu-west-1.amazonaws.com", "aws_cloudwatch_log_group.api.arn",
               config={"source_arn": C(f"arn:aws:logs:{REGION}:*:log-group:/app/api:*")},
               values={"source_arn": f"arn:aws:logs:{REGION}:*:log-group:/app/api:*"})
    write("PG201-push-permission-missing", "pass-tfplan.json", p)

    # The deploying account is not in a plan: a literal `source_account` may or may not be it.
    p = fx.Plan()
    base(p)
    bucket(p)
    permission(p, "s3", "s3.amazonaws.com", "aws_s3_bucket.uploads.arn",
               values={"source_account": ACCOUNT}, config={"source_account": C(ACCOUNT)})
    write("PG201-push-permission-missing", "unknown-tfplan-account.json", p)


def pg202():
    """A permission with principal `*` and no condition; another with `principal_org_id`."""
    p = fx.Plan()
    base(p)
    permission(p, "anyone", "*")
    permission(p, "org", "*", values={"principal_org_id": "o-a1b2c3d4e5"},
               config={"principal_org_id": C("o-a1b2c3d4e5")})
    write("PG202-function-policy-public", "fail-tfplan.json", p)

    # `*` only with `principal_org_id`; an account principal.
    p = fx.Plan()
    base(p)
    permission(p, "org", "*", values={"principal_org_id": "o-a1b2c3d4e5"},
               config={"principal_org_id": C("o-a1b2c3d4e5")})
    permission(p, "account", ACCOUNT)
    write("PG202-function-policy-public", "pass-tfplan.json", p)


def pg203():
    """S3 may invoke with `source_arn` but no `source_account`; EventBridge with neither."""
    p = fx.Plan()
    base(p)
    bucket(p)
    permission(p, "s3", "s3.amazonaws.com", "aws_s3_bucket.uploads.arn")
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com")
    write("PG203-push-permission-confused-deputy", "fail-tfplan.json", p)

    # Both restricted: S3 with `source_account`, EventBridge with the rule's ARN.
    p = fx.Plan()
    base(p)
    bucket(p)
    permission(p, "s3", "s3.amazonaws.com", "aws_s3_bucket.uploads.arn",
               values={"source_account": ACCOUNT}, config={"source_account": C(ACCOUNT)})
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn")
    write("PG203-push-permission-confused-deputy", "pass-tfplan.json", p)


def pg204():
    """`lambda:*` for EventBridge."""
    p = fx.Plan()
    base(p)
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn",
               action="lambda:*")
    write("PG204-function-policy-broad-action", "fail-tfplan.json", p)

    # `lambda:InvokeFunction` for EventBridge; `lambda:GetFunction` for another account.
    p = fx.Plan()
    base(p)
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn")
    permission(p, "audit", "444455556666", action="lambda:GetFunction")
    write("PG204-function-policy-broad-action", "pass-tfplan.json", p)


def url(p, auth):
    p.instance("aws_lambda_function_url.handler", {"authorization_type": auth, "function_name": "handler",
                                                   "qualifier": None, "invoke_mode": "BUFFERED", "cors": [],
                                                   "region": REGION}, defaults=False)
    p.config("aws_lambda_function_url.handler", {"authorization_type": C(auth),
                                                 "function_name": R("aws_lambda_function.handler.function_name")})


def pg205():
    """A public function URL with its two permissions."""
    p = fx.Plan()
    base(p)
    url(p, "NONE")
    permission(p, "url", "*", action="lambda:InvokeFunctionUrl",
               values={"function_url_auth_type": "NONE"}, config={"function_url_auth_type": C("NONE")})
    permission(p, "url_invoke", "*", values={"invoked_via_function_url": True},
               config={"invoked_via_function_url": C(True)})
    write("PG205-function-url-public", "fail-tfplan.json", p)

    # A function URL with IAM authentication.
    p = fx.Plan()
    base(p)
    url(p, "AWS_IAM")
    write("PG205-function-url-public", "pass-tfplan.json", p)


def pg206():
    """A permission for `handlr` next to function `handler`."""
    p = fx.Plan()
    base(p)
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn",
               function_ref=None, function_value="handlr")
    write("PG206-permission-unknown-function", "fail-tfplan.json", p)

    # A permission for a function of another configuration, and one for `handler` by name.
    p = fx.Plan()
    base(p)
    rule(p)
    rule_target(p)
    permission(p, "events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn",
               function_ref=None, function_value="handler")
    permission(p, "billing", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn",
               function_ref=None, function_value="billing-reports")
    write("PG206-permission-unknown-function", "pass-tfplan.json", p)


def pg207():
    """SNS may invoke, spelled `sns.amazon.com`."""
    p = fx.Plan()
    base(p, alias=True)
    topic(p, endpoint_ref="aws_lambda_function.handler.arn")
    permission(p, "sns", "sns.amazon.com", "aws_sns_topic.events.arn")
    write("PG207-permission-principal-unknown", "fail-tfplan.json", p)

    # Principals of every form: a service, a regional service, an account, an ARN, `*` with an
    # organization.
    p = fx.Plan()
    base(p, alias=True)
    topic(p, endpoint_ref="aws_lambda_function.handler.arn")
    permission(p, "sns", "sns.amazonaws.com", "aws_sns_topic.events.arn")
    permission(p, "logs", "logs.eu-west-1.amazonaws.com",
               values={"source_account": ACCOUNT}, config={"source_account": C(ACCOUNT)})
    permission(p, "account", ACCOUNT)
    permission(p, "role", f"arn:aws:iam::{ACCOUNT}:role/deployer")
    permission(p, "org", "*", values={"principal_org_id": "o-a1b2c3d4e5"},
               config={"principal_org_id": C("o-a1b2c3d4e5")})
    write("PG207-permission-principal-unknown", "pass-tfplan.json", p)


if __name__ == "__main__":
    pg201()
    pg202()
    pg203()
    pg204()
    pg205()
    pg206()
    pg207()
