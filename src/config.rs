//! The configuration file, `.permgate.toml`, and the rules a run applies to findings.
//!
//! Input: the file named by `--config`, or the first `.permgate.toml` found in the current
//! directory and its ancestors up to the repository root (the nearest directory with `.git`);
//! without a repository, the current directory only. Output: a [`ConfigFile`] whose every key
//! mirrors a command-line option of `permgate check` (the command line wins), and the
//! [`Rules`] built from both: which checks run, severity overrides, suppressions.
//!
//! Invariants: a file that does not parse, an unknown key (a typo must not silently disable a
//! gate), a value of the wrong kind, a check that does not exist or a suppression without a
//! reason is a [`ConfigError`] naming the file, line and column; the run stops with exit code 2
//! rather than enforce something other than what was written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;
use serde::Deserialize;
use toml::Spanned;

use crate::checks::{CHECKS, CheckInfo};
use crate::day::Day;
use crate::diag::Severity;
use crate::report::{FailOn, Format};
use crate::source::{SourceFile, Span};

/// The name permgate looks for.
pub const FILE_NAME: &str = ".permgate.toml";

/// `.permgate.toml` as written. Keys are the long options of `permgate check`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// `--format`.
    pub format: Option<Spanned<String>>,
    /// `--fail-on`.
    pub fail_on: Option<Spanned<String>>,
    /// `--baseline`, relative to the config file's directory.
    pub baseline: Option<Spanned<String>>,
    /// `--parameter-overrides`: `Key=Value` items in the SAM CLI's syntax.
    pub parameter_overrides: Option<Vec<Spanned<String>>>,
    /// `--parameters`, relative to the config file's directory.
    pub parameters: Option<Spanned<String>>,
    /// `--config-env`: the samconfig environment whose values apply.
    pub config_env: Option<Spanned<String>>,
    /// `--tf-source`, relative to the config file's directory.
    pub tf_source: Option<Spanned<String>>,
    /// `--var-file` for Terraform modules audited without a plan, relative to the config
    /// file's directory; read before the command line's.
    pub tf_var_files: Option<Vec<Spanned<String>>>,
    /// `--region`: the region templates are deployed to.
    pub region: Option<Spanned<String>>,
    /// `--account`: the account templates are deployed to.
    pub account: Option<Spanned<String>>,
    /// `--select` and `--ignore`.
    #[serde(default)]
    pub checks: ChecksTable,
    /// Check id or name → `error`, `warning`, `note` or `off`.
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<String>>,
    /// Suppressions.
    #[serde(default)]
    pub ignore: Vec<Spanned<IgnoreEntry>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksTable {
    pub select: Option<Vec<Spanned<String>>>,
    pub ignore: Option<Vec<Spanned<String>>>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub check: Spanned<String>,
    pub resource: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    pub until: Option<Spanned<toml::Value>>,
}

/// A problem with the configuration, the baseline or an option: `file:line:column: message`.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ConfigError {
    pub location: String,
    pub message: String,
}

/// A configuration file as read: its text (to locate problems and suppressions) and content.
#[derive(Debug)]
pub struct LoadedConfig {
    pub source: Arc<SourceFile>,
    pub file: ConfigFile,
}

impl LoadedConfig {
    /// `format`, when set.
    pub fn format(&self) -> Result<Option<Format>, ConfigError> {
        self.word("format", self.file.format.as_ref())
    }

    /// `fail-on`, when set.
    pub fn fail_on(&self) -> Result<Option<FailOn>, ConfigError> {
        self.word("fail-on", self.file.fail_on.as_ref())
    }

    fn word<T: ValueEnum>(
        &self,
        key: &str,
        value: Option<&Spanned<String>>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(value) = value else {
            return Ok(None);
        };
        T::from_str(value.get_ref(), false).map(Some).map_err(|_| {
            let words: Vec<String> = T::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value)
                .map(|v| format!("`{}`", v.get_name()))
                .collect();
            self.error(
                value.span(),
                format!(
                    "`{key}` must be one of {}, not `{}`",
                    words.join(", "),
                    value.get_ref()
                ),
            )
        })
    }

    /// The error at `span` of this file.
    pub fn error(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> ConfigError {
        located(&self.source, Some(Span::new(span.start, span.end)), message)
    }

    /// The directory relative paths in the file are relative to.
    pub fn dir(&self) -> PathBuf {
        self.source
            .path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

/// `path:line:column: message`, or `path: message` without a span.
pub fn located(source: &SourceFile, span: Option<Span>, message: impl Into<String>) -> ConfigError {
    let path = source.path.display();
    let location = match span {
        Some(s) => {
            let lc = source.line_col(s.start.min(u32::try_from(source.text.len()).unwrap_or(0)));
            format!("{path}:{}:{}", lc.line, lc.column)
        }
        None => path.to_string(),
    };
    ConfigError {
        location,
        message: message.into(),
    }
}

/// The repository root: the nearest ancestor of `dir` (itself included) with a `.git` entry,
/// else `dir`. Fingerprints and `path` globs are relative to it.
pub fn repository_root(dir: &Path) -> PathBuf {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map_or_else(|| dir.clone(), Path::to_path_buf)
}

/// The configuration file that applies in `cwd`: the nearest `.permgate.toml` from `cwd` up to
/// `root`, as a path relative to `cwd` (`.permgate.toml`, `../../.permgate.toml`), which is how
/// reports name it.
pub fn discover(cwd: &Path, root: &Path) -> Option<PathBuf> {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let mut relative = PathBuf::new();
    for dir in cwd.ancestors() {
        if dir.join(FILE_NAME).is_file() {
            return Some(relative.join(FILE_NAME));
        }
        if dir == root || !dir.starts_with(root) {
            break;
        }
        relative.push("..");
    }
    None
}

/// Reads and parses a configuration file.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        location: path.display().to_string(),
        message: format!("cannot read the configuration file: {e}"),
    })?;
    parse(SourceFile::new(path, text))
}

/// Parses a configuration file's text.
pub fn parse(source: SourceFile) -> Result<LoadedConfig, ConfigError> {
    match toml::from_str::<ConfigFile>(&source.text) {
        Ok(file) => {
            let config = LoadedConfig {
                source: Arc::new(source),
                file,
            };
            config.format()?;
            config.fail_on()?;
            Ok(config)
        }
        Err(e) => {
            let span = e.span().map(|r| Span::new(r.start, r.end));
            let message = e.message().trim().replace('\n', " ");
            Err(located(&source, span, message))
        }
    }
}

/// A check as a suppression, `--select`, `--ignore` or `[severity]` names it: an id or a name,
/// any case.
pub fn find_check(name: &str) -> Option<&'static CheckInfo> {
    crate::checks::find(name.trim())
}

/// The checks a selector names: an id (`PG101`), a name (`esm-sqs-permissions`) or an id
/// prefix (`PG1`, every check from PG100 to PG199). `None` when it names none.
pub fn selected_by(selector: &str) -> Option<Vec<&'static str>> {
    let selector = selector.trim();
    if let Some(c) = find_check(selector) {
        return Some(vec![c.id]);
    }
    let upper = selector.to_ascii_uppercase();
    let digits = upper.strip_prefix("PG")?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ids: Vec<&'static str> = CHECKS
        .iter()
        .map(|c| c.id)
        .filter(|id| id.starts_with(&upper))
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// What `[severity]` (and nothing else) can set a check to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeverityOverride {
    To(Severity),
    /// The check's findings are dropped.
    Off,
}

impl SeverityOverride {
    pub fn parse(word: &str) -> Option<SeverityOverride> {
        Some(match word {
            "error" => SeverityOverride::To(Severity::Error),
            "warning" => SeverityOverride::To(Severity::Warning),
            "note" => SeverityOverride::To(Severity::Note),
            "off" => SeverityOverride::Off,
            _ => return None,
        })
    }
}

/// A suppression from `[[ignore]]`, checked.
#[derive(Debug)]
pub struct ConfigSuppression {
    pub check: &'static CheckInfo,
    /// The glob as written and its matcher.
    pub resource: Option<(String, globset::GlobMatcher)>,
    pub path: Option<(String, globset::GlobMatcher)>,
    pub reason: String,
    pub until: Option<(String, Day)>,
    /// The `[[ignore]]` table.
    pub span: Span,
}

/// What a run applies to the checks' findings, from the command line and the configuration.
#[derive(Debug, Default)]
pub struct Rules {
    /// The checks whose findings are kept (`None`: all).
    pub active: Option<Vec<&'static str>>,
    pub severity: BTreeMap<&'static str, SeverityOverride>,
    pub suppressions: Vec<ConfigSuppression>,
    /// The configuration file, where `suppressions` are written.
    pub config: Option<Arc<SourceFile>>,
}

impl Rules {
    /// Whether findings of `check` are reported at all (selected and not `off`).
    pub fn reports(&self, check: &str) -> bool {
        self.active.as_ref().is_none_or(|ids| ids.contains(&check))
            && self.severity.get(check) != Some(&SeverityOverride::Off)
    }
}

/// A `--select`/`--ignore` value: where it was written, for errors.
pub struct Selector {
    pub text: String,
    /// `Some` when it comes from the configuration file.
    pub span: Option<std::ops::Range<usize>>,
}

/// Builds the rules. `select` and `ignore` are the command line's when given, else the
/// configuration's.
pub fn rules(
    config: Option<&LoadedConfig>,
    select: Option<Vec<Selector>>,
    ignore: Option<Vec<Selector>>,
) -> Result<Rules, ConfigError> {
    let from_config = |list: Option<&Vec<Spanned<String>>>| {
        list.map(|l| {
            l.iter()
                .map(|s| Selector {
                    text: s.get_ref().clone(),
                    span: Some(s.span()),
                })
                .collect::<Vec<_>>()
        })
    };
    let select = select.or_else(|| from_config(config.and_then(|c| c.file.checks.select.as_ref())));
    let ignore = ignore.or_else(|| from_config(config.and_then(|c| c.file.checks.ignore.as_ref())));
    let resolve = |selectors: Vec<Selector>,
                   option: &str|
     -> Result<Vec<&'static str>, ConfigError> {
        let mut ids = Vec::new();
        for s in selectors {
            let found = selected_by(&s.text).ok_or_else(|| {
                let message = format!(
                    "`{}` names no check (an id such as `PG101`, an id prefix such as `PG1`, or a name); `permgate checks` lists them",
                    s.text
                );
                match (&s.span, config) {
                    (Some(span), Some(c)) => c.error(span.clone(), message),
                    _ => ConfigError {
                        location: option.to_string(),
                        message,
                    },
                }
            })?;
            ids.extend(found);
        }
        Ok(ids)
    };
    let mut active: Option<Vec<&'static str>> = match select {
        Some(s) => Some(resolve(s, "--select")?),
        None => None,
    };
    if let Some(ignore) = ignore {
        let ignored = resolve(ignore, "--ignore")?;
        let kept = active
            .take()
            .unwrap_or_else(|| CHECKS.iter().map(|c| c.id).collect())
            .into_iter()
            .filter(|id| !ignored.contains(id))
            .collect();
        active = Some(kept);
    }
    let mut rules = Rules {
        active,
        ..Rules::default()
    };
    let Some(config) = config else {
        return Ok(rules);
    };
    rules.config = Some(config.source.clone());
    for (name, value) in &config.file.severity {
        let check = find_check(name).ok_or_else(|| {
            config.error(
                value.span(),
                format!("`[severity]` names no check `{name}`; `permgate checks` lists them"),
            )
        })?;
        let level = SeverityOverride::parse(value.get_ref()).ok_or_else(|| {
            config.error(
                value.span(),
                format!(
                    "severity of `{name}` must be `error`, `warning`, `note` or `off`, not `{}`",
                    value.get_ref()
                ),
            )
        })?;
        rules.severity.insert(check.id, level);
    }
    for entry in &config.file.ignore {
        rules.suppressions.push(suppression(config, entry)?);
    }
    Ok(rules)
}

fn suppression(
    config: &LoadedConfig,
    entry: &Spanned<IgnoreEntry>,
) -> Result<ConfigSuppression, ConfigError> {
    let table = entry.get_ref();
    let check = find_check(table.check.get_ref()).ok_or_else(|| {
        config.error(
            table.check.span(),
            format!(
                "`{}` names no check; `permgate checks` lists them",
                table.check.get_ref()
            ),
        )
    })?;
    if check.id == crate::report::INPUT_ERROR_ID {
        return Err(config.error(
            table.check.span(),
            "an input error cannot be suppressed: the file must be fixed or left out of the run",
        ));
    }
    let reason = table
        .reason
        .as_ref()
        .map(|r| r.get_ref().trim().to_string())
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            config.error(
                entry.span(),
                format!(
                    "the suppression of `{}` has no reason; add `reason = \"…\"` saying why the finding is accepted",
                    table.check.get_ref()
                ),
            )
        })?;
    // A resource glob knows `*` and `?` only: Terraform addresses are full of brackets
    // (`aws_sqs_queue.q["orders"]`), which would otherwise be character classes.
    let glob = |g: &Option<Spanned<String>>, is_path: bool| -> Result<_, ConfigError> {
        g.as_ref()
            .map(|g| {
                let pattern = if is_path {
                    g.get_ref().clone()
                } else {
                    g.get_ref()
                        .chars()
                        .map(|c| match c {
                            '[' | ']' | '{' | '}' => globset::escape(&c.to_string()),
                            c => c.to_string(),
                        })
                        .collect()
                };
                globset::GlobBuilder::new(&pattern)
                    .literal_separator(is_path)
                    .build()
                    .map(|m| (g.get_ref().clone(), m.compile_matcher()))
                    .map_err(|e| config.error(g.span(), format!("not a glob: {}", e.kind())))
            })
            .transpose()
    };
    let until = match &table.until {
        None => None,
        Some(value) => {
            let text = match value.get_ref() {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                    Some(d.to_string())
                }
                _ => None,
            };
            let day = text.as_deref().and_then(Day::parse);
            match (text, day) {
                (Some(text), Some(day)) => Some((text, day)),
                _ => {
                    return Err(config.error(value.span(), "`until` must be a date, `YYYY-MM-DD`"));
                }
            }
        }
    };
    Ok(ConfigSuppression {
        check,
        resource: glob(&table.resource, false)?,
        path: glob(&table.path, true)?,
        reason,
        until,
        span: Span::new(entry.span().start, entry.span().end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<LoadedConfig, ConfigError> {
        parse(SourceFile::new(".permgate.toml", text.to_string()))
    }

    fn rules_of(text: &str) -> Result<Rules, String> {
        let config = parse_text(text).map_err(|e| e.to_string())?;
        rules(Some(&config), None, None).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_file_reads() {
        let rules = rules_of(
            r#"
format = "sarif"
fail-on = "warning"
baseline = "permgate-baseline.json"

[checks]
select = ["PG1", "function-url-public"]
ignore = ["PG120"]

[severity]
PG901 = "error"
esm-sqs-permissions = "off"

[[ignore]]
check = "PG205"
resource = "Public*"
path = "stacks/*.yaml"
reason = "a public webhook, checked by signature"
until = 2030-01-01

[[ignore]]
check = "PG101"
resource = 'module.m.aws_lambda_event_source_mapping.this["*"]'
path = "plans/**"
reason = "the platform team's role"
"#,
        )
        .unwrap();
        let active = rules.active.unwrap();
        assert!(active.contains(&"PG101") && active.contains(&"PG205"));
        assert!(!active.contains(&"PG120") && !active.contains(&"PG201"));
        assert_eq!(
            rules.severity.get("PG901"),
            Some(&SeverityOverride::To(Severity::Error))
        );
        assert_eq!(rules.severity.get("PG101"), Some(&SeverityOverride::Off));
        let s = &rules.suppressions[0];
        assert_eq!(s.check.id, "PG205");
        assert!(s.resource.as_ref().unwrap().1.is_match("PublicUrl"));
        assert!(s.path.as_ref().unwrap().1.is_match("stacks/a.yaml"));
        assert!(!s.path.as_ref().unwrap().1.is_match("stacks/deep/a.yaml"));
        assert_eq!(s.until.as_ref().unwrap().0, "2030-01-01");
        // Brackets in a resource glob are literal; `**` in a path crosses directories.
        let tf = &rules.suppressions[1];
        let resource = &tf.resource.as_ref().unwrap().1;
        assert!(resource.is_match("module.m.aws_lambda_event_source_mapping.this[\"orders\"]"));
        assert!(!resource.is_match("module.m.aws_lambda_event_source_mapping.this"));
        assert!(tf.path.as_ref().unwrap().1.is_match("plans/prod/tf.json"));
    }

    #[test]
    fn every_mistake_is_a_located_error() {
        for (text, expected) in [
            ("selct = []\n", ".permgate.toml:1:1: unknown field `selct`"),
            (
                "[checks]\nselect = [\"PG1\"]\nignor = []\n",
                ".permgate.toml:3:1: unknown field `ignor`",
            ),
            ("format = \n", ".permgate.toml:1:10: "),
            (
                "[[ignore]]\ncheck = \"PG101\"\n",
                ".permgate.toml:1:1: the suppression of `PG101` has no reason",
            ),
            (
                "[[ignore]]\ncheck = \"PG101\"\nreason = \" \"\n",
                ".permgate.toml:1:1: the suppression of `PG101` has no reason",
            ),
            (
                "[[ignore]]\ncheck = \"PG999\"\nreason = \"r\"\n",
                ".permgate.toml:2:9: `PG999` names no check",
            ),
            (
                "[[ignore]]\ncheck = \"PG001\"\nreason = \"r\"\n",
                ".permgate.toml:2:9: an input error cannot be suppressed",
            ),
            (
                "[[ignore]]\ncheck = \"PG101\"\nreason = \"r\"\nuntil = \"soon\"\n",
                ".permgate.toml:4:9: `until` must be a date",
            ),
            (
                "[[ignore]]\ncheck = \"PG101\"\nreason = \"r\"\npath = \"[a\"\n",
                ".permgate.toml:4:8: not a glob",
            ),
            (
                "[severity]\nPG101 = \"fatal\"\n",
                ".permgate.toml:2:9: severity of `PG101` must be",
            ),
            (
                "[severity]\nPG9999 = \"error\"\n",
                ".permgate.toml:2:10: `[severity]` names no check `PG9999`",
            ),
            (
                "[checks]\nselect = [\"PG1\", \"PGX\"]\n",
                ".permgate.toml:2:18: `PGX` names no check",
            ),
            (
                "[checks]\nselect = [\"PG8\"]\n",
                ".permgate.toml:2:11: `PG8` names no check",
            ),
        ] {
            let error = rules_of(text).unwrap_err();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn command_line_selection_wins() {
        let config = parse_text("[checks]\nselect = [\"PG2\"]\n").unwrap();
        let cli = vec![Selector {
            text: "pg101".into(),
            span: None,
        }];
        let rules = rules(Some(&config), Some(cli), None).unwrap();
        assert_eq!(rules.active, Some(vec!["PG101"]));
        let bad = vec![Selector {
            text: "nope".into(),
            span: None,
        }];
        let error = super::rules(None, None, Some(bad)).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("--ignore: `nope` names no check")
        );
    }

    /// The example of docs/config.md.
    fn documented_example() -> String {
        let docs = include_str!("../docs/config.md");
        let start = docs.find("```toml\n").unwrap() + "```toml\n".len();
        let end = start + docs[start..].find("```").unwrap();
        docs[start..end].to_string()
    }

    /// TOML as the JSON that JSON Schema tools see (dates as strings).
    fn as_json(value: &toml::Value) -> serde_json::Value {
        match value {
            toml::Value::String(s) => s.clone().into(),
            toml::Value::Integer(i) => (*i).into(),
            toml::Value::Float(f) => (*f).into(),
            toml::Value::Boolean(b) => (*b).into(),
            toml::Value::Datetime(d) => d.to_string().into(),
            toml::Value::Array(a) => a.iter().map(as_json).collect(),
            toml::Value::Table(t) => t.iter().map(|(k, v)| (k.clone(), as_json(v))).collect(),
        }
    }

    #[test]
    fn the_documented_example_reads_and_matches_the_schema() {
        let example = documented_example();
        let rules = rules_of(&example).unwrap();
        assert_eq!(rules.suppressions.len(), 2);
        assert_eq!(rules.severity.get("PG120"), Some(&SeverityOverride::Off));
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../schemas/config.schema.json")).unwrap();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let document = as_json(&toml::from_str::<toml::Value>(&example).unwrap());
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // The schema is as strict as the reader.
        for bad in [
            "selct = []",
            "fail-on = \"sometimes\"",
            "[[ignore]]\ncheck = \"PG101\"",
            "[[ignore]]\ncheck = \"PG101\"\nreason = \" \"",
            "[severity]\nPG101 = \"fatal\"",
            "[checks]\nselect = [\"PG 1\"]",
        ] {
            let document = as_json(&toml::from_str::<toml::Value>(bad).unwrap());
            assert!(!validator.is_valid(&document), "{bad}");
            assert!(rules_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        let dir = std::env::temp_dir().join(format!("permgate-config-{}", std::process::id()));
        let repo = dir.join("repo");
        let sub = repo.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(dir.join(FILE_NAME), "").unwrap();
        let root = repository_root(&sub);
        assert_eq!(root, repo.canonicalize().unwrap());
        assert_eq!(
            discover(&sub, &root),
            None,
            "a file above the repository is not used"
        );
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(
            discover(&sub, &root),
            Some(Path::new("../..").join(FILE_NAME))
        );
        std::fs::write(sub.join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&sub, &root), Some(PathBuf::from(FILE_NAME)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
