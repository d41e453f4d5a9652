//! Suppressions written in a CloudFormation or SAM template.
//!
//! Input: the template's root [`Node`] as written (before the SAM expansion) and, for SAM, the
//! logical ids of the resources the expansion generated from each SAM resource. Output: one
//! [`InlineSuppression`] per entry of a `Metadata.permgate.ignore` list, at the template's top
//! level or on a resource:
//!
//! ```yaml
//! Metadata:
//!   permgate:
//!     ignore:
//!       - id: PG205
//!         reason: the URL is public on purpose; the function checks a signed token
//!         until: 2026-06-30      # optional
//! ```
//!
//! CloudFormation keeps `Metadata` as it is and SAM copies it to what it generates, so neither
//! rejects this. A suppression on a SAM resource covers the resources SAM generates from it
//! (its role, event source mappings, permissions). An entry without a non-empty `reason`, with
//! a key permgate does not know, or with an `until` that is not a `YYYY-MM-DD` date is refused:
//! the template is reported as unreadable, since a suppression that silently does nothing (or
//! that nobody can explain) is what a gate must not have. Whether the id names a check is decided
//! later, with the checks ([`crate::suppress`]).

use std::collections::HashMap;

use crate::day::Day;
use crate::diag::FileError;
use crate::model::{InlineSuppression, Located};
use crate::readers::syntax::Node;

/// The inline suppressions of a template. `generated_from` maps a generated logical id to the
/// SAM resource it comes from (empty for a CloudFormation template).
pub fn read(
    root: &Node,
    generated_from: &HashMap<String, String>,
) -> Result<Vec<InlineSuppression>, FileError> {
    let mut suppressions = Vec::new();
    if let Some(metadata) = root.get("Metadata") {
        read_metadata(metadata, None, &mut suppressions)?;
    }
    for (key, resource) in root
        .get("Resources")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let Some(metadata) = resource.get("Metadata") else {
            continue;
        };
        let id = key.text.to_string();
        let mut covered: Vec<String> = generated_from
            .iter()
            .filter(|(_, from)| **from == id)
            .map(|(generated, _)| generated.clone())
            .collect();
        covered.sort();
        covered.insert(0, id);
        read_metadata(metadata, Some(&covered), &mut suppressions)?;
    }
    Ok(suppressions)
}

fn read_metadata(
    metadata: &Node,
    resources: Option<&Vec<String>>,
    out: &mut Vec<InlineSuppression>,
) -> Result<(), FileError> {
    let Some(permgate) = metadata.get("permgate") else {
        return Ok(());
    };
    let entries = permgate.as_map().ok_or_else(|| {
        refused(
            permgate,
            "`Metadata.permgate` must be a mapping with `ignore`",
        )
    })?;
    for (key, value) in entries {
        if &*key.text != "ignore" {
            return Err(FileError::new(
                format!("unknown key `{}` in `Metadata.permgate`", key.text),
                Some(key.span),
            )
            .with_help("`Metadata.permgate` has one key, `ignore`: a list of `{id, reason}`"));
        }
        let list = value
            .as_seq()
            .ok_or_else(|| refused(value, "`Metadata.permgate.ignore` must be a list"))?;
        for entry in list {
            out.push(read_entry(entry, resources)?);
        }
    }
    Ok(())
}

fn read_entry(
    entry: &Node,
    resources: Option<&Vec<String>>,
) -> Result<InlineSuppression, FileError> {
    let fields = entry.as_map().ok_or_else(|| {
        refused(
            entry,
            "a suppression must be a mapping with `id` and `reason`",
        )
    })?;
    let mut check = None;
    let mut reason = None;
    let mut until = None;
    for (key, value) in fields {
        let text = value.as_str().map(str::trim);
        match &*key.text {
            "id" => {
                let text = text.filter(|t| !t.is_empty()).ok_or_else(|| {
                    refused(value, "a suppression's `id` must be a check id or name")
                })?;
                check = Some(Located::new(text.to_string(), Some(value.span)));
            }
            "reason" => reason = text.filter(|t| !t.is_empty()).map(str::to_string),
            "until" => {
                let text = text
                    .filter(|t| Day::parse(t).is_some())
                    .ok_or_else(|| refused(value, "`until` must be a date, `YYYY-MM-DD`"))?;
                until = Some(Located::new(text.to_string(), Some(value.span)));
            }
            other => {
                return Err(FileError::new(
                    format!("unknown key `{other}` in a suppression"),
                    Some(key.span),
                )
                .with_help("a suppression has `id`, `reason` and optionally `until`"));
            }
        }
    }
    let check = check.ok_or_else(|| {
        refused(
            entry,
            "a suppression must name the check it suppresses (`id`)",
        )
    })?;
    let reason = reason.ok_or_else(|| {
        FileError::new(
            format!("the suppression of `{}` has no reason", check.value),
            Some(entry.span),
        )
        .with_help("add `reason: …` saying why the finding is accepted; a suppression without one is refused")
    })?;
    Ok(InlineSuppression {
        check,
        reason,
        until,
        resources: resources.cloned(),
        span: Some(entry.span),
        location: None,
    })
}

fn refused(node: &Node, message: &str) -> FileError {
    FileError::new(message, Some(node.span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn read_yaml(text: &str) -> Result<Vec<InlineSuppression>, FileError> {
        let file = SourceFile::new("t.yaml", text.to_string());
        let root = crate::readers::yaml::parse_yaml(&file).unwrap();
        let generated = HashMap::from([
            ("FnRole".to_string(), "Fn".to_string()),
            ("FnQueue".to_string(), "Fn".to_string()),
            ("OtherRole".to_string(), "Other".to_string()),
        ]);
        read(&root, &generated)
    }

    #[test]
    fn template_and_resource_suppressions_with_generated_resources() {
        let found = read_yaml(
            "Metadata:\n  permgate:\n    ignore:\n      - {id: PG120, reason: logs go elsewhere}\n\
             Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Metadata:\n      permgate:\n        ignore:\n          - id: esm-sqs-permissions\n            reason: granted by an SCP-managed role\n            until: 2030-01-31\n",
        )
        .unwrap();
        assert_eq!(found.len(), 2);
        let (template, function) = (&found[0], &found[1]);
        assert_eq!(template.check.value, "PG120");
        assert_eq!(template.reason, "logs go elsewhere");
        assert_eq!(template.resources, None);
        assert_eq!(function.check.value, "esm-sqs-permissions");
        assert_eq!(
            function.resources.as_deref(),
            Some(
                &[
                    "Fn".to_string(),
                    "FnQueue".to_string(),
                    "FnRole".to_string()
                ][..]
            )
        );
        assert_eq!(
            function.until.as_ref().map(|u| u.value.as_str()),
            Some("2030-01-31")
        );
    }

    #[test]
    fn refuses_what_would_silently_do_nothing() {
        for (text, message) in [
            (
                "Metadata:\n  permgate:\n    ignore:\n      - id: PG101\n",
                "the suppression of `PG101` has no reason",
            ),
            (
                "Metadata:\n  permgate:\n    ignore:\n      - {id: PG101, reason: '  '}\n",
                "the suppression of `PG101` has no reason",
            ),
            (
                "Metadata:\n  permgate:\n    ignore:\n      - {id: PG101, reason: r, until: next year}\n",
                "`until` must be a date, `YYYY-MM-DD`",
            ),
            (
                "Metadata:\n  permgate:\n    ignore:\n      - {id: PG101, reson: r}\n",
                "unknown key `reson` in a suppression",
            ),
            (
                "Metadata:\n  permgate:\n    ignored: []\n",
                "unknown key `ignored` in `Metadata.permgate`",
            ),
            (
                "Metadata:\n  permgate:\n    ignore: PG101\n",
                "`Metadata.permgate.ignore` must be a list",
            ),
            (
                "Metadata:\n  permgate:\n    ignore:\n      - {reason: r}\n",
                "a suppression must name the check it suppresses (`id`)",
            ),
        ] {
            let error = read_yaml(text).unwrap_err();
            assert_eq!(error.message, message, "{text}");
            assert!(error.span.is_some(), "{text}");
        }
    }

    #[test]
    fn other_metadata_is_left_alone() {
        let found = read_yaml(
            "Metadata:\n  cfn-lint: {config: {ignore_checks: [W3005]}}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata: {Comment: x}\n",
        )
        .unwrap();
        assert!(found.is_empty());
    }
}
