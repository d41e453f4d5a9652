//! Terraform source beside a plan: `.tf` and `.tf.json` files → the blocks plan addresses come
//! from.
//!
//! Input: the directory of a plan's root module (the plan's own directory, or the one named by
//! `--tf-source`). Output: a [`TfSource`]: every `resource`, `data` and `module` block of the
//! root module and of the child modules it calls, keyed by its configuration address
//! (`module.app.aws_iam_role.fn`, the plan address without instance keys), with the file and
//! byte span of the block (its attributes are parsed when asked for, its `policy` ahead with
//! [`TfSource::parse_policies`]); the `# permgate:ignore` comments on the blocks
//! ([`TfIgnore`]); and the located problems met on the way (a file that does not parse, a
//! module whose source is not on disk).
//!
//! Child modules: a local `source` (`./x`, `../x`) is read from disk relative to the calling
//! module; any other (registry, git) is found through `.terraform/modules/modules.json`, which
//! `terraform init` writes in the root module; without it the module's resources keep the plan's
//! own locations and a problem says why.
//!
//! Invariants: reading never fails as a whole and never panics; every problem names its file
//! and, when there is one, its span. Limits: files over [`MAX_FILE_BYTES`] are not parsed, and
//! module calls nest at most [`MAX_MODULE_DEPTH`] deep (a module that calls itself stops there).

mod block_types;
pub mod eval;
mod json;
pub mod module;
pub mod nested;
mod operators;
mod scan;
pub mod vars;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::structure::Body;

use crate::source::{SourceFile, Span};

/// Why a `.tf` file named alone is not audited: Terraform audits a module, not a file.
pub const AUDITED_FROM_A_PLAN: &str = "a `.tf` file is audited with its module: name the module's directory (`permgate check DIR`), or a plan made from it (`terraform plan -out tf.plan && terraform show -json tf.plan > plan.json`)";

/// What a module directory audited without a plan says about its verdict.
pub const AUDITED_FROM_SOURCE: &str = "audited from the Terraform source without a plan: what is only known after apply is unknown; a plan (`terraform plan -out tf.plan && terraform show -json tf.plan > plan.json`) gives a stronger verdict";

/// `.tf` files larger than this are not parsed (generated configurations this large are
/// `.tf.json`, which has its own reader).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// How deep module calls are followed.
pub const MAX_MODULE_DEPTH: usize = 16;

/// The Terraform configuration a plan was made from, as far as it could be read.
#[derive(Debug, Default)]
pub struct TfSource {
    pub files: Vec<Arc<SourceFile>>,
    blocks: HashMap<String, SourceBlock>,
    /// The address prefixes (`""`, `module.app.`) of the modules whose directory was read.
    modules: std::collections::HashSet<String>,
    pub problems: Vec<SourceProblem>,
    /// The `# permgate:ignore` comments of the `.tf` files, in file order.
    pub ignores: Vec<TfIgnore>,
    /// The `locals` of each module, by the module's address prefix (`""`, `module.app.`),
    /// when the module reader ([`module`]) read them.
    pub locals: HashMap<String, HashMap<String, hcl_edit::expr::Expression>>,
    /// The `policy` attributes of the `.tf` blocks, by configuration address, when
    /// [`TfSource::parse_policies`] read them ahead.
    policies: HashMap<String, ParsedPolicy>,
}

/// A block's `policy` attribute read ahead of the plan ([`TfSource::parse_policies`]).
#[derive(Debug)]
struct ParsedPolicy {
    expr: hcl_edit::expr::Expression,
    /// The references written in it ([`eval::references`]).
    references: Vec<String>,
    /// The block's [`TfSource::literal_attributes`], as (name, value) ranges of its text.
    literals: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

/// A `# permgate:ignore CHECK reason…` (or `//`) comment alone on its line, directly above a
/// block or inside it: it suppresses the check's findings on the resources planned from the
/// block.
#[derive(Debug, Clone, PartialEq)]
pub struct TfIgnore {
    /// Index into [`TfSource::files`].
    pub file: usize,
    /// The comment, from `#` or `//` to the end of its line.
    pub span: Span,
    /// The configuration address of the block (`module.app.aws_lambda_function.fn`).
    pub address: String,
    /// The check id or slug as written; empty when the comment names none.
    pub check: String,
    /// The rest of the comment; empty when it gives no reason.
    pub reason: String,
}

/// The check and reason of a `permgate:ignore` comment; `None` for any other comment.
fn parse_ignore(comment: &str) -> Option<(String, String)> {
    let body = comment
        .strip_prefix('#')
        .or_else(|| comment.strip_prefix("//"))?
        .trim_start();
    let rest = body.strip_prefix("permgate:ignore")?;
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let rest = rest.trim();
    let (check, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    Some((check.to_string(), reason.trim().to_string()))
}

/// One `resource`, `data` or `module` block.
#[derive(Debug, Clone)]
pub struct SourceBlock {
    /// Index into [`TfSource::files`].
    pub file: usize,
    /// The whole block, from its type keyword to its closing brace.
    pub span: Span,
    /// A block of a `.tf` file, whose body can be parsed as HCL; else of a `.tf.json` file.
    pub hcl: bool,
}

/// A part of the source that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceProblem {
    /// Index into [`TfSource::files`], when the problem is inside a file that was read.
    pub file: Option<usize>,
    pub span: Option<Span>,
    /// One line, lowercase first word.
    pub message: String,
}

/// A block found in a file, before it is given its module's address.
struct FoundBlock {
    /// `aws_iam_role.fn`, `data.aws_iam_policy_document.p` or `module.app`.
    address: String,
    span: Span,
    /// For a `module` block: its `source` when it is a plain string.
    module_source: Option<String>,
    /// The line comments that belong to the block ([`scan::TopBlock::comments`]).
    comments: Vec<Span>,
}

impl TfSource {
    /// Reads the root module in `dir` and every module it calls. An empty [`TfSource`] (no
    /// files) when the directory holds no `.tf` or `.tf.json` file.
    pub fn read(dir: &Path) -> TfSource {
        let mut source = TfSource::default();
        let registry = ModuleRegistry::read(dir, &mut source);
        source.read_module(dir, "", "", &registry, 0);
        source
    }

    /// Parses the `policy` attribute of every `.tf` block now rather than when it is asked for:
    /// a plan reader reads the source on another thread while it reads the plan
    /// ([`crate::readers::tfplan::read_plan_file`]), and parsing the expressions is most of
    /// what the source costs. A block whose `policy` does not parse alone is left to
    /// [`TfSource::attribute_expression`], which parses the block whole.
    pub fn parse_policies(&mut self) {
        for (address, block) in &self.blocks {
            if !block.hcl {
                continue;
            }
            let Some(text) = self.files.get(block.file).and_then(|f| {
                f.text
                    .get(block.span.start as usize..block.span.end as usize)
            }) else {
                continue;
            };
            // Most blocks are not policies: a search is cheaper than listing their attributes.
            if memchr::memmem::find(text.as_bytes(), b"policy").is_none() {
                continue;
            }
            let Some(attributes) = scan::attributes(text) else {
                continue;
            };
            let parsed = attributes
                .iter()
                .find(|(name, _)| *name == "policy")
                .and_then(|(_, range)| text.get(range.clone()))
                .and_then(|value| hcl_edit::parser::parse_expr(value).ok());
            if let Some(expr) = parsed {
                let references = eval::references(&expr);
                let literals = literals(text, &attributes);
                self.policies.insert(
                    address.clone(),
                    ParsedPolicy {
                        expr,
                        references,
                        literals,
                    },
                );
            }
        }
    }

    /// Whether any source file was found.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The block a plan address (`module.app["a"].aws_iam_role.fn[0]`) was planned from.
    pub fn block(&self, plan_address: &str) -> Option<&SourceBlock> {
        self.blocks.get(&config_address(plan_address))
    }

    /// Whether the module a plan address belongs to was read (so that a missing block means
    /// the source changed, not that the module could not be found).
    pub fn has_module_of(&self, plan_address: &str) -> bool {
        let config = config_address(plan_address);
        let parts: Vec<&str> = config.split('.').collect();
        let mut end = 0;
        while parts.get(end) == Some(&"module") && end + 2 < parts.len() {
            end += 2;
        }
        let prefix = match parts.get(..end) {
            Some(p) if !p.is_empty() => format!("{}.", p.join(".")),
            _ => String::new(),
        };
        self.modules.contains(&prefix)
    }

    /// The references written in the `policy` of the block a plan instance comes from, when
    /// it was parsed ahead ([`TfSource::parse_policies`]).
    pub fn policy_references(&self, plan_address: &str) -> Option<&[String]> {
        self.policies
            .get(&config_address(plan_address))
            .map(|p| p.references.as_slice())
    }

    /// The expression of a block's attribute (`policy` of `aws_iam_role_policy.p`): parsed
    /// ahead ([`TfSource::parse_policies`]), else parsed again from its span (or read from its
    /// `.tf.json` object); `None` when the block or attribute is not in the source.
    pub fn attribute_expression(
        &self,
        plan_address: &str,
        attribute: &str,
    ) -> Option<Cow<'_, hcl_edit::expr::Expression>> {
        if attribute == "policy"
            && let Some(parsed) = self.policies.get(&config_address(plan_address))
        {
            return Some(Cow::Borrowed(&parsed.expr));
        }
        self.parse_attribute(plan_address, attribute)
            .map(Cow::Owned)
    }

    /// [`TfSource::attribute_expression`], parsed now.
    fn parse_attribute(
        &self,
        plan_address: &str,
        attribute: &str,
    ) -> Option<hcl_edit::expr::Expression> {
        let block = self.block(plan_address)?;
        if !block.hcl {
            let body = self.any_block_body(plan_address)?;
            return Some(body.get_attribute(attribute)?.value.clone());
        }
        let file = self.files.get(block.file)?;
        // Only the expression is parsed: the other attributes of the block are not needed,
        // and parsing costs more than everything else the source adds to a run.
        let text = file
            .text
            .get(block.span.start as usize..block.span.end as usize)?;
        let parsed = scan::attribute_value(text, attribute)
            .and_then(|range| text.get(range))
            .and_then(|value| hcl_edit::parser::parse_expr(value).ok());
        if let Some(expr) = parsed {
            return Some(expr);
        }
        let body = parse_block(file, block.span)?;
        let parsed = body.blocks().next()?;
        let value = &parsed.body.get_attribute(attribute)?.value;
        Some(value.clone())
    }

    /// The span of the expression of a block's attribute (`policy = jsonencode({…})`), in the
    /// block's file; `None` when the block does not write it directly.
    pub fn attribute_span(&self, plan_address: &str, attribute: &str) -> Option<Span> {
        let block = self.block(plan_address).filter(|b| b.hcl)?;
        let start = block.span.start as usize;
        let text = self
            .files
            .get(block.file)?
            .text
            .get(start..block.span.end as usize)?;
        let range = scan::attribute_value(text, attribute)?;
        Some(Span::new(start + range.start, start + range.end))
    }

    /// The attributes of a block written as plain literals (a quoted string without
    /// interpolation or escape, a number, `true`, `false`), with their text as the plan would
    /// hold it: what a plan's known values can be compared with.
    pub fn literal_attributes(&self, plan_address: &str) -> Vec<(&str, &str)> {
        let Some(block) = self.block(plan_address).filter(|b| b.hcl) else {
            return Vec::new();
        };
        let Some(text) = self.files.get(block.file).and_then(|f| {
            f.text
                .get(block.span.start as usize..block.span.end as usize)
        }) else {
            return Vec::new();
        };
        let ranges = match self.policies.get(&config_address(plan_address)) {
            Some(parsed) => Cow::Borrowed(&parsed.literals),
            None => Cow::Owned(literals(text, &scan::attributes(text).unwrap_or_default())),
        };
        ranges
            .iter()
            .filter_map(|(name, value)| Some((text.get(name.clone())?, text.get(value.clone())?)))
            .collect()
    }

    /// The references written in `expr`, an attribute of the block at `plan_address`
    /// ([`eval::references`]): read ahead for a `policy` ([`TfSource::parse_policies`]).
    pub fn references_in(
        &self,
        plan_address: &str,
        expr: &hcl_edit::expr::Expression,
    ) -> Cow<'_, [String]> {
        match self.policies.get(&config_address(plan_address)) {
            Some(parsed) if std::ptr::eq(&parsed.expr, expr) => Cow::Borrowed(&parsed.references),
            _ => Cow::Owned(eval::references(expr)),
        }
    }

    /// The expression of `attribute` in the one nested block of type `nested` whose attribute
    /// `key.0` is the literal string `key.1` (`policy` of the `inline_policy` named
    /// `read-orders` of `aws_iam_role.fn`), or in the only nested block of that type when
    /// `key` is `None`; `None` when there is no such block or more than one.
    pub fn nested_attribute_expression(
        &self,
        plan_address: &str,
        nested: &str,
        key: Option<(&str, &str)>,
        attribute: &str,
    ) -> Option<hcl_edit::expr::Expression> {
        let body = self.any_block_body(plan_address)?;
        let mut matching = body.blocks().filter(|b| {
            b.ident.as_str() == nested
                && key.is_none_or(|(name, value)| {
                    b.body.get_attribute(name).and_then(|a| a.value.as_str()) == Some(value)
                })
        });
        let found = matching.next()?;
        if matching.next().is_some() {
            return None;
        }
        Some(found.body.get_attribute(attribute)?.value.clone())
    }

    /// A block of a `.tf` file parsed as HCL: its body, the index of its file, and the offset
    /// in that file of the text the body's spans are relative to. `None` for a `.tf.json`
    /// block, and for a block without `needle` in its text (a cheap test before parsing).
    pub fn block_body(
        &self,
        plan_address: &str,
        needle: &str,
    ) -> Option<(hcl_edit::structure::Body, usize, u32)> {
        let block = self.block(plan_address).filter(|b| b.hcl)?;
        let file = self.files.get(block.file)?;
        let text = file
            .text
            .get(block.span.start as usize..block.span.end as usize)?;
        if !text.contains(needle) {
            return None;
        }
        let body = parse_block(file, block.span)?;
        let parsed = body.into_blocks().next()?;
        Some((parsed.body, block.file, block.span.start))
    }

    /// The body of a block, parsed from its `.tf` text or read from its `.tf.json` object as
    /// the module reader reads it.
    fn any_block_body(&self, plan_address: &str) -> Option<Body> {
        let block = self.block(plan_address)?;
        let file = self.files.get(block.file)?;
        if block.hcl {
            return parse_block(file, block.span)?
                .into_blocks()
                .next()
                .map(|b| b.body);
        }
        let config = config_address(plan_address);
        let mut parts = config.rsplit('.');
        let (_name, kind) = (parts.next()?, parts.next()?);
        // `data.aws_x.y`, not the resource `aws_x.y` of a module named `data`.
        let data = parts.next() == Some("data") && parts.next() != Some("module");
        json::block_at(file, block.span, data, kind)
    }

    /// The directory of the module a block is in (what `path.module` names there).
    pub fn block_dir(&self, plan_address: &str) -> Option<PathBuf> {
        let block = self.block(plan_address)?;
        let path = &self.files.get(block.file)?.path;
        Some(match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        })
    }

    /// The file of a block or problem.
    pub fn file(&self, index: usize) -> Option<&Arc<SourceFile>> {
        self.files.get(index)
    }

    /// Reads the `.tf` and `.tf.json` files of one module. `prefix` is the module's address
    /// with a final dot (`module.app.`), `key` its key in `modules.json` (`app`).
    fn read_module(
        &mut self,
        dir: &Path,
        prefix: &str,
        key: &str,
        registry: &ModuleRegistry,
        depth: usize,
    ) {
        let mut calls = Vec::new();
        self.modules.insert(prefix.to_string());
        for path in module_files(dir) {
            let Some(index) = self.load(&path) else {
                continue;
            };
            let Some(file) = self.files.get(index).cloned() else {
                continue;
            };
            let found = if is_json(&path) {
                json::blocks(&file)
            } else {
                hcl_blocks(&file)
            };
            let found = match found {
                Ok(found) => found,
                Err((span, message)) => {
                    // Its blocks are unknown: a plan address missing from the module is not
                    // evidence that the source changed.
                    self.modules.remove(prefix);
                    self.problems.push(SourceProblem {
                        file: Some(index),
                        span,
                        message,
                    });
                    continue;
                }
            };
            for block in found {
                for comment in &block.comments {
                    let text = file
                        .text
                        .get(comment.start as usize..comment.end as usize)
                        .unwrap_or_default();
                    if let Some((check, reason)) = parse_ignore(text.trim_end()) {
                        self.ignores.push(TfIgnore {
                            file: index,
                            span: Span::new(
                                comment.start as usize,
                                text.trim_end().len() + comment.start as usize,
                            ),
                            address: format!("{prefix}{}", block.address),
                            check,
                            reason,
                        });
                    }
                }
                if let Some(name) = block.address.strip_prefix("module.") {
                    calls.push((
                        name.to_string(),
                        block.module_source.clone(),
                        index,
                        block.span,
                    ));
                }
                self.blocks
                    .entry(format!("{prefix}{}", block.address))
                    .or_insert(SourceBlock {
                        file: index,
                        span: block.span,
                        hcl: !is_json(&path),
                    });
            }
        }
        for (name, module_source, file, span) in calls {
            let child_key = if key.is_empty() {
                name.clone()
            } else {
                format!("{key}.{name}")
            };
            let child_prefix = format!("{prefix}module.{name}.");
            if depth + 1 >= MAX_MODULE_DEPTH {
                self.problems.push(SourceProblem {
                    file: Some(file),
                    span: Some(span),
                    message: format!(
                        "module `{name}` is nested more than {MAX_MODULE_DEPTH} modules deep; its source is not read"
                    ),
                });
                continue;
            }
            match module_dir(dir, &child_key, module_source.as_deref(), registry) {
                Ok(child_dir) => {
                    self.read_module(&child_dir, &child_prefix, &child_key, registry, depth + 1);
                }
                Err(why) => self.problems.push(SourceProblem {
                    file: Some(file),
                    span: Some(span),
                    message: format!(
                        "the source of module `{name}` is not on disk ({why}); its findings point at the plan"
                    ),
                }),
            }
        }
    }

    /// Reads one file into [`TfSource::files`], or records why it cannot be read.
    fn load(&mut self, path: &Path) -> Option<usize> {
        let too_large = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_FILE_BYTES);
        if too_large {
            self.problems.push(SourceProblem {
                file: None,
                span: None,
                message: format!(
                    "`{}` is larger than {} MiB and is not read",
                    path.display(),
                    MAX_FILE_BYTES >> 20
                ),
            });
            return None;
        }
        match crate::readers::load(path) {
            Ok(file) => {
                self.files.push(Arc::new(file));
                Some(self.files.len() - 1)
            }
            Err(failed) => {
                let (file, error) = *failed;
                self.files.push(Arc::new(file));
                self.problems.push(SourceProblem {
                    file: Some(self.files.len() - 1),
                    span: error.span,
                    message: error.message,
                });
                None
            }
        }
    }
}

/// Where `terraform init` put the modules it downloaded: `modules.json` keys (`app.child`) to
/// directories relative to the root module.
#[derive(Debug, Default)]
struct ModuleRegistry {
    root: PathBuf,
    dirs: HashMap<String, String>,
}

impl ModuleRegistry {
    fn read(root: &Path, source: &mut TfSource) -> ModuleRegistry {
        let mut registry = ModuleRegistry {
            root: root.to_path_buf(),
            dirs: HashMap::new(),
        };
        let path = root.join(".terraform").join("modules").join("modules.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return registry;
        };
        let Ok(document) = serde_json::from_str::<serde_json::Value>(&text) else {
            source.problems.push(SourceProblem {
                file: None,
                span: None,
                message: format!(
                    "`{}` is not valid JSON; run `terraform init` again",
                    path.display()
                ),
            });
            return registry;
        };
        let modules = document
            .get("Modules")
            .and_then(serde_json::Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for module in modules {
            let key = module.get("Key").and_then(serde_json::Value::as_str);
            let dir = module.get("Dir").and_then(serde_json::Value::as_str);
            if let (Some(key), Some(dir)) = (key, dir) {
                registry.dirs.insert(key.to_string(), dir.to_string());
            }
        }
        registry
    }
}

/// The directory of a called module, or why it cannot be found.
fn module_dir(
    caller: &Path,
    key: &str,
    source: Option<&str>,
    registry: &ModuleRegistry,
) -> Result<PathBuf, String> {
    let local = source.filter(|s| s.starts_with("./") || s.starts_with("../"));
    let dir = match (local, registry.dirs.get(key)) {
        (Some(local), _) => lexical_join(caller, local),
        (None, Some(dir)) => lexical_join(&registry.root, dir),
        (None, None) => {
            return Err(match source {
                Some(s) => format!(
                    "`{s}` is not a local path and `.terraform/modules/modules.json` does not list it; run `terraform init`"
                ),
                None => "its `source` is not a plain string".to_string(),
            });
        }
    };
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!("`{}` is not a directory", dir.display()))
    }
}

/// `base` joined with `relative`, `.` and `..` resolved without touching the disk (as
/// Terraform resolves local module paths), so that reports show `infra/modules/app/main.tf`
/// rather than `infra/./modules/../modules/app/main.tf`.
fn lexical_join(base: &Path, relative: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in base.join(relative).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_name =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_name {
                    out.pop();
                } else {
                    out.push(part);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The `.tf` and `.tf.json` files of one module directory, in name order (as Terraform reads
/// them); override files too, since their blocks are where the plan's values came from.
fn module_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        // `./main.tf` for the current directory reads better as `main.tf`.
        .map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p))
        .filter(|p| p.is_file() && (is_json(p) || p.extension().is_some_and(|e| e == "tf")))
        .collect();
    files.sort();
    files
}

fn is_json(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".tf.json"))
}

/// Whether a directory holds Terraform source (a `.tf` or `.tf.json` file).
pub fn has_source(dir: &Path) -> bool {
    !module_files(dir).is_empty()
}

/// The blocks of one `.tf` file, or the scan error's span and message. Only the extent of each
/// block is found here ([`scan`]); a body is parsed when it is used ([`parse_block`]), except
/// a `module` block's, for its `source`.
fn hcl_blocks(file: &SourceFile) -> Result<Vec<FoundBlock>, (Option<Span>, String)> {
    let blocks = scan::top_blocks(&file.text).map_err(|(at, message)| {
        let at = at.min(file.text.len());
        (
            Some(Span::new(at, (at + 1).min(file.text.len()))),
            format!("the Terraform file does not parse: {message}; its blocks are not located"),
        )
    })?;
    let mut found = Vec::new();
    for block in blocks {
        let labels: Vec<&str> = block.labels.iter().map(String::as_str).collect();
        let address = match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => format!("{kind}.{name}"),
            ("data", [kind, name]) => format!("data.{kind}.{name}"),
            ("module", [name]) => format!("module.{name}"),
            _ => continue,
        };
        let span = Span::new(block.span.start, block.span.end);
        let module_source = if block.ident == "module" {
            let body = parse_block(file, span).ok_or_else(|| {
                (
                    Some(span),
                    format!(
                        "the Terraform file does not parse: the `{address}` block is not valid HCL; its blocks are not located"
                    ),
                )
            })?;
            body.blocks()
                .next()
                .and_then(|b| b.body.get_attribute("source"))
                .and_then(|a| a.value.as_str())
                .map(str::to_string)
        } else {
            None
        };
        found.push(FoundBlock {
            address,
            span,
            module_source,
            comments: block
                .comments
                .iter()
                .map(|c| Span::new(c.start, c.end))
                .collect(),
        });
    }
    Ok(found)
}

/// The attributes of `block` (`attributes` as [`scan::attributes`] lists them) written as
/// plain literals (see [`TfSource::literal_attributes`]): the ranges of each name and of its
/// value as the plan would hold it (a string without its quotes).
fn literals(
    block: &str,
    attributes: &[(&str, std::ops::Range<usize>)],
) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let literal = |value: &'_ str| -> bool {
        match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(inner) => {
                !inner.contains(['"', '\\', '\n']) && !inner.contains("${") && !inner.contains("%{")
            }
            None => value == "true" || value == "false" || value.parse::<f64>().is_ok(),
        }
    };
    let base = block.as_ptr() as usize;
    attributes
        .iter()
        .filter_map(|(name, range)| {
            let value = block.get(range.clone())?;
            if !literal(value) {
                return None;
            }
            // `name` is a slice of `block` (scan::attributes).
            let start = (name.as_ptr() as usize).checked_sub(base)?;
            let quoted = usize::from(value.starts_with('"'));
            Some((
                start..start + name.len(),
                range.start + quoted..range.end - quoted,
            ))
        })
        .collect()
}

/// One block's text parsed as an HCL body (holding that block).
fn parse_block(file: &SourceFile, span: Span) -> Option<Body> {
    let text = file.text.get(span.start as usize..span.end as usize)?;
    hcl_edit::parser::parse_body(text).ok()
}

/// A plan address without instance keys: `module.app["a"].aws_iam_role.fn[0]` →
/// `module.app.aws_iam_role.fn`. Keys are skipped with their quotes, so a key holding `]` or
/// `.` does not cut the address.
pub fn config_address(plan_address: &str) -> String {
    let mut out = String::with_capacity(plan_address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in plan_address.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '"' if depth > 0 => in_string = true,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}
