//! Where the app's code created each construct, from the creation stacks a cloud assembly
//! records.
//!
//! Input: the metadata of a stack artifact, inline in the manifest (`metadata`) or in the file
//! its `additionalMetadataFile` names: construct path → entries. The CDK records a creation
//! stack per construct, as an `aws:cdk:creationStack` entry (`aws-cdk-lib` 2.x, frames already
//! abbreviated: `...new Function2 in aws-cdk-lib...`, `handler (lib/app.ts:13:10)`) or as the
//! `trace` of each entry (older versions, raw V8 frames under `--debug`).
//! Output: construct path (without the leading `/`) → the first frame in the app's own code.
//!
//! Invariants: a frame in `node_modules`, in Node's internals or abbreviated by the CDK is
//! never the app's code; a path recorded relative is resolved against the assembly directory;
//! a construct with no such frame has no site. Nothing here decides a finding: a site only
//! names where to look.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where a construct was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreationSite {
    /// The source file, as the trace names it (resolved against the assembly directory when
    /// the trace names it relatively).
    pub path: PathBuf,
    /// 1-based, as V8 counts.
    pub line: usize,
    pub column: usize,
    /// The frame's function (`new ConsumerStack`, `handler`), when it has one.
    pub function: Option<String>,
}

/// Construct path (`Stack/Consumer/Resource`) → where the app created that construct.
pub type CreationSites = BTreeMap<String, CreationSite>;

/// One metadata entry of a construct: only what locates it is read.
#[derive(Deserialize)]
pub struct Entry {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    trace: Option<Vec<String>>,
}

/// Construct path (with its leading `/`) → its entries, as the manifest and metadata files
/// spell them.
pub type Metadata = BTreeMap<String, Vec<Entry>>;

/// Adds the creation site of every construct of `metadata` that has one, resolving relative
/// paths against `assembly_dir`.
pub fn collect(metadata: &Metadata, assembly_dir: &Path, sites: &mut CreationSites) {
    for (construct, entries) in metadata {
        let frames = entries.iter().flat_map(|entry| {
            let recorded = (entry.kind == "aws:cdk:creationStack")
                .then(|| entry.data.as_ref().and_then(serde_json::Value::as_array))
                .flatten()
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str);
            let traced = entry.trace.iter().flatten().map(String::as_str);
            recorded.chain(traced)
        });
        let Some(site) = frames.filter_map(app_frame).next() else {
            continue;
        };
        let path = construct.trim_start_matches('/').to_string();
        sites.entry(path).or_insert_with(|| CreationSite {
            path: assembly_dir.join(site.path),
            ..site
        });
    }
}

/// The location of a frame of the app's own code; `None` for a frame of the CDK, of another
/// package, of Node, or one the CDK abbreviated (`...node internals...`).
fn app_frame(frame: &str) -> Option<CreationSite> {
    let frame = frame.trim();
    let frame = frame.strip_prefix("at ").unwrap_or(frame);
    if frame.starts_with("...") || frame.starts_with('(') {
        return None;
    }
    let (function, place) = match frame.strip_suffix(')').and_then(|f| f.rsplit_once(" (")) {
        Some((function, place)) => (Some(function.trim()), place),
        None => (None, frame),
    };
    let (rest, column) = place.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    let line = line.parse::<usize>().ok().filter(|&l| l > 0)?;
    let column = column.parse::<usize>().ok().filter(|&c| c > 0)?;
    let file = file.strip_prefix("file://").unwrap_or(file);
    let foreign = file.is_empty()
        || file.starts_with("node:")
        || file.starts_with("internal/")
        || file.contains("/node_modules/")
        || file.contains("\\node_modules\\");
    if foreign {
        return None;
    }
    Some(CreationSite {
        path: PathBuf::from(file),
        line,
        column,
        function: function
            .filter(|f| !f.is_empty() && *f != "<anonymous>")
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn the_first_frame_of_the_app_is_the_site() {
        let metadata: Metadata = serde_json::from_str(
            r#"{"/S/Fn/Resource": [
                {"type": "aws:cdk:logicalId", "data": "Fn1234"},
                {"type": "aws:cdk:creationStack", "data": [
                    "...new Function2 in aws-cdk-lib...",
                    "handler (app/app.js:13:10)",
                    "new S (app/app.js:31:16)"]}]}"#,
        )
        .unwrap();
        let mut sites = CreationSites::new();
        collect(&metadata, Path::new("/a/cdk.out"), &mut sites);
        let site = sites.get("S/Fn/Resource").unwrap();
        assert_eq!(site.path, Path::new("/a/cdk.out/app/app.js"));
        assert_eq!((site.line, site.column), (13, 10));
        assert_eq!(site.function.as_deref(), Some("handler"));
    }

    #[test]
    fn raw_v8_traces_skip_node_modules_and_node() {
        let metadata: Metadata = serde_json::from_str(
            r#"{"/S/Q/Resource": [{"type": "aws:cdk:logicalId", "data": "Q1", "trace": [
                "new Queue (/p/node_modules/aws-cdk-lib/aws-sqs/lib/queue.js:1:100)",
                "at node:internal/main:3:4",
                "at Object.<anonymous> (file:///p/bin/app.ts:7:3)"]}]}"#,
        )
        .unwrap();
        let mut sites = CreationSites::new();
        collect(&metadata, Path::new("/elsewhere"), &mut sites);
        let site = sites.get("S/Q/Resource").unwrap();
        assert_eq!(site.path, Path::new("/p/bin/app.ts"));
        assert_eq!((site.line, site.column), (7, 3));
        assert_eq!(site.function.as_deref(), Some("Object.<anonymous>"));
    }

    #[test]
    fn no_app_frame_no_site() {
        for frame in [
            "...aws-cdk-lib...",
            "(no user code in 10 frames, use --stack-trace-limit to capture more)",
            "...node internals...",
            "f (app.js:0:1)",
            "f (app.js:x:1)",
            "app.js",
        ] {
            assert_eq!(app_frame(frame), None, "{frame}");
        }
    }
}
