//! `permgate inventory`: the extracted model, as JSON (schema `schemas/inventory.schema.json`)
//! or as text.
//!
//! Input: the stacks read from each file. Output: a document that shows every item with its
//! origin (file, line, column, logical id or address) and its symbolic values written the way
//! `Fn::Sub` would (`arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders`).

use serde_json::{Map, Value as Json, json};

use crate::model::*;
use crate::report::escape;
use crate::source::{SourceFile, Span};

/// One file of the inventory.
pub struct InventoryFile<'a> {
    pub source: &'a SourceFile,
    pub format: Option<InputFormat>,
    pub status: &'static str,
    pub message: Option<String>,
    pub stack: Option<&'a Stack>,
}

struct Cx<'a> {
    file: &'a SourceFile,
    has_lines: bool,
}

impl Cx<'_> {
    fn loc(&self, span: Option<Span>) -> (Json, Json) {
        match span {
            Some(s) if self.has_lines => {
                let lc = self.file.line_col(s.start);
                (json!(lc.line), json!(lc.column))
            }
            _ => (Json::Null, Json::Null),
        }
    }

    fn origin(&self, o: &Origin) -> Json {
        let (line, column) = self.loc(o.span);
        let mut m = Map::new();
        m.insert("id".into(), json!(o.id));
        m.insert("line".into(), line);
        m.insert("column".into(), column);
        if let Some(g) = &o.generated_from {
            m.insert("generated_from".into(), json!(g));
        }
        Json::Object(m)
    }

    fn located(&self, l: &Located<SymStr>) -> Json {
        let (line, _) = self.loc(l.span);
        json!({ "value": sym(&l.value), "line": line })
    }

    fn opt_located(&self, l: &Option<Located<SymStr>>) -> Json {
        l.as_ref().map(|l| self.located(l)).unwrap_or(Json::Null)
    }
}

fn sym(s: &SymStr) -> Json {
    json!(s.to_string())
}

fn opt_sym(s: &Option<SymStr>) -> Json {
    s.as_ref().map(sym).unwrap_or(Json::Null)
}

fn existence(e: &Existence) -> Json {
    match e {
        Existence::Always => Json::Null,
        Existence::IfCondition(c) => json!(c),
    }
}

/// A value as JSON; symbolic strings are rendered, undecided conditions become `Fn::If`.
pub fn value_json(v: &Value) -> Json {
    match &v.kind {
        ValueKind::Null => Json::Null,
        ValueKind::Str(s) => sym(s),
        ValueKind::List(items) => Json::Array(items.iter().map(value_json).collect()),
        ValueKind::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), value_json(v)))
                .collect(),
        ),
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => json!({ "Fn::If": [condition, value_json(then), value_json(otherwise)] }),
        ValueKind::NoValue => json!({ "Ref": "AWS::NoValue" }),
        ValueKind::Unknown(reason) => json!({ "unknown": reason }),
    }
}

fn function_link(stack: &Stack, l: &FunctionLink) -> Json {
    match l {
        FunctionLink::Local {
            function,
            qualifier,
        } => json!({
            "resource": stack.function(*function).map(|f| f.origin.id.as_str()),
            "qualifier": opt_sym(qualifier),
        }),
        FunctionLink::External(s) => json!({ "external": sym(s) }),
    }
}

fn role_link(stack: &Stack, l: &RoleLink) -> Json {
    match l {
        RoleLink::Local(id) => json!({ "resource": stack.role(*id).map(|r| r.origin.id.as_str()) }),
        RoleLink::External(s) => json!({ "external": sym(s) }),
        RoleLink::OneOf(links) => {
            json!({ "one_of": links.iter().map(|l| role_link(stack, l)).collect::<Vec<_>>() })
        }
        RoleLink::Missing(reason) => json!({ "missing": reason }),
    }
}

fn access_configs(cx: &Cx<'_>, configs: &[AccessConfig]) -> Json {
    Json::Array(
        configs
            .iter()
            .map(|c| {
                let (line, _) = cx.loc(c.span);
                json!({
                    "type": c.kind,
                    "uri": sym(&c.uri),
                    "secret": c.secret_resource,
                    "line": line,
                })
            })
            .collect(),
    )
}

fn policy(cx: &Cx<'_>, p: &Policy) -> Json {
    json!({
        "origin": cx.origin(&p.origin),
        "condition": existence(&p.existence),
        "name": p.name,
        "source": p.source,
        "document": value_json(&p.document.value),
    })
}

fn stack_json(cx: &Cx<'_>, s: &Stack) -> Json {
    json!({
        "functions": s.functions.iter().map(|f| json!({
            "origin": cx.origin(&f.origin),
            "condition": existence(&f.existence),
            "name": sym(&f.name),
            "arn": sym(&f.arn),
            "role": role_link(s, &f.role),
            "vpc": f.vpc.as_ref().map(|v| json!({
                "subnet_ids": v.value.subnet_ids.iter().map(sym).collect::<Vec<_>>(),
                "security_group_ids": v.value.security_group_ids.iter().map(sym).collect::<Vec<_>>(),
            })),
            "dead_letter_target": cx.opt_located(&f.dead_letter_target),
            "kms_key_arn": cx.opt_located(&f.kms_key_arn),
            "aliases": f.aliases.iter().map(|a| json!({
                "origin": cx.origin(&a.origin),
                "qualifier": sym(&a.qualifier),
                "arn": sym(&a.arn),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "event_source_mappings": s.event_source_mappings.iter().map(|m| json!({
            "origin": cx.origin(&m.origin),
            "condition": existence(&m.existence),
            "kind": m.kind,
            "function": function_link(s, &m.function),
            "source_arn": cx.opt_located(&m.source_arn),
            "source_resource": m.source_resource,
            "access_configs": access_configs(cx, &m.access_configs),
            "bootstrap_servers": m.bootstrap_servers.iter().map(sym).collect::<Vec<_>>(),
            "topics": m.topics.iter().map(sym).collect::<Vec<_>>(),
            "queues": m.queues.iter().map(sym).collect::<Vec<_>>(),
            "consumer_group_id": opt_sym(&m.consumer_group_id),
            "schema_registry": m.schema_registry.as_ref().map(|r| json!({
                "uri": cx.located(&r.uri),
                "access_configs": access_configs(cx, &r.access_configs),
            })),
            "on_failure": cx.opt_located(&m.on_failure),
            "filter_kms_key": cx.opt_located(&m.filter_kms_key),
            "secrets_kms_key": cx.opt_located(&m.secrets_kms_key),
            "enabled": m.enabled,
        })).collect::<Vec<_>>(),
        "roles": s.roles.iter().map(|r| json!({
            "origin": cx.origin(&r.origin),
            "condition": existence(&r.existence),
            "name": sym(&r.name),
            "arn": sym(&r.arn),
            "path": r.path,
            "sam_generated": r.sam_generated,
            "trust_policy": r.trust_policy.as_ref().map(|d| value_json(&d.value)),
            "policies": r.policies.iter().map(|p| policy(cx, p)).collect::<Vec<_>>(),
            "managed_policy_arns": r.managed_policy_arns.iter().map(|a| cx.located(a)).collect::<Vec<_>>(),
            "permissions_boundary": cx.opt_located(&r.permissions_boundary),
        })).collect::<Vec<_>>(),
        "unattached_policies": s.unattached_policies.iter().map(|p| policy(cx, p)).collect::<Vec<_>>(),
        "permissions": s.permissions.iter().map(|p| json!({
            "origin": cx.origin(&p.origin),
            "condition": existence(&p.existence),
            "function": p.function.as_ref().map(|f| function_link(s, f)),
            "function_name": sym(&p.function_name.value),
            "qualifier": opt_sym(&p.qualifier),
            "action": sym(&p.action.value),
            "principal": sym(&p.principal.value),
            "source_arn": p.source_arn.as_ref().map(|x| sym(&x.value)),
            "source_account": p.source_account.as_ref().map(|x| sym(&x.value)),
            "principal_org_id": p.principal_org_id.as_ref().map(|x| sym(&x.value)),
            "event_source_token": p.event_source_token.as_ref().map(|x| sym(&x.value)),
            "function_url_auth_type": p.function_url_auth_type.as_ref().map(|x| sym(&x.value)),
            "sam_generated": p.sam_generated,
        })).collect::<Vec<_>>(),
        "push_triggers": s.push_triggers.iter().map(|t| json!({
            "origin": cx.origin(&t.origin),
            "condition": existence(&t.existence),
            "kind": t.kind,
            "principal": t.kind.principal(),
            "function": function_link(s, &t.function),
            "source_arn": opt_sym(&t.source_arn),
            "uses_role": t.uses_role,
            "sam_generated": t.sam_generated,
        })).collect::<Vec<_>>(),
        "event_invoke_configs": s.event_invoke_configs.iter().map(|e| json!({
            "origin": cx.origin(&e.origin),
            "function": function_link(s, &e.function),
            "on_success": cx.opt_located(&e.on_success),
            "on_failure": cx.opt_located(&e.on_failure),
        })).collect::<Vec<_>>(),
        "function_urls": s.function_urls.iter().map(|u| json!({
            "origin": cx.origin(&u.origin),
            "function": function_link(s, &u.function),
            "auth_type": sym(&u.auth_type.value),
        })).collect::<Vec<_>>(),
        "connectors": s.connectors.iter().map(|c| json!({
            "origin": cx.origin(&c.origin),
            "role": role_link(s, &c.role),
            "role_arn": sym(&c.role_arn.value),
            "authentication_type": c.authentication_type.as_ref().map(|a| sym(&a.value)),
            "bootstrap_servers": opt_sym(&c.bootstrap_servers),
            "cluster": c.cluster_resource,
        })).collect::<Vec<_>>(),
        "secrets": s.secrets.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn), "kms_key": cx.opt_located(&x.kms_key),
        })).collect::<Vec<_>>(),
        "kms_keys": s.kms_keys.iter().map(|k| json!({
            "origin": cx.origin(&k.origin), "arn": sym(&k.arn), "key_id": sym(&k.key_id), "aliases": k.aliases,
        })).collect::<Vec<_>>(),
        "queues": s.queues.iter().map(|q| json!({
            "origin": cx.origin(&q.origin), "arn": sym(&q.arn), "url": sym(&q.url), "kms_key": cx.opt_located(&q.kms_key),
        })).collect::<Vec<_>>(),
        "streams": s.streams.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn), "kms_key": cx.opt_located(&x.kms_key),
        })).collect::<Vec<_>>(),
        "stream_consumers": s.stream_consumers.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn), "stream_arn": sym(&x.stream_arn),
        })).collect::<Vec<_>>(),
        "tables": s.tables.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn), "stream_arn": opt_sym(&x.stream_arn),
        })).collect::<Vec<_>>(),
        "msk_clusters": s.msk_clusters.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn), "serverless": x.serverless,
            "iam_auth": x.iam_auth, "scram_auth": x.scram_auth, "tls_auth": x.tls_auth,
            "unauthenticated": x.unauthenticated,
        })).collect::<Vec<_>>(),
        "brokers": s.brokers.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn), "engine": x.engine,
            "publicly_accessible": x.publicly_accessible,
        })).collect::<Vec<_>>(),
        "docdb_clusters": s.docdb_clusters.iter().map(|x| json!({
            "origin": cx.origin(&x.origin), "arn": sym(&x.arn),
        })).collect::<Vec<_>>(),
        "topics": s.topics.iter().map(|x| json!({ "origin": cx.origin(&x.origin), "arn": sym(&x.arn) })).collect::<Vec<_>>(),
        "buckets": s.buckets.iter().map(|x| json!({ "origin": cx.origin(&x.origin), "arn": sym(&x.arn) })).collect::<Vec<_>>(),
        "deploy_order": deploy_order(cx, &s.order),
    })
}

/// The ordering edges the deploy-order check reads, so that a user can see why two resources
/// are or are not ordered.
fn deploy_order(cx: &Cx<'_>, order: &DeployOrder) -> Json {
    let existing: Vec<&String> = order.existing.iter().collect();
    json!({
        "known": order.known,
        "edges": order.edges.iter().map(|e| json!({
            "from": e.from,
            "to": e.to,
            "kind": e.kind,
            "line": cx.loc(e.span).0,
        })).collect::<Vec<_>>(),
        "existing": existing,
        "attachments": order.attachments.iter().map(|a| json!({
            "policy": a.policy, "role": a.role, "by": a.by,
        })).collect::<Vec<_>>(),
    })
}

/// The inventory document of a run.
pub fn to_json(files: &[InventoryFile<'_>]) -> Json {
    json!({
        "version": "1",
        "tool": { "name": "permgate", "version": env!("CARGO_PKG_VERSION") },
        "files": files.iter().map(|f| {
            let cx = Cx {
                file: f.source,
                has_lines: !matches!(f.format, Some(InputFormat::TerraformPlan | InputFormat::TerraformState)),
            };
            json!({
                "path": f.source.path.to_string_lossy(),
                "format": f.format,
                "status": f.status,
                "message": f.message,
                "stack": f.stack.map(|s| stack_json(&cx, s)),
            })
        }).collect::<Vec<_>>(),
    })
}

/// A short human summary: one line per item.
pub fn to_text(files: &[InventoryFile<'_>]) -> String {
    use std::fmt::Write;
    // Every value below comes from the input (ids, ARNs, paths, messages): escaped, and a line
    // that starts with one cannot start with `::`, a GitHub workflow command.
    let e = |text: &str| escape::terminal(text, false).into_owned();
    let mut out = String::new();
    for f in files {
        let _ = writeln!(
            out,
            "{} ({}, {})",
            escape::line_start(&f.source.path.to_string_lossy()),
            f.format
                .map(|x| serde_json::to_value(x)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default())
                .unwrap_or_else(|| "unknown".into()),
            f.status
        );
        if let Some(m) = &f.message {
            let _ = writeln!(out, "  {}", escape::line_start(m));
        }
        let Some(s) = f.stack else { continue };
        for func in &s.functions {
            let role = match &func.role {
                RoleLink::Local(id) => s.role(*id).map(|r| r.origin.id.clone()).unwrap_or_default(),
                RoleLink::External(x) => format!("external {x}"),
                RoleLink::OneOf(_) => "one of several roles".into(),
                RoleLink::Missing(reason) => reason.clone(),
            };
            let _ = writeln!(out, "  function {} role {}", e(&func.origin.id), e(&role));
        }
        for m in &s.event_source_mappings {
            let function = match &m.function {
                FunctionLink::Local { function, .. } => s
                    .function(*function)
                    .map(|f| f.origin.id.clone())
                    .unwrap_or_default(),
                FunctionLink::External(x) => format!("external {x}"),
            };
            let source = m
                .source_arn
                .as_ref()
                .map(|a| a.value.to_string())
                .unwrap_or_else(|| {
                    m.bootstrap_servers
                        .iter()
                        .map(|b| b.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                });
            let kind = serde_json::to_value(m.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  mapping {} {} {} → {}",
                e(&m.origin.id),
                kind,
                e(&source),
                e(&function)
            );
        }
        for r in &s.roles {
            let _ = writeln!(
                out,
                "  role {} ({} policies, {} managed)",
                e(&r.origin.id),
                r.policies.len(),
                r.managed_policy_arns.len()
            );
        }
        for t in &s.push_triggers {
            let _ = writeln!(
                out,
                "  trigger {} {}",
                e(&t.origin.id),
                e(t.kind.principal())
            );
        }
        for p in &s.permissions {
            let _ = writeln!(
                out,
                "  permission {} {} {}",
                e(&p.origin.id),
                e(&p.action.value.to_string()),
                e(&p.principal.value.to_string())
            );
        }
        for e in &s.order.edges {
            let kind = match e.kind {
                EdgeKind::DependsOn => "depends on",
                EdgeKind::Reference => "references",
            };
            let _ = writeln!(out, "  order {} after {} ({kind})", e.from, e.to);
        }
    }
    out
}
