//! Parameter values for CloudFormation and SAM templates: the values a deploy passes, read from
//! the command line, a parameters file, or the `samconfig` file beside a template.
//!
//! Input: the `--parameter-overrides`, `--parameters` and `--config-env` options and the
//! templates' paths. Output: the [`GivenValues`] for each template, or a located [`FileError`]
//! for a source that cannot be read. A value given here is certain; a parameter without one keeps
//! its `Default`, which the audit treats as an assumption (see [`crate::checks::assumed`]).
//!
//! Precedence, as the deploy tools apply it: the SAM CLI takes `parameter_overrides` from the
//! `[ENV.deploy.parameters]` table of `samconfig.toml` (or `samconfig.yaml`, `samconfig.yml`),
//! else from `[ENV.global.parameters]`, and a `--parameter-overrides` given on its command line
//! replaces the file's value as a whole. Here, likewise, values given on the command line
//! (`--parameters FILE`, then `--parameter-overrides`, which wins key by key over the file)
//! replace the samconfig values as a whole; without them, a template named by the samconfig's
//! `template_file` (default `template.yaml`, `template.yml`, `template.json`) gets its values.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::FileError;
use crate::readers::syntax::{Key, Node, NodeKind, ScalarStyle};
use crate::source::{SourceFile, Span};

/// The command-line options that give parameter values (kept apart from the other options so
/// that a configuration file can provide them too).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ParameterOptions {
    /// Parameter values for CloudFormation and SAM templates, in the SAM CLI's syntax:
    /// `Key=Value`, `Key="value with spaces"` or `ParameterKey=Key,ParameterValue=Value`,
    /// separated by spaces; wins over `--parameters` and replaces samconfig values
    #[arg(long = "parameter-overrides", value_name = "KEY=VALUE", num_args = 1..)]
    pub overrides: Vec<String>,
    /// A JSON file of parameter values: `[{"ParameterKey": …, "ParameterValue": …}]` (the AWS
    /// CLI's) or `{"Parameters": {…}}` (a CodePipeline template configuration file)
    #[arg(long = "parameters", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The samconfig environment whose `parameter_overrides` apply, as `sam deploy
    /// --config-env` [default: default]
    #[arg(long = "config-env", value_name = "ENV")]
    pub config_env: Option<String>,
}

impl ParameterOptions {
    /// The samconfig environment, and whether it was named (a named one must exist).
    pub fn environment(&self) -> (&str, bool) {
        match &self.config_env {
            Some(env) => (env, true),
            None => ("default", false),
        }
    }
}

/// Where a given value comes from, in words for messages (`--parameter-overrides`,
/// `params.json`, `samconfig.toml [default.deploy.parameters]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenValue {
    pub value: String,
    pub origin: String,
}

/// Parameter name → the value the deploy passes.
pub type GivenValues = BTreeMap<String, GivenValue>;

/// A source of values that cannot be read: the file and the error, for the report.
pub type SourceError = (Arc<SourceFile>, FileError);

/// One source of values, with where each key was written (for "not a parameter" errors).
#[derive(Clone, Debug, Default)]
pub struct ValueSource {
    pub values: GivenValues,
    /// The file the values were read from, and each key's span in it; `None` for the command
    /// line.
    pub file: Option<Arc<SourceFile>>,
    pub key_spans: BTreeMap<String, Span>,
}

/// The values given on the command line (`--parameters` merged with `--parameter-overrides`),
/// with the sources kept apart so that an unknown key can be reported where it was written.
#[derive(Clone, Debug, Default)]
pub struct CommandLineValues {
    pub sources: Vec<ValueSource>,
}

impl CommandLineValues {
    /// True when no value was given on the command line.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The merged values: later sources win key by key.
    pub fn merged(&self) -> GivenValues {
        let mut out = GivenValues::new();
        for s in &self.sources {
            for (k, v) in &s.values {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    }
}

/// Reads the command-line sources. An override that does not parse is a usage error (`Err`
/// with the message); a parameters file that cannot be read is returned as a file error with
/// its source, for the report.
pub fn command_line(
    options: &ParameterOptions,
) -> Result<(CommandLineValues, Option<SourceError>), String> {
    let mut out = CommandLineValues::default();
    let mut file_error = None;
    if let Some(path) = &options.file {
        match read_parameters_file(path) {
            Ok(source) => out.sources.push(source),
            Err(e) => file_error = Some(*e),
        }
    }
    if !options.overrides.is_empty() {
        let mut source = ValueSource::default();
        for arg in &options.overrides {
            for (key, value) in
                parse_overrides(arg).map_err(|e| format!("--parameter-overrides: {e}"))?
            {
                source.values.insert(
                    key,
                    GivenValue {
                        value,
                        origin: "--parameter-overrides".into(),
                    },
                );
            }
        }
        out.sources.push(source);
    }
    Ok((out, file_error))
}

// ---------------------------------------------------------------------------------------------
// The SAM CLI's `--parameter-overrides` syntax

/// Parses one `--parameter-overrides` argument as the SAM CLI does: whitespace-separated
/// `Key=Value` or `ParameterKey=Key,ParameterValue=Value` items, where a value may be quoted
/// with `"…"` (in which `\"` and `\\` are escapes) or `'…'`, and otherwise runs to the next
/// whitespace. Later keys win.
pub fn parse_overrides(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = if let Some(long) = rest.strip_prefix("ParameterKey=") {
            let end = long
                .find(',')
                .ok_or_else(|| format!("`{}` has no `,ParameterValue=`", first_word(rest)))?;
            let key = long.get(..end).unwrap_or("");
            let after = long
                .get(end + 1..)
                .and_then(|s| s.strip_prefix("ParameterValue="))
                .ok_or_else(|| format!("`{}` has no `,ParameterValue=`", first_word(rest)))?;
            (key, after)
        } else {
            let end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .filter(|&i| rest.get(i..).is_some_and(|s| s.starts_with('=')))
                .ok_or_else(|| format!("`{}` is not `Key=Value`", first_word(rest)))?;
            (
                rest.get(..end).unwrap_or(""),
                rest.get(end + 1..).unwrap_or(""),
            )
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "`{key}` is not a parameter name (letters and digits only)"
            ));
        }
        let (value, after) = parse_value(after)?;
        out.retain(|(k, _)| k != key);
        out.push((key.to_string(), value));
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return Err(format!(
                "the value of `{key}` must be followed by a space before the next item"
            ));
        }
        rest = after.trim_start();
    }
    Ok(out)
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

/// One value: `"…"` with `\"` and `\\` escapes, `'…'` verbatim, or bare text up to whitespace.
fn parse_value(s: &str) -> Result<(String, &str), String> {
    if let Some(body) = s.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((value, body.get(i + 1..).unwrap_or(""))),
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => value.push(e),
                    Some((_, e)) => {
                        value.push('\\');
                        value.push(e);
                    }
                    None => value.push('\\'),
                },
                _ => value.push(c),
            }
        }
        return Err(format!("unterminated `\"` in `{s}`"));
    }
    if let Some(body) = s.strip_prefix('\'') {
        let end = body
            .find('\'')
            .ok_or_else(|| format!("unterminated `'` in `{s}`"))?;
        return Ok((
            body.get(..end).unwrap_or("").to_string(),
            body.get(end + 1..).unwrap_or(""),
        ));
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    Ok((
        s.get(..end).unwrap_or("").to_string(),
        s.get(end..).unwrap_or(""),
    ))
}

// ---------------------------------------------------------------------------------------------
// Parameters files

/// Reads a JSON parameters file in either shape users have: the AWS CLI's
/// `[{"ParameterKey": "K", "ParameterValue": "V"}]` or a CodePipeline template configuration
/// file's `{"Parameters": {"K": "V"}}`.
pub fn read_parameters_file(path: &Path) -> Result<ValueSource, Box<SourceError>> {
    let source = match crate::readers::load(path) {
        Ok(s) => Arc::new(s),
        Err(failed) => {
            let (source, error) = *failed;
            return Err(Box::new((Arc::new(source), error)));
        }
    };
    let fail = |source: &Arc<SourceFile>, e: FileError| Box::new((Arc::clone(source), e));
    let root = crate::readers::json::parse_json(&source).map_err(|e| fail(&source, e))?;
    let origin = path.display().to_string();
    let mut out = ValueSource {
        file: Some(Arc::clone(&source)),
        ..ValueSource::default()
    };
    let mut put = |key: &Key, value: &Node| -> Result<(), FileError> {
        let text = scalar(value).ok_or_else(|| {
            FileError::new(
                format!("the value of parameter `{}` must be a string", key.text),
                Some(value.span),
            )
        })?;
        out.key_spans.insert(key.text.to_string(), key.span);
        out.values.insert(
            key.text.to_string(),
            GivenValue {
                value: text,
                origin: origin.clone(),
            },
        );
        Ok(())
    };
    match &root.kind {
        NodeKind::Seq(items) => {
            for item in items {
                let (Some(key), Some(value)) = (
                    item.get("ParameterKey"),
                    item.get("ParameterValue")
                        .or_else(|| item.get("UsePreviousValue")),
                ) else {
                    return Err(fail(
                        &source,
                        FileError::new(
                            "each item needs `ParameterKey` and `ParameterValue`",
                            Some(item.span),
                        ),
                    ));
                };
                let name = key.as_str().ok_or_else(|| {
                    fail(
                        &source,
                        FileError::new("`ParameterKey` must be a string", Some(key.span)),
                    )
                })?;
                if item.get("ParameterValue").is_none() {
                    // `UsePreviousValue` keeps the deployed value, which the file does not say.
                    continue;
                }
                let k = Key {
                    text: name.into(),
                    span: key.span,
                };
                put(&k, value).map_err(|e| fail(&source, e))?;
            }
        }
        NodeKind::Map(_) => {
            let Some(params) = root.get("Parameters") else {
                return Err(fail(
                    &source,
                    FileError::new(
                        "a parameters file is a list of `ParameterKey`/`ParameterValue` items or an object with `Parameters`",
                        Some(root.span),
                    ),
                ));
            };
            let entries = params.as_map().ok_or_else(|| {
                fail(
                    &source,
                    FileError::new("`Parameters` must be an object", Some(params.span)),
                )
            })?;
            for (key, value) in entries {
                put(key, value).map_err(|e| fail(&source, e))?;
            }
        }
        NodeKind::Scalar { .. } => {
            return Err(fail(
                &source,
                FileError::new(
                    "a parameters file is a list of `ParameterKey`/`ParameterValue` items or an object with `Parameters`",
                    Some(root.span),
                ),
            ));
        }
    }
    Ok(out)
}

/// The text of a scalar (a string, number or boolean), as CloudFormation passes it.
fn scalar(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar { raw, style } if *style != ScalarStyle::Null => Some(raw.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// samconfig

/// The samconfig file names the SAM CLI looks for, in its order.
pub const SAMCONFIG_NAMES: [&str; 3] = ["samconfig.toml", "samconfig.yaml", "samconfig.yml"];
/// The template names `sam deploy` uses when the samconfig names none, in its order.
const DEFAULT_TEMPLATES: [&str; 3] = ["template.yaml", "template.yml", "template.json"];

/// The values of one samconfig file for one environment.
#[derive(Clone, Debug)]
pub struct SamConfig {
    pub source: Arc<SourceFile>,
    /// The template the values are for (an existing path).
    pub template: Option<PathBuf>,
    pub values: ValueSource,
}

/// Finds and reads the samconfig file in `dir`, if any. `Ok(None)` when there is none.
pub fn samconfig_in(
    dir: &Path,
    env: &str,
    env_explicit: bool,
) -> Result<Option<SamConfig>, Box<SourceError>> {
    let Some(path) = SAMCONFIG_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
    else {
        return Ok(None);
    };
    let source = match crate::readers::load(&path) {
        Ok(s) => Arc::new(s),
        Err(failed) => {
            let (source, error) = *failed;
            return Err(Box::new((Arc::new(source), error)));
        }
    };
    let fail = |e: FileError| Box::new((Arc::clone(&source), e));
    let is_toml = path.extension().is_some_and(|e| e == "toml");
    let root = if is_toml {
        toml_tree(&source).map_err(fail)?
    } else {
        crate::readers::yaml::parse_yaml(&source).map_err(fail)?
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(environment) = root.get(env) else {
        if env_explicit {
            return Err(fail(FileError::new(
                format!("`{name}` has no environment `{env}` (`--config-env`)"),
                Some(Span::new(0, 0)),
            )));
        }
        return Ok(Some(SamConfig {
            source: Arc::clone(&source),
            template: None,
            values: ValueSource::default(),
        }));
    };
    // `[ENV.deploy.parameters]` wins over `[ENV.global.parameters]`, one key at a time.
    let table = |command: &str| environment.get(command).and_then(|c| c.get("parameters"));
    let (deploy, global) = (table("deploy"), table("global"));
    let setting = |key: &str| -> Option<(&Node, &'static str)> {
        deploy
            .and_then(|t| t.get(key))
            .map(|n| (n, "deploy"))
            .or_else(|| global.and_then(|t| t.get(key)).map(|n| (n, "global")))
    };
    let template = setting("template_file")
        .or_else(|| setting("template"))
        .and_then(|(n, _)| n.as_str())
        .map(|t| dir.join(t))
        .or_else(|| {
            DEFAULT_TEMPLATES
                .iter()
                .map(|n| dir.join(n))
                .find(|p| p.is_file())
        });
    let mut values = ValueSource {
        file: Some(Arc::clone(&source)),
        ..ValueSource::default()
    };
    if let Some((node, command)) = setting("parameter_overrides") {
        let origin = format!("{name} [{env}.{command}.parameters]");
        // A string of `Key=Value` items, or (newer SAM CLI) a list of them.
        let items: Vec<&Node> = match &node.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        for item in items {
            let text = scalar(item).ok_or_else(|| {
                fail(FileError::new(
                    "`parameter_overrides` must be a string or a list of strings",
                    Some(item.span),
                ))
            })?;
            let pairs = parse_overrides(&text).map_err(|e| {
                fail(FileError::new(
                    format!("`parameter_overrides`: {e}"),
                    Some(item.span),
                ))
            })?;
            for (key, value) in pairs {
                values.key_spans.insert(key.clone(), item.span);
                values.values.insert(
                    key,
                    GivenValue {
                        value,
                        origin: origin.clone(),
                    },
                );
            }
        }
    }
    Ok(Some(SamConfig {
        source,
        template,
        values,
    }))
}

/// A TOML document as a spanned syntax tree, so that samconfig files in TOML and YAML are read
/// by one function.
fn toml_tree(source: &SourceFile) -> Result<Node, FileError> {
    let table = toml::de::DeTable::parse(&source.text).map_err(|e| {
        let span = e.span().map(|r| Span::new(r.start, r.end));
        FileError::new(format!("invalid TOML: {}", e.message().trim()), span)
    })?;
    let span = table.span();
    Ok(toml_table(table.get_ref(), Span::new(span.start, span.end)))
}

fn toml_table(table: &toml::de::DeTable<'_>, span: Span) -> Node {
    let entries = table
        .iter()
        .map(|(k, v)| {
            let ks = k.span();
            (
                Key {
                    text: k.get_ref().as_ref().into(),
                    span: Span::new(ks.start, ks.end),
                },
                toml_value(v),
            )
        })
        .collect();
    Node {
        span,
        tag: None,
        kind: NodeKind::Map(entries),
    }
}

fn toml_value(value: &toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let r = value.span();
    let span = Span::new(r.start, r.end);
    match value.get_ref() {
        DeValue::String(s) => Node::scalar(s.as_ref(), ScalarStyle::Quoted, span),
        DeValue::Integer(i) => Node::scalar(i.as_str(), ScalarStyle::Plain, span),
        DeValue::Float(f) => Node::scalar(f.as_str(), ScalarStyle::Plain, span),
        DeValue::Boolean(b) => Node::scalar(b.to_string(), ScalarStyle::Plain, span),
        DeValue::Datetime(d) => Node::scalar(d.to_string(), ScalarStyle::Plain, span),
        DeValue::Array(items) => Node {
            span,
            tag: None,
            kind: NodeKind::Seq(items.iter().map(toml_value).collect()),
        },
        DeValue::Table(t) => toml_table(t, span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_overrides(text).unwrap()
    }

    fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn overrides_in_the_sam_cli_syntax() {
        assert_eq!(
            pairs(
                r#"A=1 B="two words" C='a "b"' ParameterKey=D,ParameterValue=arn:aws:sqs:eu-west-1:1:q"#
            ),
            owned(&[
                ("A", "1"),
                ("B", "two words"),
                ("C", "a \"b\""),
                ("D", "arn:aws:sqs:eu-west-1:1:q"),
            ])
        );
        assert_eq!(
            pairs(r#"E="say \"hi\" \\o/""#),
            owned(&[("E", r#"say "hi" \o/"#)])
        );
        assert_eq!(pairs("  A=1   A=2 "), owned(&[("A", "2")]));
        assert_eq!(
            pairs("Empty= Next=x"),
            owned(&[("Empty", ""), ("Next", "x")])
        );
        assert_eq!(
            pairs("Url=https://x/?a=b"),
            owned(&[("Url", "https://x/?a=b")])
        );
    }

    #[test]
    fn malformed_overrides_are_refused() {
        for bad in [
            "A",
            "A =1",
            "=1",
            "A-b=1",
            r#"A="open"#,
            "A='open",
            r#"A="x"B=1"#,
            "ParameterKey=A",
            "ParameterKey=A,Value=1",
        ] {
            assert!(parse_overrides(bad).is_err(), "{bad}");
        }
    }
}
