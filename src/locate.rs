//! Locations across files: findings on a plan → the `.tf` blocks their resources were planned
//! from.
//!
//! Input: the findings of one plan, the plan's [`SourceFile`] (the input of record) and the
//! [`TfSource`] read beside it. Output: the same findings, each whose resource has a block in
//! the source given that block as its [`Location`] (related resources too) and the plan address
//! as an [`RelatedRole::Input`] related location; plus one PG004 warning per problem met while
//! reading the source and per finding resource the source does not have (the source changed
//! since the plan was made): those findings keep the plan-only location.
//! [`suppressions`] turns the source's `# permgate:ignore` comments into the plan's inline
//! suppressions, located at the comment.
//!
//! Invariants: a location comes only from a block the source read found under the same
//! configuration address; nothing about a finding other than where it is shown changes, so the
//! plan stays the input of record (its file, its fingerprint).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::checks::input_warning::INPUT_WARNING;
use crate::diag::{Certainty, FileError, Finding, Location, Related, RelatedRole, Severity};
use crate::model::{InlineSuppression, Located};
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};

use crate::iam::eval::StatementKey;
use crate::source::Span;

use crate::readers::hcl::TfSource;
use crate::source::SourceFile;

/// Places the findings of the plan `plan` at their blocks in `source` (read from `dir`);
/// `key_path` gives a source file's path relative to the repository root.
pub fn place(
    findings: &mut Vec<Finding>,
    plan: &SourceFile,
    source: &TfSource,
    dir: &Path,
    key_path: &dyn Fn(&Path) -> String,
) {
    // Resolving a path touches the file system: once per file, not once per finding.
    let key_paths: Vec<String> = source.files.iter().map(|f| key_path(&f.path)).collect();
    let policy_attribute = |address: &str| {
        let block = source.block(address)?;
        let file = source.file(block.file)?;
        Some(Location {
            file: Arc::clone(file),
            span: source.attribute_span(address, "policy")?,
            key_path: key_paths.get(block.file)?.clone(),
        })
    };
    let location_of = |address: &str| {
        let block = source.block(address)?;
        let file = source.file(block.file)?;
        Some(Location {
            file: Arc::clone(file),
            span: block.span,
            key_path: key_paths.get(block.file)?.clone(),
        })
    };
    let plan_path = plan.path.to_string_lossy().into_owned();
    let mut not_in_source = BTreeSet::new();
    for finding in findings.iter_mut() {
        if finding.resource.is_empty() || finding.location.is_some() {
            continue;
        }
        let Some(at) = location_of(&finding.resource) else {
            if source.has_module_of(&finding.resource) {
                not_in_source.insert(finding.resource.clone());
            }
            continue;
        };
        finding.location = Some(at);
        if let Some(fix) = &mut finding.fix {
            fix.source = hcl_fix(source, &finding.related, &fix.statement);
        }
        for related in &mut finding.related {
            if related.location.is_none() {
                // The policy to edit is its `policy` attribute when the block writes one; a
                // statement is its own object or block when the source shows which it is.
                let attribute = match related.role {
                    RelatedRole::Policy => policy_attribute(&related.resource),
                    RelatedRole::Statement => related
                        .note
                        .as_deref()
                        .and_then(crate::iam::eval::labelled_statement)
                        .and_then(|key| statement_span(source, &related.resource, &key))
                        .and_then(|(file, span)| {
                            Some(Location {
                                file: Arc::clone(source.file(file)?),
                                span,
                                key_path: key_paths.get(file)?.clone(),
                            })
                        }),
                    _ => None,
                };
                related.location = attribute.or_else(|| location_of(&related.resource));
            }
        }
        finding.related.push(Related {
            resource: finding.resource.clone(),
            span: None,
            location: None,
            role: RelatedRole::Input,
            note: Some(plan_path.clone()),
        });
    }
    for problem in &source.problems {
        let location = problem.file.and_then(|i| {
            let file = source.file(i)?;
            Some(Location {
                file: Arc::clone(file),
                span: problem.span?,
                key_path: key_path(&file.path),
            })
        });
        findings.push(warning(problem.message.clone(), location));
    }
    for address in not_in_source {
        findings.push(warning(
            format!(
                "`{address}` is in the plan but not in the Terraform source in `{}`; the source may have changed since the plan was made, so its findings point at the plan",
                dir.display()
            ),
            None,
        ));
    }
}

/// The `# permgate:ignore` comments of `source` as suppressions of the plan's findings, and
/// the comments refused (no check named, or no reason), each with its `.tf` file: a suppression
/// nobody can explain is refused as in a template.
pub fn suppressions(
    source: &TfSource,
    key_path: &dyn Fn(&Path) -> String,
) -> (Vec<InlineSuppression>, Vec<(Arc<SourceFile>, FileError)>) {
    let mut suppressions = Vec::new();
    let mut refused = Vec::new();
    for ignore in &source.ignores {
        let Some(file) = source.file(ignore.file) else {
            continue;
        };
        // A module called twice is read twice: its comment is one suppression, of the blocks
        // of both calls.
        let same = |at: &Location| at.span == ignore.span && at.file.path == file.path;
        if let Some(known) = suppressions
            .iter_mut()
            .find(|s: &&mut InlineSuppression| s.location.as_ref().is_some_and(same))
        {
            if let Some(resources) = &mut known.resources {
                resources.push(ignore.address.clone());
            }
            continue;
        }
        if refused.iter().any(|(f, e): &(Arc<SourceFile>, FileError)| {
            f.path == file.path && e.span == Some(ignore.span)
        }) {
            continue;
        }
        let problem = if ignore.check.is_empty() {
            Some((
                "a `permgate:ignore` comment must name the check it suppresses".to_string(),
                "write `# permgate:ignore PG101 why the finding is accepted`",
            ))
        } else if ignore.reason.is_empty() {
            Some((
                format!("the suppression of `{}` has no reason", ignore.check),
                "add the reason after the check: `# permgate:ignore PG101 why the finding is accepted`; a suppression without one is refused",
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            refused.push((
                Arc::clone(file),
                FileError::new(message, Some(ignore.span)).with_help(help),
            ));
            continue;
        }
        suppressions.push(InlineSuppression {
            check: Located::new(ignore.check.clone(), None),
            reason: ignore.reason.clone(),
            until: None,
            resources: Some(vec![ignore.address.clone()]),
            span: None,
            location: Some(Location {
                file: Arc::clone(file),
                span: ignore.span,
                key_path: key_path(&file.path),
            }),
        });
    }
    (suppressions, refused)
}

/// The fix as HCL for the policy the finding asks to edit (in a `.tf` file), in the style its source uses: an
/// object for `jsonencode({…})`, a `statement { … }` block for a `data
/// "aws_iam_policy_document"`. `None` for other styles (a heredoc takes the JSON as it is) and
/// when a reference in the statement is not a block of the policy's module (a guessed
/// reference would not be a fix).
fn hcl_fix(
    source: &TfSource,
    related: &[Related],
    statement: &serde_json::Value,
) -> Option<String> {
    let policy = related.iter().find(|r| r.role == RelatedRole::Policy)?;
    // A policy written in a `.tf.json` file takes the statement as JSON, not HCL.
    if source.block(&policy.resource).is_some_and(|b| !b.hcl) {
        return None;
    }
    let config = crate::readers::hcl::config_address(&policy.resource);
    let module = module_prefix(&config);
    // A policy resource's `policy`, or the role's own `inline_policy` block when it has one.
    let expr = source
        .attribute_expression(&policy.resource, "policy")
        .or_else(|| {
            source
                .nested_attribute_expression(&policy.resource, "inline_policy", None, "policy")
                .map(std::borrow::Cow::Owned)
        })?;
    let statements = match statement {
        serde_json::Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    match &*expr {
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => statements
            .iter()
            .map(|s| hcl_value(s, 0, source, &module))
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(",\n")),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            if root.as_str() != "data" {
                return None;
            }
            statements
                .iter()
                .map(|s| statement_block(s, source, &module))
                .collect::<Option<Vec<_>>>()
                .map(|blocks| blocks.join("\n"))
        }
        _ => None,
    }
}

/// Where a statement of the `policy` of the resource at `address` is written: its object in a
/// `jsonencode({ Statement = [...] })`, or its `statement` block in the
/// `data "aws_iam_policy_document"` the policy names (a file index and a span in it). `None`
/// when the source does not show which one it is: a heredoc, a `dynamic` block, a document
/// merging others (by position), or an override document that may replace it (by Sid).
fn statement_span(source: &TfSource, address: &str, key: &StatementKey) -> Option<(usize, Span)> {
    let expr = source.attribute_expression(address, "policy")?;
    let value_at = source.attribute_span(address, "policy")?;
    let file = source.block(address)?.file;
    match &*expr {
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
            let Some(Expression::Object(document)) = call.args.iter().next() else {
                return None;
            };
            let statements = document.iter().find_map(|(k, v)| {
                let name = match k {
                    ObjectKey::Ident(id) => id.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    ObjectKey::Expression(_) => return None,
                };
                (name == "Statement").then(|| v.expr())
            })?;
            let found = match (statements, key) {
                (Expression::Array(items), StatementKey::Index(i)) => items.iter().nth(*i)?,
                (Expression::Array(items), StatementKey::Sid(sid)) => {
                    let mut matching = items.iter().filter(|item| {
                        let Expression::Object(o) = item else {
                            return false;
                        };
                        o.iter().any(|(k, v)| {
                            matches!(k, ObjectKey::Ident(id) if id.as_str() == "Sid")
                                && v.expr().as_str() == Some(sid.as_str())
                        })
                    });
                    let one = matching.next()?;
                    matching.next().is_none().then_some(one)?
                }
                (one @ Expression::Object(_), StatementKey::Index(0)) => one,
                _ => return None,
            };
            let range = hcl_edit::Span::span(found)?;
            Some((
                file,
                Span::new(
                    value_at.start as usize + range.start,
                    value_at.start as usize + range.end,
                ),
            ))
        }
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let names: Vec<&str> = t
                .operators
                .iter()
                .filter_map(|op| match op.value() {
                    TraversalOperator::GetAttr(id) => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            let (true, ["aws_iam_policy_document", name, "json"]) =
                (root.as_str() == "data", names.as_slice())
            else {
                return None;
            };
            let module = module_prefix(&crate::readers::hcl::config_address(address));
            let document = format!("{module}data.aws_iam_policy_document.{name}");
            let (body, file, offset) = source.block_body(&document, "")?;
            let merges = |attribute: &str| body.get_attribute(attribute).is_some();
            let dynamic = body
                .get_blocks("dynamic")
                .any(|b| b.labels.first().map(|l| l.as_str()) == Some("statement"));
            let blocks: Vec<&hcl_edit::structure::Block> = body.get_blocks("statement").collect();
            let found = match key {
                StatementKey::Index(i)
                    if !dynamic
                        && !merges("source_policy_documents")
                        && !merges("override_policy_documents") =>
                {
                    *blocks.get(*i)?
                }
                StatementKey::Sid(sid) if !merges("override_policy_documents") => {
                    let mut matching = blocks.iter().filter(|b| {
                        b.body.get_attribute("sid").and_then(|a| a.value.as_str())
                            == Some(sid.as_str())
                    });
                    let one = matching.next()?;
                    matching.next().is_none().then_some(*one)?
                }
                _ => return None,
            };
            let range = hcl_edit::Span::span(found)?;
            Some((
                file,
                Span::new(offset as usize + range.start, offset as usize + range.end),
            ))
        }
        _ => None,
    }
}

/// `module.a.module.b.` of a configuration address (empty at the root).
fn module_prefix(config: &str) -> String {
    let parts: Vec<&str> = config.split('.').collect();
    let mut end = 0;
    while parts.get(end) == Some(&"module") && end + 2 < parts.len() {
        end += 2;
    }
    match parts.get(..end) {
        Some(p) if !p.is_empty() => format!("{}.", p.join(".")),
        _ => String::new(),
    }
}

/// A JSON string as an HCL expression: `"${aws_sqs_queue.q.arn}"` is the reference itself,
/// other text a quoted template. `None` when a `${…}` names no block of the module.
fn hcl_string(text: &str, source: &TfSource, module: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..)?;
        let end = after.find('}')?;
        let reference = after.get(..end)?;
        let reference = reference.strip_prefix(module).unwrap_or(reference);
        let parts: Vec<&str> = reference.split('.').collect();
        let block = match parts.as_slice() {
            ["data", kind, name, ..] => format!("{module}data.{kind}.{name}"),
            [kind, name, ..] => format!("{module}{kind}.{name}"),
            _ => return None,
        };
        source.block(&block)?;
        rest = after.get(end + 1..)?;
    }
    let local = text.replace(&format!("${{{module}"), "${");
    if let Some(inner) = local.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if !inner.contains("${") && !inner.contains('}') {
            return Some(inner.to_string());
        }
    }
    serde_json::to_string(&local).ok()
}

fn hcl_value(
    value: &serde_json::Value,
    indent: usize,
    source: &TfSource,
    module: &str,
) -> Option<String> {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    Some(match value {
        serde_json::Value::String(s) => hcl_string(s, source, module)?,
        serde_json::Value::Array(items) => {
            let items = items
                .iter()
                .map(|v| hcl_value(v, indent + 1, source, module))
                .collect::<Option<Vec<_>>>()?;
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Object(entries) => {
            let width = entries.keys().map(String::len).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, v) in entries {
                out.push_str(&format!(
                    "{pad}{k:<width$} = {}\n",
                    hcl_value(v, indent + 1, source, module)?
                ));
            }
            out.push_str(&close);
            out.push('}');
            out
        }
        other => other.to_string(),
    })
}

/// A statement as the `statement { … }` block of a `data "aws_iam_policy_document"`.
fn statement_block(
    statement: &serde_json::Value,
    source: &TfSource,
    module: &str,
) -> Option<String> {
    let serde_json::Value::Object(entries) = statement else {
        return None;
    };
    let list = |v: &serde_json::Value| -> Option<String> {
        let items = match v {
            serde_json::Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        hcl_value(&serde_json::Value::Array(items), 1, source, module)
    };
    let mut out = String::from("statement {\n");
    for (key, value) in entries {
        let line = match key.as_str() {
            "Sid" => format!("sid       = {}", hcl_value(value, 1, source, module)?),
            "Effect" => format!("effect    = {}", hcl_value(value, 1, source, module)?),
            "Action" => format!("actions   = {}", list(value)?),
            "Resource" => format!("resources = {}", list(value)?),
            // Conditions and principals are not in the fixes permgate writes for roles.
            _ => return None,
        };
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out.push('}');
    Some(out)
}

/// The warning for a `--tf-source` directory without Terraform files.
pub fn no_source_warning(dir: &Path) -> Finding {
    warning(
        format!(
            "`{}` holds no `.tf` or `.tf.json` file; the plan's findings point at the plan",
            dir.display()
        ),
        None,
    )
}

fn warning(message: String, location: Option<Location>) -> Finding {
    Finding {
        check: INPUT_WARNING.id,
        severity: Severity::Warning,
        certainty: Certainty::Certain,
        message,
        resource: String::new(),
        span: None,
        location,
        related: Vec::new(),
        missing: Vec::new(),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::diag::{Finding, Severity};
    use crate::report::{FileReport, Report};

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/tfsource");

    /// The report of one fixture's plan, with paths relative to the fixtures folder as a user
    /// running `permgate check <fixture>/plan.json` there would see them.
    fn audit(fixture: &str) -> Report {
        audit_with(fixture, &crate::AuditOptions::here())
    }

    fn audit_with(fixture: &str, options: &crate::AuditOptions) -> Report {
        let plan = PathBuf::from(ROOT).join(fixture).join("plan.json");
        let mut values = crate::ParameterSources::new(&Default::default(), Default::default());
        let mut report = crate::audit_with(&[plan], None, &mut values, false, options);
        strip_root(&mut report);
        report
    }

    /// Goldens must not depend on where the repository is checked out.
    fn strip_root(report: &mut Report) {
        let relative = |source: &std::sync::Arc<crate::source::SourceFile>| {
            let path = source.path.strip_prefix(ROOT).unwrap_or(&source.path);
            std::sync::Arc::new(crate::source::SourceFile::new(path, source.text.clone()))
        };
        for file in &mut report.files {
            file.source = relative(&file.source);
            for finding in &mut file.findings {
                let plan = format!("{ROOT}/");
                for related in &mut finding.related {
                    if let Some(at) = &mut related.location {
                        at.file = relative(&at.file);
                    }
                    if let Some(note) = &mut related.note {
                        *note = note.replace(&plan, "");
                    }
                }
                if let Some(at) = &mut finding.location {
                    at.file = relative(&at.file);
                }
                finding.message = finding.message.replace(&plan, "").replace(ROOT, ".");
            }
        }
    }

    /// The findings these tests are about. The fixtures attach their policies in separate
    /// resources without `depends_on`, so each mapping also has a true PG501 deploy-order note,
    /// which its own fixtures test; it is left out here.
    fn findings(report: &Report) -> Vec<&Finding> {
        report
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.check != "PG501")
            .collect()
    }

    fn line_of(finding: &Finding) -> Option<(String, u32)> {
        let at = finding.location.as_ref()?;
        Some((
            at.file.path.to_string_lossy().into_owned(),
            at.file.line_col(at.span.start).line,
        ))
    }

    fn render(report: &Report) -> [(&'static str, String); 4] {
        // The rules of the checks that found something: the others' docs would bury the result.
        let used: Vec<&str> = report
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .map(|f| f.check)
            .collect();
        let checks: Vec<&crate::checks::CheckInfo> = crate::checks::CHECKS
            .iter()
            .copied()
            .filter(|c| used.contains(&c.id))
            .collect();
        let checks = checks.as_slice();
        let mut text = Vec::new();
        crate::report::text::write(
            report,
            &crate::report::text::TextOptions::new(false),
            &mut text,
        )
        .unwrap();
        let mut json = Vec::new();
        crate::report::json::write_with_version(report, "0.0.0-test", &mut json).unwrap();
        let mut sarif = Vec::new();
        crate::report::sarif::write_with_version(report, checks, "0.0.0-test", &mut sarif).unwrap();
        let mut github = Vec::new();
        crate::report::github::write(report, checks, &mut github).unwrap();
        [
            ("txt", String::from_utf8(text).unwrap()),
            ("json", String::from_utf8(json).unwrap()),
            ("sarif", String::from_utf8(sarif).unwrap()),
            ("github", String::from_utf8(github).unwrap()),
        ]
    }

    fn assert_goldens(fixture: &str, report: &Report) {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("{ROOT}/snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            for (format, output) in render(report) {
                insta::assert_snapshot!(format!("{fixture}.{format}"), output);
            }
        });
    }

    #[test]
    fn a_missing_action_is_located_at_the_tf_block_of_the_mapping() {
        let report = audit("sqs-missing-action");
        let all = findings(&report);
        assert_eq!(all.len(), 1, "{all:#?}");
        let pg101 = all[0];
        assert_eq!((pg101.check, pg101.severity), ("PG101", Severity::Error));
        assert_eq!(
            line_of(pg101),
            Some(("sqs-missing-action/modules/consumer/main.tf".into(), 43))
        );
        assert_eq!(pg101.span, None, "the plan itself still has no lines");
        // The plan stays the input of record: its file and address are among the related.
        let input = pg101
            .related
            .iter()
            .find(|r| r.role == crate::diag::RelatedRole::Input)
            .unwrap();
        assert_eq!(
            input.resource,
            "module.consumer.aws_lambda_event_source_mapping.orders"
        );
        assert_eq!(input.note.as_deref(), Some("sqs-missing-action/plan.json"));
        let role = pg101
            .related
            .iter()
            .find(|r| r.role == crate::diag::RelatedRole::ExecutionRole)
            .unwrap();
        let at = role.location.as_ref().unwrap();
        assert_eq!(at.file.line_col(at.span.start).line, 5);
        assert!(
            at.file
                .slice(at.span)
                .starts_with("resource \"aws_iam_role\" \"consumer\"")
        );
        // The policy to edit is located at its `policy` attribute, not the whole block.
        let policy = pg101
            .related
            .iter()
            .find(|r| r.role == crate::diag::RelatedRole::Policy)
            .unwrap();
        let at = policy.location.as_ref().unwrap();
        assert_eq!(at.file.line_col(at.span.start).line, 25);
        assert!(at.file.slice(at.span).starts_with("jsonencode({"));
        assert!(at.file.slice(at.span).ends_with("})"));
        assert_goldens("sqs-missing-action", &report);
    }

    #[test]
    fn the_complete_modules_are_clean() {
        for fixture in [
            "sqs-complete",
            "jsonencode-complete",
            "heredoc-complete",
            "policy-document-complete",
            "inline-policy-complete",
            "queue-policy-complete",
            "for-each-complete",
            "dynamic-statement-complete",
            "merged-documents-complete",
        ] {
            let report = audit(fixture);
            assert!(
                findings(&report).is_empty(),
                "{fixture}: {:#?}",
                findings(&report)
            );
        }
    }

    /// A policy the plan leaves unknown (`jsonencode` or a heredoc around an ARN of a resource
    /// created in the same plan) is evaluated from the source: the missing action is a certain
    /// error, and without the source the same plan is only "cannot verify".
    #[test]
    fn an_unknown_policy_is_evaluated_from_the_source() {
        for (fixture, check, action, line) in [
            (
                "jsonencode-missing-action",
                "PG101",
                "sqs:DeleteMessage",
                43,
            ),
            (
                "heredoc-missing-action",
                "PG103",
                "dynamodb:DescribeStream",
                64,
            ),
            (
                "templatefile-missing-action",
                "PG101",
                "sqs:DeleteMessage",
                36,
            ),
            // An `inline_policy` block of the role, beside a `managed_policy_arns` the plan
            // leaves unknown (a `concat` naming a policy created in the same plan).
            (
                "inline-policy-missing-action",
                "PG101",
                "sqs:DeleteMessage",
                53,
            ),
            // A queue policy the plan leaves unknown (`jsonencode` around the role's ARN),
            // which is what grants the consumer its actions.
            (
                "queue-policy-missing-action",
                "PG101",
                "sqs:DeleteMessage",
                45,
            ),
            // `for_each` over a variable's map: `each.value.actions` and the computed index
            // of `aws_sqs_queue.q[each.key].arn`.
            ("for-each-missing-action", "PG101", "sqs:DeleteMessage", 58),
        ] {
            let report = audit(fixture);
            let all = findings(&report);
            assert_eq!(all.len(), 1, "{fixture}: {all:#?}");
            let found = all[0];
            assert_eq!((found.check, found.severity), (check, Severity::Error));
            assert_eq!(found.certainty, crate::diag::Certainty::Certain);
            let actions: Vec<&str> = found.missing.iter().map(|m| m.action.as_str()).collect();
            assert_eq!(actions, [action]);
            assert_eq!(line_of(found), Some((format!("{fixture}/main.tf"), line)));
            if fixture != "templatefile-missing-action" {
                assert_goldens(fixture, &report);
            }
            let plan_only = plan_findings(fixture);
            assert!(
                plan_only.iter().all(|f| f.severity < Severity::Error),
                "{fixture}: {plan_only:#?}"
            );
            assert!(
                plan_only
                    .iter()
                    .any(|f| f.check == check && f.certainty != crate::diag::Certainty::Certain)
            );
        }
    }

    /// Every finding of a fixture's plan read without its source.
    fn plan_findings(fixture: &str) -> Vec<Finding> {
        let plan = PathBuf::from(ROOT).join(fixture).join("plan.json");
        let file = crate::readers::load(&plan).unwrap();
        let Some(crate::readers::ReadOutcome::Stack { format, stack }) =
            crate::readers::read(&file, true).unwrap()
        else {
            panic!("not a plan")
        };
        crate::checks::run_all(&stack, format)
    }

    /// The findings of a fixture's plan read without its source (the plan-only behaviour).
    fn plan_only(fixture: &str) -> Vec<Finding> {
        plan_findings(fixture)
            .into_iter()
            .filter(|f| f.check != "PG501")
            .collect()
    }

    /// `dynamic "statement"` blocks: the plan expands them but leaves out their `content`
    /// expressions, so a statement naming a queue created in the same plan has an unknown
    /// resource there; the source gives it, with the iterator's key and value (the default
    /// iterator and a named one).
    #[test]
    fn dynamic_statements_are_evaluated_from_the_source() {
        let complete = plan_only("dynamic-statement-complete");
        assert!(
            complete
                .iter()
                .any(|f| f.check == "PG101" && f.certainty != crate::diag::Certainty::Certain),
            "{complete:#?}"
        );
        let report = audit("dynamic-statement-missing-action");
        let all = findings(&report);
        assert_eq!(all.len(), 1, "{all:#?}");
        assert_eq!((all[0].check, all[0].severity), ("PG101", Severity::Error));
        assert_eq!(all[0].certainty, crate::diag::Certainty::Certain);
        let actions: Vec<&str> = all[0].missing.iter().map(|m| m.action.as_str()).collect();
        assert_eq!(actions, ["sqs:DeleteMessage"]);
        // Without the source, the statements granting the other actions cannot be verified.
        let without = plan_only("dynamic-statement-missing-action");
        assert!(
            without
                .iter()
                .any(|f| f.check == "PG101" && f.severity == Severity::Warning),
            "{without:#?}"
        );
        assert_goldens("dynamic-statement-missing-action", &report);
    }

    /// A `dynamic "statement"` over a collection known only after apply: the statements are
    /// unknown, with the source's reason, and nothing is an error.
    #[test]
    fn a_dynamic_statement_over_an_unknown_collection_is_cannot_verify() {
        let report = audit("dynamic-statement-unknown");
        let all = findings(&report);
        assert!(all.iter().all(|f| f.severity < Severity::Error), "{all:#?}");
        let pg101 = all.iter().find(|f| f.check == "PG101").unwrap();
        assert_eq!(pg101.severity, Severity::Warning);
        let reasons = format!("{pg101:?}");
        assert!(
            reasons.contains("written with a `dynamic` block: the `for_each` of `dynamic"),
            "{reasons}"
        );
    }

    /// `source_policy_documents` and `override_policy_documents` merge as the provider does:
    /// the source documents' statements first, the document's own statements replacing those
    /// with their `sid`, then the overrides replacing by `sid`. In `merged-documents-complete`
    /// the baseline's `Consume` lacks `sqs:DeleteMessage` but the consumer's own `Consume`
    /// (written with `dynamic`, so only the source gives its resource) replaces it; in
    /// `merged-documents-missing-action` an override's `Consume` replaces a complete one.
    #[test]
    fn merged_documents_follow_the_providers_order() {
        let without = plan_only("merged-documents-complete");
        assert!(
            without.iter().all(|f| f.severity < Severity::Error)
                && without.iter().any(|f| f.check == "PG101"),
            "{without:#?}"
        );
        let report = audit("merged-documents-missing-action");
        let all = findings(&report);
        assert_eq!(all.len(), 1, "{all:#?}");
        assert_eq!((all[0].check, all[0].severity), ("PG101", Severity::Error));
        let actions: Vec<&str> = all[0].missing.iter().map(|m| m.action.as_str()).collect();
        assert_eq!(actions, ["sqs:DeleteMessage"]);
    }

    /// The place of a related statement: its `statement` block in a policy document, its
    /// object in a `jsonencode` policy.
    fn statement_at(report: &Report, check: &str) -> (u32, String) {
        let finding = report
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .find(|f| f.check == check)
            .unwrap();
        let statement = finding
            .related
            .iter()
            .find(|r| r.role == crate::diag::RelatedRole::Statement)
            .unwrap();
        let at = statement.location.as_ref().unwrap();
        (
            at.file.line_col(at.span.start).line,
            at.file.slice(at.span).to_string(),
        )
    }

    /// A finding about a statement (a `Deny` that blocks the mapping, a statement that may not
    /// exist yet) labels that statement in the `.tf` file, not only the policy's block.
    #[test]
    fn a_statement_is_located_at_its_block_or_object() {
        let report = audit("deny-statement");
        let all = findings(&report);
        assert_eq!(all.len(), 1, "{all:#?}");
        assert_eq!((all[0].check, all[0].severity), ("PG101", Severity::Error));
        let (line, text) = statement_at(&report, "PG101");
        assert_eq!(line, 33);
        assert!(
            text.starts_with("statement {\n    sid       = \"KeepMessages\""),
            "{text}"
        );
        assert!(text.ends_with('}'));
        assert_goldens("deny-statement", &report);
        // A statement without a Sid, by its position.
        let (line, text) = statement_at(&audit("policy-document-missing-action"), "PG501");
        assert_eq!(line, 26);
        assert!(text.starts_with("statement {"), "{text}");
        // An object of a `jsonencode` policy's `Statement`.
        let (line, text) = statement_at(&audit("jsonencode-missing-action"), "PG501");
        assert_eq!(line, 27);
        assert!(text.starts_with('{') && text.contains("Action"), "{text}");
        // A statement a `dynamic` block writes is not told apart: the policy's block.
        let (_, text) = statement_at(&audit("dynamic-statement-missing-action"), "PG501");
        assert!(
            text.starts_with("resource \"aws_iam_role_policy\""),
            "{text}"
        );
    }

    /// The fix is written in the style of the policy it goes into, with the references the
    /// source uses: an object for `jsonencode`, a `statement` block for a policy document; a
    /// heredoc takes the JSON statement as it is.
    #[test]
    fn fixes_are_hcl_in_the_style_of_the_policy() {
        let fix_of = |fixture: &str| {
            let report = audit(fixture);
            let all = findings(&report);
            assert_eq!(all.len(), 1, "{fixture}: {all:#?}");
            all[0].fix.as_ref().unwrap().source.clone()
        };
        assert_eq!(
            fix_of("jsonencode-missing-action").as_deref(),
            Some(
                "{\n  Action   = \"sqs:DeleteMessage\"\n  Effect   = \"Allow\"\n  Resource = aws_sqs_queue.orders.arn\n}"
            )
        );
        assert_eq!(
            fix_of("policy-document-missing-action").as_deref(),
            Some(
                "statement {\n  actions   = [\"sqs:DeleteMessage\"]\n  effect    = \"Allow\"\n  resources = [aws_sqs_queue.orders.arn]\n}"
            )
        );
        assert_eq!(fix_of("heredoc-missing-action"), None);
        // A role's `inline_policy` block: the object to add to its `jsonencode`.
        assert_eq!(
            fix_of("inline-policy-missing-action").as_deref(),
            Some(
                "{\n  Action   = \"sqs:DeleteMessage\"\n  Effect   = \"Allow\"\n  Resource = aws_sqs_queue.orders.arn\n}"
            )
        );
        // A policy known to the plan, written with `jsonencode` in a module: the module's own
        // references, and a literal ARN stays a string.
        assert_eq!(
            fix_of("sqs-missing-action").as_deref(),
            Some(
                "{\n  Action   = \"sqs:DeleteMessage\"\n  Effect   = \"Allow\"\n  Resource = \"arn:aws:sqs:us-east-1:123456789012:orders\"\n}"
            )
        );
        let report = audit("policy-document-missing-action");
        assert_goldens("policy-document-missing-action", &report);
    }

    /// A source that no longer matches the plan gives a warning and plan-only findings.
    fn assert_falls_back(fixture: &str, warning: &str, warning_line: Option<u32>) {
        let report = audit(fixture);
        let all = findings(&report);
        let pg101: Vec<_> = all.iter().filter(|f| f.check == "PG101").collect();
        assert_eq!(pg101.len(), 1, "{all:#?}");
        assert_eq!(
            pg101[0].severity,
            Severity::Error,
            "the plan's finding is kept"
        );
        let warnings: Vec<_> = all.iter().filter(|f| f.check == "PG004").collect();
        assert_eq!(warnings.len(), 1, "{all:#?}");
        assert!(
            warnings[0].message.contains(warning),
            "{}",
            warnings[0].message
        );
        assert_eq!(warnings[0].severity, Severity::Warning);
        assert_eq!(
            warnings[0]
                .location
                .as_ref()
                .map(|at| at.file.line_col(at.span.start).line),
            warning_line
        );
        assert_goldens(fixture, &report);
    }

    #[test]
    fn a_renamed_block_is_a_warning_and_the_finding_stays_on_the_plan() {
        assert_falls_back(
            "stale-source",
            "`module.consumer.aws_lambda_event_source_mapping.orders` is in the plan but not in the Terraform source",
            None,
        );
        let report = audit("stale-source");
        let pg101 = findings(&report)
            .into_iter()
            .find(|f| f.check == "PG101")
            .unwrap();
        assert_eq!(pg101.location, None);
    }

    /// A policy whose source no longer references what the plan lists is not evaluated from
    /// the source: the plan-only "cannot verify" stays, and a warning says why.
    #[test]
    fn a_policy_changed_since_the_plan_is_not_evaluated_from_the_source() {
        let report = audit("stale-policy");
        let all = findings(&report);
        assert!(all.iter().all(|f| f.severity < Severity::Error), "{all:#?}");
        let pg101: Vec<_> = all.iter().filter(|f| f.check == "PG101").collect();
        assert_eq!(pg101.len(), 1, "{all:#?}");
        assert_ne!(pg101[0].certainty, crate::diag::Certainty::Certain);
        let warning = all.iter().find(|f| f.check == "PG004").unwrap();
        assert!(
            warning.message.contains(
                "`policy` of `aws_iam_role_policy.consumer` in the Terraform source does not match the plan (the plan references `aws_sqs_queue.orders.arn`, `aws_sqs_queue.orders`, the source `aws_sqs_queue.archive.arn`)"
            ),
            "{}",
            warning.message
        );
    }

    /// A block whose literal attributes disagree with the plan's known values (the policy was
    /// renamed, and completed, since the plan was made) is not the one the plan was made from:
    /// its policy is not read from it, so the plan-only "cannot verify" stays instead of a
    /// pass the plan never had.
    #[test]
    fn a_block_that_disagrees_with_the_plan_is_not_evaluated_from_the_source() {
        let report = audit("stale-values");
        let all = findings(&report);
        assert!(all.iter().all(|f| f.severity < Severity::Error), "{all:#?}");
        let pg101: Vec<_> = all.iter().filter(|f| f.check == "PG101").collect();
        assert_eq!(pg101.len(), 1, "{all:#?}");
        assert_ne!(pg101[0].certainty, crate::diag::Certainty::Certain);
        let warning = all.iter().find(|f| f.check == "PG004").unwrap();
        assert!(
            warning.message.contains(
                "`policy` of `aws_iam_role_policy.consumer` is not read from the Terraform source: its `name` is `read-orders-v2` there and `read-orders` in the plan"
            ),
            "{}",
            warning.message
        );
    }

    #[test]
    fn a_tf_file_that_does_not_parse_is_a_located_warning() {
        assert_falls_back(
            "unparsable-source",
            "the Terraform file does not parse",
            Some(39),
        );
    }

    #[test]
    fn a_module_not_on_disk_is_a_warning_at_its_module_block() {
        assert_falls_back(
            "module-not-downloaded",
            "the source of module `consumer` is not on disk (`app.terraform.io/example/consumer/aws` is not a local path",
            Some(10),
        );
    }

    #[test]
    fn tf_source_names_the_root_module_of_a_plan_elsewhere() {
        // The plan of `sqs-missing-action` read against the source of `sqs-complete`, named
        // explicitly: the blocks are found there.
        let options = crate::AuditOptions {
            tf_source: Some(PathBuf::from(ROOT).join("sqs-complete")),
            ..crate::AuditOptions::here()
        };
        let report = audit_with("sqs-missing-action", &options);
        let all = findings(&report);
        assert_eq!(all.len(), 1);
        assert_eq!(
            line_of(all[0]),
            Some(("sqs-complete/modules/consumer/main.tf".into(), 43))
        );
        // A directory without Terraform files says so.
        let options = crate::AuditOptions {
            tf_source: Some(PathBuf::from(ROOT).join("sqs-complete/modules/none")),
            ..crate::AuditOptions::here()
        };
        let report = audit_with("sqs-missing-action", &options);
        let warnings: Vec<_> = findings(&report)
            .into_iter()
            .filter(|f| f.check == "PG004")
            .collect();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0]
                .message
                .contains("holds no `.tf` or `.tf.json` file")
        );
    }

    #[test]
    fn a_directory_of_tf_files_without_a_plan_is_audited_from_its_source() {
        // The child module alone, as a root module: its input has no value, which is a
        // located warning and no error.
        let dir = PathBuf::from(ROOT).join("sqs-complete/modules");
        let mut report = crate::audit(&[dir]);
        strip_root(&mut report);
        let files: Vec<&FileReport> = report.files.iter().collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].status, crate::report::FileStatus::Audited);
        assert!(files[0].from_source);
        assert_eq!(
            files[0].source.path,
            PathBuf::from("sqs-complete/modules/consumer")
        );
        let message = files[0].message.as_deref().unwrap();
        assert!(message.contains("a stronger verdict"), "{message}");
        assert_eq!(report.summary().terraform_from_source, 1);
        assert_eq!(report.exit_code(crate::report::FailOn::Error), 0);
        let found = findings(&report);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].check, found[0].severity),
            ("PG004", Severity::Warning)
        );
        assert!(
            found[0]
                .message
                .contains("variable `queue_arn` has no value")
        );
        assert_eq!(
            line_of(found[0]),
            Some(("sqs-complete/modules/consumer/main.tf".into(), 1))
        );
    }
}
