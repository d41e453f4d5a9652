//! The values of a root module's input variables when there is no plan, in Terraform's order of
//! precedence.
//!
//! Input: the root module's directory and the values given on the command line
//! ([`VarInput`]: `--var NAME=VALUE`, `--var-file FILE`, in the order given). Output: each
//! variable's value as a model [`Value`], the later source winning, as Terraform documents
//! ("Variable Definition Precedence", <https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence>):
//! environment variables `TF_VAR_name`, then `terraform.tfvars`, then `terraform.tfvars.json`,
//! then `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order of their names, then the
//! command line's `--var` and `--var-file` in the order they are written. A variable's own
//! `default` comes below all of these (the module reader applies it).
//!
//! Invariants: a file that cannot be read or parsed is a located problem, never a stop; a value
//! that is not a literal (a `.tfvars` file cannot reference anything) is unknown with the reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::{MapKey, SymStr, Value, ValueKind};
use crate::source::Span;

use super::eval::{self, References};
use super::{SourceProblem, TfSource};

/// One value source of the command line, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarInput {
    /// `--var NAME=VALUE`.
    Value { name: String, text: String },
    /// `--var-file FILE`.
    File(PathBuf),
}

impl VarInput {
    /// Parses the argument of `--var` (`NAME=VALUE`).
    pub fn parse_value(argument: &str) -> Result<VarInput, String> {
        match argument.split_once('=') {
            Some((name, text)) if !name.trim().is_empty() => Ok(VarInput::Value {
                name: name.trim().to_string(),
                text: text.to_string(),
            }),
            _ => Err(format!(
                "`{argument}` is not `NAME=VALUE` (as for `terraform plan -var`)"
            )),
        }
    }
}

/// A `.tfvars` file references nothing: every reference is unknown.
struct Literal;

impl References for Literal {
    fn reference(&self, text: &str) -> Value {
        Value::new(
            ValueKind::Unknown(format!(
                "`{text}`: a variable value cannot reference other values"
            )),
            None,
        )
    }
}

/// The value Terraform gives `text` on the command line or in `TF_VAR_name`: a list or object
/// is parsed as HCL; anything else is the string as written.
fn command_line_value(text: &str) -> Value {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if let Ok(expr) = hcl_edit::parser::parse_expr(text) {
            return eval::evaluate(&expr, &Literal, 0);
        }
    }
    Value::str(SymStr::lit(text), None)
}

/// A JSON value as a model value (numbers and booleans as text, as the evaluator keeps them).
pub fn json_to_value(json: &serde_json::Value) -> Value {
    let kind = match json {
        serde_json::Value::Null => ValueKind::Null,
        serde_json::Value::Bool(b) => ValueKind::Str(SymStr::lit(b.to_string())),
        serde_json::Value::Number(n) => ValueKind::Str(SymStr::lit(n.to_string())),
        serde_json::Value::String(s) => ValueKind::Str(SymStr::lit(s.as_str())),
        serde_json::Value::Array(items) => {
            ValueKind::List(items.iter().map(json_to_value).collect())
        }
        serde_json::Value::Object(entries) => ValueKind::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        MapKey {
                            text: k.clone(),
                            span: None,
                        },
                        json_to_value(v),
                    )
                })
                .collect(),
        ),
    };
    Value::new(kind, None)
}

/// The values given for the root module in `dir`, by variable name. Problems (a file that does
/// not parse, a `--var-file` that does not exist) go to `source`.
pub fn given_values(
    dir: &Path,
    inputs: &[VarInput],
    source: &mut TfSource,
) -> HashMap<String, Value> {
    let mut values = HashMap::new();
    let mut environment: Vec<(String, String)> = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v)))
        .collect();
    environment.sort();
    for (name, text) in environment {
        values.insert(name, command_line_value(&text));
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    let defaults = [
        dir.join("terraform.tfvars"),
        dir.join("terraform.tfvars.json"),
    ];
    for path in defaults.iter().filter(|p| p.is_file()).chain(auto.iter()) {
        read_file(path, source, &mut values);
    }
    for input in inputs {
        match input {
            VarInput::Value { name, text } => {
                values.insert(name.clone(), command_line_value(text));
            }
            VarInput::File(path) if path.is_file() => read_file(path, source, &mut values),
            VarInput::File(path) => source.problems.push(SourceProblem {
                file: None,
                span: None,
                message: format!(
                    "the variable file `{}` given with `--var-file` does not exist; the variables it would set keep their other values",
                    path.display()
                ),
            }),
        }
    }
    values
}

/// Reads one `.tfvars` (HCL) or `.tfvars.json` file into `values`.
fn read_file(path: &Path, source: &mut TfSource, values: &mut HashMap<String, Value>) {
    let Some(index) = source.load(path) else {
        return;
    };
    let Some(file) = source.files.get(index).cloned() else {
        return;
    };
    let json = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".json"));
    if json {
        match serde_json::from_str::<serde_json::Value>(&file.text) {
            Ok(serde_json::Value::Object(entries)) => {
                for (name, value) in entries {
                    values.insert(name, json_to_value(&value));
                }
            }
            Ok(_) => source.problems.push(SourceProblem {
                file: Some(index),
                span: None,
                message: "the variable file is not a JSON object; its values are not used".into(),
            }),
            Err(e) => {
                let at = line_column_offset(&file.text, e.line(), e.column());
                source.problems.push(SourceProblem {
                    file: Some(index),
                    span: Some(Span::new(at, (at + 1).min(file.text.len()))),
                    message: format!(
                        "the variable file is not valid JSON ({e}); its values are not used"
                    ),
                });
            }
        }
        return;
    }
    match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => {
            for attribute in body.attributes() {
                values.insert(
                    attribute.key.as_str().to_string(),
                    eval::evaluate(&attribute.value, &Literal, 0),
                );
            }
        }
        Err(e) => {
            let at = e.location().offset().min(file.text.len());
            source.problems.push(SourceProblem {
                file: Some(index),
                span: Some(Span::new(at, (at + 1).min(file.text.len()))),
                message: format!(
                    "the variable file does not parse: {}; its values are not used",
                    e.message()
                ),
            });
        }
    }
}

/// The byte offset of a 1-based line and column (serde_json's error position).
fn line_column_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}
