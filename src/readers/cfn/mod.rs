//! CloudFormation lowering: a template's syntax tree → [`Stack`].
//!
//! Input: the root [`Node`] of a CloudFormation template (after SAM expansion, if any) and
//! optional [`Provenance`] of SAM-generated resources. Output: a [`Stack`] whose items carry
//! their logical ids and spans, with intrinsic functions resolved into symbolic values
//! ([`resolve`]) and links (mapping → function → role, policy → role, trigger → function)
//! resolved to indices, and the deploy order of the resources (`order`). Errors that
//! CloudFormation would reject the template for (a circular reference, a malformed intrinsic)
//! are returned as located [`FileError`]s; the caller reports the file as unreadable. A `Ref`
//! or `Fn::GetAtt` to a resource the template does not define loses only its own value: it
//! becomes unknown, the rest is audited, and the reference is a located diagnostic of the
//! stack (PG004).

pub mod attrs;
mod dependencies;
mod link;
pub mod links;
mod lower;
mod order;
pub mod parameters;
mod references;
pub mod resolve;
pub mod template;

use std::collections::HashMap;

use crate::diag::FileError;
use crate::model::{PolicySource, Stack, SymStr};
use crate::readers::syntax::Node;

/// What the SAM expansion tells the lowering about the resources it generated.
#[derive(Debug, Default, Clone)]
pub struct Provenance {
    /// Generated logical id → logical id of the SAM resource it comes from.
    pub generated_from: HashMap<String, String>,
    /// Logical ids of roles SAM created.
    pub sam_roles: Vec<String>,
    /// (role logical id, inline policy name) → where the policy comes from.
    pub policy_sources: HashMap<(String, String), PolicySource>,
    /// Logical ids of permissions SAM generated for push events.
    pub sam_permissions: Vec<String>,
    /// Logical ids of push-trigger resources SAM generated (their permission is SAM's too).
    pub sam_triggers: Vec<String>,
    /// The template is the expansion of a SAM template, which may leave out resources SAM
    /// generates (so a `DependsOn` naming one is not known to be wrong).
    pub expanded_from_sam: bool,
}

/// What the application a template is deployed in fixes beyond the template itself, as the
/// linking stage found it: these values are facts of the deploy, not defaults.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Deployment {
    /// The region and account of `AWS::Region` and `AWS::AccountId`, when fixed.
    pub region: Option<String>,
    pub account: Option<String>,
    /// The stack's name as deployed (`AWS::StackName`), when fixed: a cloud assembly's stack
    /// gets its `stackName` property, else its artifact id, which the CDK deploys it as.
    pub stack_name: Option<String>,
    /// Parameter values a parent stack passes that are not literals (a literal is a given
    /// value like any other).
    pub parameters: HashMap<String, SymStr>,
    /// Export name → the exporting template's value, for `Fn::ImportValue`.
    pub imports: HashMap<String, SymStr>,
    /// (nested stack logical id, `Outputs.Name`) → the child template's output value.
    pub nested_outputs: HashMap<(String, String), SymStr>,
}

/// Lowers a template into a stack.
pub fn lower(root: &Node, provenance: &Provenance) -> Result<Stack, Vec<FileError>> {
    lower_in(root, provenance, &Deployment::default())
}

/// [`lower`] with what the application fixes.
pub fn lower_in(
    root: &Node,
    provenance: &Provenance,
    deployment: &Deployment,
) -> Result<Stack, Vec<FileError>> {
    let template = template::Template::new(root).map_err(|e| vec![e])?;
    // A transform (SAM, or any macro) adds resources and rewrites references before
    // CloudFormation checks dependencies: only the complete template is held to those rules.
    let transformed = provenance.expanded_from_sam
        || root.get("Transform").is_some()
        || template
            .resources
            .iter()
            .any(|r| r.type_name.starts_with("AWS::Serverless::"));
    let scope = if transformed {
        dependencies::Scope::Transformed
    } else {
        dependencies::Scope::Complete
    };
    let references = references::collect(&template);
    let mut errors = dependencies::check(&template, &references, root, scope);
    let resolver = resolve::Resolver::new(&template, deployment);
    let mut stack = lower::lower(&resolver, provenance);
    stack.diagnostics.extend(resolver.take_dangling());
    errors.extend(resolver.take_errors());
    stack.links = links::collect(root, &resolver);
    // Outputs and nested stacks' properties are read for the linking stage only: what cannot
    // be resolved there (an output of a resource SAM would generate) stays unknown, without
    // failing the template or warning about a part the audit does not use.
    drop((resolver.take_dangling(), resolver.take_errors()));
    stack.links.imports = resolver
        .take_imports()
        .into_iter()
        .map(|(name, span)| crate::model::Located::new(name, Some(span)))
        .collect();
    stack.order = order::collect(&template, &references);
    if errors.is_empty() {
        Ok(stack)
    } else {
        Err(errors)
    }
}
