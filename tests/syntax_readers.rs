//! Golden tests of the syntax readers alone (YAML and JSON → `Node`, before any lowering):
//! the reader fixtures of `testdata/readers/invalid/` are located errors with the expected
//! message, and the files of `testdata/readers/yaml/` give the expected tree.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on a broken fixture"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use permgate::diag::FileError;
use permgate::readers::json::parse_json;
use permgate::readers::yaml::parse_yaml;
use permgate::readers::{Node, NodeKind, ScalarStyle};
use permgate::source::SourceFile;

fn testdata(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/readers")
        .join(dir)
}

fn load(dir: &str, name: &str) -> SourceFile {
    let path = testdata(dir).join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    SourceFile::new(format!("testdata/readers/{dir}/{name}"), text)
}

fn read(file: &SourceFile) -> Result<Node, FileError> {
    if file.path.extension().is_some_and(|e| e == "json") {
        parse_json(file)
    } else {
        parse_yaml(file)
    }
}

/// `path:line:col: message` (or `path: message` without a span), then the help line.
fn describe(file: &SourceFile, error: &FileError) -> String {
    let mut out = match error.span {
        Some(span) => {
            let at = file.line_col(span.start);
            format!(
                "{}:{}:{}: {}",
                file.path.display(),
                at.line,
                at.column,
                error.message
            )
        }
        None => format!("{}: {}", file.path.display(), error.message),
    };
    if let Some(help) = &error.help {
        write!(out, "\n    help: {help}").unwrap();
    }
    out
}

const INVALID: [&str; 11] = [
    "alias-bomb.yaml",
    "bad-escape.json",
    "bad-indent.yaml",
    "deep-nesting.yaml",
    "duplicate-key.json",
    "duplicate-key.yaml",
    "empty.yaml",
    "multi-doc.yaml",
    "trailing-comma.json",
    "truncated.json",
    "unknown-tag.yaml",
];

#[test]
fn invalid_files_are_located_errors() {
    let mut report = String::new();
    for name in INVALID {
        let file = load("invalid", name);
        let error = match read(&file) {
            Ok(node) => panic!("{name} was read: {node:?}"),
            Err(error) => error,
        };
        writeln!(report, "{}", describe(&file, &error)).unwrap();
    }
    insta::assert_snapshot!(report);

    // The locations that matter, by hand.
    let located = |name: &str| {
        let file = load("invalid", name);
        let error = read(&file).unwrap_err();
        let at = file.line_col(error.span.unwrap().start);
        (at.line, at.column, error.message)
    };
    assert_eq!(
        located("duplicate-key.yaml"),
        (10, 7, "duplicate key `Handler`".to_string())
    );
    assert_eq!(
        located("duplicate-key.json"),
        (15, 5, "duplicate key `Queue`".to_string())
    );
    assert_eq!(
        located("unknown-tag.yaml"),
        (8, 23, "unknown tag `!GetAttr`".to_string())
    );
    assert_eq!(
        located("multi-doc.yaml"),
        (5, 1, "a template must be one YAML document".to_string())
    );
    assert_eq!(
        located("trailing-comma.json"),
        (7, 32, "trailing comma is not allowed in JSON".to_string())
    );
    assert_eq!(
        located("bad-escape.json"),
        (3, 34, "invalid escape `\\q` in string".to_string())
    );
    assert_eq!(
        located("alias-bomb.yaml"),
        (7, 8, "alias expansion exceeds 1000000 nodes".to_string())
    );
    assert_eq!(
        located("deep-nesting.yaml").2,
        "nesting deeper than 200 levels"
    );
    assert_eq!(read(&load("invalid", "empty.yaml")).unwrap_err().span, None);
}

/// One line per node: its key or `-`, tag, kind, text and `line:col-line:col` span.
fn render(file: &SourceFile, node: &Node) -> String {
    fn at(file: &SourceFile, offset: u32) -> String {
        let lc = file.line_col(offset);
        format!("{}:{}", lc.line, lc.column)
    }
    fn walk(file: &SourceFile, node: &Node, depth: usize, label: &str, out: &mut String) {
        let indent = "  ".repeat(depth);
        let tag = node
            .tag
            .as_deref()
            .map(|t| format!("!{t} "))
            .unwrap_or_default();
        let span = format!("{}-{}", at(file, node.span.start), at(file, node.span.end));
        match &node.kind {
            NodeKind::Scalar { raw, style } => {
                let style = match style {
                    ScalarStyle::Plain => "plain",
                    ScalarStyle::Quoted => "quoted",
                    ScalarStyle::Block => "block",
                    ScalarStyle::Null => "null",
                };
                writeln!(out, "{indent}{label}{tag}{style} {raw:?} @{span}").unwrap();
            }
            NodeKind::Seq(items) => {
                writeln!(out, "{indent}{label}{tag}seq @{span}").unwrap();
                for item in items {
                    walk(file, item, depth + 1, "- ", out);
                }
            }
            NodeKind::Map(entries) => {
                writeln!(out, "{indent}{label}{tag}map @{span}").unwrap();
                for (key, value) in entries {
                    let label = format!("{:?} @{}: ", &*key.text, at(file, key.span.start));
                    walk(file, value, depth + 1, &label, out);
                }
            }
        }
    }
    let mut out = String::new();
    walk(file, node, 0, "", &mut out);
    out
}

#[test]
fn yaml_tree_of_a_template_with_every_construct() {
    let file = load("yaml", "intrinsics.yaml");
    let root = parse_yaml(&file).unwrap();
    insta::assert_snapshot!(render(&file, &root));

    // Semantic checks the snapshot could bless by mistake.
    let params = root.get("Parameters").unwrap();
    assert_eq!(
        params
            .get("AccountId")
            .unwrap()
            .get("Default")
            .unwrap()
            .as_str(),
        Some("012345678901")
    );
    let consumer = root.get("Resources").unwrap().get("Consumer").unwrap();
    let props = consumer.get("Properties").unwrap();
    assert_eq!(
        props.get("<<").unwrap(),
        root.get("Globals").unwrap().get("Function").unwrap()
    );
    let role = props.get_entry("Role").unwrap().1;
    assert_eq!(role.tag.as_deref(), Some("If"));
    let (key, _) = props.get_entry("Handler").unwrap();
    assert_eq!(file.slice(key.span), "Handler");
    let description = root.get_entry("Description").unwrap().1;
    assert_eq!(
        description.as_str(),
        Some("Commandes reçues — traitement par lots")
    );
    let tags = root
        .get("Resources")
        .unwrap()
        .get("Queue")
        .unwrap()
        .get("Properties")
        .unwrap()
        .get("Tags")
        .unwrap();
    let owner = tags.as_seq().unwrap()[0].get("Value").unwrap();
    assert_eq!(file.slice(owner.span), "\"Zoë\"");
}

/// The tree without spans, with strings and plain scalars alike (JSON has no plain strings).
fn shape(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar {
            style: ScalarStyle::Null,
            ..
        } => "null".to_string(),
        NodeKind::Scalar { raw, .. } => format!("{raw:?}"),
        NodeKind::Seq(items) => {
            let items: Vec<String> = items.iter().map(shape).collect();
            format!("[{}]", items.join(", "))
        }
        NodeKind::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{:?}: {}", &*key.text, shape(value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

#[test]
fn yaml_and_json_readers_agree_on_the_same_template() {
    let yaml = load("yaml", "equivalent.yaml");
    let json = load("yaml", "equivalent.json");
    let from_yaml = parse_yaml(&yaml).unwrap();
    let from_json = parse_json(&json).unwrap();
    assert_eq!(shape(&from_yaml), shape(&from_json));
    assert!(shape(&from_json).contains("q-é"));
}
