//! Golden and behaviour tests of the plan reader: fixtures in `testdata/readers/tfplan/`
//! (shaped like real `terraform show -json` output), the real plans of the corpus, and bad input.

use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use super::{STREAM_MIN, looks_like_plan, read_plan, read_plan_file, read_plan_stream};
use crate::model::*;
use crate::source::SourceFile;

const FIXTURES: &str = "testdata/readers/tfplan";

fn fixture(name: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    SourceFile::new(path, text)
}

fn read(name: &str) -> (InputFormat, Stack) {
    let file = fixture(name);
    read_plan(&file).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn source(text: &str) -> SourceFile {
    SourceFile::new("plan.json", text.to_string())
}

// ---------------------------------------------------------------------------------------------
// A compact rendering of a stack for snapshots: symbols are written `${…}`, unknown symbols with
// their reason, and a value that is exactly one resource attribute says so (`refers`).

fn sym_text(s: &SymStr) -> String {
    let mut out = String::new();
    for p in &s.parts {
        match p {
            Part::Lit(t) => out.push_str(t),
            Part::Sym(Symbol::Unknown(reason)) => {
                out.push_str("${unknown: ");
                out.push_str(reason);
                out.push('}');
            }
            Part::Sym(other) => out.push_str(&other.to_string()),
        }
    }
    out
}

fn sym(s: &SymStr) -> Json {
    match &s.refers {
        Some(r) => json!({ "value": sym_text(s), "refers": format!("{}.{}", r.resource, r.attr) }),
        None => json!(sym_text(s)),
    }
}

fn opt_sym(s: Option<&SymStr>) -> Json {
    s.map(sym).unwrap_or(Json::Null)
}

fn located(l: Option<&Located<SymStr>>) -> Json {
    l.map(|l| {
        assert!(l.span.is_none(), "plans have no spans");
        sym(&l.value)
    })
    .unwrap_or(Json::Null)
}

fn syms(items: &[SymStr]) -> Json {
    Json::Array(items.iter().map(sym).collect())
}

fn value(v: &Value) -> Json {
    assert!(v.span.is_none(), "plans have no spans");
    match &v.kind {
        ValueKind::Null => Json::Null,
        ValueKind::Str(s) => sym(s),
        ValueKind::List(items) => Json::Array(items.iter().map(value).collect()),
        ValueKind::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), value(v)))
                .collect(),
        ),
        ValueKind::Unknown(reason) => json!({ "unknown": reason }),
        ValueKind::If { .. } | ValueKind::NoValue => panic!("plans have no conditions"),
    }
}

fn origin(o: &Origin) -> Json {
    assert!(o.span.is_none(), "plans have no spans");
    json!(o.id)
}

fn function_link(stack: &Stack, l: &FunctionLink) -> Json {
    match l {
        FunctionLink::Local {
            function,
            qualifier,
        } => json!({
            "local": stack.function(*function).map(|f| f.origin.id.clone()),
            "qualifier": opt_sym(qualifier.as_ref()),
        }),
        FunctionLink::External(s) => json!({ "external": sym(s) }),
    }
}

fn role_link(stack: &Stack, l: &RoleLink) -> Json {
    match l {
        RoleLink::Local(id) => json!({ "local": stack.role(*id).map(|r| r.origin.id.clone()) }),
        RoleLink::External(s) => json!({ "external": sym(s) }),
        RoleLink::OneOf(links) => {
            json!({ "one_of": links.iter().map(|l| role_link(stack, l)).collect::<Vec<_>>() })
        }
        RoleLink::Missing(reason) => json!({ "missing": reason }),
    }
}

fn access(configs: &[AccessConfig]) -> Json {
    Json::Array(
        configs
            .iter()
            .map(|c| json!({ "type": c.kind, "uri": sym(&c.uri), "secret": c.secret_resource }))
            .collect(),
    )
}

fn policy(p: &Policy) -> Json {
    assert_eq!(p.existence, Existence::Always);
    json!({
        "origin": origin(&p.origin),
        "name": p.name,
        "source": p.source,
        "document": value(&p.document.value),
    })
}

fn render(format: InputFormat, s: &Stack) -> Json {
    let mut out = serde_json::Map::new();
    let mut put = |key: &str, items: Vec<Json>| {
        if !items.is_empty() {
            out.insert(key.to_string(), Json::Array(items));
        }
    };
    put("format", vec![json!(format)]);
    put(
        "env",
        vec![json!({
            "partition": s.env.partition,
            "region": s.env.region,
            "account": s.env.account,
        })],
    );
    put(
        "functions",
        s.functions
            .iter()
            .map(|f| {
                json!({
                    "origin": origin(&f.origin),
                    "name": sym(&f.name),
                    "arn": sym(&f.arn),
                    "role": role_link(s, &f.role),
                    "vpc": f.vpc.as_ref().map(|v| json!({
                        "subnet_ids": syms(&v.value.subnet_ids),
                        "security_group_ids": syms(&v.value.security_group_ids),
                    })),
                    "dead_letter_target": located(f.dead_letter_target.as_ref()),
                    "kms_key_arn": located(f.kms_key_arn.as_ref()),
                    "aliases": f.aliases.iter().map(|a| json!({
                        "origin": origin(&a.origin),
                        "qualifier": sym(&a.qualifier),
                        "arn": sym(&a.arn),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    );
    put(
        "event_source_mappings",
        s.event_source_mappings
            .iter()
            .map(|m| {
                json!({
                    "origin": origin(&m.origin),
                    "kind": m.kind,
                    "function": function_link(s, &m.function),
                    "source_arn": located(m.source_arn.as_ref()),
                    "source_resource": m.source_resource,
                    "access_configs": access(&m.access_configs),
                    "bootstrap_servers": syms(&m.bootstrap_servers),
                    "topics": syms(&m.topics),
                    "queues": syms(&m.queues),
                    "consumer_group_id": opt_sym(m.consumer_group_id.as_ref()),
                    "schema_registry": m.schema_registry.as_ref().map(|r| json!({
                        "uri": sym(&r.uri.value),
                        "access_configs": access(&r.access_configs),
                    })),
                    "on_failure": located(m.on_failure.as_ref()),
                    "filter_kms_key": located(m.filter_kms_key.as_ref()),
                    "enabled": m.enabled,
                })
            })
            .collect(),
    );
    put(
        "roles",
        s.roles
            .iter()
            .map(|r| {
                json!({
                    "origin": origin(&r.origin),
                    "name": sym(&r.name),
                    "arn": sym(&r.arn),
                    "path": r.path,
                    "trust_policy": r.trust_policy.as_ref().map(|d| value(&d.value)),
                    "policies": r.policies.iter().map(policy).collect::<Vec<_>>(),
                    "managed_policy_arns": r.managed_policy_arns.iter().map(|a| located(Some(a))).collect::<Vec<_>>(),
                    "permissions_boundary": located(r.permissions_boundary.as_ref()),
                })
            })
            .collect(),
    );
    put(
        "unattached_policies",
        s.unattached_policies.iter().map(policy).collect(),
    );
    put(
        "permissions",
        s.permissions
            .iter()
            .map(|p| {
                json!({
                    "origin": origin(&p.origin),
                    "function": p.function.as_ref().map(|f| function_link(s, f)),
                    "function_name": located(Some(&p.function_name)),
                    "qualifier": opt_sym(p.qualifier.as_ref()),
                    "action": located(Some(&p.action)),
                    "principal": located(Some(&p.principal)),
                    "source_arn": located(p.source_arn.as_ref()),
                    "source_account": located(p.source_account.as_ref()),
                    "principal_org_id": located(p.principal_org_id.as_ref()),
                    "event_source_token": located(p.event_source_token.as_ref()),
                    "function_url_auth_type": located(p.function_url_auth_type.as_ref()),
                })
            })
            .collect(),
    );
    put(
        "push_triggers",
        s.push_triggers
            .iter()
            .map(|t| {
                json!({
                    "origin": origin(&t.origin),
                    "kind": t.kind,
                    "function": function_link(s, &t.function),
                    "source_arn": opt_sym(t.source_arn.as_ref()),
                    "uses_role": t.uses_role,
                })
            })
            .collect(),
    );
    put(
        "event_invoke_configs",
        s.event_invoke_configs
            .iter()
            .map(|e| {
                json!({
                    "origin": origin(&e.origin),
                    "function": function_link(s, &e.function),
                    "on_success": located(e.on_success.as_ref()),
                    "on_failure": located(e.on_failure.as_ref()),
                })
            })
            .collect(),
    );
    put(
        "function_urls",
        s.function_urls
            .iter()
            .map(|u| {
                json!({
                    "origin": origin(&u.origin),
                    "function": function_link(s, &u.function),
                    "auth_type": located(Some(&u.auth_type)),
                })
            })
            .collect(),
    );
    put(
        "connectors",
        s.connectors
            .iter()
            .map(|c| {
                json!({
                    "origin": origin(&c.origin),
                    "role": role_link(s, &c.role),
                    "role_arn": located(Some(&c.role_arn)),
                    "authentication_type": located(c.authentication_type.as_ref()),
                    "bootstrap_servers": opt_sym(c.bootstrap_servers.as_ref()),
                    "cluster_resource": c.cluster_resource,
                    "cluster_arn": opt_sym(c.cluster_arn.as_ref()),
                })
            })
            .collect(),
    );
    put(
        "secrets",
        s.secrets
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn), "kms_key": located(x.kms_key.as_ref()) }))
            .collect(),
    );
    put(
        "kms_keys",
        s.kms_keys
            .iter()
            .map(|k| json!({ "origin": origin(&k.origin), "arn": sym(&k.arn), "key_id": sym(&k.key_id), "aliases": k.aliases }))
            .collect(),
    );
    put(
        "queues",
        s.queues
            .iter()
            .map(|q| json!({ "origin": origin(&q.origin), "arn": sym(&q.arn), "url": sym(&q.url), "name": sym(&q.name), "kms_key": located(q.kms_key.as_ref()) }))
            .collect(),
    );
    put(
        "streams",
        s.streams
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn), "name": sym(&x.name), "kms_key": located(x.kms_key.as_ref()) }))
            .collect(),
    );
    put(
        "stream_consumers",
        s.stream_consumers
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn), "stream_arn": sym(&x.stream_arn), "stream_resource": x.stream_resource }))
            .collect(),
    );
    put(
        "tables",
        s.tables
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn), "name": sym(&x.name), "stream_arn": opt_sym(x.stream_arn.as_ref()) }))
            .collect(),
    );
    put(
        "msk_clusters",
        s.msk_clusters
            .iter()
            .map(|x| {
                json!({
                    "origin": origin(&x.origin), "arn": sym(&x.arn), "name": sym(&x.name),
                    "serverless": x.serverless, "iam_auth": x.iam_auth, "scram_auth": x.scram_auth,
                    "tls_auth": x.tls_auth, "unauthenticated": x.unauthenticated,
                })
            })
            .collect(),
    );
    put(
        "brokers",
        s.brokers
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn), "engine": x.engine, "publicly_accessible": x.publicly_accessible }))
            .collect(),
    );
    put(
        "docdb_clusters",
        s.docdb_clusters
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn) }))
            .collect(),
    );
    put(
        "topics",
        s.topics
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn) }))
            .collect(),
    );
    put(
        "buckets",
        s.buckets
            .iter()
            .map(|x| json!({ "origin": origin(&x.origin), "arn": sym(&x.arn), "name": sym(&x.name) }))
            .collect(),
    );
    put(
        "diagnostics",
        s.diagnostics.iter().map(|d| json!(d.message)).collect(),
    );
    Json::Object(out)
}

fn fixture_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn fixture_snapshots() {
    let files = fixture_files();
    assert!(files.len() >= 10, "plan fixtures are missing");
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let (format, stack) = read(&format!("{name}.json"));
        insta::with_settings!({
            snapshot_path => "../../../testdata/readers/tfplan/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_json_snapshot!(name, render(format, &stack));
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Links

fn function_of(stack: &Stack, link: &FunctionLink) -> (String, Option<SymStr>) {
    match link {
        FunctionLink::Local {
            function,
            qualifier,
        } => (
            stack.function(*function).unwrap().origin.id.clone(),
            qualifier.clone(),
        ),
        FunctionLink::External(s) => panic!("external function {s}"),
    }
}

fn role_of<'s>(stack: &'s Stack, link: &RoleLink) -> &'s Role {
    match link {
        RoleLink::Local(id) => stack.role(*id).unwrap(),
        other => panic!("not a local role: {other:?}"),
    }
}

fn mapping<'s>(stack: &'s Stack, id: &str) -> &'s EventSourceMapping {
    stack
        .event_source_mappings
        .iter()
        .find(|m| m.origin.id == id)
        .unwrap_or_else(|| panic!("no mapping {id}"))
}

/// The `Resource` entries of every statement of a document.
fn resources(doc: &Value) -> Vec<&SymStr> {
    doc.get("Statement")
        .and_then(Value::as_list)
        .unwrap()
        .iter()
        .filter_map(|s| s.get("Resource"))
        .flat_map(|r| match r.as_list() {
            Some(items) => items.iter().collect::<Vec<_>>(),
            None => vec![r],
        })
        .filter_map(Value::as_symstr)
        .collect()
}

#[test]
fn mapping_links_to_function_role_and_policy_resource() {
    let (format, s) = read("sqs.json");
    assert_eq!(format, InputFormat::TerraformPlan);
    let m = mapping(&s, "aws_lambda_event_source_mapping.orders");
    assert_eq!(m.kind, SourceKind::Sqs);
    assert_eq!(m.source_resource.as_deref(), Some("aws_sqs_queue.orders"));
    let FunctionLink::Local { function, .. } = m.function else {
        panic!("{:?}", m.function)
    };
    let f = s.function(function).unwrap();
    assert_eq!(f.origin.id, "aws_lambda_function.consumer");
    let role = role_of(&s, &f.role);
    assert_eq!(role.origin.id, "aws_iam_role.consumer");

    // The queue ARN is unknown in the plan: the mapping, the queue and the policy built from the
    // deferred data source all hold the same symbolic value.
    let source = &m.source_arn.as_ref().unwrap().value;
    assert!(!source.is_literal());
    assert_eq!(
        source.refers,
        Some(AttrRef {
            resource: "aws_sqs_queue.orders".into(),
            attr: "arn".into()
        })
    );
    assert_eq!(&s.queue("aws_sqs_queue.orders").unwrap().arn, source);
    let policy = &role.policies[0];
    assert_eq!(policy.source, PolicySource::Standalone);
    let found = resources(&policy.document.value);
    assert!(found.contains(&source), "{found:?}");
    // The trust policy came from a data source read while planning (only in prior_state).
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(
        trust
            .value
            .get("Statement")
            .and_then(Value::as_list)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn modules_count_and_for_each_resolve_per_instance() {
    let (_, s) = read("modules.json");
    for key in ["alpha", "beta"] {
        let m = mapping(
            &s,
            &format!("module.consumer[\"{key}\"].aws_lambda_event_source_mapping.this"),
        );
        let queue = format!("aws_sqs_queue.tenant[\"{key}\"]");
        assert_eq!(m.source_resource.as_deref(), Some(queue.as_str()));
        let source = &m.source_arn.as_ref().unwrap().value;
        assert_eq!(&s.queue(&queue).unwrap().arn, source);
        let (function, _) = function_of(&s, &m.function);
        assert_eq!(
            function,
            format!("module.consumer[\"{key}\"].aws_lambda_function.this")
        );
        let f = s
            .functions
            .iter()
            .find(|f| f.origin.id == function)
            .unwrap();
        let role = role_of(&s, &f.role);
        // `name_prefix`: the name is generated, a symbol of that role.
        assert_eq!(
            role.name.parts,
            vec![Part::Sym(Symbol::PhysicalName {
                resource: role.origin.id.clone()
            })]
        );
        // The policy in the module reads `var.queue_arn`, set by the module call to
        // `aws_sqs_queue.tenant[each.key].arn`: the same value as the mapping's source.
        assert!(resources(&role.policies[0].document.value).contains(&source));
    }
    for i in 0..2 {
        let m = mapping(&s, &format!("aws_lambda_event_source_mapping.work[{i}]"));
        let queue = format!("aws_sqs_queue.work[{i}]");
        assert_eq!(m.source_resource.as_deref(), Some(queue.as_str()));
        let (function, _) = function_of(&s, &m.function);
        assert_eq!(function, format!("aws_lambda_function.worker[{i}]"));
        // The role comes from a module output.
        let f = s
            .functions
            .iter()
            .find(|f| f.origin.id == function)
            .unwrap();
        assert_eq!(
            role_of(&s, &f.role).origin.id,
            "module.shared.aws_iam_role.worker"
        );
    }
    let any = mapping(&s, "aws_lambda_event_source_mapping.any");
    let source = &any.source_arn.as_ref().unwrap().value;
    let reason = source.symbols().next().unwrap().reason();
    assert!(
        reason.contains("`aws_sqs_queue.work` has 2 instances"),
        "{reason}"
    );
    assert_eq!(any.source_resource, None);
}

#[test]
fn deleted_instances_are_skipped_and_replacements_kept() {
    let (_, s) = read("deleted.json");
    let ids: Vec<&str> = s
        .functions
        .iter()
        .map(|f| f.origin.id.as_str())
        .chain(s.event_source_mappings.iter().map(|m| m.origin.id.as_str()))
        .chain(s.roles.iter().map(|r| r.origin.id.as_str()))
        .chain(s.queues.iter().map(|q| q.origin.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            "aws_lambda_function.kept",
            "aws_lambda_event_source_mapping.jobs",
            "aws_iam_role.app",
            "aws_sqs_queue.jobs"
        ]
    );
    // The replaced queue is read with its new name.
    let q = s.queue("aws_sqs_queue.jobs").unwrap();
    assert!(q.arn.to_string().ends_with(":jobs-v2"), "{}", q.arn);
}

#[test]
fn attachments_and_exclusive_resources() {
    let (_, s) = read("attachments.json");
    let role = &s.roles[0];
    assert_eq!(
        role.managed_policy_arns
            .iter()
            .map(|a| a.value.to_string())
            .collect::<Vec<_>>(),
        ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    );
    let mut customer: Vec<&str> = role
        .policies
        .iter()
        .filter(|p| p.source == PolicySource::CustomerManaged)
        .map(|p| p.origin.id.as_str())
        .collect();
    customer.sort();
    assert_eq!(customer, ["aws_iam_policy.queue", "aws_iam_policy.shared"]);
    assert_eq!(s.unattached_policies.len(), 1);
    assert_eq!(s.unattached_policies[0].origin.id, "aws_iam_policy.orphan");

    let (_, s) = read("exclusive.json");
    let role = &s.roles[0];
    let names: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["keep"]);
    assert_eq!(role.managed_policy_arns.len(), 1);
    assert!(
        role.managed_policy_arns[0]
            .value
            .to_string()
            .ends_with("AWSLambdaSQSQueueExecutionRole")
    );
}

#[test]
fn kafka_access_configurations_link_secrets_and_keys() {
    let (_, s) = read("msk.json");
    let m = &s.event_source_mappings[0];
    assert_eq!(m.kind, SourceKind::Msk);
    assert_eq!(m.access_configs[0].kind, "SASL_SCRAM_512_AUTH");
    let secret = s
        .secret(m.access_configs[0].secret_resource.as_deref().unwrap())
        .unwrap();
    assert_eq!(secret.arn, m.access_configs[0].uri);
    let key = s
        .kms_key_for(&secret.kms_key.as_ref().unwrap().value)
        .unwrap();
    assert_eq!(key.origin.id, "aws_kms_key.secrets");
    let cluster = s.msk_cluster("aws_msk_cluster.orders").unwrap();
    assert_eq!(
        (cluster.iam_auth, cluster.scram_auth),
        (Some(false), Some(true))
    );

    let (_, s) = read("self-managed-kafka.json");
    let m = &s.event_source_mappings[0];
    assert_eq!(m.kind, SourceKind::SelfManagedKafka);
    assert_eq!(m.source_arn, None);
    assert_eq!(m.bootstrap_servers.len(), 2);
    let by_kind = |k: &str| m.access_configs.iter().find(|c| c.kind == k).unwrap();
    // Set-nested blocks are matched to their configuration by their constant `type`.
    assert_eq!(
        by_kind("SERVER_ROOT_CA_CERTIFICATE")
            .secret_resource
            .as_deref(),
        Some("aws_secretsmanager_secret.ca")
    );
    assert_eq!(
        by_kind("VPC_SUBNET").uri.as_literal(),
        Some("subnet:subnet-0a1")
    );
    assert_eq!(
        m.schema_registry.as_ref().unwrap().access_configs[0]
            .secret_resource
            .as_deref(),
        Some("aws_secretsmanager_secret.auth")
    );

    let (_, s) = read("msk-connect.json");
    let sink = s
        .connectors
        .iter()
        .find(|c| c.origin.id == "aws_mskconnect_connector.sink")
        .unwrap();
    assert_eq!(
        sink.cluster_resource.as_deref(),
        Some("aws_msk_serverless_cluster.events")
    );
    assert_eq!(role_of(&s, &sink.role).origin.id, "aws_iam_role.connect");
    assert_eq!(sink.name.as_literal(), Some("events-sink"));
    assert_eq!(
        sink.setting("connector.class")
            .and_then(|c| c.value.as_literal()),
        Some("io.confluent.connect.s3.S3SinkConnector")
    );
    assert_eq!(
        sink.setting("topics").and_then(|c| c.value.as_literal()),
        Some("events")
    );
    assert_eq!(sink.configuration.len(), 3);
    let legacy = s
        .connectors
        .iter()
        .find(|c| c.origin.id == "aws_mskconnect_connector.legacy")
        .unwrap();
    assert_eq!(
        legacy.cluster_resource.as_deref(),
        Some("aws_msk_cluster.legacy")
    );
    assert!(matches!(legacy.role, RoleLink::External(_)));
}

#[test]
fn source_kinds_from_types_and_arns() {
    let kinds = |name: &str| {
        let (_, s) = read(name);
        let mut k: Vec<(String, SourceKind)> = s
            .event_source_mappings
            .iter()
            .map(|m| (m.origin.id.clone(), m.kind))
            .collect();
        k.sort_by(|a, b| a.0.cmp(&b.0));
        k.into_iter().map(|(_, k)| k).collect::<Vec<_>>()
    };
    assert_eq!(
        kinds("kinesis.json"),
        [SourceKind::KinesisConsumer, SourceKind::KinesisStream]
    );
    assert_eq!(kinds("dynamodb.json"), [SourceKind::DynamodbStream]);
    assert_eq!(kinds("mq.json"), [SourceKind::Mq, SourceKind::MqRabbitmq]);
    assert_eq!(kinds("documentdb.json"), [SourceKind::Documentdb]);
}

#[test]
fn push_triggers_match_their_permissions() {
    let (_, s) = read("push-triggers.json");
    let kinds: Vec<PushKind> = s.push_triggers.iter().map(|t| t.kind).collect();
    for k in [
        PushKind::S3,
        PushKind::Sns,
        PushKind::EventBridge,
        PushKind::CloudwatchLogs,
        PushKind::ApiGateway,
        PushKind::Iot,
        PushKind::Cognito,
        PushKind::Alb,
        PushKind::Ses,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing");
    }
    for t in &s.push_triggers {
        let (function, _) = function_of(&s, &t.function);
        assert_eq!(function, "aws_lambda_function.handler");
    }
    let trigger = |kind| s.push_triggers.iter().find(|t| t.kind == kind).unwrap();
    let permission = |id: &str| s.permissions.iter().find(|p| p.origin.id == id).unwrap();
    // Same source, by identity.
    for (kind, id) in [
        (PushKind::S3, "aws_lambda_permission.s3"),
        (PushKind::Sns, "aws_lambda_permission.sns"),
        (PushKind::EventBridge, "aws_lambda_permission.events"),
        (PushKind::Cognito, "aws_lambda_permission.cognito"),
    ] {
        assert_eq!(
            trigger(kind).source_arn.as_ref(),
            permission(id).source_arn.as_ref().map(|a| &a.value),
            "{id}"
        );
    }
    // The SNS subscription targets the alias; its permission names the alias as qualifier.
    let (_, qualifier) = function_of(&s, &trigger(PushKind::Sns).function);
    assert_eq!(
        qualifier.as_ref().and_then(SymStr::as_literal),
        Some("live")
    );
    assert_eq!(
        permission("aws_lambda_permission.sns")
            .qualifier
            .as_ref()
            .and_then(SymStr::as_literal),
        Some("live")
    );
    let http = s
        .push_triggers
        .iter()
        .find(|t| t.origin.id == "aws_apigatewayv2_integration.http")
        .unwrap();
    assert!(http.uses_role);
    let rest = s
        .push_triggers
        .iter()
        .find(|t| t.origin.id == "aws_api_gateway_integration.proxy")
        .unwrap();
    assert!(!rest.uses_role);
    assert_eq!(s.function_urls.len(), 1);
    assert_eq!(s.event_invoke_configs.len(), 1);
    assert_eq!(s.functions[0].aliases.len(), 1);
}

#[test]
fn state_input_links_by_name_and_arn() {
    let (format, s) = read("state.json");
    assert_eq!(format, InputFormat::TerraformState);
    let m = &s.event_source_mappings[0];
    assert_eq!(m.source_resource.as_deref(), Some("aws_sqs_queue.billing"));
    let (function, _) = function_of(&s, &m.function);
    let f = s
        .functions
        .iter()
        .find(|f| f.origin.id == function)
        .unwrap();
    let role = role_of(&s, &f.role);
    assert_eq!(role.path.as_deref(), Some("/service/"));
    assert_eq!(role.policies.len(), 1);
}

#[test]
fn errored_plans_and_bad_values_become_diagnostics() {
    let (_, s) = read("errored.json");
    assert_eq!(s.functions.len(), 1);
    let messages: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(messages[0].contains("`errored: true`"), "{messages:?}");
    assert!(
        messages.contains(
            &"`vpc_config` of `aws_lambda_function.app` is a string where a list of blocks is expected; it is ignored"
        ),
        "{messages:?}"
    );
    assert!(s.diagnostics.iter().all(|d| d.span.is_none()));
}

#[test]
fn dynamic_blocks_are_unknown_not_absent() {
    let (_, s) = read("dynamic.json");
    let doc = &s.roles[0].policies[0].document.value;
    let statements = doc.get("Statement").and_then(Value::as_list).unwrap();
    assert_eq!(statements.len(), 1);
    assert!(
        matches!(&statements[0].kind, ValueKind::Unknown(r) if r.contains("`dynamic` block")),
        "{statements:?}"
    );
    assert!(s.event_source_mappings[0].access_configs.is_empty());
    assert_eq!(s.diagnostics.len(), 1);
    assert!(
        s.diagnostics[0].message.starts_with(
            "`source_access_configuration` of `aws_lambda_event_source_mapping.kafka`"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input

fn error(text: &str) -> crate::diag::FileError {
    match read_plan(&source(text)) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    }
}

#[test]
fn truncated_json_names_the_offset() {
    let full = fixture("sqs.json").text;
    let cut = &full[..5000];
    let e = error(cut);
    assert!(
        e.message.starts_with("the plan JSON is truncated"),
        "{}",
        e.message
    );
    let span = e.span.unwrap();
    assert_eq!(span.end as usize, cut.trim_end().len());
    assert!(e.message.ends_with(&format!(
        "byte {} inside an unfinished value",
        cut.trim_end().len()
    )));
}

#[test]
fn wrapper_output_is_explained() {
    let plan = fixture("errored.json").text;
    let wrapped = format!(
        "[command]/home/runner/work/_temp/terraform-bin show -json plan.tfplan\n{}%0A\n::set-output name=stderr::\n::set-output name=exitcode::0\n",
        plan.trim()
    );
    assert!(looks_like_plan(&wrapped));
    let e = error(&wrapped);
    assert!(e.message.contains("`terraform-wrapper`"), "{}", e.message);
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .contains("`terraform_wrapper: false`")
    );
    assert_eq!(e.span.unwrap().start, 0);
}

#[test]
fn human_readable_output_is_explained() {
    let text = "\nTerraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n  + create\n\nTerraform will perform the following actions:\n\n  # aws_sqs_queue.q will be created\n  + resource \"aws_sqs_queue\" \"q\" {\n";
    assert!(looks_like_plan(text));
    assert_eq!(
        error(text).message,
        "this is the human-readable output of `terraform show`; run `terraform show -json plan.out`"
    );
}

#[test]
fn other_bad_inputs() {
    assert_eq!(
        error(r#"{"format_version":"2.0","planned_values":{}}"#).message,
        "unsupported plan format_version `2.0`; permgate reads 0.x and 1.x"
    );
    // A newer format whose shape is not understood is still reported by its version.
    assert_eq!(
        error(r#"{"format_version":"2.1","planned_values":"new"}"#).message,
        "unsupported plan format_version `2.1`; permgate reads 0.x and 1.x"
    );
    let e = error(r#"{"format_version":"1.2","resource_changes":"x"}"#);
    assert!(
        e.message.starts_with("the plan does not have the shape"),
        "{}",
        e.message
    );
    assert!(e.span.is_some());
    let e = error(r#"{"planned_values":{}}"#);
    assert!(e.message.contains("no `format_version`"), "{}", e.message);
    let e = error(
        r#"{"version":4,"terraform_version":"1.9.5","serial":3,"lineage":"a-b","resources":[]}"#,
    );
    assert!(
        e.message.contains("raw Terraform state file"),
        "{}",
        e.message
    );
    let e = error("PK\u{3}\u{4}binary");
    assert!(e.message.contains("binary plan file"), "{}", e.message);
    let e = error("");
    assert!(e.message.starts_with("this is not JSON"), "{}", e.message);
    let e = error("{\"format_version\": \"1.2\", \"planned_values\": {]}");
    assert!(
        e.message.starts_with("invalid JSON at byte"),
        "{}",
        e.message
    );
    // A BOM and leading blank lines are accepted.
    let (format, _) = read_plan(&source(
        "\u{feff}\n {\"format_version\":\"1.0\",\"values\":{}}",
    ))
    .unwrap();
    assert_eq!(format, InputFormat::TerraformState);
}

#[test]
fn resources_of_unexpected_shape_do_not_stop_the_rest() {
    let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
        {"address":"aws_lambda_function.a","mode":"managed","type":"aws_lambda_function","name":"a","values":"nope"},
        {"address":"aws_lambda_function.b","mode":"managed","type":"aws_lambda_function","name":"b",
         "values":{"function_name":"b","role":["not","a","string"],"vpc_config":[7]}},
        {"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q",
         "values":{"name":"q","kms_master_key_id":{"k":1}}}
    ]}}}"#;
    let (_, s) = read_plan(&source(text)).unwrap();
    assert_eq!(s.functions.len(), 1);
    assert_eq!(s.functions[0].origin.id, "aws_lambda_function.b");
    assert!(matches!(s.functions[0].role, RoleLink::Missing(_)));
    assert_eq!(s.queues.len(), 1);
    let mut messages: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "`kms_master_key_id` of `aws_sqs_queue.q` is an object where a string is expected; it is ignored",
            "`role` of `aws_lambda_function.b` is a list where a string is expected; it is ignored",
            "`vpc_config[0]` of `aws_lambda_function.b` is a number where a block is expected; it is ignored",
            "the values of `aws_lambda_function.a` are a string, not an object; the resource is skipped",
        ]
    );
}

/// A plan creating queue `orders` and secret `creds`, with data sources in its prior state and
/// a provider configuration whose region comes from the environment (not in the plan).
fn plan_with_data(data: &str, data_config: &str) -> String {
    format!(
        r#"{{"format_version":"1.2",
        "planned_values":{{"root_module":{{"resources":[
          {{"address":"aws_sqs_queue.orders","mode":"managed","type":"aws_sqs_queue","name":"orders","values":{{"name":"orders"}}}},
          {{"address":"aws_secretsmanager_secret.creds","mode":"managed","type":"aws_secretsmanager_secret","name":"creds","values":{{"name":"kafka/creds"}}}}]}}}},
        "resource_changes":[
          {{"address":"aws_sqs_queue.orders","change":{{"actions":["create"],"after_unknown":{{"arn":true}}}}}},
          {{"address":"aws_secretsmanager_secret.creds","change":{{"actions":["create"],"after_unknown":{{"arn":true}}}}}}],
        "prior_state":{{"values":{{"root_module":{{"resources":[{data}]}}}}}},
        "configuration":{{"provider_config":{{"aws":{{"name":"aws"}}}},"root_module":{{"resources":[
          {{"address":"aws_sqs_queue.orders","mode":"managed","type":"aws_sqs_queue","name":"orders","provider_config_key":"aws","expressions":{{"name":{{"constant_value":"orders"}}}}}},
          {{"address":"aws_secretsmanager_secret.creds","mode":"managed","type":"aws_secretsmanager_secret","name":"creds","provider_config_key":"aws","expressions":{{"name":{{"constant_value":"kafka/creds"}}}}}}{data_config}]}}}}}}"#
    )
}

#[test]
fn account_and_region_come_from_data_sources_read_while_planning() {
    let data = r#"
      {"address":"data.aws_caller_identity.current","mode":"data","type":"aws_caller_identity","name":"current","values":{"account_id":"123456789012","id":"123456789012"}},
      {"address":"data.aws_region.current","mode":"data","type":"aws_region","name":"current","values":{"id":"us-east-1","name":"us-east-1","region":"us-east-1"}}"#;
    let config = r#",
      {"address":"data.aws_caller_identity.current","mode":"data","type":"aws_caller_identity","name":"current","provider_config_key":"aws","expressions":{}},
      {"address":"data.aws_region.current","mode":"data","type":"aws_region","name":"current","provider_config_key":"aws","expressions":{}}"#;
    let (_, s) = read_plan(&source(&plan_with_data(data, config))).unwrap();
    assert_eq!(
        s.queues[0].arn.as_literal(),
        Some("arn:aws:sqs:us-east-1:123456789012:orders")
    );
    assert_eq!(s.env.account.as_deref(), Some("123456789012"));

    // Without them, the account and region stay symbols.
    let (_, s) = read_plan(&source(&plan_with_data("", ""))).unwrap();
    assert_eq!(
        s.queues[0].arn.to_string(),
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"
    );

    // `aws_region` with an argument describes another region; a provider alias has its own
    // account.
    let data = r#"
      {"address":"data.aws_caller_identity.other","mode":"data","type":"aws_caller_identity","name":"other","values":{"account_id":"999999999999"}},
      {"address":"data.aws_region.other","mode":"data","type":"aws_region","name":"other","values":{"name":"eu-west-1","region":"eu-west-1"}}"#;
    let config = r#",
      {"address":"data.aws_caller_identity.other","mode":"data","type":"aws_caller_identity","name":"other","provider_config_key":"aws.other","expressions":{}},
      {"address":"data.aws_region.other","mode":"data","type":"aws_region","name":"other","provider_config_key":"aws","expressions":{"region":{"constant_value":"eu-west-1"}}}"#;
    let text = plan_with_data(data, config).replace(
        r#""aws":{"name":"aws"}"#,
        r#""aws":{"name":"aws"},"aws.other":{"name":"aws","alias":"other"}"#,
    );
    let (_, s) = read_plan(&source(&text)).unwrap();
    assert_eq!(
        s.queues[0].arn.to_string(),
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"
    );
}

#[test]
fn secret_arns_end_in_six_random_characters() {
    let (_, s) = read_plan(&source(&plan_with_data("", ""))).unwrap();
    let arn = &s.secrets[0].arn;
    assert!(arn.to_string().contains(":secret:kafka/creds-$"), "{arn}");
    // As in templates, `-??????` matches the suffix and the bare name does not (PS).
    let suffix: Vec<_> = arn.symbols().filter_map(Symbol::fixed_len).collect();
    assert_eq!(suffix, [6]);
}

#[test]
fn a_log_group_known_after_apply_is_linked_through_the_configuration() {
    // logging_config { log_group = aws_cloudwatch_log_group.app.name }, the group named by
    // `name_prefix`, so its name is only known after apply.
    let text = r#"{"format_version":"1.2",
      "planned_values":{"root_module":{"resources":[
        {"address":"aws_cloudwatch_log_group.app","mode":"managed","type":"aws_cloudwatch_log_group","name":"app","values":{"name_prefix":"/shared/app-"}},
        {"address":"aws_lambda_function.app","mode":"managed","type":"aws_lambda_function","name":"app","values":{"function_name":"app","logging_config":[{"log_format":"Text"}]}}]}},
      "resource_changes":[
        {"address":"aws_cloudwatch_log_group.app","change":{"actions":["create"],"after_unknown":{"arn":true,"name":true}}},
        {"address":"aws_lambda_function.app","change":{"actions":["create"],"after_unknown":{"arn":true,"role":true,"logging_config":[{"log_group":true}]}}}],
      "configuration":{"root_module":{"resources":[
        {"address":"aws_cloudwatch_log_group.app","mode":"managed","type":"aws_cloudwatch_log_group","name":"app","expressions":{"name_prefix":{"constant_value":"/shared/app-"}}},
        {"address":"aws_lambda_function.app","mode":"managed","type":"aws_lambda_function","name":"app","expressions":{
          "function_name":{"constant_value":"app"},
          "logging_config":[{"log_format":{"constant_value":"Text"},"log_group":{"references":["aws_cloudwatch_log_group.app.name","aws_cloudwatch_log_group.app"]}}]}}]}}}"#;
    let (_, s) = read_plan(&source(text)).unwrap();
    let group = s.functions[0].log_group.as_ref().map(|g| &g.value);
    assert_eq!(
        group
            .and_then(|g| g.refers.as_ref())
            .map(|r| (r.resource.as_str(), r.attr.as_str())),
        Some(("aws_cloudwatch_log_group.app", "name"))
    );
}

#[test]
fn reference_cycles_end() {
    // Terraform refuses cycles, but a crafted file may have them: consumers whose stream is each
    // other's ARN, each lookup branching into two.
    let resource = |name: &str| {
        format!(
            r#"{{"address":"aws_kinesis_stream_consumer.{name}","mode":"managed","type":"aws_kinesis_stream_consumer","name":"{name}","values":{{}}}}"#
        )
    };
    let change = |name: &str| {
        format!(
            r#"{{"address":"aws_kinesis_stream_consumer.{name}","change":{{"actions":["create"],"after_unknown":{{"arn":true,"name":true,"stream_arn":true}}}}}}"#
        )
    };
    let config = |name: &str, other: &str| {
        format!(
            r#"{{"address":"aws_kinesis_stream_consumer.{name}","mode":"managed","type":"aws_kinesis_stream_consumer","name":"{name}","expressions":{{"name":{{"references":["aws_kinesis_stream_consumer.{other}.name","aws_kinesis_stream_consumer.{other}"]}},"stream_arn":{{"references":["aws_kinesis_stream_consumer.{other}.arn","aws_kinesis_stream_consumer.{other}"]}}}}}}"#
        )
    };
    let text = format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{},{}]}}}},"resource_changes":[{},{}],"configuration":{{"root_module":{{"resources":[{},{}]}}}}}}"#,
        resource("a"),
        resource("b"),
        change("a"),
        change("b"),
        config("a", "b"),
        config("b", "a")
    );
    let start = std::time::Instant::now();
    let (_, s) = read_plan(&source(&text)).unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(s.stream_consumers.len(), 2);
}

#[test]
fn every_truncation_of_a_plan_fails_cleanly() {
    let full = fixture("exclusive.json").text;
    let mut boundaries: Vec<usize> = (0..full.len())
        .filter(|i| full.is_char_boundary(*i))
        .collect();
    boundaries.retain(|i| i % 7 == 0);
    for end in boundaries {
        let _ = read_plan(&source(&full[..end]));
    }
}

#[test]
fn sniffing() {
    for name in ["sqs.json", "state.json", "modules.json"] {
        assert!(looks_like_plan(&fixture(name).text), "{name}");
    }
    assert!(!looks_like_plan(
        r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{}}"#
    ));
    assert!(!looks_like_plan(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    ));
    assert!(!looks_like_plan(r#"{"format_version":"1.0"}"#));
    assert!(!looks_like_plan(""));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Mutated plans never panic: each is read or refused with a message.
    #[test]
    fn mutated_plans_never_panic(at in 0usize..20_000, byte in proptest::prelude::any::<u8>()) {
        let mut bytes = fixture("policy-documents.json").text.into_bytes();
        let i = at % bytes.len();
        bytes[i] = byte;
        if let Ok(text) = String::from_utf8(bytes) {
            let _ = read_plan(&source(&text));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming: large plans are condensed as they are read; the stack must be the one the whole
// text gives, and anything the whole text refuses must not be read.

/// The stack read from `text` by streaming, `chunk` bytes at a time.
fn streamed(text: &[u8], chunk: usize) -> Option<(InputFormat, Stack)> {
    read_plan_stream(text, text.len(), chunk, &|| None)
}

/// Asserts that streaming `text` gives what reading it whole gives (or gives up); returns
/// whether it read the plan.
fn assert_streams_alike(name: &str, text: &str, chunk: usize) -> bool {
    let whole = read_plan(&source(text));
    match (whole, streamed(text.as_bytes(), chunk)) {
        (Ok((format, stack)), Some((s_format, s_stack))) => {
            assert_eq!(format, s_format, "{name}");
            assert_eq!(format!("{stack:#?}"), format!("{s_stack:#?}"), "{name}");
            true
        }
        (Err(e), Some(_)) => panic!("{name}: streamed, but reading it whole fails: {e:?}"),
        (_, None) => false,
    }
}

/// Every plan under `dir` (fixtures of the readers and of the checks).
fn plan_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            plan_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && looks_like_plan(&std::fs::read_to_string(&path).unwrap())
        {
            out.push(path);
        }
    }
}

#[test]
fn streaming_gives_the_stack_of_the_whole_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    plan_files(&root.join("testdata"), &mut files);
    if let Some(dir) = corpus_dir() {
        plan_files(&dir, &mut files);
    }
    files.sort();
    assert!(files.len() > 40, "{}", files.len());
    let mut refused = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let read = assert_streams_alike(&name, &text, super::condense::CHUNK);
        // Every plan that reads whole also streams, and the read size does not matter.
        if read_plan(&source(&text)).is_ok() {
            assert!(read, "{name}: not streamed");
            assert!(assert_streams_alike(&name, &text, 7), "{name}");
        } else {
            refused.push(name);
        }
    }
    // The fixtures of refused input (errored plans are read; these are not plans at all).
    assert!(
        refused
            .iter()
            .all(|n| n.contains("PG001") || n.contains("terraform_wrapper")),
        "{refused:?}"
    );
}

#[test]
fn every_truncation_of_a_plan_is_refused_by_streaming_too() {
    let full = fixture("exclusive.json").text;
    for end in (0..full.len()).filter(|i| i % 5 == 0 && full.is_char_boundary(*i)) {
        assert_streams_alike(&format!("exclusive.json[..{end}]"), &full[..end], 64);
    }
}

/// `plan` made large enough to stream (left-out members; whitespace after the object is
/// allowed), written as `plan.json` in a new temporary directory `name-<pid>`: the text, the
/// directory and the file.
fn written_large(name: &str, plan: &str) -> (String, PathBuf, PathBuf) {
    let drift = format!(
        r#","resource_drift":[{}]}}"#,
        vec![r#"{"address":"aws_sqs_queue.x","change":{"before":{"name":"x"}}}"#; 20_000].join(",")
    );
    let end = plan.rfind('}').unwrap();
    let large = format!("{}{drift}\n", &plan[..end]);
    assert!(large.len() as u64 >= STREAM_MIN);
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plan.json");
    std::fs::write(&path, &large).unwrap();
    (large, dir, path)
}

#[test]
fn large_plans_are_read_from_disk_as_a_stream() {
    let text = fixture("sqs.json").text;
    let (large, dir, path) = written_large("permgate-stream", &text);
    let (format, stack) = read_plan_file(&path, &|| None).expect("streamed");
    let (w_format, whole) = read_plan(&source(&large)).unwrap();
    assert_eq!(format, w_format);
    assert_eq!(format!("{stack:?}"), format!("{whole:?}"));
    assert!(!stack.event_source_mappings.is_empty());
    // The same plan, small, is read whole; broken, it is left to the general path.
    std::fs::write(&path, &text).unwrap();
    assert!(read_plan_file(&path, &|| None).is_none());
    std::fs::write(&path, large.replacen(r#"{"name":"x"}"#, r#"{"name":x}"#, 1)).unwrap();
    assert!(read_plan_file(&path, &|| None).is_none());
    assert!(
        read_plan(&source(&large.replacen(
            r#"{"name":"x"}"#,
            r#"{"name":x}"#,
            1
        )))
        .is_err()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_large_plan_reads_its_source_while_it_streams_and_gets_the_same_values() {
    // A real plan whose policy is a `jsonencode` it leaves unknown, made large.
    let fixture_dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tfsource/jsonencode-missing-action");
    let text = std::fs::read_to_string(fixture_dir.join("plan.json")).unwrap();
    let (large, dir, path) = written_large("permgate-stream-source", &text);
    let read_source = || {
        let mut source = crate::readers::hcl::TfSource::read(&fixture_dir);
        source.parse_policies();
        Some(std::sync::Arc::new(source))
    };
    let asked_from = std::sync::Mutex::new(Vec::new());
    let (_, streamed) = read_plan_file(&path, &|| {
        asked_from
            .lock()
            .unwrap()
            .push(std::thread::current().name().map(str::to_string));
        read_source()
    })
    .expect("streamed");
    let (_, whole) = super::read_plan_with_source(&source(&large), read_source()).unwrap();
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
    // The source is asked for once, on the reader's own thread, and its policy is known.
    assert_eq!(*asked_from.lock().unwrap(), [Some("tf-source".to_string())]);
    let (_, plan_only) = read_plan(&source(&large)).unwrap();
    assert_ne!(format!("{streamed:?}"), format!("{plan_only:?}"));
    assert!(format!("{streamed:?}").contains("sqs:ReceiveMessage"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The source's policies evaluated on a second thread (with the values of their references
/// resolved beforehand) give the stack that evaluating each where the lowering meets it gives,
/// for every plan with its source among the fixtures: policies of modules, `for_each`,
/// `dynamic` blocks, templates and files, and references that only the plan can answer.
#[test]
fn policies_evaluated_ahead_give_the_same_stack() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tfsource");
    let mut ahead = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let plan = dir.join("plan.json");
        if !plan.is_file() {
            continue;
        }
        let read_source = || {
            let mut source = crate::readers::hcl::TfSource::read(&dir);
            source.parse_policies();
            Some(std::sync::Arc::new(source))
        };
        let file = SourceFile::new(&plan, std::fs::read_to_string(&plan).unwrap());
        let on_a_thread = super::read_plan_evaluating_ahead_from(&file, read_source(), 0);
        let in_place = super::read_plan_evaluating_ahead_from(&file, read_source(), usize::MAX);
        assert_eq!(
            format!("{on_a_thread:?}"),
            format!("{in_place:?}"),
            "{}",
            dir.display()
        );
        ahead += 1;
    }
    assert!(ahead >= 30, "only {ahead} plans with their source");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// A mutated plan that streams is read whole to the same stack.
    #[test]
    fn mutated_plans_stream_alike(
        at in 0usize..20_000,
        byte in proptest::prelude::any::<u8>(),
        chunk in 1usize..300,
    ) {
        let mut bytes = fixture("policy-documents.json").text.into_bytes();
        let i = at % bytes.len();
        bytes[i] = byte;
        match String::from_utf8(bytes) {
            Ok(text) => {
                assert_streams_alike("mutated", &text, chunk);
            }
            Err(e) => proptest::prop_assert!(streamed(e.as_bytes(), chunk).is_none()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The corpus

fn corpus_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var("PERMGATE_CORPUS").ok().map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("MANIFEST.tsv").is_file())
}

#[test]
fn corpus_plans_read() {
    let Some(dir) = corpus_dir() else {
        println!("corpus not found (set PERMGATE_CORPUS); skipping the corpus run");
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut read_count = 0;
    let mut wrapper_count = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.get(5).is_none_or(|k| !k.contains("TF-plan")) {
            continue;
        }
        let path = dir.join(cols[0]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(looks_like_plan(&text), "{}", path.display());
        let file = SourceFile::new(&path, text);
        match read_plan(&file) {
            Ok((format, stack)) => {
                assert_eq!(format, InputFormat::TerraformPlan, "{}", path.display());
                // Every function of these plans is read and linked to a role.
                for f in &stack.functions {
                    assert!(
                        !matches!(f.role, RoleLink::Missing(_)),
                        "{}: {}",
                        path.display(),
                        f.origin.id
                    );
                }
                read_count += 1;
            }
            Err(e) if cols[0].contains("terraform_wrapper") => {
                assert!(e.message.contains("`terraform-wrapper`"), "{}", e.message);
                wrapper_count += 1;
            }
            Err(e) => panic!("{}: {e:?}", path.display()),
        }
    }
    assert_eq!((read_count, wrapper_count), (11, 1));
}

#[test]
fn corpus_plan_with_event_bridge_targets() {
    let Some(dir) = corpus_dir() else {
        println!("corpus not found (set PERMGATE_CORPUS); skipping");
        return;
    };
    let path = dir.join("terraform-compliance/tests/functional/test_issue_522/plan.out.json");
    let file = SourceFile::new(&path, std::fs::read_to_string(&path).unwrap());
    let (_, s) = read_plan(&file).unwrap();
    insta::with_settings!({
        snapshot_path => "../../../testdata/readers/tfplan/snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_json_snapshot!("corpus-test_issue_522", render(InputFormat::TerraformPlan, &s));
    });
}

#[test]
fn smoke_generated_plan() {
    let path = std::env::var("TFPLAN_SMOKE").unwrap_or_default();
    if path.is_empty() {
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let file = source(&text);
    let (format, stack) = read_plan(&file).unwrap();
    println!(
        "{}",
        serde_json::to_string_pretty(&render(format, &stack)).unwrap()
    );
}

#[test]
fn resource_policies_link_to_what_they_govern() {
    let doc =
        |statement: &str| format!(r#"{{\"Version\":\"2012-10-17\",\"Statement\":[{statement}]}}"#);
    let allow_root = doc(
        r#"{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"#,
    );
    let text = format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[
        {{"address":"aws_kms_key.inline","mode":"managed","type":"aws_kms_key","name":"inline","values":{{"key_id":"k1","arn":"arn:aws:kms:us-east-1:123456789012:key/k1","policy":"{p}"}}}},
        {{"address":"aws_kms_key.plain","mode":"managed","type":"aws_kms_key","name":"plain","values":{{"key_id":"k2","arn":"arn:aws:kms:us-east-1:123456789012:key/k2"}}}},
        {{"address":"aws_kms_key.separate","mode":"managed","type":"aws_kms_key","name":"separate","values":{{"key_id":"k3","arn":"arn:aws:kms:us-east-1:123456789012:key/k3"}}}},
        {{"address":"aws_kms_key_policy.separate","mode":"managed","type":"aws_kms_key_policy","name":"separate","values":{{"key_id":"k3","policy":"{p}"}}}},
        {{"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","values":{{"name":"q","arn":"arn:aws:sqs:us-east-1:123456789012:q","url":"https://sqs.us-east-1.amazonaws.com/123456789012/q","policy":"{p}"}}}},
        {{"address":"aws_sqs_queue_policy.q","mode":"managed","type":"aws_sqs_queue_policy","name":"q","values":{{"queue_url":"https://sqs.us-east-1.amazonaws.com/123456789012/q","policy":"{p}"}}}},
        {{"address":"aws_kinesis_resource_policy.s","mode":"managed","type":"aws_kinesis_resource_policy","name":"s","values":{{"resource_arn":"arn:aws:kinesis:us-east-1:123456789012:stream/s","policy":"{p}"}}}},
        {{"address":"aws_dynamodb_resource_policy.t","mode":"managed","type":"aws_dynamodb_resource_policy","name":"t","values":{{"resource_arn":"arn:aws:dynamodb:us-east-1:123456789012:table/t","policy":"{p}"}}}},
        {{"address":"aws_dynamodb_resource_policy.ts","mode":"managed","type":"aws_dynamodb_resource_policy","name":"ts","values":{{"resource_arn":"arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000","policy":"{p}"}}}},
        {{"address":"aws_secretsmanager_secret_policy.x","mode":"managed","type":"aws_secretsmanager_secret_policy","name":"x","values":{{"secret_arn":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf","policy":"{p}"}}}},
        {{"address":"aws_msk_cluster_policy.c","mode":"managed","type":"aws_msk_cluster_policy","name":"c","values":{{"cluster_arn":"arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1","policy":"{p}"}}}}
        ]}}}}}}"#,
        p = allow_root
    );
    let (_, s) = read_plan(&source(&text)).unwrap();
    let got: Vec<(String, ResourcePolicyKind, String, bool)> = s
        .resource_policies
        .iter()
        .map(|p| {
            (
                p.origin.id.clone(),
                p.kind,
                p.governs
                    .iter()
                    .map(|g| sym_text(&g.value))
                    .collect::<Vec<_>>()
                    .join(" "),
                p.document.is_some(),
            )
        })
        .collect();
    let expect = |id: &str, kind, governs: &str| (id.to_string(), kind, governs.to_string(), true);
    assert_eq!(
        got,
        vec![
            expect(
                "aws_kms_key.inline",
                ResourcePolicyKind::Key,
                "arn:aws:kms:us-east-1:123456789012:key/k1"
            ),
            expect(
                "aws_sqs_queue.q",
                ResourcePolicyKind::Queue,
                "arn:aws:sqs:us-east-1:123456789012:q"
            ),
            expect(
                "aws_kms_key_policy.separate",
                ResourcePolicyKind::Key,
                "arn:aws:kms:us-east-1:123456789012:key/k3"
            ),
            expect(
                "aws_sqs_queue_policy.q",
                ResourcePolicyKind::Queue,
                "arn:aws:sqs:us-east-1:123456789012:q"
            ),
            expect(
                "aws_kinesis_resource_policy.s",
                ResourcePolicyKind::Stream,
                "arn:aws:kinesis:us-east-1:123456789012:stream/s"
            ),
            expect(
                "aws_dynamodb_resource_policy.t",
                ResourcePolicyKind::Table,
                "arn:aws:dynamodb:us-east-1:123456789012:table/t"
            ),
            expect(
                "aws_dynamodb_resource_policy.ts",
                ResourcePolicyKind::TableStream,
                "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"
            ),
            expect(
                "aws_secretsmanager_secret_policy.x",
                ResourcePolicyKind::Secret,
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"
            ),
            expect(
                "aws_msk_cluster_policy.c",
                ResourcePolicyKind::Cluster,
                "arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1"
            ),
        ]
    );
    let key = |id: &str| s.kms_keys.iter().find(|k| k.origin.id == id).unwrap();
    assert!(key("aws_kms_key.inline").policy_set);
    assert!(
        !key("aws_kms_key.plain").policy_set,
        "no policy: the default key policy"
    );
    assert!(
        key("aws_kms_key.separate").policy_set,
        "set by aws_kms_key_policy"
    );
}

/// A `data.aws_caller_identity` read at apply (it waits for a resource, or the source is read
/// without a plan) is the account the plan's ARNs are built in, not an opaque value: a key
/// policy's `arn:aws:iam::${data.aws_caller_identity.current.account_id}:root` is the account.
#[test]
fn caller_identity_read_at_apply_is_the_account() {
    let text = r#"{"format_version":"1.2",
      "planned_values":{"root_module":{"resources":[
        {"address":"aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k","values":{"description":"k"}},
        {"address":"data.aws_caller_identity.current","mode":"data","type":"aws_caller_identity","name":"current","values":{}},
        {"address":"data.aws_caller_identity.other","mode":"data","type":"aws_caller_identity","name":"other","values":{}},
        {"address":"data.aws_iam_policy_document.key","mode":"data","type":"aws_iam_policy_document","name":"key","values":{"statement":[{"actions":["kms:*"],"resources":["*"],"principals":[{"type":"AWS","identifiers":[null]}]},{"actions":["kms:*"],"resources":["*"],"principals":[{"type":"AWS","identifiers":[null]}]}]}}]}},
      "resource_changes":[
        {"address":"data.aws_caller_identity.current","mode":"data","type":"aws_caller_identity","name":"current","change":{"actions":["read"],"after":{},"after_unknown":{"account_id":true,"id":true}}},
        {"address":"data.aws_caller_identity.other","mode":"data","type":"aws_caller_identity","name":"other","change":{"actions":["read"],"after":{},"after_unknown":{"account_id":true,"id":true}}},
        {"address":"data.aws_iam_policy_document.key","mode":"data","type":"aws_iam_policy_document","name":"key","change":{"actions":["read"],"after":{"statement":[{"actions":["kms:*"],"resources":["*"],"principals":[{"type":"AWS","identifiers":[null]}]},{"actions":["kms:*"],"resources":["*"],"principals":[{"type":"AWS","identifiers":[null]}]}]},"after_unknown":{"json":true,"statement":[{"principals":[{"identifiers":[true]}]},{"principals":[{"identifiers":[true]}]}]}}},
        {"address":"aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k","change":{"actions":["create"],"after":{"description":"k"},"after_unknown":{"arn":true,"key_id":true,"policy":true}}}],
      "configuration":{"provider_config":{"aws":{"name":"aws"},"aws.other":{"name":"aws","alias":"other"}},"root_module":{"resources":[
        {"address":"data.aws_caller_identity.current","mode":"data","type":"aws_caller_identity","name":"current","provider_config_key":"aws","expressions":{}},
        {"address":"data.aws_caller_identity.other","mode":"data","type":"aws_caller_identity","name":"other","provider_config_key":"aws.other","expressions":{}},
        {"address":"data.aws_iam_policy_document.key","mode":"data","type":"aws_iam_policy_document","name":"key","provider_config_key":"aws","expressions":{"statement":[
          {"actions":{"constant_value":["kms:*"]},"resources":{"constant_value":["*"]},"principals":[{"type":{"constant_value":"AWS"},"identifiers":{"references":["data.aws_caller_identity.current.account_id","data.aws_caller_identity.current"]}}]},
          {"actions":{"constant_value":["kms:*"]},"resources":{"constant_value":["*"]},"principals":[{"type":{"constant_value":"AWS"},"identifiers":{"references":["data.aws_caller_identity.other.account_id","data.aws_caller_identity.other"]}}]}]}},
        {"address":"aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k","provider_config_key":"aws","expressions":{"description":{"constant_value":"k"},"policy":{"references":["data.aws_iam_policy_document.key.json","data.aws_iam_policy_document.key"]}}}]}}}"#;
    let (_, s) = read_plan(&source(text)).unwrap();
    let Some(document) = s.resource_policies[0].document.as_ref() else {
        panic!(
            "{:?} {:?}",
            s.resource_policies[0].unknown_reason, s.diagnostics
        );
    };
    let principals: Vec<String> = value(&document.value)["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["Principal"]["AWS"][0]["value"].to_string())
        .collect();
    // The default configuration's account is the account symbol; an aliased configuration's
    // may be another account, so it stays that data source's own value.
    assert_eq!(
        principals,
        [
            r#""${AWS::AccountId}""#,
            r#""${data.aws_caller_identity.other.account_id}""#
        ]
    );
}
