//! Link: the stacks read from each input → the application they deploy as.
//!
//! Input: every [`LoadedFile`] of a run, each template read alone (or with what its cloud
//! assembly says). Output: the same files, each template read again where the rest of the
//! application fixes one of its values, and with a located diagnostic (PG004) for what could
//! not be joined. The application of a run is all of its inputs: an export that no input
//! declares stays external, as an import of a stack outside the run.
//!
//! What is joined (each source key from research spec §6.1, CloudFormation user guide):
//! - `Fn::ImportValue` of a name that one template exports (`Outputs.*.Export.Name`) takes the
//!   value of that output. Two templates exporting the same name, or templates importing from
//!   each other in a cycle (CloudFormation deploys neither), leave the value unknown.
//! - A nested stack (`AWS::CloudFormation::Stack`, or SAM's `AWS::Serverless::Application`)
//!   whose template is on disk is read with the parameters the parent passes; the parent reads
//!   `Fn::GetAtt Child.Outputs.Name` from the child's outputs. A remote template is a warning.
//! - A template that received values from others gets their resource policies and the ARNs of
//!   their policy-holding resources ([`Application`](crate::model::Application)), so that the
//!   checks judge an imported queue by its own stack's queue policy.
//!
//! Invariants: a value carried from one template to another names the other template's
//! resources under that template's name (`QueueStack/Queue`), so it never equals a value of
//! a same-named resource of the reader (a name carried again keeps its owner, and one carried
//! back into its owner is the owner's own); every template is read at most a bounded number of
//! times; nothing panics on input.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::FileError;
use crate::model::{
    Existence, Located, MapKey, NestedTemplate, Origin, Part, PolicyDocument, Pseudo,
    ResourcePolicy, Stack, SymStr, Symbol, Value, ValueKind,
};
use crate::readers::cfn::Deployment;
use crate::{FileOutcome, LoadedFile};

/// How deep nested stacks are followed.
const MAX_NESTING: usize = 8;

/// For each file (by index), the files whose values it was read with.
type Received = BTreeMap<usize, BTreeSet<usize>>;

/// Joins the stacks of a run: imports to exports, nested stacks to their parents.
pub fn link(mut files: Vec<LoadedFile>) -> Vec<LoadedFile> {
    let mut received = Received::new();
    nest(&mut files, &mut received);
    import(&mut files, &mut received);
    share(&mut files, &received);
    files
}

/// Gives each template the resource policies and policy-holding resources of the templates
/// whose values it received, so that a queue imported from another stack is judged by that
/// stack's queue policy (or known to have none), as CloudFormation deploys them together.
fn share(files: &mut [LoadedFile], received: &Received) {
    for (&i, owners) in received {
        let mut application = crate::model::Application::default();
        let Some(reader) = files.get(i).map(label) else {
            continue;
        };
        for &owner in owners {
            if owner == i {
                continue;
            }
            let Some(file) = files.get(owner) else {
                continue;
            };
            let Some(stack) = stack_of(file) else {
                continue;
            };
            let owner_label = label(file);
            application.resource_policies.extend(
                stack
                    .resource_policies
                    .iter()
                    .map(|p| carried_policy(p, &owner_label, &reader)),
            );
            // A key without a key policy has the default one there, as in its own template.
            application
                .default_keys
                .extend(stack.kms_keys.iter().filter(|k| !k.policy_set).map(|k| {
                    (
                        format!("{owner_label}/{}", k.origin.id),
                        carried_into(&k.arn, &owner_label, &reader),
                    )
                }));
            let arns = stack
                .kms_keys
                .iter()
                .map(|k| &k.arn)
                .chain(stack.queues.iter().map(|q| &q.arn))
                .chain(stack.streams.iter().map(|s| &s.arn))
                .chain(stack.stream_consumers.iter().map(|c| &c.arn))
                .chain(stack.tables.iter().map(|t| &t.arn))
                .chain(stack.tables.iter().filter_map(|t| t.stream_arn.as_ref()))
                .chain(stack.secrets.iter().map(|s| &s.arn))
                .chain(stack.msk_clusters.iter().map(|c| &c.arn));
            application
                .resources
                .extend(arns.map(|arn| carried_into(arn, &owner_label, &reader)));
        }
        if let Some(stack) = files.get_mut(i).and_then(stack_mut) {
            stack.application = application;
        }
    }
}

/// A resource policy of the template `owner` as another template sees it (see [`carried`]),
/// without spans: they point into `owner`'s file.
fn carried_policy(policy: &ResourcePolicy, owner: &str, reader: &str) -> ResourcePolicy {
    ResourcePolicy {
        origin: Origin {
            id: format!("{owner}/{}", policy.origin.id),
            span: None,
            generated_from: None,
        },
        existence: match &policy.existence {
            Existence::Always => Existence::Always,
            Existence::IfCondition(name) => Existence::IfCondition(format!("{owner}/{name}")),
        },
        kind: policy.kind,
        governs: policy
            .governs
            .iter()
            .map(|g| Located::new(carried_into(&g.value, owner, reader), None))
            .collect(),
        document: policy.document.as_ref().map(|d| PolicyDocument {
            value: Arc::new(carried_value(&d.value, owner, reader)),
        }),
        unknown_reason: policy.unknown_reason.clone(),
    }
}

/// [`carried`] into the template `reader`: a name of `reader`'s own that came back to it (a
/// parent's policy naming `!GetAtt Child.Outputs.RoleArn`, read in the child) is its own again.
fn carried_into(value: &SymStr, owner: &str, reader: &str) -> SymStr {
    let prefix = format!("{reader}/");
    let local = |name: &str| match name.strip_prefix(&prefix) {
        Some(rest) if !rest.contains('/') => rest.to_string(),
        _ => name.to_string(),
    };
    let mut out = SymStr::default();
    for part in &carried(value, owner).parts {
        match part {
            Part::Lit(text) => out.push_lit(text),
            Part::Sym(symbol) => out.push_sym(match symbol {
                Symbol::PhysicalName { resource } => Symbol::PhysicalName {
                    resource: local(resource),
                },
                Symbol::Attr { resource, attr } => Symbol::Attr {
                    resource: local(resource),
                    attr: attr.clone(),
                },
                Symbol::Param(name) => Symbol::Param(local(name)),
                other => other.clone(),
            }),
        }
    }
    out
}

/// A structured value of the template `owner` as another template sees it, without spans.
fn carried_value(value: &Value, owner: &str, reader: &str) -> Value {
    let kind = match &value.kind {
        ValueKind::Str(s) => ValueKind::Str(carried_into(s, owner, reader)),
        ValueKind::List(items) => ValueKind::List(
            items
                .iter()
                .map(|v| carried_value(v, owner, reader))
                .collect(),
        ),
        ValueKind::Map(entries) => ValueKind::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        MapKey {
                            text: k.text.clone(),
                            span: None,
                        },
                        carried_value(v, owner, reader),
                    )
                })
                .collect(),
        ),
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => ValueKind::If {
            condition: format!("{owner}/{condition}"),
            then: Box::new(carried_value(then, owner, reader)),
            otherwise: Box::new(carried_value(otherwise, owner, reader)),
        },
        other => other.clone(),
    };
    Value::new(kind, None)
}

/// The name a template's values are carried under into another template.
fn label(file: &LoadedFile) -> String {
    match &file.stack_name {
        Some(name) => name.clone(),
        None => file.source.path.display().to_string(),
    }
}

fn stack_of(file: &LoadedFile) -> Option<&Stack> {
    match &file.outcome {
        FileOutcome::Stack { stack, .. } => Some(stack),
        _ => None,
    }
}

fn stack_mut(file: &mut LoadedFile) -> Option<&mut Stack> {
    match &mut file.outcome {
        FileOutcome::Stack { stack, .. } => Some(stack),
        _ => None,
    }
}

/// A value of the template `owner` as another template sees it: the resources, parameters and
/// stack name it mentions are `owner`'s, not the reader's.
/// A name that is already qualified (it holds a `/`, which no logical id or parameter name
/// does) was carried before and names its true owner already: it is kept.
pub fn carried(value: &SymStr, owner: &str) -> SymStr {
    let qualified = |name: &str| {
        if name.contains('/') {
            name.to_string()
        } else {
            format!("{owner}/{name}")
        }
    };
    let mut out = SymStr::default();
    for part in &value.parts {
        match part {
            Part::Lit(text) => out.push_lit(text),
            Part::Sym(symbol) => out.push_sym(match symbol {
                Symbol::PhysicalName { resource } => Symbol::PhysicalName {
                    resource: qualified(resource),
                },
                Symbol::Attr { resource, attr } => Symbol::Attr {
                    resource: qualified(resource),
                    attr: attr.clone(),
                },
                Symbol::Param(name) => Symbol::Param(qualified(name)),
                Symbol::Pseudo(p @ (Pseudo::StackName | Pseudo::StackId)) => {
                    Symbol::Unknown(format!("`{}` of `{owner}`", p.cfn_name()))
                }
                other => other.clone(),
            }),
        }
    }
    out
}

/// Reads a file again with `deployment`, unless it was read with it.
fn reread(file: &mut LoadedFile, deployment: Deployment) {
    if file.deployment != deployment {
        read_again(file, deployment);
    }
}

/// Reads a file again with its given values and `deployment`.
fn read_again(file: &mut LoadedFile, deployment: Deployment) {
    file.outcome = crate::read_outcome(&file.source, file.explicit, &file.given, &deployment);
    file.deployment = deployment;
}

fn warn(file: &mut LoadedFile, error: FileError) {
    if let Some(stack) = stack_mut(file) {
        stack.diagnostics.push(error);
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Reads each nested stack's template with the parameters its parent passes, and the parent
/// again with the child's outputs.
fn nest(files: &mut Vec<LoadedFile>, received: &mut Received) {
    let mut depth: Vec<usize> = vec![0; files.len()];
    let mut nested_once: HashSet<PathBuf> = HashSet::new();
    // Parents first: the templates no other input nests start; each child read is visited in
    // turn, so that its own children get the values it was read with.
    let children: HashSet<PathBuf> = files
        .iter()
        .filter_map(|f| Some((f, stack_of(f)?)))
        .flat_map(|(f, stack)| {
            let dir = f
                .source
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            stack
                .links
                .nested
                .iter()
                .filter_map(move |n| match &n.template {
                    NestedTemplate::Local(path) => Some(canonical(&dir.join(path))),
                    _ => None,
                })
        })
        .collect();
    let mut queue: std::collections::VecDeque<usize> = (0..files.len())
        .filter(|&i| {
            files
                .get(i)
                .is_some_and(|f| !children.contains(&canonical(&f.source.path)))
        })
        .collect();
    while let Some(i) = queue.pop_front() {
        let Some(parent_file) = files.get(i) else {
            continue;
        };
        let Some(parent) = stack_of(parent_file) else {
            continue;
        };
        let nested = parent.links.nested.clone();
        let construct_paths = parent.construct_paths.clone();
        let parent_label = label(parent_file);
        let parent_sites = parent_file.creation_sites.clone();
        let parent_dir = parent_file
            .source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let parent_deployment = parent_file.deployment.clone();
        let parent_depth = depth.get(i).copied().unwrap_or(0);
        let mut problems: Vec<FileError> = Vec::new();
        let mut outputs: HashMap<(String, String), SymStr> = HashMap::new();
        for child in nested {
            let path = match &child.template {
                NestedTemplate::Local(path) => parent_dir.join(path),
                NestedTemplate::Remote(url) => {
                    let message = format!(
                        "the template of nested stack `{}` is remote (`{url}`): its resources are \
                         not audited and its outputs are unknown",
                        child.id
                    );
                    problems.push(FileError::new(message, child.span));
                    continue;
                }
                NestedTemplate::Unknown(reason) => {
                    let message = format!("nested stack `{}` is not audited: {reason}", child.id);
                    problems.push(FileError::new(message, child.span));
                    continue;
                }
            };
            if parent_depth + 1 > MAX_NESTING {
                let message = format!(
                    "nested stack `{}` is nested more than {MAX_NESTING} levels deep; it is not audited",
                    child.id
                );
                problems.push(FileError::new(message, child.span));
                continue;
            }
            let key = canonical(&path);
            if !nested_once.insert(key.clone()) {
                // The same template nested twice: each is a stack of its own, but the template
                // is read once, with the values of the first, and that is said where the
                // second is.
                let message = format!(
                    "nested stack `{}` deploys `{}` again, which is audited once, with the \
                     parameters of the stack that nests it first; what this stack passes is \
                     not audited",
                    child.id,
                    shown(&path).display()
                );
                problems.push(FileError::new(message, child.span));
                continue;
            }
            let index = match files.iter().position(|f| canonical(&f.source.path) == key) {
                Some(index) => index,
                None => match crate::readers::load(&path) {
                    Ok(source) => {
                        files.push(LoadedFile::new(Arc::new(source), false));
                        depth.push(0);
                        files.len() - 1
                    }
                    Err(_) => {
                        let message = format!(
                            "the template `{}` of nested stack `{}` cannot be read; it is not audited",
                            shown(&path).display(),
                            child.id
                        );
                        problems.push(FileError::new(message, child.span));
                        continue;
                    }
                },
            };
            if index == i {
                continue;
            }
            received.entry(index).or_default().insert(i);
            received.entry(i).or_default().insert(index);
            queue.push_back(index);
            let mut given = crate::parameters::GivenValues::new();
            let mut deployment = Deployment {
                region: parent_deployment.region.clone(),
                account: parent_deployment.account.clone(),
                ..Deployment::default()
            };
            for (name, value) in &child.parameters {
                match value.as_literal() {
                    Some(text) => {
                        given.insert(
                            name.clone(),
                            crate::parameters::GivenValue {
                                value: text.to_string(),
                                origin: format!("nested stack `{}` of `{parent_label}`", child.id),
                            },
                        );
                    }
                    None => {
                        deployment
                            .parameters
                            .insert(name.clone(), carried(value, &parent_label));
                    }
                }
            }
            let name = construct_paths
                .get(&child.id)
                .and_then(|p| p.split_once(".NestedStack/").map(|(s, _)| s.to_string()))
                .unwrap_or_else(|| format!("{parent_label}/{}", child.id));
            if let Some(d) = depth.get_mut(index) {
                *d = parent_depth + 1;
            }
            let Some(file) = files.get_mut(index) else {
                continue;
            };
            file.stack_name = Some(name);
            file.creation_sites.clone_from(&parent_sites);
            file.given = given;
            read_again(file, deployment);
            let child_label = label(file);
            if let Some(stack) = stack_of(file) {
                for output in &stack.links.outputs {
                    outputs.insert(
                        (child.id.clone(), format!("Outputs.{}", output.name)),
                        carried(&output.value, &child_label),
                    );
                }
            }
        }
        if let Some(file) = files.get_mut(i) {
            if !outputs.is_empty() {
                let mut deployment = parent_deployment;
                deployment.nested_outputs = outputs;
                reread(file, deployment);
            }
            for problem in problems {
                warn(file, problem);
            }
        }
    }
}

/// Joins `Fn::ImportValue` to the exports of the run, exporters read first.
fn import(files: &mut [LoadedFile], received: &mut Received) {
    // Export name → the files exporting it.
    let mut exporters: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        let Some(stack) = stack_of(file) else {
            continue;
        };
        for output in &stack.links.outputs {
            if let Some(name) = output.export.as_ref().and_then(|e| e.value.as_literal()) {
                let entry = exporters.entry(name.to_string()).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
    }
    if exporters.is_empty() {
        return;
    }
    // Two templates exporting one name: CloudFormation refuses the second, so which value an
    // import gets is not known.
    let mut duplicates = Vec::new();
    for (name, owners) in &exporters {
        if owners.len() > 1 {
            for &owner in owners {
                let others: Vec<String> = owners
                    .iter()
                    .filter(|&&o| o != owner)
                    .filter_map(|&o| files.get(o).map(label))
                    .collect();
                let span = files
                    .get(owner)
                    .and_then(stack_of)
                    .and_then(|s| {
                        s.links.outputs.iter().find(|o| {
                            o.export.as_ref().and_then(|e| e.value.as_literal()) == Some(name)
                        })
                    })
                    .and_then(|o| o.export.as_ref().and_then(|e| e.span));
                duplicates.push((
                    owner,
                    FileError::new(
                        format!(
                            "export `{name}` is also exported by `{}`: its imports cannot be joined",
                            others.join("`, `")
                        ),
                        span,
                    ),
                ));
            }
        }
    }
    for (owner, error) in duplicates {
        if let Some(file) = files.get_mut(owner) {
            warn(file, error);
        }
    }
    let unique: HashMap<String, usize> = exporters
        .into_iter()
        .filter_map(|(name, owners)| match owners.as_slice() {
            [one] => Some((name, *one)),
            _ => None,
        })
        .collect();
    // Which file imports from which.
    let depends: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            let mut from: Vec<usize> = stack_of(f)
                .map(|s| {
                    s.links
                        .imports
                        .iter()
                        .filter_map(|i| unique.get(&i.value).copied())
                        .collect()
                })
                .unwrap_or_default();
            from.sort_unstable();
            from.dedup();
            from
        })
        .collect();
    let (order, cyclic) = topological(&depends);
    for &i in &cyclic {
        let Some(file) = files.get_mut(i) else {
            continue;
        };
        let spans: Vec<(String, Option<crate::source::Span>)> = stack_of(file)
            .map(|s| {
                s.links
                    .imports
                    .iter()
                    .filter(|imp| {
                        unique
                            .get(&imp.value)
                            .is_some_and(|owner| cyclic.contains(owner))
                    })
                    .map(|imp| (imp.value.clone(), imp.span))
                    .collect()
            })
            .unwrap_or_default();
        let mut seen = HashSet::new();
        for (name, span) in spans {
            if seen.insert(name.clone()) {
                warn(
                    file,
                    FileError::new(
                        format!(
                            "import `{name}` is part of a cycle of stacks importing from each other: its value is unknown"
                        ),
                        span,
                    ),
                );
            }
        }
    }
    for i in order {
        let Some(imports) = files
            .get(i)
            .and_then(stack_of)
            .map(|s| s.links.imports.clone())
        else {
            continue;
        };
        let mut deployment = files
            .get(i)
            .map(|f| f.deployment.clone())
            .unwrap_or_default();
        for import in imports {
            let Some(&owner) = unique.get(&import.value) else {
                continue;
            };
            if owner == i || cyclic.contains(&owner) && cyclic.contains(&i) {
                continue;
            }
            let Some(exporter) = files.get(owner) else {
                continue;
            };
            let owner_label = label(exporter);
            let value = stack_of(exporter).and_then(|s| {
                s.links
                    .outputs
                    .iter()
                    .find(|o| {
                        o.export.as_ref().and_then(|e| e.value.as_literal())
                            == Some(import.value.as_str())
                    })
                    .map(|o| carried(&o.value, &owner_label))
            });
            if let Some(value) = value {
                deployment.imports.insert(import.value.clone(), value);
                received.entry(i).or_default().insert(owner);
            }
        }
        if let Some(file) = files.get_mut(i) {
            reread(file, deployment);
        }
    }
}

/// The files in an order where each comes after those it depends on, and the files on a
/// cycle (which come last, in input order).
fn topological(depends: &[Vec<usize>]) -> (Vec<usize>, HashSet<usize>) {
    let n = depends.len();
    // 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    let mut cyclic = HashSet::new();
    for start in 0..n {
        if state.get(start) != Some(&0) {
            continue;
        }
        // Iterative depth-first search: (node, next dependency to visit).
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(s) = state.get_mut(start) {
            *s = 1;
        }
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let dep = depends.get(node).and_then(|d| d.get(*next)).copied();
            *next += 1;
            match dep {
                Some(d) => match state.get(d) {
                    Some(0) => {
                        if let Some(s) = state.get_mut(d) {
                            *s = 1;
                        }
                        path.push((d, 0));
                    }
                    Some(1) => {
                        // Every node on the path from `d` to here is on the cycle.
                        let from = path.iter().position(|(p, _)| *p == d).unwrap_or(0);
                        cyclic.extend(path.iter().skip(from).map(|(p, _)| *p));
                    }
                    _ => {}
                },
                None => {
                    if let Some(s) = state.get_mut(node) {
                        *s = 2;
                    }
                    order.push(node);
                    path.pop();
                }
            }
        }
    }
    (order, cyclic)
}

/// A path as it is shown: `a/b/../../c` as `c`, `..` kept where nothing can be taken back.
fn shown(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_take_back_what_they_can() {
        let shown = |p: &str| shown(Path::new(p)).display().to_string();
        assert_eq!(
            shown("../corpus/app/orders/../../shared/dlq.yaml"),
            "../corpus/shared/dlq.yaml"
        );
        assert_eq!(shown("./a/../../b"), "../b");
        assert_eq!(shown("/a/b/../c"), "/a/c");
    }

    #[test]
    fn topological_order_puts_exporters_first_and_finds_cycles() {
        let (order, cyclic) = topological(&[vec![1], vec![], vec![3], vec![2]]);
        let pos = |x| order.iter().position(|&o| o == x);
        assert!(pos(1) < pos(0));
        assert_eq!(order.len(), 4);
        assert_eq!(cyclic, HashSet::from([2, 3]));
        let (_, cyclic) = topological(&[vec![0]]);
        assert_eq!(cyclic, HashSet::from([0]));
    }

    #[test]
    fn carried_values_name_the_owner() {
        let mut v = SymStr::lit("arn:aws:sqs:");
        v.push_sym(Symbol::Pseudo(Pseudo::Region));
        v.push_lit(":");
        v.push_sym(Symbol::PhysicalName {
            resource: "Queue".into(),
        });
        let c = carried(&v, "QueueStack");
        assert_eq!(
            c.to_string(),
            "arn:aws:sqs:${AWS::Region}:${QueueStack/Queue}"
        );
        // Carried again, it still names its owner.
        assert_eq!(carried(&c, "Parent").to_string(), c.to_string());
        // Carried back into its owner, it is the owner's own.
        assert_eq!(carried_into(&c, "Parent", "QueueStack"), v);
        assert_eq!(
            carried_into(&v, "Prod/Queues", "Prod").to_string(),
            "arn:aws:sqs:${AWS::Region}:${Prod/Queues/Queue}"
        );
    }
}
