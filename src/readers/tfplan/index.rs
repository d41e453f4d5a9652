//! The plan as lookup tables, and the reference walk that gives unknown values a meaning.
//!
//! Input: a parsed [`Document`]. Output: a [`Plan`]: every resource instance that will exist
//! (from `planned_values`, with `after_unknown` from `resource_changes`; data sources read at plan
//! time from `prior_state`; or `values` of a state), indexed by address and by configuration
//! address within its module instance, plus the configuration of every module.
//!
//! Invariants: instances whose only planned action is `delete` are left out (spec §8.1). Attribute
//! reads never fail: a known value becomes a literal, an unknown one is linked through the
//! configuration's `references` (spec §8.4) and becomes the value of the referenced attribute, a
//! symbol of it, or an unknown symbol with the reason. The value of an attribute of a resource is
//! a pure function of (instance, attribute), so two references to the same attribute give equal
//! [`SymStr`]s, carrying `refers` = (instance address, attribute).

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::value::RawValue;

use super::doc::{Actions, ConfigModule, ConfigResource, Document, Mode, ModuleCall, ModuleValues};
use super::expr::{
    Block, Expr, Key, Leaf, Reference, Step, Subject, module_address, parse_block,
    parse_module_address,
};
use super::policy::parse_document;
use super::values::{Field, Mask, Seg, elements, json_kind, members, path_text, scalar};
use crate::diag::FileError;
use crate::model::{Environment, SymStr, Symbol, Value};

/// References are followed at most this deep (through variables, outputs and attributes)...
const MAX_DEPTH: u8 = 24;
/// ...and at most this many are followed for one value, which bounds the work on a
/// configuration whose references branch and cycle.
const MAX_STEPS: u32 = 4096;

pub type InstId = usize;

/// One resource instance that will exist after apply (or exists, for a state).
pub struct Instance<'a> {
    pub address: Cow<'a, str>,
    pub module: usize,
    pub mode: Mode,
    pub rtype: Cow<'a, str>,
    pub key: Key,
    pub values: Option<&'a RawValue>,
    pub after_unknown: Option<&'a RawValue>,
    pub config: Option<usize>,
}

/// A module instance: the names and keys on the way to it.
pub struct ModuleInstance {
    pub path: Vec<(String, Key)>,
}

struct ConfigModuleEntry<'d, 'a> {
    module: &'d ConfigModule<'a>,
    resources: HashMap<&'d str, usize>,
    calls: HashMap<&'d str, CallEntry<'d, 'a>>,
}

struct CallEntry<'d, 'a> {
    call: &'d ModuleCall<'a>,
    child: Option<usize>,
    expressions: OnceCell<Block<'a>>,
}

pub struct ConfigResourceEntry<'d, 'a> {
    pub resource: &'d ConfigResource<'a>,
}

impl ConfigResourceEntry<'_, '_> {
    /// Whether the block uses `count` or `for_each`.
    pub fn repeated(&self) -> bool {
        self.resource.count_expression.is_some() || self.resource.for_each_expression.is_some()
    }
}

/// The instances of one configuration resource in one module instance (usually one).
enum Slot {
    One(InstId),
    Many(Vec<InstId>),
}

/// A small cache of recently used derived data, keyed by instance or configuration resource.
/// Lowering reads one instance and the few it references at a time, so a handful of entries
/// serves almost every lookup while memory stays constant, whatever the size of the plan.
struct Recent<T> {
    entries: Vec<(usize, Rc<T>)>,
    next: usize,
}

const RECENT: usize = 16;

/// Policy texts remembered with their parsed tree.
const RECENT_DOCUMENTS: usize = 8;

impl<T> Recent<T> {
    fn new() -> Self {
        Recent {
            entries: Vec::with_capacity(RECENT),
            next: 0,
        }
    }

    fn get_or_insert(&mut self, key: usize, make: impl FnOnce() -> T) -> Rc<T> {
        if let Some((_, v)) = self.entries.iter().find(|(k, _)| *k == key) {
            return Rc::clone(v);
        }
        let value = Rc::new(make());
        if self.entries.len() < RECENT {
            self.entries.push((key, Rc::clone(&value)));
        } else if let Some(slot) = self.entries.get_mut(self.next) {
            *slot = (key, Rc::clone(&value));
            self.next = (self.next + 1) % RECENT;
        }
        value
    }
}

type Members<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

/// The resource a value is an attribute of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub inst: Option<InstId>,
    pub address: String,
    pub rtype: String,
    pub attr: String,
}

/// A value after following references as far as the plan allows.
#[derive(Clone, Debug, PartialEq)]
pub enum RVal {
    Str(SymStr, Option<Target>),
    List(Vec<RVal>),
    Map(Vec<(String, RVal)>),
    Null,
    /// Not determined; the text says why (`it combines \`var.a\` and \`local.b\``).
    Unknown(String),
}

/// Where references of an expression are looked up.
#[derive(Clone, Debug)]
pub struct Scope {
    pub path: Vec<(String, Key)>,
    /// The key of the instance (or module instance) the expression belongs to.
    pub key: Key,
    /// Whether that block uses `count` or `for_each` (so `count.index`/`each.key` are its key).
    pub repeated: bool,
}

/// What to make of an unknown attribute that the configuration does not set.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Unset {
    /// Optional and computed: the provider's default, read as absent.
    Absent,
    /// The value matters: an unknown symbol.
    Unknown,
}

pub struct Plan<'d, 'a> {
    pub doc: &'d Document<'a>,
    pub instances: Vec<Instance<'a>>,
    pub modules: Vec<ModuleInstance>,
    module_by_address: HashMap<String, usize>,
    by_address: HashMap<Cow<'a, str>, InstId>,
    by_config: HashMap<(usize, Cow<'a, str>), Slot>,
    config_modules: Vec<ConfigModuleEntry<'d, 'a>>,
    config_module_by_path: HashMap<String, usize>,
    pub config_resources: Vec<ConfigResourceEntry<'d, 'a>>,
    environments: HashMap<String, Environment>,
    pub diagnostics: RefCell<Vec<FileError>>,
    expressions: RefCell<Recent<Block<'a>>>,
    members: RefCell<Recent<Members<'a>>>,
    masks: RefCell<Recent<Mask>>,
    documents: RefCell<Vec<(String, Arc<Value>)>>,
    steps: Cell<u32>,
    /// The Terraform source beside the plan, for values the plan leaves unknown.
    pub source: Option<std::sync::Arc<crate::readers::hcl::TfSource>>,
    /// The source's policies the plan leaves unknown, evaluated ahead on another thread.
    pub policies_ahead: super::source::PoliciesAhead,
}

/// The resources of a module and of its child modules.
fn resource_count(module: &ModuleValues<'_>) -> usize {
    module.resources.as_ref().map_or(0, Vec::len)
        + module
            .child_modules
            .iter()
            .flatten()
            .map(resource_count)
            .sum::<usize>()
}

/// The names of a module path joined, the key of the configuration module.
fn names_key(path: &[(String, Key)]) -> String {
    path.iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// A part of a borrowed-or-owned string, borrowed when the string is.
fn sub<'a>(s: &Cow<'a, str>, range: std::ops::Range<usize>) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(range).unwrap_or("")),
        Cow::Owned(o) => Cow::Owned(o.get(range).unwrap_or("").to_string()),
    }
}

/// The configuration address (`aws_x.y`, `data.aws_x.y`) and type of an instance address in a
/// module whose address has `prefix` bytes (with the dot).
fn split_address<'a>(address: &Cow<'a, str>, prefix: usize) -> (Cow<'a, str>, Cow<'a, str>) {
    let rest = address.get(prefix..).unwrap_or("");
    let config_len = rest.find('[').unwrap_or(rest.len());
    let config = sub(address, prefix..prefix + config_len);
    let skip = if config.starts_with("data.") { 5 } else { 0 };
    let type_len = config
        .get(skip..)
        .and_then(|c| c.find('.'))
        .unwrap_or(config.len().saturating_sub(skip));
    let rtype = sub(address, prefix + skip..prefix + skip + type_len);
    (config, rtype)
}

impl<'d, 'a: 'd> Plan<'d, 'a> {
    /// Indexes a document. The resource lists are moved out of the document, so that only
    /// the index holds them while the stack is built.
    pub fn new(doc: &'d mut Document<'a>) -> Plan<'d, 'a> {
        let planned = doc.planned_values.take().or_else(|| doc.values.take());
        let changes_list = doc.resource_changes.take().unwrap_or_default();
        let prior = doc
            .prior_state
            .take()
            .and_then(|p| p.values)
            .and_then(|v| v.root_module);
        let doc: &'d Document<'a> = doc;
        let mut plan = Plan {
            doc,
            instances: Vec::new(),
            modules: Vec::new(),
            module_by_address: HashMap::new(),
            by_address: HashMap::new(),
            by_config: HashMap::new(),
            config_modules: Vec::new(),
            config_module_by_path: HashMap::new(),
            config_resources: Vec::new(),
            environments: HashMap::new(),
            diagnostics: RefCell::new(Vec::new()),
            expressions: RefCell::new(Recent::new()),
            members: RefCell::new(Recent::new()),
            masks: RefCell::new(Recent::new()),
            documents: RefCell::new(Vec::with_capacity(RECENT_DOCUMENTS)),
            steps: Cell::new(0),
            source: None,
            policies_ahead: Default::default(),
        };
        if let Some(root) = doc
            .configuration
            .as_ref()
            .and_then(|c| c.root_module.as_ref())
        {
            plan.add_config_module(root, String::new());
        }
        plan.module_id("");

        // Every table is sized once: grown by doubling, each would leave its smaller copies
        // behind in the allocator, and indexing is on the way to where a plan's memory peaks.
        let mut changes: HashMap<&str, (Actions, Option<&'a RawValue>)> =
            HashMap::with_capacity(changes_list.len());
        changes.extend(
            changes_list
                .iter()
                .filter(|c| c.deposed.is_none())
                .map(|c| (&*c.address, (c.change.actions, c.change.after_unknown))),
        );
        let planned = planned.and_then(|p| p.root_module);
        let count = planned.as_ref().map_or(0, resource_count);
        plan.instances.reserve_exact(count);
        plan.by_address.reserve(count);
        plan.by_config.reserve(count);
        if let Some(root) = planned {
            plan.add_module_values(root, &changes, false);
        }
        // Data sources read while planning appear only in the prior state (spec §8.1).
        if let Some(root) = prior {
            plan.add_module_values(root, &changes, true);
        }
        drop(changes);
        drop(changes_list);
        plan.instances.shrink_to_fit();
        plan.environments = plan.provider_environments();
        plan.read_environment_data();
        plan
    }

    fn add_config_module(&mut self, module: &'d ConfigModule<'a>, names: String) -> usize {
        let id = self.config_modules.len();
        self.config_module_by_path.insert(names.clone(), id);
        let mut resources = HashMap::new();
        for r in module.resources.iter().flatten() {
            let rid = self.config_resources.len();
            self.config_resources
                .push(ConfigResourceEntry { resource: r });
            resources.insert(&*r.address, rid);
        }
        self.config_modules.push(ConfigModuleEntry {
            module,
            resources,
            calls: HashMap::new(),
        });
        for (name, call) in module.module_calls.iter().flatten() {
            let child = call.module.as_ref().map(|m| {
                let child_names = if names.is_empty() {
                    name.to_string()
                } else {
                    format!("{names}.{name}")
                };
                self.add_config_module(m, child_names)
            });
            if let Some(entry) = self.config_modules.get_mut(id) {
                entry.calls.insert(
                    &**name,
                    CallEntry {
                        call,
                        child,
                        expressions: OnceCell::new(),
                    },
                );
            }
        }
        id
    }

    fn module_id(&mut self, address: &str) -> usize {
        if let Some(id) = self.module_by_address.get(address) {
            return *id;
        }
        let path = parse_module_address(address).unwrap_or_default();
        let id = self.modules.len();
        self.modules.push(ModuleInstance { path });
        self.module_by_address.insert(address.to_string(), id);
        id
    }

    fn add_module_values(
        &mut self,
        module: ModuleValues<'a>,
        changes: &HashMap<&str, (Actions, Option<&'a RawValue>)>,
        data_only: bool,
    ) {
        let module_address = module.address.as_deref().unwrap_or("");
        let prefix = if module_address.is_empty() {
            0
        } else {
            module_address.len() + 1
        };
        let mid = self.module_id(module_address);
        let config_module = self
            .modules
            .get(mid)
            .and_then(|m| self.config_module_by_path.get(&names_key(&m.path)))
            .copied();
        for r in module.resources.into_iter().flatten() {
            if r.mode == Mode::Other
                || data_only && (r.mode != Mode::Data || self.by_address.contains_key(&*r.address))
            {
                continue;
            }
            let (actions, after_unknown) = changes
                .get(&*r.address)
                .copied()
                .unwrap_or((Actions::default(), None));
            if actions.delete_only() {
                continue;
            }
            let (config_address, rtype) = split_address(&r.address, prefix);
            let config = config_module.and_then(|cm| {
                self.config_modules
                    .get(cm)
                    .and_then(|e| e.resources.get(&*config_address))
                    .copied()
            });
            let id = self.instances.len();
            self.by_address.insert(r.address.clone(), id);
            match self.by_config.entry((mid, config_address)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(Slot::One(id));
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let slot = o.get_mut();
                    *slot = match std::mem::replace(slot, Slot::Many(Vec::new())) {
                        Slot::One(first) => Slot::Many(vec![first, id]),
                        Slot::Many(mut v) => {
                            v.push(id);
                            Slot::Many(v)
                        }
                    };
                }
            }
            self.instances.push(Instance {
                address: r.address,
                module: mid,
                mode: r.mode,
                rtype,
                key: Key::from_index(r.index),
                values: r.values,
                after_unknown: if data_only { None } else { after_unknown },
                config,
            });
        }
        for child in module.child_modules.into_iter().flatten() {
            self.add_module_values(child, changes, data_only);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Environments

    /// The region of every provider configuration whose region is a constant or a root
    /// variable; the partition follows from the region.
    fn provider_environments(&self) -> HashMap<String, Environment> {
        let mut out = HashMap::new();
        let Some(providers) = self
            .doc
            .configuration
            .as_ref()
            .and_then(|c| c.provider_config.as_ref())
        else {
            return out;
        };
        let root = Scope {
            path: Vec::new(),
            key: Key::None,
            repeated: false,
        };
        for (key, provider) in providers {
            let in_module = provider
                .module_address
                .as_deref()
                .is_some_and(|m| !m.is_empty());
            let block = parse_block(provider.expressions);
            let region = match block.get("region") {
                Some(Expr::Leaf(leaf)) if leaf.constant.is_some() || !in_module => {
                    match self.resolve_leaf(&root, leaf, &[], "", 0) {
                        RVal::Str(s, None) => s.as_literal().map(str::to_string),
                        _ => None,
                    }
                }
                _ => None,
            };
            out.insert(
                key.to_string(),
                Environment {
                    partition: region.as_deref().and_then(partition_of),
                    region,
                    account: None,
                },
            );
        }
        out
    }

    /// Completes the provider environments with what data sources read while planning say
    /// about the provider configuration they use (TFSCHEMA): `aws_caller_identity.account_id`
    /// is the account its resources are created in, `aws_region` without arguments its region,
    /// `aws_partition` its partition. A value the configuration already gives is kept; a data
    /// source deferred to apply says nothing.
    fn read_environment_data(&mut self) {
        let mut found: Vec<(String, &'static str, String)> = Vec::new();
        for id in 0..self.instances.len() {
            let Some(inst) = self.instances.get(id).filter(|i| i.mode == Mode::Data) else {
                continue;
            };
            let (field, attrs): (&'static str, &[&str]) = match &*inst.rtype {
                "aws_caller_identity" => ("account", &["account_id"]),
                // `region` (provider 6.x) or `name` (5.x); an argument asks about another region.
                "aws_region"
                    if self.expressions(id).is_none_or(|b| {
                        !["region", "name", "endpoint"]
                            .iter()
                            .any(|k| b.get(k).is_some())
                    }) =>
                {
                    ("region", &["region", "name"])
                }
                "aws_partition" => ("partition", &["partition"]),
                _ => continue,
            };
            if let Some(value) = attrs
                .iter()
                .find_map(|a| self.known_str(id, a))
                .filter(|v| !v.is_empty())
            {
                let key = self.provider_key(id).unwrap_or("aws").to_string();
                found.push((key, field, value));
            }
        }
        for (key, field, value) in found {
            let env = self.environments.entry(key).or_default();
            let slot = match field {
                "account" => &mut env.account,
                "region" => &mut env.region,
                _ => &mut env.partition,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
            if env.partition.is_none() {
                env.partition = env.region.as_deref().and_then(partition_of);
            }
        }
    }

    /// Whether an instance uses the root module's default `aws` provider configuration.
    /// (`aws`, or a module's unaliased `aws` that no configuration of its own overrides).
    pub fn default_provider(&self, inst: InstId) -> bool {
        let written = self
            .instance(inst)
            .and_then(|i| i.config)
            .and_then(|c| self.config_resources.get(c))
            .map_or("aws", |c| {
                c.resource.provider_config_key.as_deref().unwrap_or("aws")
            });
        (written == "aws" || written.ends_with(":aws"))
            && self.provider_key(inst).is_none_or(|k| k == "aws")
    }

    /// The key in the provider environments of the configuration an instance uses: its own
    /// (`aws.east`, `module.m:aws`), the one it inherits, or the default `aws`.
    fn provider_key(&self, inst: InstId) -> Option<&str> {
        let key = self
            .instance(inst)
            .and_then(|i| i.config)
            .and_then(|c| self.config_resources.get(c))
            .map_or("aws", |c| {
                c.resource.provider_config_key.as_deref().unwrap_or("aws")
            });
        [Some(key), key.rsplit_once(':').map(|(_, k)| k), Some("aws")]
            .into_iter()
            .flatten()
            .find_map(|k| self.environments.get_key_value(k))
            .map(|(k, _)| k.as_str())
    }

    /// Where the default `aws` provider deploys (partition, region and account when its
    /// configuration or its data sources say; never guessed).
    pub fn default_env(&self) -> Environment {
        self.environments.get("aws").cloned().unwrap_or_default()
    }

    /// Where an instance is deployed: its provider's region, or the resource's own `region`
    /// argument (provider 6.x) when known.
    pub fn env(&self, inst: InstId) -> Environment {
        let mut env = self
            .provider_key(inst)
            .and_then(|k| self.environments.get(k))
            .cloned()
            .unwrap_or_default();
        if let Some(region) = self
            .member(inst, "region")
            .and_then(scalar)
            .filter(|r| !r.is_empty())
        {
            env.partition = partition_of(&region);
            env.region = Some(region.into_owned());
        }
        env
    }

    // -----------------------------------------------------------------------------------------
    // Lookups

    pub fn instance(&self, id: InstId) -> Option<&Instance<'a>> {
        self.instances.get(id)
    }

    pub fn by_address(&self, address: &str) -> Option<InstId> {
        self.by_address.get(address).copied()
    }

    pub fn address(&self, id: InstId) -> &str {
        self.instances.get(id).map(|i| &*i.address).unwrap_or("")
    }

    pub fn rtype(&self, id: InstId) -> &str {
        self.instances.get(id).map(|i| &*i.rtype).unwrap_or("")
    }

    /// The scope of an instance's own expressions.
    pub fn scope(&self, id: InstId) -> Scope {
        let Some(inst) = self.instances.get(id) else {
            return Scope {
                path: Vec::new(),
                key: Key::None,
                repeated: false,
            };
        };
        Scope {
            path: self
                .modules
                .get(inst.module)
                .map(|m| m.path.clone())
                .unwrap_or_default(),
            key: inst.key.clone(),
            repeated: inst
                .config
                .and_then(|c| self.config_resources.get(c))
                .is_some_and(ConfigResourceEntry::repeated),
        }
    }

    fn mask(&self, id: InstId) -> Option<Rc<Mask>> {
        let raw = self.instances.get(id)?.after_unknown?;
        Some(
            self.masks
                .borrow_mut()
                .get_or_insert(id, || serde_json::from_str(raw.get()).unwrap_or_default()),
        )
    }

    /// The tree of a policy's JSON text. Equal texts met close together give one shared tree:
    /// plans repeat documents (one trust policy for every function role), and a shared tree
    /// is held once however many roles hold it.
    pub fn parsed_document(&self, text: &str) -> Result<Arc<Value>, String> {
        if let Some((_, v)) = self.documents.borrow().iter().find(|(t, _)| t == text) {
            return Ok(Arc::clone(v));
        }
        let value = Arc::new(parse_document(text)?);
        let mut recent = self.documents.borrow_mut();
        if recent.len() >= RECENT_DOCUMENTS {
            recent.remove(0);
        }
        recent.push((text.to_string(), Arc::clone(&value)));
        Ok(value)
    }

    pub fn unknown_at(&self, id: InstId, path: &[Seg<'_>]) -> bool {
        self.mask(id).is_some_and(|m| m.unknown_at(path))
    }

    /// The raw value of a top-level attribute, when known and not null.
    pub fn member(&self, id: InstId, attr: &str) -> Option<&'a RawValue> {
        let raw = self.instances.get(id)?.values?;
        let members = self
            .members
            .borrow_mut()
            .get_or_insert(id, || members(raw).unwrap_or_default());
        members
            .iter()
            .find(|(k, _)| k == attr)
            .map(|(_, v)| *v)
            .filter(|v| v.get() != "null")
    }

    /// A top-level attribute's literal text when known.
    pub fn known_str(&self, id: InstId, attr: &str) -> Option<String> {
        self.member(id, attr).and_then(scalar).map(Cow::into_owned)
    }

    pub fn config_resource(&self, id: InstId) -> Option<&ConfigResourceEntry<'d, 'a>> {
        self.instances
            .get(id)
            .and_then(|i| i.config)
            .and_then(|c| self.config_resources.get(c))
    }

    pub fn expressions(&self, id: InstId) -> Option<Rc<Block<'a>>> {
        let config = self.instances.get(id)?.config?;
        let entry = self.config_resources.get(config)?;
        Some(
            self.expressions
                .borrow_mut()
                .get_or_insert(config, || parse_block(entry.resource.expressions)),
        )
    }

    /// The configuration expression at `path`, and what is left of the path below it when the
    /// path goes into an attribute's value (a map key).
    pub fn expr_at<'p>(
        &self,
        id: InstId,
        path: &'p [Seg<'p>],
    ) -> Option<(Leaf<'a>, &'p [Seg<'p>])> {
        let root = self.expressions(id)?;
        let mut block: &Block<'a> = &root;
        let mut rest = path;
        loop {
            let (Seg::Key(k), tail) = rest.split_first()? else {
                return None;
            };
            match block.get(k)? {
                Expr::Leaf(leaf) => return Some((leaf.clone(), tail)),
                Expr::Block(b) => {
                    block = b;
                    rest = tail;
                }
                Expr::Blocks(blocks) => match tail.split_first() {
                    Some((Seg::Idx(i), after)) => {
                        let consumed = path.len() - after.len();
                        let element = path.get(..consumed).and_then(|p| self.value_at(id, p));
                        block = matching_block(blocks, *i, element)?;
                        rest = after;
                    }
                    _ => return None,
                },
            }
        }
    }

    /// The raw value at `path` in an instance's values, when known.
    pub fn value_at(&self, id: InstId, path: &[Seg<'_>]) -> Option<&'a RawValue> {
        let (Seg::Key(first), tail) = path.split_first()? else {
            return None;
        };
        let mut raw = self.member(id, first)?;
        for seg in tail {
            raw = match seg {
                Seg::Key(k) => members(raw)?
                    .into_iter()
                    .find(|(name, _)| name == k)
                    .map(|(_, v)| v)?,
                Seg::Idx(i) => elements(raw)?.into_iter().nth(*i)?,
            };
        }
        (raw.get() != "null").then_some(raw)
    }

    /// The number of nested blocks the configuration writes at `path`.
    pub fn config_block_count(&self, id: InstId, path: &[Seg<'_>]) -> usize {
        let Some(root) = self.expressions(id) else {
            return 0;
        };
        let mut block: &Block<'_> = &root;
        let mut rest = path;
        loop {
            let Some((Seg::Key(k), tail)) = rest.split_first() else {
                return 0;
            };
            match (block.get(k), tail.split_first()) {
                (Some(Expr::Blocks(b)), None) => return b.len(),
                (Some(Expr::Block(_)), None) => return 1,
                (Some(Expr::Blocks(b)), Some((Seg::Idx(i), tail))) => match b.get(*i) {
                    Some(inner) => {
                        block = inner;
                        rest = tail;
                    }
                    None => return 0,
                },
                (Some(Expr::Block(inner)), Some(_)) => {
                    block = inner;
                    rest = tail;
                }
                _ => return 0,
            }
        }
    }

    /// The instances of a configuration resource in a module instance.
    fn instances_of(&self, path: &[(String, Key)], config_address: &str) -> Vec<InstId> {
        let Some(&mid) = self.module_by_address.get(&module_address(path)) else {
            return Vec::new();
        };
        match self.by_config.get(&(mid, Cow::Borrowed(config_address))) {
            Some(Slot::One(id)) => vec![*id],
            Some(Slot::Many(ids)) => ids.clone(),
            None => Vec::new(),
        }
    }

    fn config_module(&self, path: &[(String, Key)]) -> Option<&ConfigModuleEntry<'d, 'a>> {
        self.config_module_by_path
            .get(&names_key(path))
            .and_then(|id| self.config_modules.get(*id))
    }

    // -----------------------------------------------------------------------------------------
    // Diagnostics

    pub fn diagnostic(&self, message: String) {
        self.diagnostics
            .borrow_mut()
            .push(FileError::new(message, None));
    }

    fn wrong_type(&self, id: InstId, path: &[Seg<'_>], raw: &RawValue, expected: &str) {
        self.diagnostic(format!(
            "`{}` of `{}` is {} where {expected} is expected; it is ignored",
            path_text(path),
            self.address(id),
            json_kind(raw)
        ));
    }

    // -----------------------------------------------------------------------------------------
    // Attribute reads

    /// Why an attribute is not known, for an unknown symbol.
    fn unknown_reason(&self, id: InstId, path: &[Seg<'_>], why: &str) -> String {
        format!(
            "`{}` of `{}` is only known after apply ({why})",
            path_text(path),
            self.address(id)
        )
    }

    /// Resolves the configuration expression at `path` of an instance.
    fn resolve_attr(&self, id: InstId, path: &[Seg<'_>], hint: &str) -> Option<RVal> {
        let (leaf, rest) = self.expr_at(id, path)?;
        let steps: Vec<Step<'_>> = rest
            .iter()
            .map(|s| match s {
                Seg::Key(k) => Step::Attr((*k).into()),
                Seg::Idx(i) => Step::Index(Key::Int(i64::try_from(*i).unwrap_or(i64::MAX))),
            })
            .collect();
        Some(self.resolve_leaf(&self.scope(id), &leaf, &steps, hint, 0))
    }

    /// An unknown scalar attribute, linked through the configuration.
    fn unknown_str(
        &self,
        id: InstId,
        path: &[Seg<'_>],
        hint: &str,
        unset: Unset,
    ) -> Option<SymStr> {
        match self.resolve_attr(id, path, hint) {
            Some(RVal::Str(s, _)) => Some(s),
            Some(RVal::Null) => None,
            Some(RVal::Unknown(why)) => Some(SymStr::sym(Symbol::Unknown(
                self.unknown_reason(id, path, &why),
            ))),
            Some(RVal::List(_) | RVal::Map(_)) => Some(SymStr::sym(Symbol::Unknown(
                self.unknown_reason(id, path, "its expression is not a single value"),
            ))),
            None => match unset {
                Unset::Absent => None,
                Unset::Unknown => Some(SymStr::sym(Symbol::Unknown(self.unknown_reason(
                    id,
                    path,
                    "the plan does not show its expression",
                )))),
            },
        }
    }

    /// A string attribute: its literal when known (carrying `refers` when the configuration
    /// makes it exactly one resource attribute), its linked value when unknown, `None` when
    /// absent. `hint` names the attribute meant by an old-style reference without one
    /// (`aws_iam_role.r` for `aws_iam_role.r.arn`).
    pub fn string(
        &self,
        id: InstId,
        field: Field<'a>,
        path: &[Seg<'_>],
        hint: &str,
        unset: Unset,
    ) -> Option<SymStr> {
        match field.0 {
            Some(raw) => match scalar(raw) {
                Some(text) => Some(self.with_identity(id, path, hint, SymStr::lit(text))),
                None => {
                    self.wrong_type(id, path, raw, "a string");
                    None
                }
            },
            None if self.unknown_at(id, path) => self.unknown_str(id, path, hint, unset),
            None => None,
        }
    }

    /// Adds `refers` to a known literal when its expression is exactly one resource attribute
    /// whose value is that literal.
    fn with_identity(&self, id: InstId, path: &[Seg<'_>], hint: &str, value: SymStr) -> SymStr {
        let Some((leaf, [])) = self.expr_at(id, path) else {
            return value;
        };
        if leaf.references.is_empty() {
            return value;
        }
        match self.resolve_leaf(&self.scope(id), &leaf, &[], hint, 0) {
            RVal::Str(s, Some(_)) if s.as_literal() == value.as_literal() => s,
            _ => value,
        }
    }

    /// A boolean attribute when known.
    pub fn boolean(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>]) -> Option<bool> {
        let raw = field.0?;
        match raw.get() {
            "true" => Some(true),
            "false" => Some(false),
            _ => match scalar(raw).as_deref() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => {
                    self.wrong_type(id, path, raw, "a boolean");
                    None
                }
            },
        }
    }

    /// A list (or set) of strings.
    pub fn strings(
        &self,
        id: InstId,
        field: Field<'a>,
        path: &[Seg<'_>],
        hint: &str,
    ) -> Vec<SymStr> {
        match field.0 {
            Some(raw) => {
                let Some(items) = elements(raw) else {
                    self.wrong_type(id, path, raw, "a list");
                    return Vec::new();
                };
                let mut out = Vec::with_capacity(items.len());
                let mut unknown_items = 0;
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.to_vec();
                    p.push(Seg::Idx(i));
                    match scalar(item) {
                        Some(text) => out.push(SymStr::lit(text)),
                        None if item.get() == "null" && self.unknown_at(id, &p) => {
                            unknown_items += 1;
                        }
                        None => self.wrong_type(id, &p, item, "a string"),
                    }
                }
                if unknown_items > 0 {
                    out.extend(self.unknown_strings(id, path, hint, Some(unknown_items)));
                }
                out
            }
            None if self.unknown_at(id, path) => self.unknown_strings(id, path, hint, None),
            None => Vec::new(),
        }
    }

    /// The elements of a policy's `resources`; see [`widen_for_template`].
    pub fn policy_resources(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>]) -> Vec<SymStr> {
        self.strings(id, field, path, POLICY_RESOURCE)
    }

    /// The unknown elements of a list attribute, from its configuration: a constant list, one
    /// element per referenced value, or unknown symbols.
    fn unknown_strings(
        &self,
        id: InstId,
        path: &[Seg<'_>],
        hint: &str,
        count: Option<usize>,
    ) -> Vec<SymStr> {
        let unknown = |why: &str| SymStr::sym(Symbol::Unknown(self.unknown_reason(id, path, why)));
        let Some((leaf, [])) = self.expr_at(id, path) else {
            return match count {
                Some(n) => vec![unknown("the plan does not show its expression"); n],
                None => Vec::new(),
            };
        };
        let scope = self.scope(id);
        let mut out = Vec::new();
        if leaf.constant.is_some() {
            flatten_strings(
                self.resolve_leaf(&scope, &leaf, &[], hint, 0),
                &mut out,
                &unknown,
            );
        } else {
            let (roots, dynamic) = roots(&leaf);
            if roots.is_empty() {
                out.push(unknown(
                    "its expression is a function call or other computation",
                ));
            }
            let policy_resource = hint == POLICY_RESOURCE;
            let hint = if policy_resource { "arn" } else { hint };
            for r in &roots {
                let v = self.resolve_ref(&scope, r, dynamic, &[], hint, 0);
                let start = out.len();
                flatten_strings(v, &mut out, &unknown);
                if policy_resource {
                    for s in out.iter_mut().skip(start) {
                        widen_for_template(s);
                    }
                }
            }
        }
        if let Some(n) = count {
            if out.len() != n {
                return vec![unknown("its elements cannot be matched to the references"); n];
            }
        }
        out
    }

    /// The nested blocks at `path`: decoded when known; when unknown, one empty block per
    /// block the configuration writes (their attributes then resolve through the configuration).
    pub fn blocks<T>(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>]) -> Vec<T>
    where
        T: serde::Deserialize<'a> + Default,
    {
        match field.0 {
            Some(raw) => {
                let Some(items) = elements(raw) else {
                    self.wrong_type(id, path, raw, "a list of blocks");
                    return Vec::new();
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match serde_json::from_str::<T>(item.get()) {
                        Ok(v) => out.push(v),
                        Err(_) => {
                            let mut p = path.to_vec();
                            p.push(Seg::Idx(i));
                            self.wrong_type(id, &p, item, "a block");
                            out.push(T::default());
                        }
                    }
                }
                out
            }
            None if self.unknown_at(id, path) => {
                let n = self.config_block_count(id, path);
                (0..n).map(|_| T::default()).collect()
            }
            None => Vec::new(),
        }
    }

    /// Nested blocks only known after apply that the configuration does not write: `dynamic`
    /// blocks, which the configuration representation leaves out (spec §8.2).
    pub fn dynamic_blocks(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>]) -> bool {
        field.0.is_none()
            && self.unknown_at(id, path)
            && self.config_resource(id).is_some()
            && self.config_block_count(id, path) == 0
    }

    /// Typed values of an instance; a resource whose values are not an object is skipped.
    pub fn values<T>(&self, id: InstId) -> Option<T>
    where
        T: serde::Deserialize<'a> + Default,
    {
        let inst = self.instances.get(id)?;
        let Some(raw) = inst.values else {
            return Some(T::default());
        };
        match serde_json::from_str::<T>(raw.get()) {
            Ok(v) => Some(v),
            Err(_) => {
                self.diagnostic(format!(
                    "the values of `{}` are {}, not an object; the resource is skipped",
                    inst.address,
                    json_kind(raw)
                ));
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // The reference walk (spec §8.4)

    /// Resolves one expression in `scope`; `rest` goes further into its value.
    pub fn resolve_leaf(
        &self,
        scope: &Scope,
        leaf: &Leaf<'_>,
        rest: &[Step<'_>],
        hint: &str,
        depth: u8,
    ) -> RVal {
        if let Some(c) = leaf.constant {
            return navigate(json_value(c), rest);
        }
        let (roots, dynamic) = roots(leaf);
        match roots.as_slice() {
            [] if dynamic => match scope.key.text() {
                Some(k) if scope.repeated => navigate(RVal::Str(SymStr::lit(k), None), rest),
                _ => RVal::Unknown(
                    "it uses `count.index` or `each.key` outside a repeated block".into(),
                ),
            },
            [] => RVal::Unknown("its expression is a function call or other computation".into()),
            [one] => self.resolve_ref(scope, one, dynamic, rest, hint, depth),
            many => RVal::Unknown(format!(
                "it combines {}",
                many.iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Resolves one reference in `scope`.
    pub fn resolve_ref(
        &self,
        scope: &Scope,
        r: &Reference<'_>,
        dynamic: bool,
        rest: &[Step<'_>],
        hint: &str,
        depth: u8,
    ) -> RVal {
        if depth == 0 {
            self.steps.set(0);
        }
        self.steps.set(self.steps.get().saturating_add(1));
        if depth > MAX_DEPTH || self.steps.get() > MAX_STEPS {
            return RVal::Unknown("its chain of references is too long".into());
        }
        let steps: Vec<Step<'_>> = r
            .steps
            .iter()
            .cloned()
            .chain(rest.iter().cloned())
            .collect();
        match &r.subject {
            Subject::Resource {
                data,
                rtype,
                name,
                key,
            } => {
                let config_address = format!("{}{rtype}.{name}", if *data { "data." } else { "" });
                let candidates = self.instances_of(&scope.path, &config_address);
                let key = match key {
                    Some(k) => Some(k.clone()),
                    None if dynamic && scope.repeated && scope.key != Key::None => {
                        Some(scope.key.clone())
                    }
                    None => None,
                };
                let inst = match &key {
                    Some(k) => candidates
                        .iter()
                        .copied()
                        .find(|i| self.instances.get(*i).is_some_and(|x| &x.key == k)),
                    None => match candidates.as_slice() {
                        [one] if self.instances.get(*one).is_some_and(|x| x.key == Key::None) => {
                            Some(*one)
                        }
                        [] => None,
                        many => {
                            return RVal::Unknown(format!(
                                "`{}{}{rtype}.{name}` has {} instances and the reference does not say which",
                                prefix(&scope.path),
                                if *data { "data." } else { "" },
                                many.len()
                            ));
                        }
                    },
                };
                let (attr, tail) = match steps.split_first() {
                    Some((Step::Attr(a), tail)) => (a.to_string(), tail),
                    _ if !hint.is_empty() => (hint.to_string(), steps.as_slice()),
                    _ => return RVal::Unknown(format!("it is the whole resource `{r}`")),
                };
                match inst {
                    Some(i) => self.attr_value(i, &attr, tail, depth + 1),
                    None => {
                        let address = format!(
                            "{}{}{rtype}.{name}{}",
                            prefix(&scope.path),
                            if *data { "data." } else { "" },
                            key.unwrap_or_default()
                        );
                        let target = Target {
                            inst: None,
                            address: address.clone(),
                            rtype: rtype.to_string(),
                            attr: attr.clone(),
                        };
                        let mut a = attr;
                        for s in tail {
                            a.push_str(&s.to_string());
                        }
                        let s = SymStr::sym(Symbol::Attr {
                            resource: address.clone(),
                            attr: a.clone(),
                        });
                        if tail.is_empty() {
                            RVal::Str(s.with_refers(address, a), Some(target))
                        } else {
                            RVal::Str(s, None)
                        }
                    }
                }
            }
            Subject::Var(name) => {
                let Some(((module, key), parent)) = scope.path.split_last() else {
                    let value = self
                        .doc
                        .variables
                        .as_ref()
                        .and_then(|v| v.get(*name))
                        .and_then(|v| v.value);
                    return match value {
                        Some(v) => navigate(json_value(v), &steps),
                        None => RVal::Unknown(format!("`var.{name}` has no value in the plan")),
                    };
                };
                let Some(call) = self
                    .config_module(parent)
                    .and_then(|m| m.calls.get(module.as_str()))
                else {
                    return RVal::Unknown(format!(
                        "the call of `module.{module}` is not in the plan"
                    ));
                };
                let block = call
                    .expressions
                    .get_or_init(|| parse_block(call.call.expressions));
                let parent_scope = Scope {
                    path: parent.to_vec(),
                    key: key.clone(),
                    repeated: call.call.count_expression.is_some()
                        || call.call.for_each_expression.is_some(),
                };
                let default = || {
                    call.child
                        .and_then(|c| self.config_modules.get(c))
                        .and_then(|m| m.module.variables.as_ref())
                        .and_then(|v| v.get(*name))
                        .and_then(|v| v.default)
                };
                match block.get(name) {
                    Some(Expr::Leaf(leaf)) => {
                        self.resolve_leaf(&parent_scope, leaf, &steps, hint, depth + 1)
                    }
                    None if default().is_some() => match default() {
                        Some(d) => navigate(json_value(d), &steps),
                        None => RVal::Null,
                    },
                    _ => RVal::Unknown(format!(
                        "`var.{name}` of `{}` is not set by its module call",
                        module_address(&scope.path)
                    )),
                }
            }
            Subject::Module { name, key, output } => {
                let Some(output) = output else {
                    return RVal::Unknown(format!("it is the whole module `module.{name}`"));
                };
                let Some(call) = self
                    .config_module(&scope.path)
                    .and_then(|m| m.calls.get(name))
                else {
                    return RVal::Unknown(format!("`module.{name}` is not in the configuration"));
                };
                let repeated =
                    call.call.count_expression.is_some() || call.call.for_each_expression.is_some();
                let key = match key {
                    Some(k) => k.clone(),
                    None if !repeated => Key::None,
                    None if dynamic && scope.repeated && scope.key != Key::None => {
                        scope.key.clone()
                    }
                    None => {
                        return RVal::Unknown(format!(
                            "`module.{name}` has several instances and the reference does not say which"
                        ));
                    }
                };
                let leaf = call
                    .child
                    .and_then(|c| self.config_modules.get(c))
                    .and_then(|m| m.module.outputs.as_ref())
                    .and_then(|o| o.get(*output))
                    .map(|o| {
                        match serde_json::from_str::<Expr<'_>>(
                            o.expression.map(RawValue::get).unwrap_or("{}"),
                        ) {
                            Ok(Expr::Leaf(l)) => l,
                            _ => Leaf::default(),
                        }
                    });
                let Some(leaf) = leaf else {
                    return RVal::Unknown(format!(
                        "output `{output}` of `module.{name}` is not in the configuration"
                    ));
                };
                let mut path = scope.path.clone();
                path.push((name.to_string(), key));
                let child = Scope {
                    path,
                    key: Key::None,
                    repeated: false,
                };
                self.resolve_leaf(&child, &leaf, &steps, hint, depth + 1)
            }
            Subject::Local(name) => RVal::Unknown(format!(
                "`local.{name}` is a local value, which the plan does not record"
            )),
            Subject::CountIndex | Subject::EachKey => match scope.key.text() {
                Some(k) => RVal::Str(SymStr::lit(k), None),
                None => RVal::Unknown(format!("`{r}` has no value here")),
            },
            Subject::EachValue => RVal::Unknown("it uses `each.value`".into()),
            Subject::Other => RVal::Unknown("it uses a value the plan does not record".into()),
        }
    }

    /// The value of attribute `attr` of an instance: known, or derived from what determines it,
    /// or a symbol of it; always carrying `refers` = (instance, attribute).
    pub fn attr_value(&self, id: InstId, attr: &str, rest: &[Step<'_>], depth: u8) -> RVal {
        let address = self.address(id).to_string();
        let target = Target {
            inst: Some(id),
            address: address.clone(),
            rtype: self.rtype(id).to_string(),
            attr: attr.to_string(),
        };
        let known = self
            .member(id, attr)
            .filter(|_| !self.unknown_at(id, &[Seg::Key(attr)]));
        if let Some(raw) = known {
            return match navigate(json_value(raw), rest) {
                RVal::Str(s, _) if rest.is_empty() => {
                    RVal::Str(s.with_refers(address, attr), Some(target))
                }
                other => other,
            };
        }
        if !rest.is_empty() {
            let mut a = attr.to_string();
            for s in rest {
                a.push_str(&s.to_string());
            }
            return RVal::Str(
                SymStr::sym(Symbol::Attr {
                    resource: address,
                    attr: a,
                }),
                None,
            );
        }
        let derived = self.derived(id, attr, depth);
        RVal::Str(derived.with_refers(address, attr), Some(target))
    }

    /// The value of a name-like argument (`name`, `function_name`, `bucket`) of an instance:
    /// known; resolved from its expression; generated (a physical-name symbol) when the
    /// configuration leaves it to the provider; `None` when it cannot be spelled out.
    pub fn name_of(&self, id: InstId, prop: &str, depth: u8) -> Option<SymStr> {
        if let Some(text) = self.known_str(id, prop) {
            if !text.is_empty() || !self.unknown_at(id, &[Seg::Key(prop)]) {
                return Some(SymStr::lit(text));
            }
        }
        let path = [Seg::Key(prop)];
        let generated = || {
            Some(SymStr::sym(Symbol::PhysicalName {
                resource: self.address(id).to_string(),
            }))
        };
        if self.config_resource(id).is_none() {
            return if self.instance(id).is_some_and(|i| i.values.is_some())
                && !self.unknown_at(id, &path)
            {
                generated()
            } else {
                None
            };
        }
        match self.expr_at(id, &path) {
            Some((leaf, [])) => {
                match self.resolve_leaf(&self.scope(id), &leaf, &[], "", depth + 1) {
                    RVal::Str(mut s, _)
                        if !s.symbols().any(|x| matches!(x, Symbol::Unknown(_))) =>
                    {
                        s.refers = None;
                        Some(s)
                    }
                    _ => None,
                }
            }
            _ => generated(),
        }
    }
}

/// The configuration block that a nested block of the values comes from. Set-nested blocks
/// are ordered differently in the values than in the source, so a block is matched by its
/// constant arguments; without any, by position.
fn matching_block<'b, 'a>(
    blocks: &'b [Block<'a>],
    index: usize,
    element: Option<&RawValue>,
) -> Option<&'b Block<'a>> {
    let Some(element) = element.and_then(members) else {
        return blocks.get(index);
    };
    let matches = |b: &Block<'_>| {
        b.entries.iter().all(|(k, e)| match e {
            Expr::Leaf(Leaf {
                constant: Some(c), ..
            }) => element
                .iter()
                .find(|(name, _)| name == k)
                .is_some_and(|(_, v)| same_json(c, v)),
            _ => true,
        })
    };
    let constrained = |b: &Block<'_>| {
        b.entries.iter().any(|(_, e)| {
            matches!(
                e,
                Expr::Leaf(Leaf {
                    constant: Some(_),
                    ..
                })
            )
        })
    };
    if blocks.get(index).is_some_and(&matches) {
        return blocks.get(index);
    }
    let candidates: Vec<&Block<'a>> = blocks
        .iter()
        .filter(|b| constrained(b) && matches(b))
        .collect();
    match candidates.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// JSON equality, with arrays compared as sets (set attributes are reordered in the values).
fn same_json(a: &RawValue, b: &RawValue) -> bool {
    if a.get() == b.get() {
        return true;
    }
    let (Ok(a), Ok(b)) = (
        serde_json::from_str::<serde_json::Value>(a.get()),
        serde_json::from_str::<serde_json::Value>(b.get()),
    ) else {
        return false;
    };
    match (a, b) {
        (serde_json::Value::Array(mut x), serde_json::Value::Array(mut y)) => {
            let key = |v: &serde_json::Value| v.to_string();
            x.sort_by_key(key);
            y.sort_by_key(key);
            x == y
        }
        (x, y) => x == y,
    }
}

/// The partition of a region (`cn-north-1` → `aws-cn`) [derived from the PS partitions].
fn partition_of(region: &str) -> Option<String> {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        "aws"
    } else {
        return None;
    };
    Some(partition.to_string())
}

/// `module.a.` for a module path, empty for the root.
fn prefix(path: &[(String, Key)]) -> String {
    let a = module_address(path);
    if a.is_empty() { a } else { a + "." }
}

/// The distinct references of an expression (Terraform lists every shorter form of each
/// reference after it, spec §8.2), and whether it indexes by `count.index` / `each.key`.
pub fn roots<'l>(leaf: &'l Leaf<'_>) -> (Vec<Reference<'l>>, bool) {
    let mut dynamic = false;
    let mut out: Vec<Reference<'l>> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for text in &leaf.references {
        let r = Reference::parse(text);
        if matches!(r.subject, Subject::CountIndex | Subject::EachKey) {
            dynamic = true;
            continue;
        }
        // Shorter forms follow the reference they shorten; a reference written twice is one.
        if out.last().is_some_and(|last| r.is_prefix_of(last)) || !seen.insert(text) {
            continue;
        }
        out.push(r);
    }
    (out, dynamic)
}

/// A JSON value as a resolved value (constants, variable values, known attributes).
pub fn json_value(raw: &RawValue) -> RVal {
    match serde_json::from_str::<serde_json::Value>(raw.get()) {
        Ok(v) => from_json(v),
        Err(_) => RVal::Unknown("its value is not valid JSON".into()),
    }
}

fn from_json(v: serde_json::Value) -> RVal {
    match v {
        serde_json::Value::Null => RVal::Null,
        serde_json::Value::Bool(b) => RVal::Str(SymStr::lit(b.to_string()), None),
        serde_json::Value::Number(n) => RVal::Str(SymStr::lit(n.to_string()), None),
        serde_json::Value::String(s) => RVal::Str(SymStr::lit(s), None),
        serde_json::Value::Array(items) => RVal::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            RVal::Map(m.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

/// Goes into a value by attribute names and indexes.
fn navigate(v: RVal, steps: &[Step<'_>]) -> RVal {
    let mut v = v;
    for step in steps {
        v = match (v, step) {
            (RVal::Map(entries), Step::Attr(k)) => entries
                .into_iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v)
                .unwrap_or(RVal::Null),
            (RVal::Map(entries), Step::Index(Key::Str(k))) => entries
                .into_iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v)
                .unwrap_or(RVal::Null),
            (RVal::List(items), Step::Index(Key::Int(i))) => usize::try_from(*i)
                .ok()
                .and_then(|i| items.into_iter().nth(i))
                .unwrap_or(RVal::Null),
            (RVal::Unknown(why), _) => RVal::Unknown(why),
            (RVal::Null, _) => RVal::Null,
            (_, step) => return RVal::Unknown(format!("`{step}` does not apply to its value")),
        };
    }
    v
}

/// Appends the strings of a resolved value (a list is flattened one level).
fn flatten_strings(v: RVal, out: &mut Vec<SymStr>, unknown: &dyn Fn(&str) -> SymStr) {
    match v {
        RVal::Str(s, _) => out.push(s),
        RVal::List(items) => {
            for item in items {
                match item {
                    RVal::Str(s, _) => out.push(s),
                    RVal::Unknown(why) => out.push(unknown(&why)),
                    RVal::Null => {}
                    RVal::List(_) | RVal::Map(_) => out.push(unknown("an element is not a string")),
                }
            }
        }
        RVal::Null => {}
        RVal::Unknown(why) => out.push(unknown(&why)),
        RVal::Map(_) => out.push(unknown("its value is a map")),
    }
}

/// The `hint` of [`Plan::strings`] for a policy's `resources`.
const POLICY_RESOURCE: &str = "policy-resource";

/// A policy resource rebuilt from a reference may have been written inside a template: the plan
/// records `"${aws_s3_bucket.b.arn}/*"` and `aws_s3_bucket.b.arn` alike, as the reference only
/// (spec §8.2). For the ARNs users commonly extend (bucket objects, table streams and indexes,
/// stream consumers, log streams) the value gets an unknown tail, so the policy neither
/// certainly covers the bare ARN nor certainly misses what lies under it: a mapping is then
/// "cannot verify", never a false error.
fn widen_for_template(s: &mut SymStr) {
    const EXTENDED: &[&str] = &[
        "aws_s3_bucket.",
        "aws_dynamodb_table.",
        "aws_kinesis_stream.",
        "aws_cloudwatch_log_group.",
    ];
    let mut text = String::new();
    for part in &s.parts {
        match part {
            crate::model::Part::Lit(t) => text.push_str(t),
            crate::model::Part::Sym(sym) => {
                if let Some(r) = sym.distinct_resource() {
                    text.push_str(r);
                    text.push(' ');
                }
            }
        }
    }
    if let Some(r) = &s.refers {
        text.push_str(&r.resource);
        text.push(' ');
    }
    let by_type = EXTENDED.iter().any(|t| text.contains(t));
    let by_service = [":s3:::", ":dynamodb:", ":kinesis:", ":logs:"]
        .iter()
        .any(|svc| text.contains(svc));
    let already_sub = text.contains("/stream/") || text.ends_with('*');
    if (by_type || by_service) && !already_sub {
        s.push_sym(Symbol::Unknown(
            "the plan does not show whether the policy adds text after the reference (`/*`, `/stream/*`)"
                .into(),
        ));
    }
}
