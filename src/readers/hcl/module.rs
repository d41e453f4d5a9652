//! A Terraform module directory without a plan → the plan Terraform would show for it.
//!
//! Input: a root module's directory and the variable values given on the command line
//! ([`VarInput`]). Output: a [`SourcePlan`]: the text of a `terraform show -json` document
//! built from the source alone, and the [`TfSource`] it was built from (its blocks locate the
//! findings at their `.tf` lines, its problems become warnings). The plan reader then reads
//! that document exactly as it reads a real plan beside its source, so the model, the links and
//! the checks are the same, and so are the certainty rules.
//!
//! What the document holds is what Terraform itself would know while planning, and nothing
//! more: a value is written in `after` only when the source determines it (literals, variables
//! with a value, locals, `count.index`, `each.key`/`each.value`, module outputs and inputs, and
//! the functions of [`eval`]); everything else is marked unknown in `after_unknown`, with the
//! expression's references in `configuration`, which the plan reader resolves to the same
//! symbolic values (the ARN of `aws_sqs_queue.orders`) it gives a real plan's unknown values.
//! Policy attributes that are unknown are evaluated again from the source by the plan reader.
//!
//! - Variables: [`vars::given_values`] (Terraform's precedence), then `default`; a root
//!   variable with neither is unknown and a located warning says so.
//! - `count` and `for_each` over known values expand with Terraform's instance keys (`[0]`,
//!   `["name"]`); over unknown values the block is one instance whose key is unknown, and a
//!   located warning says so. `dynamic` blocks over known collections expand; over unknown ones
//!   their blocks are unknown, with a warning.
//! - `module` calls: local sources, and those `terraform init` downloaded
//!   (`.terraform/modules/modules.json`), as [`TfSource`] finds them; a module not on disk is a
//!   warning and its resources are not audited.
//! - Data sources are read at apply: `aws_region` and `aws_caller_identity` are the symbolic
//!   region and account (unless the provider's `region` is known), `aws_iam_policy_document`
//!   is built from its blocks, any other lookup (`aws_iam_policy`, `aws_iam_role`) is unknown.
//!
//! Invariants: no guess. A value that the source does not determine is unknown with its
//! reason; nothing panics; every problem names its file and, when there is one, its span.
//! `.tf.json` files are read into the same tree as `.tf` files ([`super::json::module_blocks`]).
//! Limits: provider configurations
//! of child modules and provider-defined functions are not evaluated (their values are
//! unknown); evaluation depth is bounded
//! ([`MAX_EVAL_DEPTH`]), and so is the number of instances ([`MAX_INSTANCES`]).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};
use serde_json::{Map, Value as Json, json};

use crate::model::{SymStr, Value, ValueKind};
use crate::source::Span;

use super::eval::{self, References, Step, navigate, steps};
use super::vars::{self, VarInput};
use super::{MAX_MODULE_DEPTH, ModuleRegistry, SourceProblem, TfSource, module_dir};

/// References followed inside one another (a local of a local of a variable…) at most this
/// deep; deeper is unknown.
pub const MAX_EVAL_DEPTH: usize = 64;

/// Instances built at most (`count = 100000` is not expanded).
pub const MAX_INSTANCES: usize = 100_000;

/// A module directory read as the plan Terraform would make of it.
#[derive(Debug)]
pub struct SourcePlan {
    /// `terraform show -json` text built from the source.
    pub json: String,
    /// The source it was built from, with the problems met on the way.
    pub source: TfSource,
}

/// A declaration with where it is written.
#[derive(Debug, Clone, Copy)]
struct At {
    file: usize,
    span: Option<Span>,
}

#[derive(Debug)]
struct VariableDecl {
    name: String,
    default: Option<Expression>,
    at: At,
}

#[derive(Debug)]
struct ResourceDecl {
    data: bool,
    rtype: String,
    name: String,
    body: Body,
    at: At,
}

#[derive(Debug)]
struct CallDecl {
    name: String,
    body: Body,
    /// Index into [`Config::modules`] of the called module, when it was read.
    child: Option<usize>,
    at: At,
}

/// One module's declarations (a directory of `.tf` files).
#[derive(Debug, Default)]
struct ModuleDecl {
    dir: PathBuf,
    variables: Vec<VariableDecl>,
    locals: HashMap<String, Expression>,
    resources: Vec<ResourceDecl>,
    outputs: Vec<(String, Expression)>,
    calls: Vec<CallDecl>,
    /// Root module only: `provider "aws"` blocks by configuration key (`aws`, `aws.east`).
    providers: Vec<(String, Body)>,
}

/// The key of one instance of a repeated block or module.
#[derive(Debug, Clone, PartialEq)]
enum InstanceKey {
    None,
    Index(usize),
    Name(String),
    /// `count`/`for_each` is not known: one instance stands for them all.
    Unknown(String),
}

impl InstanceKey {
    fn suffix(&self) -> String {
        match self {
            InstanceKey::None | InstanceKey::Unknown(_) => String::new(),
            InstanceKey::Index(i) => format!("[{i}]"),
            InstanceKey::Name(k) => format!("[{}]", Json::String(k.clone())),
        }
    }

    fn index_json(&self) -> Option<Json> {
        match self {
            InstanceKey::Index(i) => Some(json!(i)),
            InstanceKey::Name(k) => Some(json!(k)),
            _ => None,
        }
    }
}

/// `count.index`, `each.key` and `each.value` of one instance.
#[derive(Debug, Clone)]
struct Each {
    key: InstanceKey,
    value: Option<Value>,
}

impl Each {
    const NONE: Each = Each {
        key: InstanceKey::None,
        value: None,
    };
}

/// One instance of a module (the root module has one).
#[derive(Debug)]
struct ModuleInstance {
    module: usize,
    /// `""`, `module.app`, `module.app["a"].module.db`.
    address: String,
    parent: Option<usize>,
    /// Index into the parent module's calls.
    call: Option<usize>,
    each: Each,
}

/// Builds the plan of the module in `dir`, whose files [`TfSource::read`] read into `source`.
pub fn plan_from_source(dir: &Path, mut source: TfSource, inputs: &[VarInput]) -> SourcePlan {
    // Said of a plan beside its source; without a plan, what the source cannot show is not
    // audited at all.
    for problem in &mut source.problems {
        for plan_only in [
            "; its findings point at the plan",
            "; its blocks are not located",
        ] {
            if let Some(head) = problem.message.strip_suffix(plan_only) {
                problem.message = format!("{head}; its resources are not audited");
            }
        }
    }
    let given = vars::given_values(dir, inputs, &mut source);
    let mut modules = Vec::new();
    let mut scratch = TfSource::default();
    let registry = ModuleRegistry::read(dir, &mut scratch);
    read_module(dir, "", "", &registry, &mut source, &mut modules, 0);
    let evaluator = Evaluator {
        modules,
        instances: Vec::new(),
        given,
        problems: RefCell::new(Vec::new()),
        warned: RefCell::new(HashSet::new()),
        memo: RefCell::new(HashMap::new()),
        active: RefCell::new(HashSet::new()),
        depth: Cell::new(0),
        root: dir.to_path_buf(),
    };
    let (json, problems) = evaluator.plan();
    source.problems.extend(problems);
    SourcePlan { json, source }
}

/// Reads the declarations of the module in `dir` and of the modules it calls; returns its
/// index in `modules`.
fn read_module(
    dir: &Path,
    prefix: &str,
    key: &str,
    registry: &ModuleRegistry,
    source: &mut TfSource,
    modules: &mut Vec<ModuleDecl>,
    depth: usize,
) -> usize {
    let id = modules.len();
    modules.push(ModuleDecl {
        dir: dir.to_path_buf(),
        ..ModuleDecl::default()
    });
    let mut module = ModuleDecl {
        dir: dir.to_path_buf(),
        ..ModuleDecl::default()
    };
    for path in super::module_files(dir) {
        let Some(index) = source.files.iter().position(|f| f.path == path) else {
            continue;
        };
        let Some(file) = source.files.get(index).cloned() else {
            continue;
        };
        if super::is_json(&path) {
            match super::json::module_blocks(&file) {
                Ok(blocks) => {
                    for found in blocks {
                        let at = At {
                            file: index,
                            span: Some(found.span),
                        };
                        declare(&mut module, found.block, at, id == 0);
                    }
                }
                // `TfSource::read` already said so when the JSON itself does not parse.
                Err((span, message)) => {
                    if !source.problems.iter().any(|p| p.file == Some(index)) {
                        source.problems.push(SourceProblem {
                            file: Some(index),
                            span,
                            message,
                        });
                    }
                }
            }
            continue;
        }
        let body = match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => body,
            Err(e) => {
                // The block scan of `TfSource::read` already said so for most errors.
                if !source.problems.iter().any(|p| p.file == Some(index)) {
                    let at = e.location().offset().min(file.text.len());
                    source.problems.push(SourceProblem {
                        file: Some(index),
                        span: Some(Span::new(at, (at + 1).min(file.text.len()))),
                        message: format!(
                            "the Terraform file does not parse: {}; its resources are not audited",
                            e.message()
                        ),
                    });
                }
                continue;
            }
        };
        for structure in body.into_iter() {
            let Structure::Block(block) = structure else {
                continue;
            };
            let at = At {
                file: index,
                span: span_of(&block),
            };
            declare(&mut module, block, at, id == 0);
        }
    }
    let calls = std::mem::take(&mut module.calls);
    let mut read_calls = Vec::with_capacity(calls.len());
    for mut call in calls {
        let child_key = if key.is_empty() {
            call.name.clone()
        } else {
            format!("{key}.{}", call.name)
        };
        let module_source = call
            .body
            .get_attribute("source")
            .and_then(|a| a.value.as_str())
            .map(str::to_string);
        // `TfSource::read` reported the modules it could not find, and the depth limit.
        if depth + 1 < MAX_MODULE_DEPTH {
            if let Ok(child_dir) = module_dir(dir, &child_key, module_source.as_deref(), registry) {
                call.child = Some(read_module(
                    &child_dir,
                    &format!("{prefix}module.{}.", call.name),
                    &child_key,
                    registry,
                    source,
                    modules,
                    depth + 1,
                ));
            }
        }
        read_calls.push(call);
    }
    module.calls = read_calls;
    // The plan reader evaluates the policies the plan leaves unknown; they may use locals.
    source
        .locals
        .insert(prefix.to_string(), module.locals.clone());
    if let Some(slot) = modules.get_mut(id) {
        *slot = module;
    }
    id
}

fn label(block: &Block, i: usize) -> Option<&str> {
    block.labels.get(i).map(|l| l.as_str())
}

fn span_of(item: &impl hcl_edit::Span) -> Option<Span> {
    item.span().map(|r| Span::new(r.start, r.end))
}

/// Adds one top-level block to its module.
fn declare(module: &mut ModuleDecl, block: Block, at: At, root: bool) {
    match (block.ident.as_str(), block.labels.len()) {
        ("variable", 1) => module.variables.push(VariableDecl {
            name: label(&block, 0).unwrap_or_default().to_string(),
            default: block.body.get_attribute("default").map(|a| a.value.clone()),
            at,
        }),
        ("locals", 0) => {
            for attribute in block.body.attributes() {
                module
                    .locals
                    .insert(attribute.key.as_str().to_string(), attribute.value.clone());
            }
        }
        ("resource" | "data", 2) => module.resources.push(ResourceDecl {
            data: block.ident.as_str() == "data",
            rtype: label(&block, 0).unwrap_or_default().to_string(),
            name: label(&block, 1).unwrap_or_default().to_string(),
            at,
            body: block.body,
        }),
        ("output", 1) => {
            if let Some(value) = block.body.get_attribute("value") {
                module.outputs.push((
                    label(&block, 0).unwrap_or_default().to_string(),
                    value.value.clone(),
                ));
            }
        }
        ("module", 1) => module.calls.push(CallDecl {
            name: label(&block, 0).unwrap_or_default().to_string(),
            at,
            body: block.body,
            child: None,
        }),
        ("provider", 1) if root => {
            let name = label(&block, 0).unwrap_or_default().to_string();
            let key = match block
                .body
                .get_attribute("alias")
                .and_then(|a| a.value.as_str())
            {
                Some(alias) => format!("{name}.{alias}"),
                None => name,
            };
            module.providers.push((key, block.body));
        }
        _ => {}
    }
}

/// Meta-arguments of a `resource`/`data` block: not attributes of the resource.
const META_ARGUMENTS: &[&str] = &["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
/// Arguments of a `module` block that are not the module's input variables.
const CALL_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// Attributes the provider computes that a plan shows as unknown, so that the plan reader
/// derives them (an ARN from the name) rather than reading them as absent.
fn computed_attributes(data: bool, rtype: &str) -> &'static [&'static str] {
    match (data, rtype) {
        (true, "aws_region") => &["id", "name", "region"],
        (true, "aws_caller_identity") => &["id", "account_id", "arn", "user_id"],
        (true, "aws_partition") => &["id", "partition", "dns_suffix"],
        (true, "aws_iam_policy_document") => &["id", "json", "minified_json"],
        (true, "aws_iam_policy") => &["id", "arn", "policy", "policy_id"],
        (true, "aws_iam_role") => &["id", "arn", "assume_role_policy", "unique_id"],
        (true, _) => &["id"],
        (false, _) => &["id", "arn"],
    }
}

struct Evaluator {
    modules: Vec<ModuleDecl>,
    instances: Vec<ModuleInstance>,
    given: HashMap<String, Value>,
    problems: RefCell<Vec<SourceProblem>>,
    /// Problems already reported (one warning per declaration, not per instance).
    warned: RefCell<HashSet<String>>,
    /// Variables, locals and outputs of module instances, evaluated once.
    /// Shared, not copied: a reference into a large local copies only what it reaches.
    memo: RefCell<HashMap<(usize, String), Rc<Value>>>,
    /// Those being evaluated (a cycle is unknown).
    active: RefCell<HashSet<(usize, String)>>,
    depth: Cell<usize>,
    root: PathBuf,
}

fn unknown(reason: impl Into<String>) -> Value {
    Value::new(ValueKind::Unknown(reason.into()), None)
}

/// The scope an expression is evaluated in: a module instance, the instance key of its block,
/// and the iterators of the `dynamic` blocks around it.
struct Scope<'e> {
    ev: &'e Evaluator,
    instance: usize,
    each: &'e Each,
    iterators: Vec<(String, Value, Value)>,
}

impl References for Scope<'_> {
    fn reference(&self, text: &str) -> Value {
        let ev = self.ev;
        let all = steps(text);
        let name = |i: usize| match all.get(i) {
            Some(Step::Attr(n)) => Some(n.as_str()),
            _ => None,
        };
        let rest = |i: usize| all.get(i..).unwrap_or_default();
        if let Some((_, key, value)) = self
            .iterators
            .iter()
            .rev()
            .find(|(n, _, _)| Some(n.as_str()) == name(0))
        {
            return match name(1) {
                Some("key") => navigate(key, rest(2), text),
                Some("value") => navigate(value, rest(2), text),
                _ => unknown(format!("`{text}` is not `.key` or `.value` of an iterator")),
            };
        }
        match (name(0), name(1)) {
            (Some("var"), Some(var)) => navigate(&ev.variable(self.instance, var), rest(2), text),
            (Some("local"), Some(local)) => {
                navigate(&ev.local(self.instance, local), rest(2), text)
            }
            (Some("count"), Some("index")) => match &self.each.key {
                InstanceKey::Index(i) => Value::str(SymStr::lit(i.to_string()), None),
                InstanceKey::Unknown(why) => unknown(why.clone()),
                _ => unknown("`count.index` is used outside a block with `count`"),
            },
            (Some("each"), Some("key")) => match &self.each.key {
                InstanceKey::Name(k) => Value::str(SymStr::lit(k.as_str()), None),
                InstanceKey::Unknown(why) => unknown(why.clone()),
                _ => unknown("`each.key` is used outside a block with `for_each`"),
            },
            (Some("each"), Some("value")) => match (&self.each.value, &self.each.key) {
                (Some(v), _) => navigate(v, rest(2), text),
                (None, InstanceKey::Unknown(why)) => unknown(why.clone()),
                (None, _) => unknown("`each.value` is used outside a block with `for_each`"),
            },
            (Some("path"), Some("module")) => {
                let dir = ev
                    .instances
                    .get(self.instance)
                    .and_then(|i| ev.modules.get(i.module))
                    .map(|m| m.dir.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Value::str(SymStr::lit(dir), None)
            }
            (Some("path"), Some("root")) => {
                Value::str(SymStr::lit(ev.root.to_string_lossy()), None)
            }
            (Some("module"), Some(call)) => {
                let (key, at) = match all.get(2) {
                    Some(Step::Index(k)) => (Some(k.as_str()), 3),
                    _ => (None, 2),
                };
                match name(at) {
                    Some(output) => navigate(
                        &ev.output(self.instance, call, key, output),
                        rest(at + 1),
                        text,
                    ),
                    None => unknown(format!("`{text}` is a whole module")),
                }
            }
            (Some("data"), _) => unknown(format!(
                "`{text}` is read from AWS by Terraform, which permgate does not do without a plan"
            )),
            (Some("terraform" | "self" | "path"), _) => {
                unknown(format!("`{text}` is not evaluated without a plan"))
            }
            _ => unknown(format!("`{text}` is only known after apply")),
        }
    }
}

impl Evaluator {
    fn scope<'e>(&'e self, instance: usize, each: &'e Each) -> Scope<'e> {
        Scope {
            ev: self,
            instance,
            each,
            iterators: Vec::new(),
        }
    }

    fn warn(&self, once: String, at: At, message: String) {
        if self.warned.borrow_mut().insert(once) {
            self.problems.borrow_mut().push(SourceProblem {
                file: Some(at.file),
                span: at.span,
                message,
            });
        }
    }

    /// Evaluates `make` once per (instance, name), guarding against cycles and depth.
    fn memoized(&self, instance: usize, name: String, make: impl FnOnce() -> Value) -> Rc<Value> {
        let key = (instance, name);
        if let Some(v) = self.memo.borrow().get(&key) {
            return v.clone();
        }
        if self.depth.get() > MAX_EVAL_DEPTH {
            return Rc::new(unknown("its chain of references is too long to follow"));
        }
        if !self.active.borrow_mut().insert(key.clone()) {
            return Rc::new(unknown(format!("`{}` refers to itself", key.1)));
        }
        self.depth.set(self.depth.get() + 1);
        let value = Rc::new(make());
        self.depth.set(self.depth.get().saturating_sub(1));
        self.active.borrow_mut().remove(&key);
        self.memo.borrow_mut().insert(key, value.clone());
        value
    }

    fn module_of(&self, instance: usize) -> Option<&ModuleDecl> {
        self.instances
            .get(instance)
            .and_then(|i| self.modules.get(i.module))
    }

    fn variable(&self, instance: usize, name: &str) -> Rc<Value> {
        self.memoized(instance, format!("var.{name}"), || {
            let Some(inst) = self.instances.get(instance) else {
                return unknown("the module instance is not known");
            };
            let Some(decl) = self
                .module_of(instance)
                .and_then(|m| m.variables.iter().find(|v| v.name == name))
            else {
                return unknown(format!("`var.{name}` is not declared"));
            };
            let from_call = inst.parent.zip(inst.call).and_then(|(parent, call)| {
                let call = self.module_of(parent)?.calls.get(call)?;
                let expr = &call.body.get_attribute(name)?.value;
                Some(eval::evaluate(expr, &self.scope(parent, &inst.each), 0))
            });
            let given = if inst.parent.is_none() {
                self.given.get(name).cloned()
            } else {
                from_call
            };
            if let Some(value) = given {
                return value;
            }
            if let Some(default) = &decl.default {
                return eval::evaluate(default, &self.scope(instance, &Each::NONE), 0);
            }
            let (why, message) = if inst.parent.is_none() {
                (
                    format!("`var.{name}` has no value (no `default`, no `.tfvars` value, no `--var`)"),
                    format!(
                        "variable `{name}` has no value: it has no `default` and no `terraform.tfvars`, `*.auto.tfvars`, `--var` or `--var-file` gives one; what uses it is unknown"
                    ),
                )
            } else {
                (
                    format!("`var.{name}` of `{}` is not set by its module call", inst.address),
                    format!(
                        "variable `{name}` of `{}` is not set by the module call and has no `default`; what uses it is unknown",
                        inst.address
                    ),
                )
            };
            self.warn(format!("var {instance} {name}"), decl.at, message);
            unknown(why)
        })
    }

    fn local(&self, instance: usize, name: &str) -> Rc<Value> {
        self.memoized(instance, format!("local.{name}"), || {
            match self.module_of(instance).and_then(|m| m.locals.get(name)) {
                Some(expr) => eval::evaluate(expr, &self.scope(instance, &Each::NONE), 0),
                None => unknown(format!("`local.{name}` is not declared")),
            }
        })
    }

    fn output(&self, instance: usize, call: &str, key: Option<&str>, output: &str) -> Rc<Value> {
        let children: Vec<usize> = self
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                i.parent == Some(instance)
                    && i.call
                        .and_then(|c| self.module_of(instance)?.calls.get(c))
                        .is_some_and(|c| c.name == call)
            })
            .map(|(id, _)| id)
            .collect();
        let child = match key {
            Some(k) => children.into_iter().find(|c| {
                self.instances.get(*c).is_some_and(|i| match &i.each.key {
                    InstanceKey::Index(n) => n.to_string() == k,
                    InstanceKey::Name(n) => n == k,
                    _ => false,
                })
            }),
            None => match children.as_slice() {
                [one] => Some(*one),
                _ => None,
            },
        };
        let Some(child) = child else {
            return Rc::new(unknown(format!(
                "`module.{call}` is not read, or the reference does not say which of its instances"
            )));
        };
        self.memoized(child, format!("output.{output}"), || {
            match self
                .module_of(child)
                .and_then(|m| m.outputs.iter().find(|(n, _)| n == output))
            {
                Some((_, expr)) => eval::evaluate(expr, &self.scope(child, &Each::NONE), 0),
                None => unknown(format!("`module.{call}` has no output `{output}`")),
            }
        })
    }

    /// The instance keys of a block or module call with `count`/`for_each` in `body`.
    fn expand(&self, instance: usize, body: &Body, what: &str, at: At) -> Vec<Each> {
        let scope = self.scope(instance, &Each::NONE);
        let unknown_key = |why: String, argument: &str| {
            self.warn(
                format!("expand {what} {argument}"),
                at,
                format!(
                    "the `{argument}` of `{what}` is not known without a plan ({why}); it is audited as one instance whose key is unknown"
                ),
            );
            vec![Each {
                key: InstanceKey::Unknown(format!("the `{argument}` of `{what}` is not known")),
                value: None,
            }]
        };
        if let Some(count) = body.get_attribute("count") {
            let value = eval::evaluate(&count.value, &scope, 0);
            return match &value.kind {
                ValueKind::Str(s) => match s.as_literal().and_then(|t| t.parse::<usize>().ok()) {
                    Some(n) if n <= MAX_INSTANCES => (0..n)
                        .map(|i| Each {
                            key: InstanceKey::Index(i),
                            value: None,
                        })
                        .collect(),
                    _ => unknown_key("it is not a known whole number".into(), "count"),
                },
                ValueKind::Unknown(why) => unknown_key(why.clone(), "count"),
                _ => unknown_key("it is not a number".into(), "count"),
            };
        }
        if let Some(for_each) = body.get_attribute("for_each") {
            let value = eval::evaluate(&for_each.value, &scope, 0);
            return match value.kind {
                ValueKind::Map(entries) => {
                    let mut entries: Vec<_> = entries
                        .into_iter()
                        .map(|(k, v)| Each {
                            key: InstanceKey::Name(k.text),
                            value: Some(v),
                        })
                        .collect();
                    entries.sort_by_key(|a| a.key.suffix());
                    entries
                }
                ValueKind::List(items) => {
                    let keys: Option<Vec<String>> = items
                        .iter()
                        .map(|v| v.as_literal().map(str::to_string))
                        .collect();
                    match keys {
                        Some(mut keys) => {
                            keys.sort();
                            keys.dedup();
                            keys.into_iter()
                                .map(|k| Each {
                                    value: Some(Value::str(SymStr::lit(k.as_str()), None)),
                                    key: InstanceKey::Name(k),
                                })
                                .collect()
                        }
                        None => {
                            unknown_key("its elements are not all known strings".into(), "for_each")
                        }
                    }
                }
                ValueKind::Unknown(why) => unknown_key(why, "for_each"),
                ValueKind::Null => Vec::new(),
                _ => unknown_key("it is not a map or a set of strings".into(), "for_each"),
            };
        }
        vec![Each::NONE]
    }

    /// Every module instance, parents before children.
    fn expand_modules(&mut self) {
        self.instances.push(ModuleInstance {
            module: 0,
            address: String::new(),
            parent: None,
            call: None,
            each: Each::NONE,
        });
        let mut next = 0;
        while next < self.instances.len() {
            let (module, address) = match self.instances.get(next) {
                Some(i) => (i.module, i.address.clone()),
                None => break,
            };
            let calls = self.modules.get(module).map_or(0, |m| m.calls.len());
            for c in 0..calls {
                let Some(call) = self.modules.get(module).and_then(|m| m.calls.get(c)) else {
                    continue;
                };
                let Some(child) = call.child else { continue };
                let base = if address.is_empty() {
                    format!("module.{}", call.name)
                } else {
                    format!("{address}.module.{}", call.name)
                };
                let keys = self.expand(next, &call.body, &base, call.at);
                for each in keys {
                    if self.instances.len() >= MAX_INSTANCES {
                        break;
                    }
                    self.instances.push(ModuleInstance {
                        module: child,
                        address: format!("{base}{}", each.key.suffix()),
                        parent: Some(next),
                        call: Some(c),
                        each,
                    });
                }
            }
            next += 1;
        }
    }

    /// The `terraform show -json` text of the whole configuration. Each instance's entries are
    /// written as soon as they are built, so that the memory of one is reused for the next
    /// (a tree of the whole document cost as much again in allocation, page faults and freeing).
    fn plan(mut self) -> (String, Vec<SourceProblem>) {
        self.expand_modules();
        let ev = &self;
        let mut changes: Vec<String> = Vec::new();
        let mut module_values: Vec<ModuleText> = Vec::new();
        let mut built = 0usize;
        for (id, instance) in ev.instances.iter().enumerate() {
            let mut resources: Vec<String> = Vec::new();
            let Some(module) = ev.modules.get(instance.module) else {
                module_values.push(ModuleText::default());
                continue;
            };
            for decl in &module.resources {
                let config = format!(
                    "{}{}.{}",
                    if decl.data { "data." } else { "" },
                    decl.rtype,
                    decl.name
                );
                let what = if instance.address.is_empty() {
                    config.clone()
                } else {
                    format!("{}.{config}", instance.address)
                };
                for each in ev.expand(id, &decl.body, &what, decl.at) {
                    built += 1;
                    if built > MAX_INSTANCES {
                        break;
                    }
                    let address = format!("{what}{}", each.key.suffix());
                    let scope = ev.scope(id, &each);
                    let (mut after, mut after_unknown) =
                        ev.body_values(&decl.body, &scope, true, (&address, decl.at.file));
                    for computed in computed_attributes(decl.data, &decl.rtype) {
                        if !after.contains_key(*computed) {
                            after_unknown.insert((*computed).to_string(), Json::Bool(true));
                        }
                    }
                    after.retain(|_, v| !v.is_null());
                    let mode = if decl.data { "data" } else { "managed" };
                    let mut entry = object([
                        ("address", Json::String(address.clone())),
                        ("mode", Json::String(mode.into())),
                        ("type", Json::String(decl.rtype.clone())),
                        ("name", Json::String(decl.name.clone())),
                        ("values", Json::Object(after)),
                    ]);
                    if let (Some(index), Json::Object(o)) = (each.key.index_json(), &mut entry) {
                        o.insert("index".into(), index);
                    }
                    resources.push(entry.to_string());
                    let action = if decl.data { "read" } else { "create" };
                    // `after` repeats `values`, which is what the plan reader reads.
                    let change = object([
                        ("actions", Json::Array(vec![Json::String(action.into())])),
                        ("after_unknown", Json::Object(after_unknown)),
                    ]);
                    changes.push(
                        object([
                            ("address", Json::String(address)),
                            ("mode", Json::String(mode.into())),
                            ("change", change),
                        ])
                        .to_string(),
                    );
                }
            }
            module_values.push(ModuleText {
                address: instance.address.clone(),
                resources,
                children: Vec::new(),
            });
        }
        // Children into their parents, in instance order (children come after their parents).
        for id in 1..ev.instances.len() {
            let Some(parent) = ev.instances.get(id).and_then(|i| i.parent) else {
                continue;
            };
            if let Some(p) = module_values.get_mut(parent) {
                p.children.push(id);
            }
        }
        let mut variables = Map::new();
        if let Some(root) = ev.modules.first() {
            for decl in &root.variables {
                let value = ev.variable(0, &decl.name);
                if let (value, Json::Bool(false)) = to_json(&value) {
                    variables.insert(decl.name.clone(), object([("value", value)]));
                }
            }
        }
        let mut configuration = String::from("{\"provider_config\":");
        configuration.push_str(&ev.provider_config().to_string());
        configuration.push_str(",\"root_module\":");
        ev.config_module(0, &mut configuration);
        configuration.push('}');
        let mut out =
            String::with_capacity(changes.iter().map(String::len).sum::<usize>() * 2 + (1 << 16));
        out.push_str("{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":");
        write_module(&module_values, 0, &mut out);
        out.push_str("},\"resource_changes\":[");
        out.push_str(&changes.join(","));
        out.push_str("],\"configuration\":");
        out.push_str(&configuration);
        out.push_str(",\"variables\":");
        out.push_str(&Json::Object(variables).to_string());
        out.push('}');
        (out, self.problems.into_inner())
    }

    /// The `after` values and `after_unknown` mask of a block body in `scope`.
    fn body_values(
        &self,
        body: &Body,
        scope: &Scope<'_>,
        top: bool,
        at: (&str, usize),
    ) -> (Map<String, Json>, Map<String, Json>) {
        let mut after = Map::new();
        let mut unknown_mask = Map::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if top && META_ARGUMENTS.contains(&key) {
                        continue;
                    }
                    let (value, mask) = to_json(&attribute_value(&attribute.value, scope));
                    after.insert(key.to_string(), value);
                    if mask != Json::Bool(false) {
                        unknown_mask.insert(key.to_string(), mask);
                    }
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if top && META_BLOCKS.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        self.dynamic_values(block, scope, at, &mut after, &mut unknown_mask);
                        continue;
                    }
                    let (a, u) = self.body_values(&block.body, scope, false, at);
                    push_block(&mut after, &mut unknown_mask, ident, a, u);
                }
            }
        }
        (after, unknown_mask)
    }

    /// The blocks of a `dynamic "name"` block: one per element of its `for_each` when that is
    /// known, else unknown.
    fn dynamic_values(
        &self,
        block: &Block,
        scope: &Scope<'_>,
        (address, file): (&str, usize),
        after: &mut Map<String, Json>,
        unknown_mask: &mut Map<String, Json>,
    ) {
        let Some(name) = label(block, 0) else { return };
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|a| match &a.value {
                Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| name.to_string());
        let items = block
            .body
            .get_attribute("for_each")
            .map(|a| eval::evaluate(&a.value, scope, 0));
        let content = block.body.get_blocks("content").next();
        let elements: Result<Vec<(Value, Value)>, String> = match items.map(|v| v.kind) {
            Some(ValueKind::List(items)) => Ok(items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::str(SymStr::lit(i.to_string()), None), v))
                .collect()),
            // Terraform expands a map or object in the lexical order of its keys.
            Some(ValueKind::Map(mut entries)) => {
                entries.sort_by(|(a, _), (b, _)| a.text.cmp(&b.text));
                Ok(entries
                    .into_iter()
                    .map(|(k, v)| (Value::str(SymStr::lit(k.text.as_str()), None), v))
                    .collect())
            }
            Some(ValueKind::Null) => Ok(Vec::new()),
            Some(ValueKind::Unknown(why)) => Err(why),
            _ => Err("it is not a list, set or map".into()),
        };
        match (elements, content) {
            (Ok(elements), Some(content)) => {
                for (key, value) in elements {
                    let mut inner = Scope {
                        ev: self,
                        instance: scope.instance,
                        each: scope.each,
                        iterators: scope.iterators.clone(),
                    };
                    inner.iterators.push((iterator.clone(), key, value));
                    let (a, u) = self.body_values(&content.body, &inner, false, (address, file));
                    push_block(after, unknown_mask, name, a, u);
                }
            }
            (Err(why), _) => {
                self.warn(
                    format!("dynamic {address} {name}"),
                    At {
                        file,
                        span: span_of(block),
                    },
                    format!(
                        "the `for_each` of `dynamic \"{name}\"` in `{address}` is not known without a plan ({why}); its `{name}` blocks are unknown"
                    ),
                );
                after.insert(name.to_string(), Json::Null);
                unknown_mask.insert(name.to_string(), Json::Bool(true));
            }
            (Ok(_), None) => {}
        }
    }

    /// The `provider_config` of the root module's `provider` blocks.
    fn provider_config(&self) -> Json {
        let mut out = Map::new();
        let Some(root) = self.modules.first() else {
            return Json::Object(out);
        };
        for (key, body) in &root.providers {
            let name = key.split('.').next().unwrap_or(key);
            let mut expressions = Map::new();
            if let Some(region) = body.get_attribute("region") {
                let value = eval::evaluate(&region.value, &self.scope(0, &Each::NONE), 0);
                let expr = match to_json(&value) {
                    (constant, Json::Bool(false)) => object([("constant_value", constant)]),
                    _ => config_expression(&region.value),
                };
                expressions.insert("region".into(), expr);
            }
            out.insert(
                key.clone(),
                object([
                    ("name", Json::String(name.to_string())),
                    ("expressions", Json::Object(expressions)),
                ]),
            );
        }
        Json::Object(out)
    }

    /// The `configuration` of a module: its blocks' expressions, as Terraform writes them.
    /// Written as text block by block, as [`Evaluator::plan`] writes the values.
    fn config_module(&self, module: usize, out: &mut String) {
        let Some(decl) = self.modules.get(module) else {
            out.push_str("{}");
            return;
        };
        out.push_str("{\"resources\":[");
        for (i, r) in decl.resources.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let address = format!(
                "{}{}.{}",
                if r.data { "data." } else { "" },
                r.rtype,
                r.name
            );
            let mut entry = Map::new();
            entry.insert("address".into(), json!(address));
            entry.insert(
                "mode".into(),
                json!(if r.data { "data" } else { "managed" }),
            );
            entry.insert("type".into(), json!(r.rtype));
            entry.insert("name".into(), json!(r.name));
            let provider = r
                .body
                .get_attribute("provider")
                .and_then(|a| eval::references(&a.value).into_iter().next());
            if module == 0 {
                entry.insert(
                    "provider_config_key".into(),
                    json!(provider.unwrap_or_else(|| "aws".into())),
                );
            }
            entry.insert("expressions".into(), config_body(&r.body, true));
            for (argument, key) in [
                ("count", "count_expression"),
                ("for_each", "for_each_expression"),
            ] {
                if let Some(a) = r.body.get_attribute(argument) {
                    entry.insert(key.into(), config_expression(&a.value));
                }
            }
            if let Some(a) = r.body.get_attribute("depends_on") {
                entry.insert("depends_on".into(), json!(eval::references(&a.value)));
            }
            out.push_str(&Json::Object(entry).to_string());
        }
        out.push_str("],\"module_calls\":{");
        for (i, call) in decl.calls.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let mut expressions = Map::new();
            for attribute in call.body.attributes() {
                let key = attribute.key.as_str();
                if !CALL_ARGUMENTS.contains(&key) {
                    expressions.insert(key.to_string(), config_expression(&attribute.value));
                }
            }
            let mut entry = Map::new();
            if let Some(s) = call
                .body
                .get_attribute("source")
                .and_then(|a| a.value.as_str())
            {
                entry.insert("source".into(), json!(s));
            }
            entry.insert("expressions".into(), Json::Object(expressions));
            for (argument, key) in [
                ("count", "count_expression"),
                ("for_each", "for_each_expression"),
            ] {
                if let Some(a) = call.body.get_attribute(argument) {
                    entry.insert(key.into(), config_expression(&a.value));
                }
            }
            out.push_str(&Json::String(call.name.clone()).to_string());
            out.push(':');
            // The entry is never empty (it has `expressions`): the child goes before its `}`.
            let text = Json::Object(entry).to_string();
            match (call.child, text.strip_suffix('}')) {
                (Some(child), Some(open)) => {
                    out.push_str(open);
                    out.push_str(",\"module\":");
                    self.config_module(child, out);
                    out.push('}');
                }
                _ => out.push_str(&text),
            }
        }
        out.push_str("},\"outputs\":");
        let outputs: Map<String, Json> = decl
            .outputs
            .iter()
            .map(|(name, expr)| {
                (
                    name.clone(),
                    object([("expression", config_expression(expr))]),
                )
            })
            .collect();
        out.push_str(&Json::Object(outputs).to_string());
        let variables: Map<String, Json> = decl
            .variables
            .iter()
            .map(|v| {
                let default = v
                    .default
                    .as_ref()
                    .map(|d| to_json(&eval::evaluate(d, &NoReferences, 0)))
                    .filter(|(_, mask)| *mask == Json::Bool(false))
                    .map(|(value, _)| value);
                (
                    v.name.clone(),
                    match default {
                        Some(d) => object([("default", d)]),
                        None => json!({}),
                    },
                )
            })
            .collect();
        out.push_str(",\"variables\":");
        out.push_str(&Json::Object(variables).to_string());
        out.push('}');
    }
}

/// The value of an attribute: `jsonencode(x)` at its top is the JSON text of `x` when `x` is
/// known (the policy attributes), as Terraform computes it while planning.
fn attribute_value(expr: &Expression, scope: &Scope<'_>) -> Value {
    if let Expression::FuncCall(call) = expr {
        if call.name.name.as_str() == "jsonencode" && !call.name.is_namespaced() {
            let args: Vec<&Expression> = call.args.iter().collect();
            let [one] = args.as_slice() else {
                return unknown("`jsonencode` takes one argument");
            };
            return match to_json(&eval::evaluate(one, scope, 0)) {
                (value, Json::Bool(false)) => Value::str(SymStr::lit(value.to_string()), None),
                _ => unknown("the value given to `jsonencode` is only known after apply"),
            };
        }
    }
    eval::evaluate(expr, scope, 0)
}

/// One module instance of `planned_values`: its resources already written as JSON text.
#[derive(Debug, Default)]
struct ModuleText {
    /// `""` for the root module.
    address: String,
    resources: Vec<String>,
    /// Indexes of its child instances in the same list.
    children: Vec<usize>,
}

/// Writes module instance `id` of `modules` (with its children) as a `planned_values` module.
fn write_module(modules: &[ModuleText], id: usize, out: &mut String) {
    let Some(module) = modules.get(id) else {
        out.push_str("{}");
        return;
    };
    out.push('{');
    if !module.address.is_empty() {
        out.push_str("\"address\":");
        out.push_str(&Json::String(module.address.clone()).to_string());
        out.push(',');
    }
    out.push_str("\"resources\":[");
    out.push_str(&module.resources.join(","));
    out.push(']');
    if !module.children.is_empty() {
        out.push_str(",\"child_modules\":[");
        for (i, child) in module.children.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_module(modules, *child, out);
        }
        out.push(']');
    }
    out.push('}');
}

/// A JSON object of `pairs`, moved in (`json!` would copy each value through a serializer).
fn object<const N: usize>(pairs: [(&str, Json); N]) -> Json {
    let mut map = Map::new();
    for (key, value) in pairs {
        map.insert(key.to_string(), value);
    }
    Json::Object(map)
}

/// Appends one nested block's values and mask to the block list `ident`.
fn push_block(
    after: &mut Map<String, Json>,
    unknown_mask: &mut Map<String, Json>,
    ident: &str,
    values: Map<String, Json>,
    mask: Map<String, Json>,
) {
    if let Json::Array(list) = after
        .entry(ident)
        .or_insert_with(|| Json::Array(Vec::new()))
    {
        list.push(Json::Object(values));
    }
    if let Json::Array(list) = unknown_mask
        .entry(ident)
        .or_insert_with(|| Json::Array(Vec::new()))
    {
        list.push(Json::Object(mask));
    }
}

/// References unknown: for constants.
struct NoReferences;

impl References for NoReferences {
    fn reference(&self, text: &str) -> Value {
        unknown(format!("`{text}`"))
    }
}

/// The `expressions` of a block, as the plan's `configuration` writes them.
fn config_body(body: &Body, top: bool) -> Json {
    let mut out = Map::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(a) => {
                let key = a.key.as_str();
                if top && META_ARGUMENTS.contains(&key) {
                    continue;
                }
                out.insert(key.to_string(), config_expression(&a.value));
            }
            Structure::Block(b) => {
                let ident = b.ident.as_str();
                if (top && META_BLOCKS.contains(&ident)) || ident == "dynamic" {
                    continue;
                }
                if let Json::Array(list) =
                    out.entry(ident).or_insert_with(|| Json::Array(Vec::new()))
                {
                    list.push(config_body(&b.body, false));
                }
            }
        }
    }
    Json::Object(out)
}

/// One expression as the plan's `configuration` writes it: its references (each followed by
/// its shorter forms, as Terraform lists them), else its constant value, else nothing.
fn config_expression(expr: &Expression) -> Json {
    let mut references: Vec<String> = Vec::new();
    for r in eval::references(expr) {
        for form in shorter_forms(&r) {
            if !references.contains(&form) {
                references.push(form);
            }
        }
    }
    if !references.is_empty() {
        return object([(
            "references",
            Json::Array(references.into_iter().map(Json::String).collect()),
        )]);
    }
    match to_json(&eval::evaluate(expr, &NoReferences, 0)) {
        (value, Json::Bool(false)) => object([("constant_value", value)]),
        _ => json!({}),
    }
}

/// `aws_x.y[0].arn` → `aws_x.y[0].arn`, `aws_x.y[0]`, `aws_x.y` (down to the object a
/// reference names: two names, three for `data.`).
fn shorter_forms(reference: &str) -> Vec<String> {
    let all = steps(reference);
    let minimum = match all.first() {
        Some(Step::Attr(root)) if root == "data" => 3,
        Some(Step::Attr(root)) if root == "count" || root == "each" || root == "path" => {
            all.len().min(2)
        }
        _ => 2,
    };
    let mut out = Vec::new();
    for end in (minimum..=all.len()).rev() {
        let mut text = String::new();
        for step in all.iter().take(end) {
            match step {
                Step::Attr(a) if text.is_empty() => text.push_str(a),
                Step::Attr(a) => {
                    text.push('.');
                    text.push_str(a);
                }
                Step::Index(k) if k.parse::<usize>().is_ok() => text.push_str(&format!("[{k}]")),
                Step::Index(k) => text.push_str(&format!("[{}]", Json::String(k.clone()))),
            }
        }
        out.push(text);
    }
    if out.is_empty() {
        out.push(reference.to_string());
    }
    out
}

/// A model value as the plan's `after` writes it, and its `after_unknown` mask (`false` when
/// the whole value is known).
fn to_json(value: &Value) -> (Json, Json) {
    match &value.kind {
        ValueKind::Null | ValueKind::NoValue => (Json::Null, Json::Bool(false)),
        ValueKind::Str(s) => match s.as_literal() {
            Some(text) => (Json::String(text.to_string()), Json::Bool(false)),
            None => (Json::Null, Json::Bool(true)),
        },
        ValueKind::List(items) => {
            let (values, masks): (Vec<Json>, Vec<Json>) = items.iter().map(to_json).unzip();
            let any = masks.iter().any(|m| *m != Json::Bool(false));
            (
                Json::Array(values),
                if any {
                    Json::Array(masks)
                } else {
                    Json::Bool(false)
                },
            )
        }
        ValueKind::Map(entries) => {
            let mut values = Map::new();
            let mut masks = Map::new();
            for (k, v) in entries {
                let (value, mask) = to_json(v);
                values.insert(k.text.clone(), value);
                if mask != Json::Bool(false) {
                    masks.insert(k.text.clone(), mask);
                }
            }
            let mask = if masks.is_empty() {
                Json::Bool(false)
            } else {
                Json::Object(masks)
            };
            (Json::Object(values), mask)
        }
        ValueKind::If { .. } | ValueKind::Unknown(_) => (Json::Null, Json::Bool(true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_names_and_keys() {
        assert_eq!(
            steps(r#"module.app["a.b"].queue[0].arn"#),
            vec![
                Step::Attr("module".into()),
                Step::Attr("app".into()),
                Step::Index("a.b".into()),
                Step::Attr("queue".into()),
                Step::Index("0".into()),
                Step::Attr("arn".into()),
            ]
        );
        // Terraform lists each reference followed by its shorter forms, down to the object.
        assert_eq!(
            shorter_forms("aws_sqs_queue.q[0].arn"),
            vec![
                "aws_sqs_queue.q[0].arn",
                "aws_sqs_queue.q[0]",
                "aws_sqs_queue.q"
            ]
        );
        assert_eq!(
            shorter_forms("data.aws_region.current.name"),
            vec!["data.aws_region.current.name", "data.aws_region.current"]
        );
        assert_eq!(shorter_forms("count.index"), vec!["count.index"]);
    }

    #[test]
    fn unknown_parts_are_masked_as_a_plan_masks_them() {
        let known = Value::str(SymStr::lit("a"), None);
        let unknown_item = unknown("after apply");
        let list = Value::new(ValueKind::List(vec![known.clone(), unknown_item]), None);
        assert_eq!(to_json(&list), (json!(["a", null]), json!([false, true])));
        assert_eq!(
            to_json(&Value::new(ValueKind::List(vec![known]), None)),
            (json!(["a"]), json!(false))
        );
    }

    #[test]
    fn the_built_plan_has_terraform_instance_keys() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tfmodule/expansion");
        let built = plan_from_source(&dir, TfSource::read(&dir), &[]);
        let plan: Json = serde_json::from_str(&built.json).unwrap();
        let addresses: Vec<&str> = plan["planned_values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["address"].as_str())
            .filter(|a| a.starts_with("aws_sqs_queue"))
            .collect();
        assert_eq!(
            addresses,
            vec![
                r#"aws_sqs_queue.q["audit"]"#,
                r#"aws_sqs_queue.q["billing"]"#,
                "aws_sqs_queue.c[0]",
                "aws_sqs_queue.c[1]",
                "aws_sqs_queue.unknown",
            ]
        );
        // `count.index` is known in the values; the ARN is unknown.
        let values = plan["planned_values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == "aws_sqs_queue.c[1]")
            .unwrap();
        assert_eq!(values["values"]["name"], "c-1");
        let change = plan["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"] == "aws_sqs_queue.c[1]")
            .unwrap();
        assert_eq!(change["change"]["after_unknown"]["arn"], true);
    }
}
