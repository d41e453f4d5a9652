//! Property test over the readers: any text, read as a file named on the command line and run
//! through the checks and every report format, gives a report — audited, skipped, or an error
//! with a message — and never a panic; and the whole run stays within a memory budget.
//!
//! Inputs are the fixtures of `testdata/` mutated the way hostile input is (tokens that open
//! anchors, aliases, tags, flow collections and strings inserted, spans deleted or repeated),
//! plus arbitrary text.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use permgate::report::{FileStatus, Format};
use proptest::prelude::*;

/// Peak resident memory of this test process. Every case of this file runs in it; the budget
/// is far above what the fixtures need and far below what one amplification (an alias or a
/// `Globals` copy without a byte budget) takes.
const MEMORY_BUDGET_BYTES: u64 = 1 << 30;

fn fixtures() -> &'static [String] {
    static FIXTURES: OnceLock<Vec<String>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut paths = Vec::new();
        collect(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
            &mut paths,
        );
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|t| t.len() < 64 * 1024)
            .collect()
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("snapshots") {
                collect(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

/// Text that means something to one of the readers.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!If ",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    ":",
    ": ",
    ",",
    "- ",
    "\n",
    "\t",
    "  ",
    "#",
    "|",
    ">",
    "\\",
    "\\u0000",
    "${",
    "AWS::",
    "Type",
    "Resources",
    "DependsOn",
    "Transform: AWS::Serverless-2016-10-31\n",
    "Globals",
    "\"format_version\"",
    "\"index\"",
    "-1",
    "1e999",
    "null",
    "\u{1b}[31m",
    "\u{202e}",
    "\r\n",
    "\u{feff}",
];

#[derive(Clone, Debug)]
enum Edit {
    Insert { at: usize, token: usize },
    Delete { at: usize, len: usize },
    Repeat { at: usize, len: usize, times: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Edit::Insert { at, token }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 1usize..32, 2usize..64).prop_map(|(at, len, times)| Edit::Repeat {
            at,
            len,
            times
        }),
    ]
}

/// The char boundary at or before `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_string();
    for e in edits {
        match *e {
            Edit::Insert { at, token } => {
                let at = boundary(&text, at);
                text.insert_str(at, TOKENS[token]);
            }
            Edit::Delete { at, len } => {
                let start = boundary(&text, at);
                let end = boundary(&text, start + len.min(text.len() - start));
                text.replace_range(start..end.max(start), "");
            }
            Edit::Repeat { at, len, times } => {
                let start = boundary(&text, at);
                let end = boundary(&text, start + len.min(text.len() - start));
                let piece = text[start..end.max(start)].repeat(times);
                text.insert_str(end.max(start), &piece);
            }
        }
    }
    text
}

fn mutated() -> impl Strategy<Value = String> {
    let n = fixtures().len();
    (0..n, proptest::collection::vec(edit(), 1..8))
        .prop_map(|(i, edits)| apply(&fixtures()[i], &edits))
}

fn audit_holds(name: &str, text: String) -> Result<(), TestCaseError> {
    let report = permgate::audit_text(name, text);
    prop_assert_eq!(report.files.len(), 1);
    let file = &report.files[0];
    match file.status {
        FileStatus::Audited => prop_assert!(file.error.is_none()),
        FileStatus::Skipped => prop_assert!(file.message.is_some()),
        _ => {
            let error = file.error.as_ref();
            prop_assert!(error.is_some_and(|e| !e.message.is_empty()));
            // A span, when there is one, lies inside the file.
            if let Some(span) = error.and_then(|e| e.span) {
                prop_assert!(span.start as usize <= file.source.text.len());
            }
        }
    }
    let formats = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ];
    for format in formats {
        let text = permgate::report::text::TextOptions {
            color: false,
            width: Some(60),
        };
        let mut out = Vec::new();
        prop_assert!(
            permgate::report::write(&report, format, permgate::checks::CHECKS, text, &mut out)
                .is_ok()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_give_a_report(text in mutated(), yaml in any::<bool>()) {
        audit_holds(if yaml { "t.yaml" } else { "t.json" }, text)?;
    }

    #[test]
    fn arbitrary_text_gives_a_report(text in "\\PC{0,400}") {
        audit_holds("t.yaml", text)?;
    }
}

/// Inputs that once crashed, hung or were audited as fine (`tests/fuzz-regressions/<target>/`,
/// where the fuzz targets' minimized crashes go): each gives a report, in every format; the
/// inputs named in `AUDITED` are valid (their bug was in the output), every other one is broken
/// and must be an error.
#[test]
fn fuzz_regressions_give_a_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut seen = 0;
    for target in ["yaml_template", "json_template", "plan"] {
        let mut files = Vec::new();
        collect(&root.join(target), &mut files);
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let report = permgate::audit_text(name.clone(), text.clone());
            audit_holds(&name, text).unwrap();
            let status = report.files[0].status;
            const AUDITED: &[&str] = &[
                "control-characters-in-ids.json",
                "finding-past-column-65535.json",
            ];
            let expected_error = !AUDITED.contains(&name.as_str());
            assert_eq!(
                status == FileStatus::Error,
                expected_error,
                "{name}: {status:?}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "{seen}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_property_tests_stay_within_the_memory_budget() {
    // Run the mutated cases here too, so that the measure covers them whatever the test order.
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    });
    runner
        .run(&mutated(), |text| audit_holds("t.yaml", text))
        .unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        peak_kib * 1024 < MEMORY_BUDGET_BYTES,
        "peak resident memory {peak_kib} KiB"
    );
}
