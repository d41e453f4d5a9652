#!/usr/bin/env python3
"""Writes the plan fixtures of this folder.

Each fixture is the JSON that `terraform show -json plan.out` (format_version "1.2", Terraform
1.9) writes for the configuration sketched in its docstring, with the AWS provider 6.25 schema:
`planned_values` (unknown values omitted, list elements that are unknown written as null),
`resource_changes` (before/after/after_unknown/before_sensitive/after_sensitive, action_reason
for replacements and deferred reads), `prior_state` (resources that exist and data sources read
while planning), `configuration` (provider_config with expressions, unexpanded resource blocks
with `constant_value`/`references`, module_calls with their module, outputs and variables),
`relevant_attributes`, `timestamp`, `applyable`, `complete`, `errored`. References are listed
the way Terraform lists them: every reference followed by each shorter form of it
(`aws_sqs_queue.q.arn`, `aws_sqs_queue.q`).

Run `python3 fixtures.py` in this folder after editing; the snapshots are reviewed with
`cargo insta review`.
"""

import copy
import json
import os
import re
import zlib

TF_VERSION = "1.9.5"
AWS = "registry.terraform.io/hashicorp/aws"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
TIMESTAMP = "2026-11-20T09:14:02Z"

ASSUME_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    },
    separators=(",", ":"),
)


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


# --- expressions -------------------------------------------------------------------------------


def split_ref(ref):
    """Splits `module.m["k"].out.x` into tokens: identifiers and `[key]` strings."""
    out = []
    for m in re.finditer(r'\[("(?:[^"\\]|\\.)*"|\d+|[a-z_.]+)\]|[^.\[]+', ref):
        out.append(m.group(0))
    return out


def expand(ref):
    """The references Terraform lists for one traversal (jsonconfig/expression.go)."""
    t = split_ref(ref)
    if t[0] in ("var", "local"):
        subject, rest, extra = t[:2], t[2:], []
    elif t[0] == "count" or t[0] == "each":
        return [ref]
    elif t[0] == "module":
        n = 2
        keyed = len(t) > 2 and t[2].startswith("[")
        if keyed:
            n = 3
        if len(t) > n:
            subject, rest = t[: n + 1], t[n + 1 :]
            extra = ["module." + t[1]]
        else:
            subject, rest, extra = t[:n], [], ([] if not keyed else ["module." + t[1]])
    else:
        n = 3 if t[0] == "data" else 2
        keyed = len(t) > n and t[n].startswith("[")
        subject = t[: n + 1] if keyed else t[:n]
        rest = t[len(subject) :]
        extra = [join(t[:n])] if keyed else []
    out = []
    for i in range(len(rest), 0, -1):
        out.append(join(subject + rest[:i]))
    out.append(join(subject))
    return out + extra


def join(tokens):
    s = ""
    for tok in tokens:
        if tok.startswith("["):
            s += tok
        else:
            s += ("." if s else "") + tok
    return s


def C(value):
    return {"constant_value": value}


def R(*refs):
    out = []
    for r in refs:
        out.extend(expand(r))
    return {"references": out}


F = {}  # a function call or other expression without constant value or references


# --- values --------------------------------------------------------------------------------------


def mask(value):
    """after_unknown / sensitive shape of a known value."""
    if isinstance(value, list):
        return [mask(v) if isinstance(v, (dict, list)) else False for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                out[k] = mask(v)
        return out
    return None


def set_path(d, path, value):
    parts = path.split(".")
    cur = d
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        key = int(p) if p.isdigit() else p
        if last:
            cur[key] = value
        else:
            if isinstance(cur, list):
                cur = cur[key]
            else:
                cur = cur.setdefault(key, {})


def drop_path(d, path):
    parts = path.split(".")
    cur = d
    for p in parts[:-1]:
        key = int(p) if p.isdigit() else p
        cur = cur[key]
    last = parts[-1]
    if isinstance(cur, list):
        cur[int(last)] = None
    else:
        cur.pop(last, None)


# Attributes each type has in a plan, with the provider's defaults, and those only known after
# apply when the resource is created (TFSCHEMA; not exhaustive).
DEFAULTS = {
    "aws_lambda_function": {
        "architectures": ["x86_64"], "code_signing_config_arn": None, "dead_letter_config": [],
        "description": None, "environment": [], "ephemeral_storage": [{"size": 512}],
        "file_system_config": [], "filename": "build/handler.zip", "handler": "app.handler",
        "image_config": [], "image_uri": None, "kms_key_arn": None, "layers": None,
        "memory_size": 128, "package_type": "Zip", "publish": False, "region": REGION,
        "replace_security_groups_on_destroy": None, "replacement_security_group_ids": None,
        "reserved_concurrent_executions": -1, "runtime": "python3.12", "s3_bucket": None,
        "s3_key": None, "s3_object_version": None, "skip_destroy": False, "snap_start": [],
        "source_code_hash": "q3k4S0Mu5f0l9z1cOQ5d0T+u0N2aXH9M0ZrE1XkQf0A=", "tags": None,
        "timeout": 30, "timeouts": None, "vpc_config": [],
    },
    "aws_lambda_event_source_mapping": {
        "amazon_managed_kafka_event_source_config": [], "batch_size": None,
        "bisect_batch_on_function_error": None, "destination_config": [],
        "document_db_event_source_config": [], "enabled": True, "event_source_arn": None,
        "filter_criteria": [], "function_response_types": None, "kms_key_arn": None,
        "maximum_batching_window_in_seconds": None, "metrics_config": [],
        "provisioned_poller_config": [], "queues": None, "region": REGION, "scaling_config": [],
        "self_managed_event_source": [], "self_managed_kafka_event_source_config": [],
        "source_access_configuration": [], "starting_position": None,
        "starting_position_timestamp": None, "tags": None, "topics": None,
        "tumbling_window_in_seconds": None,
    },
    "aws_iam_role": {
        "description": None, "force_detach_policies": False, "max_session_duration": 3600,
        "name_prefix": None, "path": "/", "permissions_boundary": None, "tags": None,
    },
    "aws_iam_role_policy": {"name_prefix": None},
    "aws_iam_policy": {"description": None, "name_prefix": None, "path": "/", "tags": None},
    "aws_sqs_queue": {
        "content_based_deduplication": False, "delay_seconds": 0, "fifo_queue": False,
        "kms_master_key_id": None, "max_message_size": 262144,
        "message_retention_seconds": 345600, "name_prefix": None, "receive_wait_time_seconds": 0,
        "region": REGION, "tags": None, "timeouts": None, "visibility_timeout_seconds": 30,
    },
    "aws_kinesis_stream": {
        "encryption_type": "NONE", "enforce_consumer_deletion": False, "kms_key_id": None,
        "region": REGION, "retention_period": 24, "shard_count": 1, "shard_level_metrics": None,
        "tags": None, "timeouts": None,
    },
    "aws_dynamodb_table": {
        "attribute": [{"name": "pk", "type": "S"}], "billing_mode": "PAY_PER_REQUEST",
        "deletion_protection_enabled": None, "global_secondary_index": [], "hash_key": "pk",
        "import_table": [], "local_secondary_index": [], "range_key": None, "region": REGION,
        "replica": [], "restore_date_time": None, "restore_source_name": None,
        "restore_to_latest_time": None, "stream_enabled": False, "table_class": "STANDARD",
        "tags": None, "timeouts": None, "ttl": [],
    },
}

COMPUTED = {
    "aws_lambda_function": ["arn", "code_sha256", "id", "invoke_arn", "last_modified",
                            "logging_config", "qualified_arn", "qualified_invoke_arn",
                            "signing_job_arn", "signing_profile_version_arn",
                            "source_code_size", "tags_all", "tracing_config", "version"],
    "aws_lambda_event_source_mapping": ["arn", "function_arn", "id", "last_modified",
                                        "last_processing_result", "state",
                                        "state_transition_reason", "tags_all", "uuid"],
    "aws_lambda_alias": ["arn", "id", "invoke_arn"],
    "aws_lambda_permission": ["id"],
    "aws_iam_role": ["arn", "create_date", "id", "inline_policy", "managed_policy_arns",
                     "tags_all", "unique_id"],
    "aws_iam_role_policy": ["id"],
    "aws_iam_policy": ["arn", "attachment_count", "id", "policy_id", "tags_all"],
    "aws_iam_role_policy_attachment": ["id"],
    "aws_iam_policy_attachment": ["id"],
    "aws_sqs_queue": ["arn", "deduplication_scope", "fifo_throughput_limit", "id",
                      "kms_data_key_reuse_period_seconds", "policy", "redrive_allow_policy",
                      "redrive_policy", "sqs_managed_sse_enabled", "tags_all", "url"],
    "aws_kinesis_stream": ["arn", "id", "stream_mode_details", "tags_all"],
    "aws_kinesis_stream_consumer": ["arn", "creation_timestamp", "id"],
    "aws_dynamodb_table": ["arn", "id", "point_in_time_recovery", "read_capacity",
                           "server_side_encryption", "stream_arn", "stream_label",
                           "tags_all", "write_capacity"],
    "aws_kms_key": ["arn", "id", "key_id", "policy", "tags_all"],
    "aws_kms_alias": ["arn", "id", "target_key_arn"],
    "aws_secretsmanager_secret": ["arn", "id", "policy", "replica", "tags_all"],
    "aws_msk_cluster": ["arn", "bootstrap_brokers", "bootstrap_brokers_public_sasl_iam",
                        "bootstrap_brokers_public_sasl_scram", "bootstrap_brokers_public_tls",
                        "bootstrap_brokers_sasl_iam", "bootstrap_brokers_sasl_scram",
                        "bootstrap_brokers_tls", "cluster_uuid", "current_version", "id",
                        "tags_all", "zookeeper_connect_string"],
    "aws_msk_serverless_cluster": ["arn", "bootstrap_brokers_sasl_iam", "cluster_uuid", "id",
                                   "tags_all"],
    "aws_mq_broker": ["arn", "id", "instances", "pending_data_replication_mode", "tags_all"],
    "aws_docdb_cluster": ["arn", "cluster_members", "cluster_resource_id", "endpoint", "id",
                          "reader_endpoint", "tags_all"],
    "aws_sns_topic": ["arn", "beginning_archive_time", "id", "owner", "policy", "tags_all"],
    "aws_sns_topic_subscription": ["arn", "confirmation_was_authenticated", "id", "owner_id",
                                   "pending_confirmation"],
    "aws_s3_bucket": ["arn", "bucket_domain_name", "bucket_regional_domain_name", "hosted_zone_id",
                      "id", "tags_all"],
    "aws_s3_bucket_notification": ["id"],
    "aws_cloudwatch_event_rule": ["arn", "id", "tags_all"],
    "aws_cloudwatch_event_target": ["id"],
    "aws_cloudwatch_log_group": ["arn", "id", "tags_all"],
    "aws_cloudwatch_log_subscription_filter": ["id"],
    "aws_api_gateway_rest_api": ["arn", "created_date", "execution_arn", "id",
                                 "root_resource_id", "tags_all"],
    "aws_api_gateway_integration": ["id"],
    "aws_apigatewayv2_api": ["api_endpoint", "arn", "execution_arn", "id", "tags_all"],
    "aws_apigatewayv2_integration": ["id", "integration_response_selection_expression"],
    "aws_lambda_function_url": ["function_arn", "function_url", "id", "url_id"],
    "aws_lambda_function_event_invoke_config": ["id"],
    "aws_mskconnect_connector": ["arn", "id", "tags_all", "version"],
    "aws_iot_topic_rule": ["arn", "id", "tags_all"],
    "aws_cognito_user_pool": ["arn", "creation_date", "custom_domain", "domain", "endpoint",
                              "estimated_number_of_users", "id", "last_modified_date",
                              "tags_all"],
    "aws_lb_target_group": ["arn", "arn_suffix", "id", "tags_all"],
    "aws_lb_target_group_attachment": ["id"],
    "aws_ses_receipt_rule": ["arn", "id"],
    "aws_iam_role_policies_exclusive": [],
    "aws_iam_role_policy_attachments_exclusive": [],
}


class Plan:
    def __init__(self, region_expr=None, variables=None, provider_alias=None):
        self.instances = []
        self.configs = {}  # (module names tuple) -> list of config resources
        self.calls = {}  # (parent names tuple, name) -> call dict
        self.outputs = {}
        self.module_vars = {}
        self.variables = variables or {}
        self.region_expr = region_expr if region_expr is not None else C(REGION)
        self.errored = False
        self.extra_providers = provider_alias or {}

    # A configuration resource block.
    def config(self, address, expressions, module=(), count=None, for_each=None, provider="aws"):
        t = split_ref(address)
        mode = "data" if t[0] == "data" else "managed"
        rtype, name = (t[1], t[2]) if mode == "data" else (t[0], t[1])
        c = {
            "address": address,
            "mode": mode,
            "type": rtype,
            "name": name,
            "provider_config_key": provider if not module else provider,
            "expressions": expressions,
            "schema_version": 0,
        }
        if count is not None:
            c["count_expression"] = count
        if for_each is not None:
            c["for_each_expression"] = for_each
        self.configs.setdefault(tuple(module), []).append(c)

    def module_call(self, parent, name, source, expressions, count=None, for_each=None,
                    outputs=None, variables=None):
        call = {"source": source, "expressions": expressions}
        if count is not None:
            call["count_expression"] = count
        if for_each is not None:
            call["for_each_expression"] = for_each
        self.calls[(tuple(parent), name)] = call
        self.outputs[tuple(parent) + (name,)] = outputs or {}
        self.module_vars[tuple(parent) + (name,)] = variables or {}

    # One resource instance.
    def instance(self, address, values, unknown=(), action="create", module="", index=None,
                 before=None, deposed=None, reason=None, defaults=True, mode=None,
                 prior=True, sensitive=None):
        t = split_ref(address[len(module) + 1:] if module else address)
        mode = mode or ("data" if t[0] == "data" else "managed")
        rtype, name = (t[1], t[2]) if mode == "data" else (t[0], t[1])
        full = {}
        if defaults:
            full.update(copy.deepcopy(DEFAULTS.get(rtype, {})))
        full.update(copy.deepcopy(values))
        unknown = list(unknown)
        if action in ("create", "replace", "create-before") and mode == "managed":
            for c in COMPUTED.get(rtype, []):
                if c not in full and c not in unknown:
                    unknown.append(c)
        for u in unknown:
            top = u.split(".")[0]
            if top not in full and "." not in u:
                full[top] = None
        self.instances.append({
            "address": address, "module": module, "mode": mode, "type": rtype, "name": name,
            "index": index, "values": full, "unknown": unknown, "action": action,
            "before": before, "deposed": deposed, "reason": reason, "prior": prior,
            "sensitive": sensitive or [],
        })

    def data_read(self, address, values, module="", index=None):
        """A data source read while planning: only in prior_state."""
        self.instance(address, values, action="read-at-plan", module=module, index=index,
                      defaults=False)

    # --- building -------------------------------------------------------------------------

    def _after(self, inst):
        after = copy.deepcopy(inst["values"])
        for u in inst["unknown"]:
            if "." in u:
                drop_path(after, u)
            else:
                after.pop(u, None)
        return after

    def _after_unknown(self, inst):
        m = mask(inst["values"]) or {}
        for u in inst["unknown"]:
            set_path(m, u, True)
        return m

    def _sensitive(self, inst, after):
        s = mask(after) or {}
        for p in inst["sensitive"]:
            set_path(s, p, True)
        return s

    def _planned_entry(self, inst, values):
        e = {
            "address": inst["address"],
            "mode": inst["mode"],
            "type": inst["type"],
            "name": inst["name"],
        }
        if inst["index"] is not None:
            e["index"] = inst["index"]
        e["provider_name"] = AWS
        e["schema_version"] = 0
        e["values"] = values
        e["sensitive_values"] = self._sensitive(inst, values)
        return e

    def _tree(self, entries):
        """Nests resources by module address, as planned_values and prior_state do."""
        root = {"resources": [], "child_modules": {}}
        for module, e in entries:
            node = root
            if module:
                parts = re.findall(r'module\.[^.\[]+(?:\[[^\]]+\])?', module)
                path = ""
                for p in parts:
                    path = path + ("." if path else "") + p
                    node = node["child_modules"].setdefault(
                        path, {"resources": [], "address": path, "child_modules": {}})
            node["resources"].append(e)

        def finish(node, is_root):
            out = {}
            if node["resources"]:
                out["resources"] = sorted(node["resources"], key=lambda r: r["address"])
            children = [finish(c, False) for _, c in sorted(node["child_modules"].items())]
            if children:
                out["child_modules"] = children
            if not is_root:
                out["address"] = node["address"]
            return out

        return finish(root, True)

    def _config_module(self, names):
        out = {}
        outputs = self.outputs.get(names)
        if outputs:
            out["outputs"] = {k: {"expression": v} for k, v in outputs.items()}
        resources = self.configs.get(names, [])
        if resources:
            out["resources"] = resources
        calls = {n: c for (p, n), c in self.calls.items() if p == names}
        if calls:
            out["module_calls"] = {}
            for n, c in sorted(calls.items()):
                call = dict(c)
                call["module"] = self._config_module(names + (n,))
                out["module_calls"][n] = call
        variables = self.module_vars.get(names)
        if variables:
            out["variables"] = variables
        if not names and self.variables:
            out["variables"] = {k: {} for k in self.variables}
        return out

    def build(self):
        planned, changes, prior, relevant = [], [], [], []
        for inst in self.instances:
            action = inst["action"]
            after = self._after(inst)
            if action == "read-at-plan":
                prior.append((inst["module"], self._planned_entry(inst, after)))
                continue
            if action in ("no-op", "update", "delete", "replace", "create-before") and inst["prior"]:
                before = inst["before"] if inst["before"] is not None else after
                if inst["deposed"] is None:
                    prior.append((inst["module"], self._planned_entry(inst, before)))
            if action != "delete":
                planned.append((inst["module"], self._planned_entry(inst, after)))
            actions = {
                "create": ["create"], "no-op": ["no-op"], "update": ["update"],
                "delete": ["delete"], "replace": ["delete", "create"],
                "create-before": ["create", "delete"], "read": ["read"],
            }[action]
            before = None
            if action in ("no-op", "update", "delete", "replace", "create-before"):
                before = inst["before"] if inst["before"] is not None else after
            change = {
                "address": inst["address"],
            }
            if inst["module"]:
                change["module_address"] = inst["module"]
            change.update({"mode": inst["mode"], "type": inst["type"], "name": inst["name"]})
            if inst["index"] is not None:
                change["index"] = inst["index"]
            change["provider_name"] = AWS
            if inst["deposed"]:
                change["deposed"] = inst["deposed"]
            change["change"] = {
                "actions": actions,
                "before": before,
                "after": None if action == "delete" else after,
                "after_unknown": {} if action == "delete" else self._after_unknown(inst),
                "before_sensitive": False if before is None else (mask(before) or {}),
                "after_sensitive": False if action == "delete" else self._sensitive(inst, after),
            }
            if action in ("replace", "create-before"):
                change["change"]["replace_paths"] = [["name"]]
                change["action_reason"] = inst["reason"] or "replace_because_cannot_update"
            if action == "read":
                change["action_reason"] = inst["reason"] or "read_because_config_unknown"
            if action == "delete" and inst["reason"]:
                change["action_reason"] = inst["reason"]
            changes.append(change)
        changes.sort(key=lambda c: (c["address"], c.get("deposed", "")))
        providers = {
            "aws": {
                "name": "aws",
                "full_name": AWS,
                "version_constraint": "~> 6.25",
                "expressions": {"region": self.region_expr},
            }
        }
        providers.update(self.extra_providers)
        doc = {"format_version": "1.2", "terraform_version": TF_VERSION}
        if self.variables:
            doc["variables"] = {k: {"value": v} for k, v in self.variables.items()}
        doc["planned_values"] = {"root_module": self._tree(planned)}
        doc["resource_changes"] = changes
        if prior:
            doc["prior_state"] = {
                "format_version": "1.0",
                "terraform_version": TF_VERSION,
                "values": {"root_module": self._tree(prior)},
            }
        doc["configuration"] = {
            "provider_config": providers,
            "root_module": self._config_module(()),
        }
        for inst in self.instances:
            for u in inst["unknown"]:
                if u == "arn" and inst["action"] == "create":
                    relevant.append({"resource": inst["address"], "attribute": ["arn"]})
        if relevant:
            doc["relevant_attributes"] = relevant
        doc["timestamp"] = TIMESTAMP
        doc["applyable"] = True
        doc["complete"] = not self.errored
        doc["errored"] = self.errored
        return doc


def write(name, doc):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def arn(service, resource, region=REGION, account=ACCOUNT):
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def lambda_role(p, address, name, module="", action="create", config=True, trust=None,
                extra_config=None, extra_values=None, name_prefix=None, count=None):
    values = {"assume_role_policy": trust or ASSUME_LAMBDA}
    if name_prefix:
        values["name_prefix"] = name_prefix
    else:
        values["name"] = name
    if action != "create":
        values.update({"arn": arn("iam", f"role/{name}", region=""), "id": name,
                       "unique_id": "AROAEXAMPLE" + name.upper()[:8],
                       "managed_policy_arns": [], "inline_policy": [],
                       "create_date": "2025-03-01T10:00:00Z", "tags_all": {}})
    values.update(extra_values or {})
    unknown = ["name"] if name_prefix else []
    p.instance(address, values, unknown=unknown, action=action, module=module)
    if config:
        exprs = {"assume_role_policy": F}
        if name_prefix:
            exprs["name_prefix"] = C(name_prefix) if "${" not in name_prefix else R("var.name")
        else:
            exprs["name"] = C(name)
        exprs.update(extra_config or {})
        short = address[len(module) + 1:] if module else address
        p.config(short, exprs, module=module_names(module), count=count)


def module_names(module):
    return tuple(re.findall(r'module\.([^.\[]+)', module))


def function(p, address, name, role_ref, module="", action="create", extra_values=None,
             extra_config=None, index=None, config=True, role_value=None, count=None):
    values = {"function_name": name}
    if role_value:
        values["role"] = role_value
    if action != "create":
        values.update({
            "arn": arn("lambda", f"function:{name}"),
            "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                          + arn("lambda", f"function:{name}") + "/invocations",
            "qualified_arn": arn("lambda", f"function:{name}:$LATEST"), "version": "$LATEST",
            "id": name,
        })
    values.update(extra_values or {})
    unknown = [] if role_value else ["role"]
    p.instance(address, values, unknown=unknown, action=action, module=module, index=index)
    if config:
        exprs = {"function_name": C(name), "role": R(role_ref) if role_ref else F,
                 "handler": C("app.handler"), "runtime": C("python3.12"),
                 "filename": C("build/handler.zip"), "timeout": C(30)}
        exprs.update(extra_config or {})
        short = address[len(module) + 1:] if module else address
        short = re.sub(r'\[[^\]]*\]$', '', short)
        p.config(short, exprs, module=module_names(module), count=count)


# =================================================================================================
# Fixtures


def sqs():
    """SQS: a queue created in this plan (its ARN unknown), read by a function whose role's
    policy comes from a deferred `data.aws_iam_policy_document` (it references the queue ARN) and
    whose trust policy comes from one read while planning.

        data "aws_iam_policy_document" "assume" { statement { actions = ["sts:AssumeRole"] … } }
        resource "aws_sqs_queue" "orders"     { name = "orders"  kms_master_key_id = "alias/aws/sqs" }
        resource "aws_sqs_queue" "orders_dlq" { name = "orders-dlq" }            # exists
        resource "aws_kms_key" "filter" {}                                       # exists
        resource "aws_iam_role" "consumer" { name = "orders-consumer"  assume_role_policy = data…assume.json }
        data "aws_iam_policy_document" "consume" {
          statement { sid = "Poll" actions = [sqs:ReceiveMessage, …] resources = [aws_sqs_queue.orders.arn] }
          statement { sid = "Dlq"  actions = ["sqs:SendMessage"]    resources = [aws_sqs_queue.orders_dlq.arn] }
        }
        resource "aws_iam_role_policy" "consume" { role = aws_iam_role.consumer.id  policy = data…consume.json }
        resource "aws_lambda_function" "consumer" { role = aws_iam_role.consumer.arn … }
        resource "aws_lambda_event_source_mapping" "orders" {
          event_source_arn = aws_sqs_queue.orders.arn  function_name = aws_lambda_function.consumer.arn
          kms_key_arn = aws_kms_key.filter.arn  filter_criteria { filter { pattern = … } }
        }
    """
    p = Plan()
    assume_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    p.data_read("data.aws_iam_policy_document.assume", {
        "id": "2690255455", "json": json.dumps(assume_doc, indent=2),
        "minified_json": compact(assume_doc), "override_json": None,
        "override_policy_documents": None, "policy_id": None, "source_json": None,
        "source_policy_documents": None, "version": None,
        "statement": [{"actions": ["sts:AssumeRole"], "condition": [], "effect": "Allow",
                       "not_actions": [], "not_principals": [], "not_resources": [],
                       "principals": [{"identifiers": ["lambda.amazonaws.com"], "type": "Service"}],
                       "resources": [], "sid": ""}],
    })
    p.config("data.aws_iam_policy_document.assume", {"statement": [{
        "actions": C(["sts:AssumeRole"]),
        "principals": [{"identifiers": C(["lambda.amazonaws.com"]), "type": C("Service")}],
    }]})
    p.instance("aws_sqs_queue.orders", {"name": "orders", "kms_master_key_id": "alias/aws/sqs"})
    p.config("aws_sqs_queue.orders", {"name": C("orders"), "kms_master_key_id": C("alias/aws/sqs")})
    dlq_arn = arn("sqs", "orders-dlq")
    p.instance("aws_sqs_queue.orders_dlq", {
        "name": "orders-dlq", "arn": dlq_arn, "id": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders-dlq",
        "url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders-dlq", "sqs_managed_sse_enabled": True,
        "policy": "", "redrive_allow_policy": "", "redrive_policy": "", "tags_all": {},
        "deduplication_scope": "", "fifo_throughput_limit": "", "kms_data_key_reuse_period_seconds": 300,
    }, action="no-op")
    p.config("aws_sqs_queue.orders_dlq", {"name": C("orders-dlq")})
    key_arn = arn("kms", "key/0d6c4f2a-6f0e-4d8e-9b1e-5a4f7f3c2b11")
    p.instance("aws_kms_key.filter", {
        "arn": key_arn, "id": "0d6c4f2a-6f0e-4d8e-9b1e-5a4f7f3c2b11",
        "key_id": "0d6c4f2a-6f0e-4d8e-9b1e-5a4f7f3c2b11", "description": "ESM filter criteria",
        "enable_key_rotation": True, "key_usage": "ENCRYPT_DECRYPT", "region": REGION,
    }, action="no-op", defaults=False)
    p.config("aws_kms_key.filter", {"description": C("ESM filter criteria"), "enable_key_rotation": C(True)})
    p.instance("aws_iam_role.consumer", {"name": "orders-consumer", "assume_role_policy": compact(assume_doc)})
    p.config("aws_iam_role.consumer", {
        "name": C("orders-consumer"),
        "assume_role_policy": R("data.aws_iam_policy_document.assume.json"),
    })
    p.instance("data.aws_iam_policy_document.consume", {
        "override_json": None, "override_policy_documents": None, "policy_id": None,
        "source_json": None, "source_policy_documents": None, "version": None,
        "statement": [
            {"actions": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
             "condition": [], "effect": None, "not_actions": None, "not_principals": [],
             "not_resources": None, "principals": [], "resources": [None], "sid": "Poll"},
            {"actions": ["sqs:SendMessage"], "condition": [], "effect": None, "not_actions": None,
             "not_principals": [], "not_resources": None, "principals": [],
             "resources": [dlq_arn], "sid": "Dlq"},
        ],
    }, unknown=["id", "json", "minified_json", "statement.0.resources.0"], action="read",
        defaults=False)
    p.config("data.aws_iam_policy_document.consume", {"statement": [
        {"sid": C("Poll"),
         "actions": C(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
         "resources": R("aws_sqs_queue.orders.arn")},
        {"sid": C("Dlq"), "actions": C(["sqs:SendMessage"]),
         "resources": R("aws_sqs_queue.orders_dlq.arn")},
    ]})
    p.instance("aws_iam_role_policy.consume", {"name": "consume"}, unknown=["role", "policy"])
    p.config("aws_iam_role_policy.consume", {
        "name": C("consume"),
        "role": R("aws_iam_role.consumer.id"),
        "policy": R("data.aws_iam_policy_document.consume.json"),
    })
    function(p, "aws_lambda_function.consumer", "orders-consumer", "aws_iam_role.consumer.arn")
    p.instance("aws_lambda_event_source_mapping.orders", {
        "batch_size": 10, "kms_key_arn": key_arn,
        "filter_criteria": [{"filter": [{"pattern": compact({"body": {"kind": ["order"]}})}]}],
        "function_response_types": ["ReportBatchItemFailures"],
        "scaling_config": [{"maximum_concurrency": 10}],
    }, unknown=["event_source_arn", "function_name"])
    p.config("aws_lambda_event_source_mapping.orders", {
        "event_source_arn": R("aws_sqs_queue.orders.arn"),
        "function_name": R("aws_lambda_function.consumer.arn"),
        "batch_size": C(10),
        "kms_key_arn": R("aws_kms_key.filter.arn"),
        "function_response_types": C(["ReportBatchItemFailures"]),
        "filter_criteria": [{"filter": [{"pattern": F}]}],
        "scaling_config": [{"maximum_concurrency": C(10)}],
    })
    write("sqs.json", p.build())


def kinesis():
    """Kinesis: an existing KMS-encrypted stream (key named by its alias), an enhanced fan-out
    consumer created in this plan, one mapping on each, an on-failure destination queue, and an
    AWS managed policy attached with `aws_iam_role_policy_attachment`.

        resource "aws_kms_key" "stream" {}                                      # exists
        resource "aws_kms_alias" "stream" { name = "alias/stream"  target_key_id = aws_kms_key.stream.key_id }
        resource "aws_kinesis_stream" "events" { name = "events"  encryption_type = "KMS"  kms_key_id = aws_kms_alias.stream.name }
        resource "aws_kinesis_stream_consumer" "fanout" { name = "fanout"  stream_arn = aws_kinesis_stream.events.arn }
        resource "aws_sqs_queue" "failures" { name = "events-failures" }
        resource "aws_iam_role" "reader" { name = "events-reader" … }
        resource "aws_iam_role_policy_attachment" "kinesis" { role = aws_iam_role.reader.name  policy_arn = "…/AWSLambdaKinesisExecutionRole" }
        resource "aws_lambda_function" "reader" { role = aws_iam_role.reader.arn … }
        resource "aws_lambda_event_source_mapping" "stream"   { event_source_arn = aws_kinesis_stream.events.arn … destination_config { on_failure { destination_arn = aws_sqs_queue.failures.arn } } }
        resource "aws_lambda_event_source_mapping" "consumer" { event_source_arn = aws_kinesis_stream_consumer.fanout.arn … }
    """
    p = Plan()
    key_id = "6b9e3c55-1f4d-4c8e-a2a7-0e5a9d4f8c21"
    p.instance("aws_kms_key.stream", {"arn": arn("kms", f"key/{key_id}"), "id": key_id,
                                      "key_id": key_id, "description": "events stream",
                                      "region": REGION}, action="no-op", defaults=False)
    p.config("aws_kms_key.stream", {"description": C("events stream")})
    p.instance("aws_kms_alias.stream", {"name": "alias/stream", "target_key_id": key_id,
                                        "arn": arn("kms", "alias/stream"), "id": "alias/stream",
                                        "target_key_arn": arn("kms", f"key/{key_id}"),
                                        "region": REGION}, action="no-op", defaults=False)
    p.config("aws_kms_alias.stream", {"name": C("alias/stream"), "target_key_id": R("aws_kms_key.stream.key_id")})
    stream_arn = arn("kinesis", "stream/events")
    p.instance("aws_kinesis_stream.events", {"name": "events", "arn": stream_arn, "id": stream_arn,
                                             "encryption_type": "KMS", "kms_key_id": "alias/stream",
                                             "stream_mode_details": [{"stream_mode": "ON_DEMAND"}],
                                             "shard_count": 0, "tags_all": {}}, action="no-op")
    p.config("aws_kinesis_stream.events", {"name": C("events"), "encryption_type": C("KMS"),
                                           "kms_key_id": R("aws_kms_alias.stream.name"),
                                           "stream_mode_details": [{"stream_mode": C("ON_DEMAND")}]})
    p.instance("aws_kinesis_stream_consumer.fanout", {"name": "fanout", "stream_arn": stream_arn,
                                                      "region": REGION})
    p.config("aws_kinesis_stream_consumer.fanout", {"name": C("fanout"), "stream_arn": R("aws_kinesis_stream.events.arn")})
    p.instance("aws_sqs_queue.failures", {"name": "events-failures"})
    p.config("aws_sqs_queue.failures", {"name": C("events-failures")})
    lambda_role(p, "aws_iam_role.reader", "events-reader")
    p.instance("aws_iam_role_policy_attachment.kinesis", {
        "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
        "role": "events-reader"})
    p.config("aws_iam_role_policy_attachment.kinesis", {
        "role": R("aws_iam_role.reader.name"),
        "policy_arn": C("arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole")})
    function(p, "aws_lambda_function.reader", "events-reader", "aws_iam_role.reader.arn")
    p.instance("aws_lambda_event_source_mapping.stream", {
        "event_source_arn": stream_arn, "starting_position": "LATEST", "batch_size": 100,
        "maximum_retry_attempts": 3, "bisect_batch_on_function_error": True,
        "destination_config": [{"on_failure": [{}]}],
    }, unknown=["function_name", "destination_config.0.on_failure.0.destination_arn"])
    p.config("aws_lambda_event_source_mapping.stream", {
        "event_source_arn": R("aws_kinesis_stream.events.arn"),
        "function_name": R("aws_lambda_function.reader.arn"),
        "starting_position": C("LATEST"), "batch_size": C(100), "maximum_retry_attempts": C(3),
        "bisect_batch_on_function_error": C(True),
        "destination_config": [{"on_failure": [{"destination_arn": R("aws_sqs_queue.failures.arn")}]}],
    })
    p.instance("aws_lambda_event_source_mapping.consumer", {"starting_position": "TRIM_HORIZON"},
               unknown=["event_source_arn", "function_name"])
    p.config("aws_lambda_event_source_mapping.consumer", {
        "event_source_arn": R("aws_kinesis_stream_consumer.fanout.arn"),
        "function_name": R("aws_lambda_function.reader.function_name"),
        "starting_position": C("TRIM_HORIZON"),
    })
    write("kinesis.json", p.build())


def dynamodb():
    """DynamoDB Streams: a table created with a stream (its stream ARN unknown), a role with a
    deprecated `inline_policy` block written with `jsonencode` of constants (known in the plan),
    and an on-failure SNS topic.

        resource "aws_dynamodb_table" "orders" { name = "orders"  stream_enabled = true  stream_view_type = "NEW_IMAGE" … }
        resource "aws_sns_topic" "alerts" { name = "orders-alerts" }
        resource "aws_iam_role" "projector" {
          name = "orders-projector"
          inline_policy { name = "streams"  policy = jsonencode({ Statement = [{ Action = ["dynamodb:GetRecords", …], Resource = "*" }] }) }
        }
        resource "aws_lambda_function" "projector" { role = aws_iam_role.projector.arn … }
        resource "aws_lambda_event_source_mapping" "orders" {
          event_source_arn = aws_dynamodb_table.orders.stream_arn  function_name = aws_lambda_function.projector.function_name
          starting_position = "TRIM_HORIZON"  destination_config { on_failure { destination_arn = aws_sns_topic.alerts.arn } }
        }
    """
    p = Plan()
    p.instance("aws_dynamodb_table.orders", {"name": "orders", "stream_enabled": True,
                                             "stream_view_type": "NEW_IMAGE"})
    p.config("aws_dynamodb_table.orders", {"name": C("orders"), "hash_key": C("pk"),
                                           "billing_mode": C("PAY_PER_REQUEST"),
                                           "stream_enabled": C(True), "stream_view_type": C("NEW_IMAGE"),
                                           "attribute": [{"name": C("pk"), "type": C("S")}]})
    p.instance("aws_sns_topic.alerts", {"name": "orders-alerts", "region": REGION}, defaults=False)
    p.config("aws_sns_topic.alerts", {"name": C("orders-alerts")})
    streams = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ListStreams"], "Resource": "*"}, {"Effect": "Allow", "Action": "sns:Publish",
        "Resource": "*"}]})
    p.instance("aws_iam_role.projector", {"name": "orders-projector",
                                          "assume_role_policy": ASSUME_LAMBDA,
                                          "inline_policy": [{"name": "streams", "policy": streams}]})
    p.config("aws_iam_role.projector", {"name": C("orders-projector"), "assume_role_policy": F,
                                        "inline_policy": [{"name": C("streams"), "policy": F}]})
    function(p, "aws_lambda_function.projector", "orders-projector", "aws_iam_role.projector.arn")
    p.instance("aws_lambda_event_source_mapping.orders", {
        "function_name": "orders-projector", "starting_position": "TRIM_HORIZON",
        "destination_config": [{"on_failure": [{}]}]},
        unknown=["event_source_arn", "destination_config.0.on_failure.0.destination_arn"])
    p.config("aws_lambda_event_source_mapping.orders", {
        "event_source_arn": R("aws_dynamodb_table.orders.stream_arn"),
        "function_name": R("aws_lambda_function.projector.function_name"),
        "starting_position": C("TRIM_HORIZON"),
        "destination_config": [{"on_failure": [{"destination_arn": R("aws_sns_topic.alerts.arn")}]}],
    })
    write("dynamodb.json", p.build())


def msk():
    """Amazon MSK with SASL/SCRAM: the secret is encrypted with a customer managed key, both
    created in this plan, so the mapping's access configuration and the secret's key are linked
    through references.

        resource "aws_kms_key" "secrets" { description = "MSK credentials" }
        resource "aws_secretsmanager_secret" "scram" { name = "AmazonMSK_orders"  kms_key_id = aws_kms_key.secrets.arn }
        resource "aws_msk_cluster" "orders" {
          cluster_name = "orders"  kafka_version = "3.6.0"  number_of_broker_nodes = 3
          client_authentication { sasl { scram = true } }
        }
        resource "aws_lambda_event_source_mapping" "orders" {
          event_source_arn = aws_msk_cluster.orders.arn  topics = ["orders"]  starting_position = "TRIM_HORIZON"
          function_name = aws_lambda_function.ingest.arn
          source_access_configuration { type = "SASL_SCRAM_512_AUTH"  uri = aws_secretsmanager_secret.scram.arn }
          amazon_managed_kafka_event_source_config { consumer_group_id = "orders-ingest" }
        }
    """
    p = Plan()
    p.instance("aws_kms_key.secrets", {"description": "MSK credentials", "region": REGION},
               defaults=False)
    p.config("aws_kms_key.secrets", {"description": C("MSK credentials")})
    p.instance("aws_secretsmanager_secret.scram", {"name": "AmazonMSK_orders", "name_prefix": None,
                                                   "recovery_window_in_days": 30, "region": REGION},
               unknown=["kms_key_id"], defaults=False)
    p.config("aws_secretsmanager_secret.scram", {"name": C("AmazonMSK_orders"),
                                                 "kms_key_id": R("aws_kms_key.secrets.arn")})
    p.instance("aws_msk_cluster.orders", {
        "cluster_name": "orders", "kafka_version": "3.6.0", "number_of_broker_nodes": 3,
        "region": REGION,
        "client_authentication": [{"sasl": [{"iam": False, "scram": True}], "tls": [],
                                   "unauthenticated": False}],
        "broker_node_group_info": [{"instance_type": "kafka.m5.large",
                                    "client_subnets": ["subnet-0a1", "subnet-0b2", "subnet-0c3"],
                                    "security_groups": ["sg-0kafka"]}],
    }, defaults=False)
    p.config("aws_msk_cluster.orders", {
        "cluster_name": C("orders"), "kafka_version": C("3.6.0"),
        "number_of_broker_nodes": C(3),
        "client_authentication": [{"sasl": [{"scram": C(True)}]}],
        "broker_node_group_info": [{"instance_type": C("kafka.m5.large"),
                                    "client_subnets": C(["subnet-0a1", "subnet-0b2", "subnet-0c3"]),
                                    "security_groups": C(["sg-0kafka"])}],
    })
    lambda_role(p, "aws_iam_role.ingest", "orders-ingest")
    p.instance("aws_iam_role_policy_attachment.msk", {
        "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole",
        "role": "orders-ingest"})
    p.config("aws_iam_role_policy_attachment.msk", {
        "role": R("aws_iam_role.ingest.name"),
        "policy_arn": C("arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole")})
    function(p, "aws_lambda_function.ingest", "orders-ingest", "aws_iam_role.ingest.arn",
             extra_values={"vpc_config": [{"subnet_ids": ["subnet-0a1", "subnet-0b2"],
                                           "security_group_ids": ["sg-0lambda"],
                                           "ipv6_allowed_for_dual_stack": False}]},
             extra_config={"vpc_config": [{"subnet_ids": C(["subnet-0a1", "subnet-0b2"]),
                                           "security_group_ids": C(["sg-0lambda"])}]})
    p.instance("aws_lambda_event_source_mapping.orders", {
        "topics": ["orders"], "starting_position": "TRIM_HORIZON", "batch_size": 100,
        "amazon_managed_kafka_event_source_config": [{"consumer_group_id": "orders-ingest",
                                                      "schema_registry_config": []}],
        "source_access_configuration": [{"type": "SASL_SCRAM_512_AUTH"}],
    }, unknown=["event_source_arn", "function_name", "source_access_configuration.0.uri"])
    p.config("aws_lambda_event_source_mapping.orders", {
        "event_source_arn": R("aws_msk_cluster.orders.arn"),
        "function_name": R("aws_lambda_function.ingest.arn"),
        "topics": C(["orders"]), "starting_position": C("TRIM_HORIZON"), "batch_size": C(100),
        "source_access_configuration": [{"type": C("SASL_SCRAM_512_AUTH"),
                                         "uri": R("aws_secretsmanager_secret.scram.arn")}],
        "amazon_managed_kafka_event_source_config": [{"consumer_group_id": C("orders-ingest")}],
    })
    write("msk.json", p.build())


def msk_connect():
    """MSK Connect: a connector on a serverless cluster created in this plan (linked through its
    `bootstrap_brokers_sasl_iam` reference) with a role whose policy is a customer managed
    `aws_iam_policy`; a second connector names an existing cluster's brokers literally and an
    execution role outside the plan.

        resource "aws_msk_serverless_cluster" "events" { cluster_name = "events"  client_authentication { sasl { iam { enabled = true } } } … }
        resource "aws_msk_cluster" "legacy" { cluster_name = "legacy" … }                        # exists
        resource "aws_iam_role" "connect" { name = "events-connect"  assume_role_policy = jsonencode(… kafkaconnect.amazonaws.com …) }
        resource "aws_iam_policy" "connect" { name = "events-connect"  policy = jsonencode({ … kafka-cluster:Connect … }) }
        resource "aws_iam_role_policy_attachment" "connect" { role = aws_iam_role.connect.name  policy_arn = aws_iam_policy.connect.arn }
        resource "aws_mskconnect_connector" "sink" {
          service_execution_role_arn = aws_iam_role.connect.arn
          kafka_cluster { apache_kafka_cluster { bootstrap_servers = aws_msk_serverless_cluster.events.bootstrap_brokers_sasl_iam … } }
          kafka_cluster_client_authentication { authentication_type = "IAM" } …
        }
        resource "aws_mskconnect_connector" "legacy" { service_execution_role_arn = "arn:aws:iam::111122223333:role/legacy-connect"  bootstrap_servers = "<legacy brokers>" … }
    """
    p = Plan()
    p.instance("aws_msk_serverless_cluster.events", {
        "cluster_name": "events", "region": REGION,
        "client_authentication": [{"sasl": [{"iam": [{"enabled": True}]}]}],
        "vpc_config": [{"subnet_ids": ["subnet-0a1", "subnet-0b2"], "security_group_ids": ["sg-0kafka"]}],
    }, defaults=False)
    p.config("aws_msk_serverless_cluster.events", {
        "cluster_name": C("events"),
        "client_authentication": [{"sasl": [{"iam": [{"enabled": C(True)}]}]}],
        "vpc_config": [{"subnet_ids": C(["subnet-0a1", "subnet-0b2"]), "security_group_ids": C(["sg-0kafka"])}],
    })
    legacy_brokers = "b-1.legacy.k4x2pz.c3.kafka.eu-west-1.amazonaws.com:9098,b-2.legacy.k4x2pz.c3.kafka.eu-west-1.amazonaws.com:9098"
    legacy_arn = arn("kafka", "cluster/legacy/5b7e4c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e-3")
    p.instance("aws_msk_cluster.legacy", {
        "cluster_name": "legacy", "arn": legacy_arn, "id": legacy_arn,
        "cluster_uuid": "5b7e4c1d-2f3a-4b5c-8d9e-0f1a2b3c4d5e-3", "kafka_version": "3.5.1",
        "number_of_broker_nodes": 2, "region": REGION,
        "bootstrap_brokers": "", "bootstrap_brokers_sasl_iam": legacy_brokers,
        "bootstrap_brokers_sasl_scram": "", "bootstrap_brokers_tls": "",
        "client_authentication": [{"sasl": [{"iam": True, "scram": False}], "tls": [], "unauthenticated": False}],
    }, action="no-op", defaults=False)
    p.config("aws_msk_cluster.legacy", {"cluster_name": C("legacy"), "kafka_version": C("3.5.1"),
                                        "number_of_broker_nodes": C(2),
                                        "client_authentication": [{"sasl": [{"iam": C(True)}]}]})
    trust = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "kafkaconnect.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {
        "StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})
    lambda_role(p, "aws_iam_role.connect", "events-connect", trust=trust)
    policy = compact({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
         "Resource": arn("kafka", "cluster/events/*")},
        {"Effect": "Allow", "Action": ["kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"],
         "Resource": arn("kafka", "topic/events/*/*")}]})
    p.instance("aws_iam_policy.connect", {"name": "events-connect", "policy": policy})
    p.config("aws_iam_policy.connect", {"name": C("events-connect"), "policy": F})
    p.instance("aws_iam_role_policy_attachment.connect", {"role": "events-connect"},
               unknown=["policy_arn"])
    p.config("aws_iam_role_policy_attachment.connect", {"role": R("aws_iam_role.connect.name"),
                                                        "policy_arn": R("aws_iam_policy.connect.arn")})
    common = {
        "capacity": [{"autoscaling": [], "provisioned_capacity": [{"mcu_count": 1, "worker_count": 1}]}],
        "connector_configuration": {"connector.class": "io.confluent.connect.s3.S3SinkConnector", "tasks.max": "1", "topics": "events"},
        "kafka_cluster_encryption_in_transit": [{"encryption_type": "TLS"}],
        "kafkaconnect_version": "2.7.1", "region": REGION,
        "plugin": [{"custom_plugin": [{"arn": arn("kafkaconnect", "custom-plugin/s3-sink/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2"), "revision": 1}]}],
    }
    sink = dict(common, name="events-sink",
                kafka_cluster=[{"apache_kafka_cluster": [{"vpc": [{"security_groups": ["sg-0kafka"], "subnets": ["subnet-0a1", "subnet-0b2"]}]}]}],
                kafka_cluster_client_authentication=[{"authentication_type": "IAM"}])
    p.instance("aws_mskconnect_connector.sink", sink, unknown=[
        "service_execution_role_arn", "kafka_cluster.0.apache_kafka_cluster.0.bootstrap_servers"],
        defaults=False)
    p.config("aws_mskconnect_connector.sink", {
        "name": C("events-sink"), "kafkaconnect_version": C("2.7.1"),
        "service_execution_role_arn": R("aws_iam_role.connect.arn"),
        "kafka_cluster": [{"apache_kafka_cluster": [{
            "bootstrap_servers": R("aws_msk_serverless_cluster.events.bootstrap_brokers_sasl_iam"),
            "vpc": [{"security_groups": C(["sg-0kafka"]), "subnets": C(["subnet-0a1", "subnet-0b2"])}]}]}],
        "kafka_cluster_client_authentication": [{"authentication_type": C("IAM")}],
        "kafka_cluster_encryption_in_transit": [{"encryption_type": C("TLS")}],
        "connector_configuration": C(common["connector_configuration"]),
    })
    legacy = dict(common, name="legacy-sink",
                  service_execution_role_arn=arn("iam", "role/legacy-connect", region=""),
                  kafka_cluster=[{"apache_kafka_cluster": [{"bootstrap_servers": legacy_brokers, "vpc": [{"security_groups": ["sg-0kafka"], "subnets": ["subnet-0a1"]}]}]}],
                  kafka_cluster_client_authentication=[{"authentication_type": "IAM"}])
    p.instance("aws_mskconnect_connector.legacy", legacy, defaults=False)
    p.config("aws_mskconnect_connector.legacy", {
        "name": C("legacy-sink"), "kafkaconnect_version": C("2.7.1"),
        "service_execution_role_arn": C(arn("iam", "role/legacy-connect", region="")),
        "kafka_cluster": [{"apache_kafka_cluster": [{"bootstrap_servers": C(legacy_brokers),
                                                     "vpc": [{"security_groups": C(["sg-0kafka"]), "subnets": C(["subnet-0a1"])}]}]}],
        "kafka_cluster_client_authentication": [{"authentication_type": C("IAM")}],
    })
    write("msk-connect.json", p.build())


def self_managed_kafka():
    """Self-managed Kafka in a VPC: bootstrap servers, VPC access configurations, SASL/PLAIN
    credentials in an existing secret (AWS managed key), a root CA in a secret created with a
    customer managed key, and a Confluent schema registry using the same credentials.

        resource "aws_lambda_event_source_mapping" "payments" {
          function_name = aws_lambda_function.payments.arn  topics = ["payments"]  starting_position = "TRIM_HORIZON"
          self_managed_event_source { endpoints = { KAFKA_BOOTSTRAP_SERVERS = "b1.kafka.example.com:9092,b2.kafka.example.com:9092" } }
          source_access_configuration { type = "VPC_SUBNET"                 uri = "subnet:subnet-0a1" }
          source_access_configuration { type = "VPC_SECURITY_GROUP"         uri = "security_group:sg-0kafka" }
          source_access_configuration { type = "BASIC_AUTH"                 uri = aws_secretsmanager_secret.auth.arn }
          source_access_configuration { type = "SERVER_ROOT_CA_CERTIFICATE" uri = aws_secretsmanager_secret.ca.arn }
          self_managed_kafka_event_source_config {
            consumer_group_id = "payments"
            schema_registry_config { schema_registry_uri = "https://registry.example.com"  event_record_format = "JSON"
              access_config { type = "BASIC_AUTH"  uri = aws_secretsmanager_secret.auth.arn }
              schema_validation_config { attribute = "VALUE" } }
          }
        }
    """
    p = Plan()
    auth_arn = arn("secretsmanager", "secret:kafka/payments-auth-Xy12Ab")
    p.instance("aws_secretsmanager_secret.auth", {"name": "kafka/payments-auth", "arn": auth_arn,
                                                  "id": auth_arn, "kms_key_id": "",
                                                  "region": REGION}, action="no-op", defaults=False)
    p.config("aws_secretsmanager_secret.auth", {"name": C("kafka/payments-auth")})
    p.instance("aws_kms_key.ca", {"description": "Kafka CA", "region": REGION}, defaults=False)
    p.config("aws_kms_key.ca", {"description": C("Kafka CA")})
    p.instance("aws_secretsmanager_secret.ca", {"name": "kafka/payments-ca", "region": REGION},
               unknown=["kms_key_id"], defaults=False)
    p.config("aws_secretsmanager_secret.ca", {"name": C("kafka/payments-ca"),
                                              "kms_key_id": R("aws_kms_key.ca.arn")})
    lambda_role(p, "aws_iam_role.payments", "payments-consumer")
    function(p, "aws_lambda_function.payments", "payments-consumer", "aws_iam_role.payments.arn",
             extra_values={"vpc_config": [{"subnet_ids": ["subnet-0a1"], "security_group_ids": ["sg-0lambda"],
                                           "ipv6_allowed_for_dual_stack": False}]},
             extra_config={"vpc_config": [{"subnet_ids": C(["subnet-0a1"]), "security_group_ids": C(["sg-0lambda"])}]})
    p.instance("aws_lambda_event_source_mapping.payments", {
        "topics": ["payments"], "starting_position": "TRIM_HORIZON",
        "self_managed_event_source": [{"endpoints": {"KAFKA_BOOTSTRAP_SERVERS": "b1.kafka.example.com:9092,b2.kafka.example.com:9092"}}],
        "source_access_configuration": [
            {"type": "BASIC_AUTH", "uri": auth_arn},
            {"type": "SERVER_ROOT_CA_CERTIFICATE"},
            {"type": "VPC_SECURITY_GROUP", "uri": "security_group:sg-0kafka"},
            {"type": "VPC_SUBNET", "uri": "subnet:subnet-0a1"},
        ],
        "self_managed_kafka_event_source_config": [{"consumer_group_id": "payments", "schema_registry_config": [{
            "schema_registry_uri": "https://registry.example.com", "event_record_format": "JSON",
            "access_config": [{"type": "BASIC_AUTH", "uri": auth_arn}],
            "schema_validation_config": [{"attribute": "VALUE"}]}]}],
    }, unknown=["function_name", "source_access_configuration.1.uri"])
    p.config("aws_lambda_event_source_mapping.payments", {
        "function_name": R("aws_lambda_function.payments.arn"),
        "topics": C(["payments"]), "starting_position": C("TRIM_HORIZON"),
        "self_managed_event_source": [{"endpoints": C({"KAFKA_BOOTSTRAP_SERVERS": "b1.kafka.example.com:9092,b2.kafka.example.com:9092"})}],
        "source_access_configuration": [
            {"type": C("VPC_SUBNET"), "uri": C("subnet:subnet-0a1")},
            {"type": C("VPC_SECURITY_GROUP"), "uri": C("security_group:sg-0kafka")},
            {"type": C("BASIC_AUTH"), "uri": R("aws_secretsmanager_secret.auth.arn")},
            {"type": C("SERVER_ROOT_CA_CERTIFICATE"), "uri": R("aws_secretsmanager_secret.ca.arn")},
        ],
        "self_managed_kafka_event_source_config": [{"consumer_group_id": C("payments"), "schema_registry_config": [{
            "schema_registry_uri": C("https://registry.example.com"), "event_record_format": C("JSON"),
            "access_config": [{"type": C("BASIC_AUTH"), "uri": R("aws_secretsmanager_secret.auth.arn")}],
            "schema_validation_config": [{"attribute": C("VALUE")}]}]}],
    })
    write("self-managed-kafka.json", p.build())


def mq():
    """Amazon MQ: a RabbitMQ broker created in this plan and an ActiveMQ broker outside it,
    named by a literal ARN.

        resource "aws_mq_broker" "events" { broker_name = "events"  engine_type = "RabbitMQ"  publicly_accessible = false … }
        resource "aws_lambda_event_source_mapping" "rabbit" {
          event_source_arn = aws_mq_broker.events.arn  queues = ["orders"]
          source_access_configuration { type = "BASIC_AUTH"    uri = aws_secretsmanager_secret.mq.arn }
          source_access_configuration { type = "VIRTUAL_HOST"  uri = "/orders" }
        }
        resource "aws_lambda_event_source_mapping" "legacy" {
          event_source_arn = "arn:aws:mq:eu-west-1:111122223333:broker:legacy:b-2f1c…"  queues = ["jobs"]
          source_access_configuration { type = "BASIC_AUTH"  uri = aws_secretsmanager_secret.mq.arn }
        }
    """
    p = Plan()
    secret = arn("secretsmanager", "secret:mq/consumer-Qw34Er")
    p.instance("aws_secretsmanager_secret.mq", {"name": "mq/consumer", "arn": secret, "id": secret,
                                                "kms_key_id": "", "region": REGION},
               action="no-op", defaults=False)
    p.config("aws_secretsmanager_secret.mq", {"name": C("mq/consumer")})
    p.instance("aws_mq_broker.events", {
        "broker_name": "events", "engine_type": "RabbitMQ", "engine_version": "3.13",
        "host_instance_type": "mq.m5.large", "publicly_accessible": False,
        "deployment_mode": "SINGLE_INSTANCE", "region": REGION,
        "subnet_ids": ["subnet-0a1"], "security_groups": ["sg-0mq"],
        "user": [{"console_access": False, "groups": [], "replication_user": False, "username": "consumer"}],
    }, defaults=False, sensitive=["user"])
    p.config("aws_mq_broker.events", {
        "broker_name": C("events"), "engine_type": C("RabbitMQ"), "engine_version": C("3.13"),
        "host_instance_type": C("mq.m5.large"), "publicly_accessible": C(False),
        "subnet_ids": C(["subnet-0a1"]), "security_groups": C(["sg-0mq"]),
        "user": [{"username": C("consumer"), "password": R("var.mq_password")}],
    })
    lambda_role(p, "aws_iam_role.mq", "mq-consumer")
    function(p, "aws_lambda_function.mq", "mq-consumer", "aws_iam_role.mq.arn")
    p.instance("aws_lambda_event_source_mapping.rabbit", {
        "queues": ["orders"], "batch_size": 10,
        "source_access_configuration": [{"type": "BASIC_AUTH", "uri": secret},
                                        {"type": "VIRTUAL_HOST", "uri": "/orders"}],
    }, unknown=["event_source_arn", "function_name"])
    p.config("aws_lambda_event_source_mapping.rabbit", {
        "event_source_arn": R("aws_mq_broker.events.arn"),
        "function_name": R("aws_lambda_function.mq.arn"),
        "queues": C(["orders"]), "batch_size": C(10),
        "source_access_configuration": [
            {"type": C("BASIC_AUTH"), "uri": R("aws_secretsmanager_secret.mq.arn")},
            {"type": C("VIRTUAL_HOST"), "uri": C("/orders")}],
    })
    legacy = arn("mq", "broker:legacy:b-2f1c7a3e-9d4b-4e6f-8a1b-3c5d7e9f1a2b")
    p.instance("aws_lambda_event_source_mapping.legacy", {
        "event_source_arn": legacy, "queues": ["jobs"], "batch_size": 10,
        "source_access_configuration": [{"type": "BASIC_AUTH", "uri": secret}],
    }, unknown=["function_name"])
    p.config("aws_lambda_event_source_mapping.legacy", {
        "event_source_arn": C(legacy), "function_name": R("aws_lambda_function.mq.arn"),
        "queues": C(["jobs"]), "batch_size": C(10),
        "source_access_configuration": [{"type": C("BASIC_AUTH"), "uri": R("aws_secretsmanager_secret.mq.arn")}],
    })
    p.variables = {"mq_password": None}
    write("mq.json", p.build())


def documentdb():
    """DocumentDB change streams: a cluster created in this plan.

        resource "aws_docdb_cluster" "shop" { cluster_identifier = "shop-docdb"  master_username = "shop" … }
        resource "aws_lambda_event_source_mapping" "orders" {
          event_source_arn = aws_docdb_cluster.shop.arn  function_name = aws_lambda_function.changes.arn  starting_position = "LATEST"
          document_db_event_source_config { database_name = "shop"  collection_name = "orders"  full_document = "UpdateLookup" }
          source_access_configuration { type = "BASIC_AUTH"  uri = aws_secretsmanager_secret.docdb.arn }
        }
    """
    p = Plan()
    secret = arn("secretsmanager", "secret:docdb/shop-Lm56Nb")
    p.instance("aws_secretsmanager_secret.docdb", {"name": "docdb/shop", "arn": secret, "id": secret,
                                                   "kms_key_id": "", "region": REGION},
               action="no-op", defaults=False)
    p.config("aws_secretsmanager_secret.docdb", {"name": C("docdb/shop")})
    p.instance("aws_docdb_cluster.shop", {"cluster_identifier": "shop-docdb", "engine": "docdb",
                                          "master_username": "shop", "region": REGION,
                                          "storage_encrypted": True}, defaults=False)
    p.config("aws_docdb_cluster.shop", {"cluster_identifier": C("shop-docdb"),
                                        "master_username": C("shop"),
                                        "manage_master_user_password": C(True),
                                        "storage_encrypted": C(True)})
    lambda_role(p, "aws_iam_role.changes", "shop-changes")
    function(p, "aws_lambda_function.changes", "shop-changes", "aws_iam_role.changes.arn",
             extra_values={"vpc_config": [{"subnet_ids": ["subnet-0a1", "subnet-0b2"], "security_group_ids": ["sg-0lambda"], "ipv6_allowed_for_dual_stack": False}]},
             extra_config={"vpc_config": [{"subnet_ids": C(["subnet-0a1", "subnet-0b2"]), "security_group_ids": C(["sg-0lambda"])}]})
    p.instance("aws_lambda_event_source_mapping.orders", {
        "starting_position": "LATEST",
        "document_db_event_source_config": [{"database_name": "shop", "collection_name": "orders",
                                             "full_document": "UpdateLookup"}],
        "source_access_configuration": [{"type": "BASIC_AUTH", "uri": secret}],
    }, unknown=["event_source_arn", "function_name"])
    p.config("aws_lambda_event_source_mapping.orders", {
        "event_source_arn": R("aws_docdb_cluster.shop.arn"),
        "function_name": R("aws_lambda_function.changes.arn"),
        "starting_position": C("LATEST"),
        "document_db_event_source_config": [{"database_name": C("shop"), "collection_name": C("orders"),
                                             "full_document": C("UpdateLookup")}],
        "source_access_configuration": [{"type": C("BASIC_AUTH"), "uri": R("aws_secretsmanager_secret.docdb.arn")}],
    })
    write("documentdb.json", p.build())


def modules():
    """Modules, count and for_each.

        resource "aws_sqs_queue" "tenant" { for_each = toset(["alpha", "beta"])  name = "tenant-${each.key}" }
        module "consumer" {
          source = "./consumer"  for_each = aws_sqs_queue.tenant
          queue_arn = aws_sqs_queue.tenant[each.key].arn  name = "consumer-${each.key}"
        }
        module "shared" { source = "./shared" }                       # output "role_arn" = aws_iam_role.worker.arn (exists)
        resource "aws_sqs_queue" "work" { count = 2  name = "work-${count.index}" }
        resource "aws_lambda_function" "worker" { count = 2  function_name = "worker-${count.index}"  role = module.shared.role_arn }
        resource "aws_lambda_event_source_mapping" "work" {
          count = 2  event_source_arn = aws_sqs_queue.work[count.index].arn  function_name = aws_lambda_function.worker[count.index].function_name
        }
        resource "aws_lambda_event_source_mapping" "any" { event_source_arn = one(aws_sqs_queue.work[*].arn)  function_name = "worker-0" }

        # ./consumer
        resource "aws_iam_role" "this" { name_prefix = "${var.name}-"  assume_role_policy = jsonencode(…) }
        data "aws_iam_policy_document" "poll" { statement { actions = [sqs:ReceiveMessage, …]  resources = [var.queue_arn] } }
        resource "aws_iam_role_policy" "poll" { role = aws_iam_role.this.id  policy = data.aws_iam_policy_document.poll.json }
        resource "aws_lambda_function" "this" { function_name = var.name  role = aws_iam_role.this.arn }
        resource "aws_lambda_event_source_mapping" "this" { event_source_arn = var.queue_arn  function_name = aws_lambda_function.this.arn }
    """
    p = Plan()
    for key in ("alpha", "beta"):
        p.instance(f'aws_sqs_queue.tenant["{key}"]', {"name": f"tenant-{key}"}, index=key)
    p.config("aws_sqs_queue.tenant", {"name": R("each.key")}, for_each=C(["alpha", "beta"]))
    p.module_call((), "consumer", "./consumer", {
        "queue_arn": R("aws_sqs_queue.tenant", "each.key"),
        "name": R("each.key"),
    }, for_each=R("aws_sqs_queue.tenant"),
        outputs={"function_arn": R("aws_lambda_function.this.arn")},
        variables={"queue_arn": {"description": "ARN of the queue to poll"}, "name": {}})
    mod = ("consumer",)
    p.config("aws_iam_role.this", {"name_prefix": R("var.name"), "assume_role_policy": F}, module=mod)
    p.config("data.aws_iam_policy_document.poll", {"statement": [{
        "actions": C(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
        "resources": R("var.queue_arn")}]}, module=mod)
    p.config("aws_iam_role_policy.poll", {"role": R("aws_iam_role.this.id"),
                                          "policy": R("data.aws_iam_policy_document.poll.json")}, module=mod)
    p.config("aws_lambda_function.this", {"function_name": R("var.name"), "role": R("aws_iam_role.this.arn"),
                                          "handler": C("app.handler"), "runtime": C("python3.12"),
                                          "filename": C("build/handler.zip")}, module=mod)
    p.config("aws_lambda_event_source_mapping.this", {"event_source_arn": R("var.queue_arn"),
                                                      "function_name": R("aws_lambda_function.this.arn")}, module=mod)
    for key in ("alpha", "beta"):
        m = f'module.consumer["{key}"]'
        p.instance(f"{m}.aws_iam_role.this", {"name_prefix": f"consumer-{key}-",
                                              "assume_role_policy": ASSUME_LAMBDA},
                   unknown=["name"], module=m)
        p.instance(f"{m}.data.aws_iam_policy_document.poll", {
            "override_json": None, "override_policy_documents": None, "policy_id": None,
            "source_json": None, "source_policy_documents": None, "version": None,
            "statement": [{"actions": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                           "condition": [], "effect": None, "not_actions": None, "not_principals": [],
                           "not_resources": None, "principals": [], "sid": None}],
        }, unknown=["id", "json", "minified_json", "statement.0.resources"], action="read",
            module=m, defaults=False)
        p.instance(f"{m}.aws_iam_role_policy.poll", {"name_prefix": None}, unknown=["role", "policy", "name"],
                   module=m, defaults=False)
        p.instance(f"{m}.aws_lambda_function.this", {"function_name": f"consumer-{key}"},
                   unknown=["role"], module=m)
        p.instance(f"{m}.aws_lambda_event_source_mapping.this", {},
                   unknown=["event_source_arn", "function_name"], module=m)
    p.module_call((), "shared", "./shared", {}, outputs={"role_arn": R("aws_iam_role.worker.arn")})
    lambda_role(p, "module.shared.aws_iam_role.worker", "shared-worker", module="module.shared",
                action="no-op")
    for i in range(2):
        p.instance(f"aws_sqs_queue.work[{i}]", {"name": f"work-{i}"}, index=i)
        function(p, f"aws_lambda_function.worker[{i}]", f"worker-{i}", None, index=i, config=False,
                 role_value=arn("iam", "role/shared-worker", region=""))
        p.instance(f"aws_lambda_event_source_mapping.work[{i}]", {"function_name": f"worker-{i}"},
                   unknown=["event_source_arn"], index=i)
    p.config("aws_sqs_queue.work", {"name": R("count.index")}, count=C(2))
    p.config("aws_lambda_function.worker", {"function_name": R("count.index"),
                                            "role": R("module.shared.role_arn"),
                                            "handler": C("app.handler"), "runtime": C("python3.12"),
                                            "filename": C("build/handler.zip")}, count=C(2))
    p.config("aws_lambda_event_source_mapping.work", {
        "event_source_arn": R("aws_sqs_queue.work", "count.index"),
        "function_name": R("aws_lambda_function.worker", "count.index"),
    }, count=C(2))
    p.instance("aws_lambda_event_source_mapping.any", {"function_name": "worker-0"},
               unknown=["event_source_arn"])
    p.config("aws_lambda_event_source_mapping.any", {"event_source_arn": R("aws_sqs_queue.work"),
                                                     "function_name": C("worker-0")})
    write("modules.json", p.build())


def deleted():
    """Deleted and replaced resources: a function and its mapping removed from the
    configuration (`["delete"]`, only in `prior_state` and `resource_changes`), a queue replaced
    (`["delete", "create"]`), a role replaced with create_before_destroy that also has a deposed
    object left from an earlier apply (`deposed`, `["delete"]`). Only what will exist is read.
    """
    p = Plan()
    lambda_role(p, "aws_iam_role.app", "app", action="create-before",
                extra_values={"description": "replaced"})
    p.instance("aws_iam_role.app", {"name": "app", "assume_role_policy": ASSUME_LAMBDA,
                                    "arn": arn("iam", "role/app", region=""), "id": "app"},
               action="delete", deposed="8d1f3c2a", reason=None)
    function(p, "aws_lambda_function.kept", "kept", "aws_iam_role.app.arn", action="no-op",
             role_value=arn("iam", "role/app", region=""))
    p.instance("aws_lambda_function.old", {"function_name": "old", "role": arn("iam", "role/app", region=""),
                                           "arn": arn("lambda", "function:old")},
               action="delete", reason="delete_because_no_resource_config")
    p.instance("aws_lambda_event_source_mapping.old", {
        "function_name": arn("lambda", "function:old"), "event_source_arn": arn("sqs", "jobs-v1"),
        "uuid": "0f4a1c2e-3b5d-4e6f-8a9b-1c2d3e4f5a6b"},
        action="delete", reason="delete_because_no_resource_config")
    p.instance("aws_sqs_queue.jobs", {"name": "jobs-v2", "fifo_queue": False},
               action="replace", before={"name": "jobs-v1", "arn": arn("sqs", "jobs-v1")})
    p.config("aws_sqs_queue.jobs", {"name": C("jobs-v2")})
    p.instance("aws_lambda_event_source_mapping.jobs", {"function_name": "kept"},
               unknown=["event_source_arn"])
    p.config("aws_lambda_event_source_mapping.jobs", {"event_source_arn": R("aws_sqs_queue.jobs.arn"),
                                                      "function_name": R("aws_lambda_function.kept.function_name")})
    write("deleted.json", p.build())


def policy_documents():
    """Policy documents: a `data.aws_iam_policy_document` read while planning, one deferred
    because it references a queue created in this plan (merging the first through
    `source_policy_documents` and narrowing it with `override_policy_documents`), inline
    policies written with `jsonencode` (one known, one only known after apply), and a role named
    by `name_prefix` with a permissions boundary.

        data "aws_iam_policy_document" "logs"     { statement { sid = "Logs"  actions = [logs:CreateLogStream, logs:PutLogEvents]  resources = ["*"] } }
        data "aws_iam_policy_document" "narrow"   { statement { sid = "Logs"  actions = [logs:PutLogEvents]  resources = ["arn:aws:logs:…:log-group:/jobs/*"] } }
        data "aws_iam_policy_document" "combined" {
          source_policy_documents   = [data.aws_iam_policy_document.logs.json]
          override_policy_documents = [data.aws_iam_policy_document.narrow.json]
          statement {
            sid = "Jobs"  actions = [sqs:ReceiveMessage, …]  resources = [aws_sqs_queue.jobs.arn]
            condition { test = "StringEquals"  variable = "aws:SourceAccount"  values = ["111122223333"] }
          }
        }
        resource "aws_iam_role" "worker" {
          name_prefix = "jobs-"  permissions_boundary = "arn:aws:iam::111122223333:policy/boundary"
          inline_policy { name = "static"   policy = jsonencode({ … "Resource": "*" … }) }
          inline_policy { name = "computed" policy = jsonencode({ … "Resource": aws_sqs_queue.jobs.arn … }) }
        }
        resource "aws_iam_role_policy" "combined" { role = aws_iam_role.worker.id  policy = data.aws_iam_policy_document.combined.json }
        resource "aws_lambda_function" "worker" { function_name = "jobs-worker"  role = aws_iam_role.worker.arn }
    """
    p = Plan()
    logs_doc = {"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow",
        "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "*"}]}
    narrow_doc = {"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow",
        "Action": "logs:PutLogEvents", "Resource": arn("logs", "log-group:/jobs/*")}]}
    for name, doc, stmt in (
        ("logs", logs_doc, {"sid": C("Logs"), "actions": C(["logs:CreateLogStream", "logs:PutLogEvents"]), "resources": C(["*"])}),
        ("narrow", narrow_doc, {"sid": C("Logs"), "actions": C(["logs:PutLogEvents"]), "resources": C([arn("logs", "log-group:/jobs/*")])}),
    ):
        p.data_read(f"data.aws_iam_policy_document.{name}", {
            "id": str(zlib.crc32(name.encode())), "json": json.dumps(doc, indent=2),
            "minified_json": compact(doc), "override_json": None, "override_policy_documents": None,
            "policy_id": None, "source_json": None, "source_policy_documents": None, "version": None,
            "statement": [{"sid": doc["Statement"][0]["Sid"], "effect": "Allow"}],
        })
        p.config(f"data.aws_iam_policy_document.{name}", {"statement": [stmt]})
    p.instance("aws_sqs_queue.jobs", {"name": "jobs"})
    p.config("aws_sqs_queue.jobs", {"name": C("jobs")})
    p.instance("data.aws_iam_policy_document.combined", {
        "override_json": None, "policy_id": None, "source_json": None, "version": None,
        "source_policy_documents": [compact(logs_doc)],
        "override_policy_documents": [compact(narrow_doc)],
        "statement": [{"sid": "Jobs", "effect": None, "not_actions": None, "not_principals": [],
                       "not_resources": None, "principals": [],
                       "actions": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                       "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]}]}],
    }, unknown=["id", "json", "minified_json", "statement.0.resources"], action="read", defaults=False)
    p.config("data.aws_iam_policy_document.combined", {
        "source_policy_documents": R("data.aws_iam_policy_document.logs.json"),
        "override_policy_documents": R("data.aws_iam_policy_document.narrow.json"),
        "statement": [{"sid": C("Jobs"),
                       "actions": C(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]),
                       "resources": R("aws_sqs_queue.jobs.arn"),
                       "condition": [{"test": C("StringEquals"), "variable": C("aws:SourceAccount"), "values": C([ACCOUNT])}]}],
    })
    static = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}]})
    boundary = arn("iam", "policy/boundary", region="")
    p.instance("aws_iam_role.worker", {
        "name_prefix": "jobs-", "assume_role_policy": ASSUME_LAMBDA, "permissions_boundary": boundary,
        "inline_policy": [{"name": "computed"}, {"name": "static", "policy": static}],
    }, unknown=["name", "inline_policy.0.policy"])
    p.config("aws_iam_role.worker", {
        "name_prefix": C("jobs-"), "assume_role_policy": F, "permissions_boundary": C(boundary),
        "inline_policy": [{"name": C("static"), "policy": F},
                          {"name": C("computed"), "policy": R("aws_sqs_queue.jobs.arn")}],
    })
    p.instance("aws_iam_role_policy.combined", {"name_prefix": None}, unknown=["role", "policy", "name"],
               defaults=False)
    p.config("aws_iam_role_policy.combined", {"role": R("aws_iam_role.worker.id"),
                                              "policy": R("data.aws_iam_policy_document.combined.json")})
    function(p, "aws_lambda_function.worker", "jobs-worker", "aws_iam_role.worker.arn")
    write("policy-documents.json", p.build())


def attachments():
    """Role policy attachments: an AWS managed policy by constant ARN, a customer managed policy
    created in this plan (linked through its unknown ARN), an existing customer managed policy
    attached with `aws_iam_policy_attachment` (`roles`), and a policy attached to a role outside
    the plan.

        resource "aws_iam_role" "app" { name = "app" … }
        resource "aws_iam_role_policy_attachment" "basic" { role = aws_iam_role.app.name  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }
        resource "aws_iam_policy" "queue" { name = "app-queue"  policy = jsonencode({ … }) }
        resource "aws_iam_role_policy_attachment" "queue" { role = aws_iam_role.app.name  policy_arn = aws_iam_policy.queue.arn }
        resource "aws_iam_policy" "shared" { name = "shared-read" … }                            # exists
        resource "aws_iam_policy_attachment" "shared" { name = "shared-read"  roles = [aws_iam_role.app.name]  policy_arn = aws_iam_policy.shared.arn }
        resource "aws_iam_policy" "orphan" { name = "orphan" … }
        resource "aws_iam_role_policy_attachment" "elsewhere" { role = "legacy-role"  policy_arn = aws_iam_policy.orphan.arn }
    """
    p = Plan()
    lambda_role(p, "aws_iam_role.app", "app")
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    p.instance("aws_iam_role_policy_attachment.basic", {"role": "app", "policy_arn": basic})
    p.config("aws_iam_role_policy_attachment.basic", {"role": R("aws_iam_role.app.name"), "policy_arn": C(basic)})
    queue_policy = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": arn("sqs", "app-*")}]})
    p.instance("aws_iam_policy.queue", {"name": "app-queue", "policy": queue_policy})
    p.config("aws_iam_policy.queue", {"name": C("app-queue"), "policy": F})
    p.instance("aws_iam_role_policy_attachment.queue", {"role": "app"}, unknown=["policy_arn"])
    p.config("aws_iam_role_policy_attachment.queue", {"role": R("aws_iam_role.app.name"),
                                                      "policy_arn": R("aws_iam_policy.queue.arn")})
    shared_arn = arn("iam", "policy/shared-read", region="")
    shared_policy = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]})
    p.instance("aws_iam_policy.shared", {"name": "shared-read", "policy": shared_policy,
                                         "arn": shared_arn, "id": shared_arn,
                                         "policy_id": "ANPAEXAMPLESHARED", "attachment_count": 1,
                                         "tags_all": {}}, action="no-op")
    p.config("aws_iam_policy.shared", {"name": C("shared-read"), "policy": F})
    p.instance("aws_iam_policy_attachment.shared", {"name": "shared-read", "roles": ["app"],
                                                    "policy_arn": shared_arn, "users": None,
                                                    "groups": None})
    p.config("aws_iam_policy_attachment.shared", {"name": C("shared-read"),
                                                  "roles": R("aws_iam_role.app.name"),
                                                  "policy_arn": R("aws_iam_policy.shared.arn")})
    orphan = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})
    p.instance("aws_iam_policy.orphan", {"name": "orphan", "policy": orphan})
    p.config("aws_iam_policy.orphan", {"name": C("orphan"), "policy": F})
    p.instance("aws_iam_role_policy_attachment.elsewhere", {"role": "legacy-role"}, unknown=["policy_arn"])
    p.config("aws_iam_role_policy_attachment.elsewhere", {"role": C("legacy-role"),
                                                          "policy_arn": R("aws_iam_policy.orphan.arn")})
    function(p, "aws_lambda_function.app", "app", "aws_iam_role.app.arn")
    write("attachments.json", p.build())


def exclusive():
    """The `_exclusive` resources: at apply, the role keeps only the inline policies and managed
    policy attachments they list.

        resource "aws_iam_role" "locked" { name = "locked" … }
        resource "aws_iam_role_policy" "keep" { name = "keep"  role = aws_iam_role.locked.id … }
        resource "aws_iam_role_policy" "drop" { name = "drop"  role = aws_iam_role.locked.id … }
        resource "aws_iam_role_policies_exclusive" "locked" { role_name = aws_iam_role.locked.name  policy_names = [aws_iam_role_policy.keep.name] }
        resource "aws_iam_role_policy_attachment" "sqs" { … AWSLambdaSQSQueueExecutionRole }
        resource "aws_iam_role_policy_attachment" "s3"  { … AmazonS3ReadOnlyAccess }
        resource "aws_iam_role_policy_attachments_exclusive" "locked" { role_name = aws_iam_role.locked.name  policy_arns = ["…/AWSLambdaSQSQueueExecutionRole"] }
    """
    p = Plan()
    lambda_role(p, "aws_iam_role.locked", "locked", action="no-op")
    doc = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}]})
    for name in ("keep", "drop"):
        p.instance(f"aws_iam_role_policy.{name}", {"name": name, "role": "locked", "policy": doc,
                                                   "id": f"locked:{name}"}, action="no-op")
        p.config(f"aws_iam_role_policy.{name}", {"name": C(name), "role": R("aws_iam_role.locked.id"), "policy": F})
    p.instance("aws_iam_role_policies_exclusive.locked", {"role_name": "locked", "policy_names": ["keep"]},
               defaults=False)
    p.config("aws_iam_role_policies_exclusive.locked", {"role_name": R("aws_iam_role.locked.name"),
                                                        "policy_names": R("aws_iam_role_policy.keep.name")})
    sqs_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    s3_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    for name, a in (("sqs", sqs_arn), ("s3", s3_arn)):
        p.instance(f"aws_iam_role_policy_attachment.{name}", {"role": "locked", "policy_arn": a})
        p.config(f"aws_iam_role_policy_attachment.{name}", {"role": R("aws_iam_role.locked.name"), "policy_arn": C(a)})
    p.instance("aws_iam_role_policy_attachments_exclusive.locked", {"role_name": "locked", "policy_arns": [sqs_arn]},
               defaults=False)
    p.config("aws_iam_role_policy_attachments_exclusive.locked", {"role_name": R("aws_iam_role.locked.name"),
                                                                  "policy_arns": C([sqs_arn])})
    write("exclusive.json", p.build())


def push_triggers():
    """Push sources and the function policy: S3 notifications, an SNS subscription to an alias,
    an EventBridge rule target, a log subscription filter, API Gateway integrations (REST with
    a proxy integration, HTTP with credentials), IoT, Cognito, an ALB target group, an SES rule,
    each with its `aws_lambda_permission`; a function URL and an asynchronous invoke
    configuration with destinations.
    """
    p = Plan()
    lambda_role(p, "aws_iam_role.handler", "handler")
    function(p, "aws_lambda_function.handler", "handler", "aws_iam_role.handler.arn")
    p.instance("aws_lambda_alias.live", {"name": "live", "function_name": "handler", "function_version": "$LATEST",
                                         "region": REGION, "routing_config": []}, defaults=False)
    p.config("aws_lambda_alias.live", {"name": C("live"), "function_name": R("aws_lambda_function.handler.function_name"),
                                       "function_version": C("$LATEST")})

    def permission(name, principal, source, extra_values=None, extra_config=None, known_source=None,
                   function_ref="aws_lambda_function.handler.function_name"):
        values = {"action": "lambda:InvokeFunction", "function_name": "handler", "principal": principal,
                  "statement_id": f"Allow{name.title()}", "region": REGION, "qualifier": None,
                  "source_account": None, "event_source_token": None, "principal_org_id": None,
                  "function_url_auth_type": None, "statement_id_prefix": None}
        unknown = []
        if known_source is not None:
            values["source_arn"] = known_source
        elif source:
            unknown.append("source_arn")
        values.update(extra_values or {})
        p.instance(f"aws_lambda_permission.{name}", values, unknown=unknown, defaults=False)
        exprs = {"statement_id": C(f"Allow{name.title()}"), "action": C("lambda:InvokeFunction"),
                 "function_name": R(function_ref), "principal": C(principal)}
        if source:
            exprs["source_arn"] = R(source)
        exprs.update(extra_config or {})
        p.config(f"aws_lambda_permission.{name}", exprs)

    # S3
    p.instance("aws_s3_bucket.uploads", {"bucket": "acme-uploads", "force_destroy": False, "region": REGION,
                                         "tags": None, "bucket_prefix": None}, defaults=False)
    p.config("aws_s3_bucket.uploads", {"bucket": C("acme-uploads")})
    p.instance("aws_s3_bucket_notification.uploads", {"eventbridge": False, "queue": [], "topic": [], "region": REGION,
        "lambda_function": [{"events": ["s3:ObjectCreated:*"], "filter_prefix": "incoming/", "filter_suffix": None, "id": None}]},
        unknown=["bucket", "lambda_function.0.lambda_function_arn"], defaults=False)
    p.config("aws_s3_bucket_notification.uploads", {"bucket": R("aws_s3_bucket.uploads.id"),
        "lambda_function": [{"lambda_function_arn": R("aws_lambda_function.handler.arn"),
                             "events": C(["s3:ObjectCreated:*"]), "filter_prefix": C("incoming/")}]})
    permission("s3", "s3.amazonaws.com", "aws_s3_bucket.uploads.arn",
               extra_values={"source_account": ACCOUNT}, extra_config={"source_account": C(ACCOUNT)})
    # SNS to the alias
    p.instance("aws_sns_topic.events", {"name": "events", "region": REGION}, defaults=False)
    p.config("aws_sns_topic.events", {"name": C("events")})
    p.instance("aws_sns_topic_subscription.handler", {"protocol": "lambda", "region": REGION,
                                                      "raw_message_delivery": False},
               unknown=["topic_arn", "endpoint"], defaults=False)
    p.config("aws_sns_topic_subscription.handler", {"protocol": C("lambda"), "topic_arn": R("aws_sns_topic.events.arn"),
                                                    "endpoint": R("aws_lambda_alias.live.arn")})
    permission("sns", "sns.amazonaws.com", "aws_sns_topic.events.arn",
               extra_values={"qualifier": "live"}, extra_config={"qualifier": R("aws_lambda_alias.live.name")})
    # EventBridge
    p.instance("aws_cloudwatch_event_rule.nightly", {"name": "nightly", "event_bus_name": "default",
                                                     "schedule_expression": "cron(0 2 * * ? *)",
                                                     "state": "ENABLED", "region": REGION}, defaults=False)
    p.config("aws_cloudwatch_event_rule.nightly", {"name": C("nightly"), "schedule_expression": C("cron(0 2 * * ? *)")})
    p.instance("aws_cloudwatch_event_target.nightly", {"rule": "nightly", "event_bus_name": "default",
                                                       "target_id": "handler", "region": REGION},
               unknown=["arn"], defaults=False)
    p.config("aws_cloudwatch_event_target.nightly", {"rule": R("aws_cloudwatch_event_rule.nightly.name"),
                                                     "arn": R("aws_lambda_function.handler.arn"),
                                                     "target_id": C("handler")})
    permission("events", "events.amazonaws.com", "aws_cloudwatch_event_rule.nightly.arn")
    # CloudWatch Logs
    p.instance("aws_cloudwatch_log_group.api", {"name": "/app/api", "retention_in_days": 14, "region": REGION},
               defaults=False)
    p.config("aws_cloudwatch_log_group.api", {"name": C("/app/api"), "retention_in_days": C(14)})
    p.instance("aws_cloudwatch_log_subscription_filter.api", {"name": "errors", "filter_pattern": "ERROR",
                                                              "log_group_name": "/app/api", "region": REGION,
                                                              "distribution": "ByLogStream", "role_arn": None},
               unknown=["destination_arn"], defaults=False)
    p.config("aws_cloudwatch_log_subscription_filter.api", {"name": C("errors"), "filter_pattern": C("ERROR"),
                                                            "log_group_name": R("aws_cloudwatch_log_group.api.name"),
                                                            "destination_arn": R("aws_lambda_function.handler.arn")})
    permission("logs", "logs.eu-west-1.amazonaws.com", None, known_source=arn("logs", "log-group:/app/api:*"),
               extra_config={"source_arn": C(arn("logs", "log-group:/app/api:*"))})
    # API Gateway REST (exists)
    api_id = "a1b2c3d4e5"
    p.instance("aws_api_gateway_rest_api.api", {"name": "api", "id": api_id, "arn": f"arn:aws:apigateway:{REGION}::/restapis/{api_id}",
                                                "execution_arn": arn("execute-api", api_id), "root_resource_id": "r00t",
                                                "region": REGION}, action="no-op", defaults=False)
    p.config("aws_api_gateway_rest_api.api", {"name": C("api")})
    p.instance("aws_api_gateway_integration.proxy", {"type": "AWS_PROXY", "http_method": "ANY",
                                                     "integration_http_method": "POST", "rest_api_id": api_id,
                                                     "resource_id": "r00t", "credentials": None, "region": REGION},
               unknown=["uri"], defaults=False)
    p.config("aws_api_gateway_integration.proxy", {"type": C("AWS_PROXY"), "http_method": C("ANY"),
                                                   "integration_http_method": C("POST"),
                                                   "rest_api_id": R("aws_api_gateway_rest_api.api.id"),
                                                   "resource_id": R("aws_api_gateway_rest_api.api.root_resource_id"),
                                                   "uri": R("aws_lambda_function.handler.invoke_arn")})
    permission("api", "apigateway.amazonaws.com", None, known_source=arn("execute-api", f"{api_id}/*/*"),
               extra_config={"source_arn": R("aws_api_gateway_rest_api.api.execution_arn")})
    # API Gateway HTTP with credentials, to the alias
    p.instance("aws_apigatewayv2_api.http", {"name": "http", "protocol_type": "HTTP", "region": REGION}, defaults=False)
    p.config("aws_apigatewayv2_api.http", {"name": C("http"), "protocol_type": C("HTTP")})
    lambda_role(p, "aws_iam_role.apigw", "apigw-invoke", trust=compact({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    p.instance("aws_apigatewayv2_integration.http", {"integration_type": "AWS_PROXY", "integration_method": "POST",
                                                     "payload_format_version": "2.0", "region": REGION},
               unknown=["api_id", "integration_uri", "credentials_arn"], defaults=False)
    p.config("aws_apigatewayv2_integration.http", {"api_id": R("aws_apigatewayv2_api.http.id"),
                                                   "integration_type": C("AWS_PROXY"),
                                                   "integration_uri": R("aws_lambda_alias.live.invoke_arn"),
                                                   "credentials_arn": R("aws_iam_role.apigw.arn"),
                                                   "payload_format_version": C("2.0")})
    # IoT
    p.instance("aws_iot_topic_rule.telemetry", {"name": "telemetry", "enabled": True, "sql": "SELECT * FROM 'devices/+'",
                                                "sql_version": "2016-03-23", "region": REGION, "lambda": [{}]},
               unknown=["lambda.0.function_arn"], defaults=False)
    p.config("aws_iot_topic_rule.telemetry", {"name": C("telemetry"), "enabled": C(True),
                                              "sql": C("SELECT * FROM 'devices/+'"), "sql_version": C("2016-03-23"),
                                              "lambda": [{"function_arn": R("aws_lambda_function.handler.arn")}]})
    permission("iot", "iot.amazonaws.com", "aws_iot_topic_rule.telemetry.arn",
               extra_values={"source_account": ACCOUNT}, extra_config={"source_account": C(ACCOUNT)})
    # Cognito
    p.instance("aws_cognito_user_pool.users", {"name": "users", "region": REGION,
                                               "lambda_config": [{"custom_email_sender": [], "custom_sms_sender": [],
                                                                  "pre_token_generation_config": []}]},
               unknown=["lambda_config.0.pre_sign_up"], defaults=False)
    p.config("aws_cognito_user_pool.users", {"name": C("users"), "lambda_config": [{
        "pre_sign_up": R("aws_lambda_function.handler.arn")}]})
    permission("cognito", "cognito-idp.amazonaws.com", "aws_cognito_user_pool.users.arn")
    # ALB
    p.instance("aws_lb_target_group.handler", {"name": "handler", "target_type": "lambda", "region": REGION},
               defaults=False)
    p.config("aws_lb_target_group.handler", {"name": C("handler"), "target_type": C("lambda")})
    p.instance("aws_lb_target_group_attachment.handler", {"region": REGION},
               unknown=["target_group_arn", "target_id"], defaults=False)
    p.config("aws_lb_target_group_attachment.handler", {"target_group_arn": R("aws_lb_target_group.handler.arn"),
                                                        "target_id": R("aws_lambda_function.handler.arn")})
    permission("alb", "elasticloadbalancing.amazonaws.com", "aws_lb_target_group.handler.arn")
    # SES
    p.instance("aws_ses_receipt_rule.inbound", {"name": "inbound", "rule_set_name": "default-rule-set",
                                                "enabled": True, "recipients": ["inbound@example.com"],
                                                "region": REGION,
                                                "lambda_action": [{"invocation_type": "Event", "position": 1, "topic_arn": None}]},
               unknown=["lambda_action.0.function_arn"], defaults=False)
    p.config("aws_ses_receipt_rule.inbound", {"name": C("inbound"), "rule_set_name": C("default-rule-set"),
                                              "enabled": C(True), "recipients": C(["inbound@example.com"]),
                                              "lambda_action": [{"function_arn": R("aws_lambda_function.handler.arn"),
                                                                 "invocation_type": C("Event"), "position": C(1)}]})
    permission("ses", "ses.amazonaws.com", None, extra_values={"source_account": ACCOUNT},
               extra_config={"source_account": C(ACCOUNT)})
    # Function URL and asynchronous invocation
    p.instance("aws_lambda_function_url.handler", {"authorization_type": "AWS_IAM", "function_name": "handler",
                                                   "qualifier": "live", "invoke_mode": "BUFFERED", "cors": [],
                                                   "region": REGION}, defaults=False)
    p.config("aws_lambda_function_url.handler", {"authorization_type": C("AWS_IAM"),
                                                 "function_name": R("aws_lambda_function.handler.function_name"),
                                                 "qualifier": R("aws_lambda_alias.live.name")})
    p.instance("aws_sqs_queue.async_failures", {"name": "handler-async-failures"})
    p.config("aws_sqs_queue.async_failures", {"name": C("handler-async-failures")})
    p.instance("aws_lambda_function_event_invoke_config.handler", {
        "function_name": "handler", "qualifier": None, "maximum_retry_attempts": 1, "region": REGION,
        "maximum_event_age_in_seconds": None,
        "destination_config": [{"on_failure": [{}], "on_success": [{}]}]},
        unknown=["destination_config.0.on_failure.0.destination", "destination_config.0.on_success.0.destination"],
        defaults=False)
    p.config("aws_lambda_function_event_invoke_config.handler", {
        "function_name": R("aws_lambda_function.handler.function_name"), "maximum_retry_attempts": C(1),
        "destination_config": [{"on_failure": [{"destination": R("aws_sqs_queue.async_failures.arn")}],
                                "on_success": [{"destination": R("aws_sns_topic.events.arn")}]}]})
    write("push-triggers.json", p.build())


def dynamic():
    """`dynamic` blocks whose content is only known after apply: the configuration representation
    leaves them out (TF-JSON), so the statements and access configurations are reported as
    unknown rather than read as absent.

        data "aws_iam_policy_document" "poll" {
          dynamic "statement" { for_each = aws_sqs_queue.inputs  content { actions = […]  resources = [statement.value.arn] } }
        }
        resource "aws_lambda_event_source_mapping" "kafka" {
          dynamic "source_access_configuration" { for_each = local.access  content { type = …  uri = … } }
          …
        }
    """
    p = Plan()
    p.instance("data.aws_iam_policy_document.poll", {
        "override_json": None, "override_policy_documents": None, "policy_id": None,
        "source_json": None, "source_policy_documents": None, "version": None,
    }, unknown=["id", "json", "minified_json", "statement"], action="read", defaults=False)
    p.config("data.aws_iam_policy_document.poll", {})
    lambda_role(p, "aws_iam_role.poller", "poller")
    p.instance("aws_iam_role_policy.poll", {"name": "poll"}, unknown=["role", "policy"])
    p.config("aws_iam_role_policy.poll", {"name": C("poll"), "role": R("aws_iam_role.poller.id"),
                                          "policy": R("data.aws_iam_policy_document.poll.json")})
    function(p, "aws_lambda_function.poller", "poller", "aws_iam_role.poller.arn")
    p.instance("aws_lambda_event_source_mapping.kafka", {
        "topics": ["events"], "starting_position": "LATEST",
        "self_managed_event_source": [{"endpoints": {"KAFKA_BOOTSTRAP_SERVERS": "b1.kafka.example.com:9092"}}],
    }, unknown=["function_name", "source_access_configuration"])
    p.config("aws_lambda_event_source_mapping.kafka", {
        "function_name": R("aws_lambda_function.poller.arn"), "topics": C(["events"]),
        "starting_position": C("LATEST"),
        "self_managed_event_source": [{"endpoints": C({"KAFKA_BOOTSTRAP_SERVERS": "b1.kafka.example.com:9092"})}],
    })
    write("dynamic.json", p.build())


def errored():
    """An errored plan (`errored: true`, `complete: false`): what Terraform planned before the
    error is read, with a diagnostic; a value of an unexpected type (a string where a block list
    is expected) is reported and the rest of the resource is read.
    """
    p = Plan()
    p.errored = True
    lambda_role(p, "aws_iam_role.app", "app")
    function(p, "aws_lambda_function.app", "app", "aws_iam_role.app.arn",
             extra_values={"vpc_config": "subnet-0a1", "dead_letter_config": [{"target_arn": 42}]})
    write("errored.json", p.build())


def state():
    """A state, as `terraform show -json` writes it without a plan: only `values`, every value
    known, no configuration. Links are made by name and ARN.
    """
    fn_arn = arn("lambda", "function:billing")
    queue_arn = arn("sqs", "billing")
    role_arn = arn("iam", "role/service/billing", region="")
    doc = {"format_version": "1.0", "terraform_version": TF_VERSION, "values": {
        "outputs": {"function_arn": {"sensitive": False, "value": fn_arn, "type": "string"}},
        "root_module": {"resources": [
            {"address": "aws_iam_role.billing", "mode": "managed", "type": "aws_iam_role", "name": "billing",
             "provider_name": AWS, "schema_version": 0, "values": {
                 "arn": role_arn, "assume_role_policy": ASSUME_LAMBDA, "create_date": "2025-01-10T08:00:00Z",
                 "description": "", "force_detach_policies": False, "id": "billing",
                 "inline_policy": [], "managed_policy_arns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                 "max_session_duration": 3600, "name": "billing", "name_prefix": "", "path": "/service/",
                 "permissions_boundary": "", "tags": {}, "tags_all": {}, "unique_id": "AROAEXAMPLEBILLING"},
             "sensitive_values": {"inline_policy": [], "managed_policy_arns": [False], "tags": {}, "tags_all": {}}},
            {"address": "aws_iam_role_policy.billing", "mode": "managed", "type": "aws_iam_role_policy", "name": "billing",
             "provider_name": AWS, "schema_version": 0, "values": {
                 "id": "billing:poll", "name": "poll", "name_prefix": "", "role": "billing",
                 "policy": compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"], "Resource": queue_arn}]})},
             "sensitive_values": {}},
            {"address": "aws_lambda_event_source_mapping.billing", "mode": "managed", "type": "aws_lambda_event_source_mapping",
             "name": "billing", "provider_name": AWS, "schema_version": 0, "values": dict(
                 DEFAULTS["aws_lambda_event_source_mapping"], batch_size=10, event_source_arn=queue_arn,
                 function_arn=fn_arn, function_name=fn_arn, id="7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                 uuid="7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", state="Enabled", last_modified="2025-01-10T08:05:00Z",
                 arn=arn("lambda", "event-source-mapping:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f")),
             "sensitive_values": {}},
            {"address": "aws_lambda_function.billing", "mode": "managed", "type": "aws_lambda_function", "name": "billing",
             "provider_name": AWS, "schema_version": 0, "values": dict(
                 DEFAULTS["aws_lambda_function"], arn=fn_arn, function_name="billing", id="billing", role=role_arn,
                 invoke_arn=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn_arn}/invocations",
                 qualified_arn=fn_arn + ":$LATEST", version="$LATEST"),
             "sensitive_values": {"architectures": [False], "ephemeral_storage": [{}]}},
            {"address": "aws_sqs_queue.billing", "mode": "managed", "type": "aws_sqs_queue", "name": "billing",
             "provider_name": AWS, "schema_version": 0, "values": dict(
                 DEFAULTS["aws_sqs_queue"], arn=queue_arn, id=f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/billing",
                 url=f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/billing", name="billing",
                 kms_master_key_id="alias/billing", sqs_managed_sse_enabled=False),
             "sensitive_values": {}},
            {"address": "data.aws_caller_identity.current", "mode": "data", "type": "aws_caller_identity",
             "name": "current", "provider_name": AWS, "schema_version": 0, "values": {
                 "account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/deploy", "id": ACCOUNT, "user_id": "AIDAEXAMPLE"},
             "sensitive_values": {}},
        ]}}}
    write("state.json", doc)


if __name__ == "__main__":
    sqs()
    kinesis()
    dynamodb()
    msk()
    msk_connect()
    self_managed_kafka()
    mq()
    documentdb()
    modules()
    deleted()
    policy_documents()
    attachments()
    exclusive()
    push_triggers()
    dynamic()
    errored()
    state()
