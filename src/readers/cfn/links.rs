//! What a template gives the rest of its application and asks of it.
//!
//! Input: a template and its [`Resolver`]. Output: the [`StackLinks`] the linking stage joins
//! (`Outputs` with their export names, `AWS::CloudFormation::Stack` resources with their
//! template location and parameters) and the CDK construct path of each resource. Nothing is
//! looked up here: a nested template's location is only classified (local, remote, unknown).

use std::collections::BTreeMap;

use super::resolve::Resolver;
use crate::model::{Located, NestedStack, NestedTemplate, Output, StackLinks};
use crate::readers::syntax::Node;

/// The outputs and nested stacks of the template the resolver reads. Imports are added by the
/// caller once every value has been resolved.
pub fn collect(root: &Node, cx: &Resolver<'_, '_>) -> StackLinks {
    let mut links = StackLinks::default();
    if let Some(outputs) = root.get("Outputs").and_then(Node::as_map) {
        for (key, output) in outputs {
            let Some(value) = output.get("Value").and_then(|v| cx.string(v)) else {
                continue;
            };
            let export = output
                .get("Export")
                .and_then(|e| e.get("Name"))
                .and_then(|n| Some(Located::new(cx.string(n)?, Some(n.span))));
            links.outputs.push(Output {
                name: key.text.to_string(),
                value,
                export,
                span: Some(key.span),
            });
        }
    }
    for r in cx
        .template
        .resources
        .iter()
        .filter(|r| r.type_name == "AWS::CloudFormation::Stack")
    {
        // The CDK names the synthesized child template in asset metadata; the `TemplateURL`
        // it writes is the S3 address the asset is published to.
        let asset = r
            .node
            .get("Metadata")
            .filter(|m| m.get("aws:asset:property").and_then(Node::as_str) == Some("TemplateURL"))
            .and_then(|m| m.get("aws:asset:path"))
            .and_then(Node::as_str);
        let template = match asset {
            Some(path) => NestedTemplate::Local(path.to_string()),
            None => match r.prop("TemplateURL").map(|n| cx.string(n)) {
                None => NestedTemplate::Unknown(
                    "the nested stack has no local `TemplateURL` (a Serverless Application \
                     Repository application, or none)"
                        .to_string(),
                ),
                Some(Some(url)) => match url.as_literal() {
                    Some(text) if is_remote(text) => NestedTemplate::Remote(text.to_string()),
                    Some(text) => NestedTemplate::Local(text.to_string()),
                    None if is_remote(url.literal_prefix()) => {
                        NestedTemplate::Remote(url.to_string())
                    }
                    None => NestedTemplate::Unknown(format!(
                        "the nested stack's `TemplateURL` `{url}` is not known before deploy"
                    )),
                },
                Some(None) => NestedTemplate::Unknown(
                    "the nested stack's `TemplateURL` is not a string".to_string(),
                ),
            },
        };
        let parameters = r
            .prop("Parameters")
            .and_then(Node::as_map)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.text.to_string(), cx.string(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        links.nested.push(NestedStack {
            id: r.id.to_string(),
            template,
            parameters,
            span: Some(r.span),
        });
    }
    links
}

/// A template location that is not a file on disk.
fn is_remote(location: &str) -> bool {
    let lower = location.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("s3://")
}

/// Logical id → `Metadata.aws:cdk:path`, for every resource that has one.
pub fn construct_paths(root: &Node) -> BTreeMap<String, String> {
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return BTreeMap::new();
    };
    resources
        .iter()
        .filter_map(|(key, r)| {
            let path = r.get("Metadata")?.get("aws:cdk:path")?.as_str()?;
            Some((key.text.to_string(), path.to_string()))
        })
        .collect()
}
