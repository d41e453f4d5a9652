//! Baseline: the findings a team has accepted for now, recorded, so that only new ones count.
//!
//! Input: a [`Report`] after suppressions, and a baseline file written by an earlier run
//! (`--write-baseline`). Output: the report where every finding whose fingerprint the baseline
//! holds is moved to the file's suppressed findings (origin `baseline`), out of the exit code,
//! and [`Report::baseline`] lists the baseline entries no finding matched (fixed, or their file
//! was not part of this run).
//!
//! The file is JSON, versioned: `{"version": 1, "tool": "permgate", "findings": [...]}`, one
//! entry per finding with its fingerprint ([`crate::report::fingerprint`]: check id, path
//! relative to the repository root, resource, and the missing permissions or, without them, the
//! message) and, for people reading a diff of it, the check, file, resource and message. An
//! unknown version, a file that does not parse or an entry of the wrong shape is an error naming
//! the file, line and column: a baseline that silently matched nothing would fail every
//! accepted finding, and one that matched too much would pass new ones.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::report::{
    BaselineEntry, BaselineOutcome, Report, Suppressed, SuppressionOrigin, fingerprint,
};

/// The version this permgate writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u32,
    pub tool: String,
    pub findings: Vec<BaselineEntry>,
}

/// The baseline of a report: every finding it reports and every finding a baseline kept out
/// (those are still there), in report order. Suppressed findings are not part of it.
pub fn of(report: &Report) -> BaselineFile {
    let mut findings = Vec::new();
    for file in &report.files {
        let baselined = file
            .suppressed
            .iter()
            .filter(|s| matches!(s.origin, SuppressionOrigin::Baseline { .. }))
            .map(|s| &s.finding);
        for finding in file.findings.iter().chain(baselined) {
            findings.push(BaselineEntry {
                fingerprint: fingerprint(file, finding),
                check: finding.check.to_string(),
                file: file.key_path.clone(),
                resource: finding.resource.clone(),
                message: finding.message.clone(),
            });
        }
    }
    findings.sort_by(|a, b| {
        (&a.file, &a.check, &a.resource, &a.fingerprint).cmp(&(
            &b.file,
            &b.check,
            &b.resource,
            &b.fingerprint,
        ))
    });
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    BaselineFile {
        version: VERSION,
        tool: env!("CARGO_PKG_NAME").to_string(),
        findings,
    }
}

/// Writes the baseline of `report` to `path`.
pub fn write(report: &Report, path: &Path) -> anyhow::Result<BaselineFile> {
    let baseline = of(report);
    let mut text = serde_json::to_string_pretty(&baseline)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| ConfigError {
        location: path.display().to_string(),
        message: format!("cannot write the baseline: {e}"),
    })?;
    Ok(baseline)
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<BaselineFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        location: path.display().to_string(),
        message: format!("cannot read the baseline: {e}"),
    })?;
    parse(path, &text)
}

/// Parses a baseline's text; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<BaselineFile, ConfigError> {
    let at = |line: usize, column: usize, message: String| ConfigError {
        location: format!("{}:{line}:{column}", path.display()),
        message,
    };
    // The version first, so that a newer format is named as such rather than as a bad field.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        at(
            e.line(),
            e.column(),
            format!("the baseline is not JSON: {e}"),
        )
    })?;
    match value.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(VERSION)) => {}
        Some(v) => {
            return Err(ConfigError {
                location: path.display().to_string(),
                message: format!(
                    "baseline version `{v}` is not one this permgate reads (version {VERSION}); write it again with `--write-baseline`"
                ),
            });
        }
        None => {
            return Err(ConfigError {
                location: path.display().to_string(),
                message: "not a permgate baseline: it has no `version`".into(),
            });
        }
    }
    serde_json::from_str(text).map_err(|e| {
        at(
            e.line(),
            e.column(),
            format!("not a permgate baseline: {}", without_position(&e)),
        )
    })
}

/// serde_json's message without its own ` at line L column C` (the location says it already).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// Moves the findings `baseline` holds out of the report; `name` is the baseline file as given.
pub fn apply(report: &mut Report, baseline: &BaselineFile, name: &str) {
    let mut remaining: BTreeMap<&str, &BaselineEntry> = baseline
        .findings
        .iter()
        .map(|e| (e.fingerprint.as_str(), e))
        .collect();
    let known: std::collections::HashSet<&str> = baseline
        .findings
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    for file in &mut report.files {
        let findings = std::mem::take(&mut file.findings);
        for finding in findings {
            let key = fingerprint(file, &finding);
            if known.contains(key.as_str()) {
                remaining.remove(key.as_str());
                file.suppressed.push(Suppressed {
                    finding,
                    reason: "in the baseline".into(),
                    origin: SuppressionOrigin::Baseline {
                        file: name.to_string(),
                    },
                });
            } else {
                file.findings.push(finding);
            }
        }
    }
    report.baseline = Some(BaselineOutcome {
        path: name.to_string(),
        fixed: remaining.into_values().cloned().collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_other_versions_and_shapes_with_the_location() {
        let path = Path::new("base.json");
        let cases = [
            (
                "{\"version\": 2, \"tool\": \"permgate\", \"findings\": []}",
                "base.json: baseline version `2` is not one this permgate reads",
            ),
            (
                "{\"tool\": \"permgate\"}",
                "base.json: not a permgate baseline: it has no `version`",
            ),
            (
                "{\"version\": 1,\n \"tool\": \"permgate\", \"findings\": [{\"fingerprint\": 3}]}",
                "base.json:2:",
            ),
            (
                "{\"version\": 1,\n \"tol\": \"permgate\", \"findings\": []}",
                "base.json:2:",
            ),
            ("{\"version\": 1,", "base.json:1:"),
        ];
        for (text, expected) in cases {
            let error = parse(path, text).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{text}: {error}");
        }
        let ok = parse(
            path,
            "{\"version\": 1, \"tool\": \"permgate\", \"findings\": []}",
        )
        .unwrap();
        assert!(ok.findings.is_empty());
    }
}
