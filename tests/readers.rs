//! Golden tests of the readers: `permgate inventory --format json` of every template under
//! `testdata/readers/` matches its reviewed snapshot, and every file under
//! `testdata/readers/invalid/` fails with a located diagnostic.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
use std::path::{Path, PathBuf};

use permgate::inventory::{self, InventoryFile};
use permgate::{FileOutcome, LoadedFile, load_inputs};

fn files_under(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walk(Path::new(dir));
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "snapshots") {
                out.extend(walk(&path));
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
    out
}

fn inventory_json(file: &LoadedFile) -> serde_json::Value {
    let (format, status, message, stack) = match &file.outcome {
        FileOutcome::Stack { format, stack } => (Some(*format), "audited", None, Some(&**stack)),
        FileOutcome::Skipped { format, reason } => (*format, "skipped", Some(reason.clone()), None),
        FileOutcome::Error { format, error } => {
            (*format, "error", Some(error.message.clone()), None)
        }
        FileOutcome::Assembly { warnings } => (
            None,
            "audited",
            warnings.first().map(|w| w.message.clone()),
            None,
        ),
    };
    inventory::to_json(&[InventoryFile {
        source: &file.source,
        format,
        status,
        message,
        stack,
    }])
}

#[test]
fn inventory_snapshots() {
    let paths: Vec<PathBuf> = files_under("testdata/readers")
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "invalid"))
        .filter(|p| !p.components().any(|c| c.as_os_str() == "tfplan"))
        // SAMT's own test inputs and outputs, compared by the SAM expansion's tests.
        .filter(|p| !p.components().any(|c| c.as_os_str() == "samt"))
        .collect();
    assert!(paths.len() >= 2, "reader fixtures are missing");
    for path in paths {
        let files = load_inputs(std::slice::from_ref(&path));
        assert_eq!(files.len(), 1, "{}", path.display());
        let file = &files[0];
        if let FileOutcome::Error { error, .. } = &file.outcome {
            panic!("{} does not read: {error:?}", path.display());
        }
        let name = path
            .strip_prefix("testdata/readers")
            .unwrap()
            .to_string_lossy()
            .replace(['/', '.'], "_");
        insta::with_settings!({ snapshot_path => "../testdata/readers/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!(name, inventory_json(file));
        });
    }
}

#[test]
fn invalid_inputs_fail_with_located_diagnostics() {
    let paths = files_under("testdata/readers/invalid");
    assert!(!paths.is_empty());
    let mut lines = Vec::new();
    for path in paths {
        let files = load_inputs(std::slice::from_ref(&path));
        assert_eq!(files.len(), 1, "{}", path.display());
        let file = &files[0];
        let FileOutcome::Error { error, .. } = &file.outcome else {
            panic!("{} was expected to fail", path.display());
        };
        let location = match error.span {
            Some(span) => {
                let lc = file.source.line_col(span.start);
                format!("{}:{}", lc.line, lc.column)
            }
            None => "-".to_string(),
        };
        lines.push(format!(
            "{}:{location}: {}",
            path.file_name().unwrap().to_string_lossy(),
            error.message
        ));
    }
    insta::with_settings!({ snapshot_path => "../testdata/readers/snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("invalid", lines.join("\n"));
    });
}

#[test]
fn inventory_snapshots_follow_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schemas/inventory.schema.json").unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for path in files_under("testdata/readers") {
        if path
            .components()
            .any(|c| c.as_os_str() == "invalid" || c.as_os_str() == "tfplan")
        {
            continue;
        }
        let files = load_inputs(std::slice::from_ref(&path));
        let doc = inventory_json(&files[0]);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        checked += 1;
    }
    assert!(checked >= 2);
    // The schema rejects what it should: an unknown mapping kind.
    let mut bad =
        inventory_json(&load_inputs(&[PathBuf::from("testdata/readers/cfn/resources.yaml")])[0]);
    bad["files"][0]["stack"]["event_source_mappings"][0]["kind"] =
        serde_json::json!("carrier-pigeon");
    assert!(!validator.is_valid(&bad));
}
