//! Tests of the SAM expansion against what SAMT itself generates.
//!
//! `testdata/readers/sam/samt/` holds (input, output) pairs of SAMT 1.115.0: the IAM-relevant
//! parts of our expansion of each input must equal those of SAMT's output (roles' managed
//! policy ARNs and inline policies, connector managed policies, event source mappings,
//! permissions), and each `error_*` input must fail with SAMT's reason. A second test expands
//! every SAMT test input of the shared corpus.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use crate::readers::syntax::{Key, Node, NodeKind, ScalarStyle};
use crate::source::{SourceFile, Span};

// ---------------------------------------------------------------------------------------------
// Test-only readers: YAML through saphyr-parser's events, JSON through serde_json.

/// A YAML document as a syntax tree (enough of a reader for these tests: tags, anchors,
/// styles and spans).
pub fn yaml(text: &str) -> Node {
    try_yaml(text).expect("a YAML document")
}

/// [`yaml`], or `None` when the parser rejects the text.
pub fn try_yaml(text: &str) -> Option<Node> {
    use saphyr_parser::{Event, Parser, ScalarStyle as Y};
    let file = SourceFile::new("test.yaml", text.to_string());
    let byte = |m: &saphyr_parser::Marker| file.byte_of_char_index(m.index()) as usize;
    enum Frame {
        Seq(Vec<Node>, usize, Option<Box<str>>, usize),
        Map(
            Vec<(Key, Node)>,
            Option<Key>,
            usize,
            Option<Box<str>>,
            usize,
        ),
    }
    fn tag_of(t: Option<std::borrow::Cow<'_, saphyr_parser::Tag>>) -> Option<Box<str>> {
        let t = t?;
        (t.handle == "!").then(|| t.suffix.clone().into())
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: BTreeMap<usize, Node> = BTreeMap::new();
    let mut root: Option<Node> = None;
    let mut parser = Parser::new_from_str(text);
    let finish = |node: Node,
                  stack: &mut Vec<Frame>,
                  anchors: &mut BTreeMap<usize, Node>,
                  anchor: usize,
                  root: &mut Option<Node>| {
        if anchor > 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, pending, ..)) => match pending.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    *pending = Some(Key {
                        text: node.as_str().or(scalar_raw(&node)).unwrap_or("").into(),
                        span: node.span,
                    })
                }
            },
            None => *root = Some(node),
        }
    };
    fn scalar_raw(n: &Node) -> Option<&str> {
        match &n.kind {
            NodeKind::Scalar { raw, .. } => Some(raw),
            _ => None,
        }
    }
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let (start, end) = (byte(&span.start), byte(&span.end));
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag_of(tag);
                let style = match style {
                    Y::Plain
                        if tag.is_none()
                            && matches!(&*value, "" | "~" | "null" | "Null" | "NULL") =>
                    {
                        ScalarStyle::Null
                    }
                    Y::Plain => ScalarStyle::Plain,
                    Y::SingleQuoted | Y::DoubleQuoted => ScalarStyle::Quoted,
                    Y::Literal | Y::Folded => ScalarStyle::Block,
                };
                let node = Node {
                    span: Span::new(start, end),
                    tag,
                    kind: NodeKind::Scalar {
                        raw: value.as_ref().into(),
                        style,
                    },
                };
                finish(node, &mut stack, &mut anchors, anchor, &mut root);
            }
            Event::SequenceStart(anchor, tag) => {
                stack.push(Frame::Seq(Vec::new(), start, tag_of(tag), anchor))
            }
            Event::MappingStart(anchor, tag) => {
                stack.push(Frame::Map(Vec::new(), None, start, tag_of(tag), anchor))
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, s, tag, anchor)) = stack.pop() {
                    let node = Node {
                        span: Span::new(s, end),
                        tag,
                        kind: NodeKind::Seq(items),
                    };
                    finish(node, &mut stack, &mut anchors, anchor, &mut root);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(entries, _, s, tag, anchor)) = stack.pop() {
                    let node = Node {
                        span: Span::new(s, end),
                        tag,
                        kind: NodeKind::Map(entries),
                    };
                    finish(node, &mut stack, &mut anchors, anchor, &mut root);
                }
            }
            Event::Alias(id) => {
                let node = anchors.get(&id).cloned()?;
                finish(node, &mut stack, &mut anchors, 0, &mut root);
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    root
}

/// A JSON value as a syntax tree with empty spans.
pub fn json_node(v: &Value) -> Node {
    let sp = Span::default();
    match v {
        Value::Null => Node::scalar("", ScalarStyle::Null, sp),
        Value::Bool(b) => Node::scalar(b.to_string(), ScalarStyle::Plain, sp),
        Value::Number(n) => Node::scalar(n.to_string(), ScalarStyle::Plain, sp),
        Value::String(s) => Node::scalar(s.as_str(), ScalarStyle::Quoted, sp),
        Value::Array(items) => Node {
            span: sp,
            tag: None,
            kind: NodeKind::Seq(items.iter().map(json_node).collect()),
        },
        Value::Object(m) => Node {
            span: sp,
            tag: None,
            kind: NodeKind::Map(
                m.iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                text: k.as_str().into(),
                                span: sp,
                            },
                            json_node(v),
                        )
                    })
                    .collect(),
            ),
        },
    }
}

/// The compact JSON rendering of a tree (tags in long form, as SAMT writes them).
pub fn render(node: &Node) -> Value {
    tree::to_json(node)
}

// ---------------------------------------------------------------------------------------------
// IAM facts of a CloudFormation template, comparable between SAMT's output and ours.

/// Values compared structurally, with the partition written either way.
fn canon(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("${AWS::Partition}", "aws")),
        Value::Array(items) => Value::Array(items.iter().map(canon).collect()),
        Value::Object(m) => {
            if let (1, Some(Value::String(s))) = (m.len(), m.get("Fn::Sub")) {
                let s = s.replace("${AWS::Partition}", "aws");
                if !s.contains("${") {
                    return Value::String(s);
                }
                return json!({ "Fn::Sub": s });
            }
            Value::Object(m.iter().map(|(k, v)| (k.clone(), canon(v))).collect())
        }
        other => other.clone(),
    }
}

fn as_list(v: Option<&Value>) -> Vec<Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(canon).collect(),
        Some(other) => vec![canon(other)],
    }
}

/// One statement, with `Action` and `Resource` as sorted lists.
fn canon_statement(s: &Value) -> String {
    let mut m = serde_json::Map::new();
    if let Value::Object(entries) = s {
        for (k, v) in entries {
            let value = match k.as_str() {
                "Action" | "NotAction" | "Resource" | "NotResource" => {
                    let mut items: Vec<String> = as_list(Some(v))
                        .iter()
                        .map(|i| match i {
                            Value::String(s) if k.ends_with("Action") => s.to_ascii_lowercase(),
                            other => other.to_string(),
                        })
                        .collect();
                    items.sort();
                    json!(items)
                }
                "Sid" => continue,
                _ => canon(v),
            };
            m.insert(k.clone(), value);
        }
    }
    Value::Object(m).to_string()
}

fn statements(doc: Option<&Value>) -> BTreeSet<String> {
    as_list(doc.and_then(|d| d.get("Statement")))
        .iter()
        .map(canon_statement)
        .collect()
}

#[derive(Debug, Default, PartialEq)]
struct RoleFacts {
    managed: BTreeSet<String>,
    /// Policy name (`if:<condition>:` prefixed inside `Fn::If`) → statements.
    policies: BTreeMap<String, BTreeSet<String>>,
    condition: Option<String>,
    boundary: Option<String>,
    path: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
struct Facts {
    roles: BTreeMap<String, RoleFacts>,
    managed_policies: BTreeMap<String, (String, BTreeSet<String>)>,
    mappings: BTreeMap<String, BTreeMap<&'static str, String>>,
    permissions: BTreeMap<String, BTreeMap<&'static str, String>>,
}

fn facts(template: &Value) -> Facts {
    let mut f = Facts::default();
    let Some(Value::Object(resources)) = template.get("Resources") else {
        return f;
    };
    let field = |props: Option<&Value>, name: &str| {
        props
            .and_then(|p| p.get(name))
            .map(|v| canon(v).to_string())
            .unwrap_or_default()
    };
    for (id, r) in resources {
        let props = r.get("Properties");
        match r.get("Type").and_then(Value::as_str) {
            Some("AWS::IAM::Role") => {
                let mut rf = RoleFacts {
                    managed: as_list(props.and_then(|p| p.get("ManagedPolicyArns")))
                        .iter()
                        .map(Value::to_string)
                        .collect(),
                    condition: r.get("Condition").map(Value::to_string),
                    boundary: props
                        .and_then(|p| p.get("PermissionsBoundary"))
                        .map(|v| canon(v).to_string()),
                    path: props.and_then(|p| p.get("Path")).map(Value::to_string),
                    ..RoleFacts::default()
                };
                for p in as_list(props.and_then(|p| p.get("Policies"))) {
                    let mut add = |prefix: String, p: &Value| {
                        if let Some(name) = p.get("PolicyName").and_then(Value::as_str) {
                            rf.policies.insert(
                                format!("{prefix}{name}"),
                                statements(p.get("PolicyDocument")),
                            );
                        }
                    };
                    match p.get("Fn::If").and_then(Value::as_array) {
                        Some(items) => {
                            let c = items.first().map(Value::to_string).unwrap_or_default();
                            for branch in items.iter().skip(1) {
                                add(format!("if:{c}:"), branch);
                            }
                        }
                        None => add(String::new(), &p),
                    }
                }
                f.roles.insert(id.clone(), rf);
            }
            Some("AWS::IAM::ManagedPolicy") => {
                f.managed_policies.insert(
                    id.clone(),
                    (
                        field(props, "Roles"),
                        statements(props.and_then(|p| p.get("PolicyDocument"))),
                    ),
                );
            }
            Some("AWS::Lambda::EventSourceMapping") => {
                let mut m = BTreeMap::new();
                for name in [
                    "EventSourceArn",
                    "FunctionName",
                    "SourceAccessConfigurations",
                    "DestinationConfig",
                ] {
                    m.insert(name, field(props, name));
                }
                m.insert(
                    "Condition",
                    r.get("Condition").map(Value::to_string).unwrap_or_default(),
                );
                f.mappings.insert(id.clone(), m);
            }
            Some("AWS::Lambda::Permission") => {
                let mut m = BTreeMap::new();
                for name in [
                    "Action",
                    "FunctionName",
                    "Principal",
                    "SourceArn",
                    "SourceAccount",
                    "EventSourceToken",
                    "FunctionUrlAuthType",
                ] {
                    m.insert(name, field(props, name));
                }
                f.permissions.insert(id.clone(), m);
            }
            _ => {}
        }
    }
    f
}

/// The differences between SAMT's facts and ours, one line each.
fn differences(expected: &Facts, actual: &Facts) -> Vec<String> {
    fn diff_maps<V: PartialEq + std::fmt::Debug>(
        what: &str,
        e: &BTreeMap<String, V>,
        a: &BTreeMap<String, V>,
        out: &mut Vec<String>,
    ) {
        for (k, ev) in e {
            match a.get(k) {
                None => out.push(format!("{what} {k}: missing")),
                Some(av) if av != ev => {
                    out.push(format!("{what} {k}: expected {ev:?}, got {av:?}"))
                }
                _ => {}
            }
        }
        for k in a.keys() {
            if !e.contains_key(k) {
                out.push(format!("{what} {k}: not in SAMT's output"));
            }
        }
    }
    let mut out = Vec::new();
    diff_maps("role", &expected.roles, &actual.roles, &mut out);
    diff_maps(
        "managed policy",
        &expected.managed_policies,
        &actual.managed_policies,
        &mut out,
    );
    diff_maps("mapping", &expected.mappings, &actual.mappings, &mut out);
    diff_maps(
        "permission",
        &expected.permissions,
        &actual.permissions,
        &mut out,
    );
    out
}

// ---------------------------------------------------------------------------------------------

fn pairs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/readers/sam/samt")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

/// Words of a message, for comparing SAMT's reason with ours.
fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// SAMT's reasons: the text after the last `is invalid.` of each cause.
fn samt_reasons(message: &str) -> Vec<String> {
    let body = message
        .split_once("Number of errors found: ")
        .map_or(message, |(_, rest)| {
            rest.split_once(". ").map_or(rest, |(_, r)| r)
        });
    let mut reasons = Vec::new();
    let parts: Vec<&str> = body.split("is invalid. ").collect();
    for (i, p) in parts.iter().enumerate().skip(1) {
        let reason = if i + 1 < parts.len() {
            // The next cause starts with "Resource with id [..]" or "Event with id [..]".
            let cut = ["Resource with id", "Event with id"]
                .iter()
                .filter_map(|m| p.rfind(m))
                .min()
                .unwrap_or(p.len());
            &p[..cut]
        } else {
            p
        };
        let reason = reason.trim();
        if !reason.is_empty()
            && !reason.starts_with("Resource with id")
            && !reason.starts_with("Event with id")
        {
            reasons.push(reason.to_string());
        }
    }
    reasons
}

/// SAMT's error inputs whose reason lies outside what an IAM audit needs, with why.
const ERRORS_OUT_OF_SCOPE: &[(&str, &str)] = &[];

#[test]
fn expansion_matches_samt_pairs() {
    let dir = pairs_dir();
    let mut full = 0usize;
    let mut report: Vec<String> = Vec::new();
    let mut errors_matched = 0usize;
    let mut total = 0usize;
    let mut compared = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    for input in inputs(&dir.join("input")) {
        let name = input.file_stem().unwrap().to_string_lossy().to_string();
        let output = dir.join("output").join(format!("{name}.json"));
        let expected: Value = serde_json::from_str(&read(&output)).unwrap();
        let root = yaml(&read(&input));
        total += 1;
        let result = expand(&root);
        if let Some(message) = expected.get("errorMessage").and_then(Value::as_str) {
            let reasons = samt_reasons(message);
            match result {
                Ok(_) => {
                    if ERRORS_OUT_OF_SCOPE.iter().any(|(n, _)| *n == name) {
                        continue;
                    }
                    report.push(format!("{name}: expands, SAMT fails with {message:?}"));
                }
                Err(e) => {
                    let ours = words(&e.message);
                    let matched = reasons.iter().any(|r| words(r).is_subset(&ours));
                    if matched {
                        errors_matched += 1;
                        full += 1;
                    } else {
                        report.push(format!(
                            "{name}: our reason {:?} is none of SAMT's {reasons:?}",
                            e.message
                        ));
                    }
                }
            }
            continue;
        }
        let expansion = match result {
            Ok(x) => x,
            Err(e) => {
                report.push(format!("{name}: fails: {e:?}"));
                continue;
            }
        };
        let expected_facts = facts(&expected);
        compared.0 += expected_facts.roles.len();
        compared.1 += expected_facts
            .roles
            .values()
            .map(|r| r.policies.len())
            .sum::<usize>();
        compared.2 += expected_facts
            .roles
            .values()
            .map(|r| r.managed.len())
            .sum::<usize>();
        compared.3 += expected_facts.mappings.len();
        compared.4 += expected_facts.permissions.len();
        compared.5 += expected_facts.managed_policies.len();
        let diffs = differences(&expected_facts, &facts(&render(&expansion.template)));
        if diffs.is_empty() {
            full += 1;
        } else {
            report.push(format!("{name}:\n    {}", diffs.join("\n    ")));
        }
    }
    println!(
        "SAMT pairs: {full} of {total} match fully ({errors_matched} error inputs with SAMT's reason)"
    );
    println!(
        "compared: {} roles with {} inline policies and {} managed policy ARNs, {} mappings, {} permissions, {} connector policies",
        compared.0, compared.1, compared.2, compared.3, compared.4, compared.5
    );
    assert!(total >= 30, "the pairs are missing");
    assert!(compared.0 >= 50 && compared.1 >= 100 && compared.3 >= 80 && compared.4 >= 30);
    assert!(
        report.is_empty(),
        "{} pairs differ:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// The comparison itself: a role missing a managed policy, an inline policy with another
/// resource, a mapping on another source are all reported.
#[test]
fn comparison_detects_differences() {
    let expected = json!({"Resources": {
        "FnRole": {"Type": "AWS::IAM::Role", "Properties": {
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"],
            "Policies": [{"PolicyName": "P", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["Q", "Arn"]}}]}}]}},
        "FnSqs": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": {"Fn::GetAtt": ["Q", "Arn"]}, "FunctionName": {"Ref": "Fn"}}}
    }});
    assert!(differences(&facts(&expected), &facts(&expected)).is_empty());
    let mut other = expected.clone();
    other["Resources"]["FnRole"]["Properties"]["ManagedPolicyArns"] = json!([]);
    other["Resources"]["FnRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] =
        json!("*");
    other["Resources"]["FnSqs"]["Properties"]["EventSourceArn"] = json!("arn:aws:sqs:x");
    let d = differences(&facts(&expected), &facts(&other));
    assert_eq!(d.len(), 2, "{d:#?}");
    // The partition may be written either way.
    let mut partition = expected.clone();
    partition["Resources"]["FnRole"]["Properties"]["ManagedPolicyArns"] = json!([
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"}
    ]);
    assert!(differences(&facts(&expected), &facts(&partition)).is_empty());
}

/// Short-form tags and long-form maps expand alike (a JSON template has only the latter).
#[test]
fn json_and_yaml_forms_expand_alike() {
    for name in [
        "pg_push_events",
        "pg_globals_and_policies",
        "pg_role_variants",
        "pg_url_dlq_eic",
    ] {
        let text = read(&pairs_dir().join("input").join(format!("{name}.yaml")));
        let from_yaml = expand(&yaml(&text)).unwrap();
        let from_json = expand(&json_node(&render(&yaml(&text)))).unwrap();
        let (a, b) = (render(&from_yaml.template), render(&from_json.template));
        for (id, r) in a["Resources"].as_object().unwrap() {
            assert_eq!(Some(r), b["Resources"].get(id), "{name}: {id}");
        }
        assert_eq!(a, b, "{name}");
        // Which function a shared bucket or user pool is noted for depends on resource order,
        // which a JSON object does not keep here.
        let without_modified = |p: &Provenance| {
            p.resources
                .iter()
                .filter(|(_, g)| {
                    !matches!(
                        g.kind,
                        GeneratedKind::ModifiedByEvent | GeneratedKind::ExtendedByEvent
                    )
                })
                .map(|(k, g)| (k.clone(), g.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            without_modified(&from_yaml.provenance),
            without_modified(&from_json.provenance),
            "{name}"
        );
        assert_eq!(
            from_yaml.provenance.inline_policies, from_json.provenance.inline_policies,
            "{name}"
        );
    }
}

/// Every expanded pair input lowers: generated references resolve, nothing is circular.
#[test]
fn expanded_templates_lower() {
    // SAMT test inputs that are not valid CloudFormation to begin with.
    const INVALID: &[&str] = &[
        // `Role: !Ref SomeRole` names no parameter or resource.
        "connector_esm_dependson",
        // `Fn::Ref` is no intrinsic function.
        "intrinsic_functions",
    ];
    let mut failures = Vec::new();
    for input in inputs(&pairs_dir().join("input")) {
        let root = yaml(&read(&input));
        let Ok(expansion) = expand(&root) else {
            continue;
        };
        if INVALID
            .iter()
            .any(|n| input.file_stem().is_some_and(|s| s == *n))
        {
            continue;
        }
        if let Err(errors) = cfn::lower(&expansion.template, &expansion.provenance.for_lowering()) {
            let name = input.file_stem().unwrap().to_string_lossy().to_string();
            for e in errors {
                failures.push(format!("{name}: {}", e.message));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn expand_text(text: &str) -> (Node, Expansion) {
    let root = yaml(text);
    let x = expand(&root).unwrap_or_else(|e| panic!("{e:?}"));
    (root, x)
}

fn resource_of<'a>(template: &'a Node, id: &str) -> &'a Node {
    template
        .get("Resources")
        .and_then(|r| r.get(id))
        .unwrap_or_else(|| panic!("no resource `{id}`"))
}

const SPANS: &str = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src/
      Policies:
        - SQSPollerPolicy:
            QueueName: !GetAtt Queue.QueueName
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
";

/// Generated nodes point at what the user wrote: the mapping at its event, the role at its
/// function, a policy template's statements at the `Policies` item, a parameter value at itself.
#[test]
fn generated_nodes_carry_the_spans_of_their_sources() {
    let (root, x) = expand_text(SPANS);
    let text = |span: Span| {
        SPANS
            .get(span.start as usize..span.end as usize)
            .unwrap()
            .to_string()
    };
    let sam_fn = root.get("Resources").unwrap().get("Fn").unwrap();
    let event = sam_fn
        .get("Properties")
        .unwrap()
        .get("Events")
        .unwrap()
        .get("Jobs")
        .unwrap();
    let mapping = resource_of(&x.template, "FnJobs");
    assert_eq!(mapping.span, event.span);
    assert!(text(mapping.span).starts_with("Type: SQS"));
    let arn = mapping
        .get("Properties")
        .unwrap()
        .get("EventSourceArn")
        .unwrap();
    assert_eq!(text(arn.span), "!GetAtt Queue.Arn");
    let role = resource_of(&x.template, "FnRole");
    assert_eq!(role.span, sam_fn.span);
    let role_props = role.get("Properties").unwrap();
    let managed = role_props
        .get("ManagedPolicyArns")
        .unwrap()
        .as_seq()
        .unwrap();
    // The SQS managed policy is there because of the event.
    let sqs_policy = managed
        .iter()
        .find(|m| {
            m.as_str()
                .is_some_and(|s| s.ends_with("AWSLambdaSQSQueueExecutionRole"))
        })
        .unwrap();
    assert_eq!(sqs_policy.span, event.span);
    let item = &sam_fn
        .get("Properties")
        .unwrap()
        .get("Policies")
        .unwrap()
        .as_seq()
        .unwrap()[0];
    let policy = &role_props.get("Policies").unwrap().as_seq().unwrap()[0];
    assert_eq!(
        policy.get("PolicyName").unwrap().as_str(),
        Some("FnRolePolicy0")
    );
    assert_eq!(policy.span, item.span);
    let statement = &policy
        .get("PolicyDocument")
        .unwrap()
        .get("Statement")
        .unwrap()
        .as_seq()
        .unwrap()[0];
    assert_eq!(statement.span, item.span);
    let queue_name = statement
        .get("Resource")
        .unwrap()
        .get("Fn::Sub")
        .unwrap()
        .as_seq()
        .unwrap()[1]
        .get("queueName")
        .unwrap();
    assert_eq!(text(queue_name.span), "!GetAtt Queue.QueueName");
    // A local `CodeUri` (a template before `sam package`) is no error.
    assert!(
        resource_of(&x.template, "Fn")
            .get("Properties")
            .unwrap()
            .get("Code")
            .is_some()
    );
}

#[test]
fn provenance_names_what_was_generated() {
    let (_, x) = expand_text(SPANS);
    let g = |id: &str| {
        x.provenance
            .resources
            .get(id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(g("FnRole").kind, GeneratedKind::ExecutionRole);
    assert_eq!(g("FnJobs").kind, GeneratedKind::EventSourceMapping);
    assert_eq!(g("FnJobs").event.as_deref(), Some("Jobs"));
    assert_eq!(g("FnJobs").from, "Fn");
    assert_eq!(
        x.provenance
            .inline_policies
            .get(&("FnRole".to_string(), "FnRolePolicy0".to_string())),
        Some(&PolicyOrigin::Template {
            name: "SQSPollerPolicy".into(),
            index: 0
        })
    );
    let lowering = x.provenance.for_lowering();
    assert_eq!(lowering.sam_roles, vec!["FnRole".to_string()]);
    assert_eq!(
        lowering.generated_from.get("FnJobs").map(String::as_str),
        Some("Fn")
    );
    assert_eq!(
        lowering
            .policy_sources
            .get(&("FnRole".to_string(), "FnRolePolicy0".to_string())),
        Some(&crate::model::PolicySource::SamPolicyTemplate)
    );
    // The lowered stack knows the role is SAM's and where the mapping comes from.
    let stack = cfn::lower(&x.template, &lowering).unwrap();
    assert!(
        stack
            .roles
            .iter()
            .any(|r| r.origin.id == "FnRole" && r.sam_generated)
    );
    let esm = &stack.event_source_mappings[0];
    assert_eq!(esm.origin.generated_from.as_deref(), Some("Fn"));
}

/// Errors name the event and point at the offending node.
#[test]
fn errors_are_located() {
    let text = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: x
      Events:
        Broker:
          Type: MQ
          Properties:
            Broker: arn:aws:mq:us-east-1:123456789012:broker:b:b-1
            Queues: [q]
            SourceAccessConfigurations:
              - Type: VIRTUAL_HOST
                URI: vhost
        Unknown:
          Type: Carrier
";
    // Every event is checked before any is expanded, as in SAMT.
    let e = expand(&yaml(text)).unwrap_err();
    assert_eq!(
        e.message,
        "event `Unknown` of `Fn`: resource dict has missing or invalid value for key `Type`; event type is: `Carrier`"
    );
    let span = e.span.unwrap();
    assert_eq!(&text[span.start as usize..span.end as usize], "Carrier");
    let text = text.split("        Unknown:").next().unwrap();
    let e = expand(&yaml(text)).unwrap_err();
    assert_eq!(
        e.message,
        "event `Broker` of `Fn`: no `BASIC_AUTH` property specified in `SourceAccessConfigurations`"
    );
    let span = e.span.unwrap();
    assert!(text[span.start as usize..].starts_with("- Type: VIRTUAL_HOST"));
    // `Events` that is not a map.
    let e = expand(&yaml(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Events: [a]\n",
    ))
    .unwrap_err();
    assert_eq!(
        e.message,
        "resource `Fn`: type of property `Events` is invalid"
    );
}

/// SAM templates of the corpus that SAMT itself rejects, with its reason.
const CORPUS_REJECTED: &[(&str, &str)] = &[(
    "cfn-lint/test/fixtures/templates/bad/transform_serverless_template.yaml",
    "a `Schedule` event without `Schedule` (and an application without `Location`)",
)];

/// SAM templates of the shared corpus: every SAMT test input expands or fails as SAMT does,
/// and every other SAM template expands and lowers without panicking.
#[test]
fn corpus_templates_expand() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(corpus) = ["../shared/corpus", "../../shared/corpus"]
        .iter()
        .map(|p| root.join(p))
        .find(|p| p.is_dir())
    else {
        println!("corpus not found next to the repository (../shared/corpus): skipped");
        return;
    };
    let samt = corpus.join("sam-translator/tests/translator/input");
    let mut failures = Vec::new();
    let mut counts = (0usize, 0usize);
    for input in inputs(&samt) {
        let name = input.file_stem().unwrap().to_string_lossy().to_string();
        let result = expand(&yaml(&read(&input)));
        counts.0 += 1;
        match (name.starts_with("error_"), result) {
            (false, Err(e)) => failures.push(format!("{name}: {}", e.message)),
            (true, Ok(_)) if !ERRORS_OUT_OF_SCOPE.iter().any(|(n, _)| *n == name) => {
                failures.push(format!("{name}: expands"))
            }
            _ => {}
        }
    }
    let mut others = Vec::new();
    let mut unreadable = 0usize;
    let mut lowering_notes = 0usize;
    collect_yaml(&corpus, &mut others);
    for path in others {
        if path.starts_with(&samt) {
            continue;
        }
        let text = read(&path);
        if !text.contains("AWS::Serverless-2016-10-31") || text.contains("{{") {
            continue;
        }
        let Some(root) = try_yaml(&text) else {
            unreadable += 1;
            continue;
        };
        if !is_sam(&root) {
            continue;
        }
        counts.1 += 1;
        let relative = path
            .strip_prefix(&corpus)
            .unwrap_or(&path)
            .to_string_lossy()
            .to_string();
        let rejected_by_samt = CORPUS_REJECTED.iter().any(|(p, _)| *p == relative);
        match expand(&root) {
            Ok(_) if rejected_by_samt => failures.push(format!("{relative}: expands")),
            Ok(x) => {
                if let Err(errors) = cfn::lower(&x.template, &x.provenance.for_lowering()) {
                    // The lowering does not yet read a short-form `!ImportValue` (it recurses
                    // into the tagged node itself); that is not the expansion's doing.
                    let ours: Vec<_> = errors
                        .iter()
                        .filter(|e| !e.message.contains("nest deeper than"))
                        .collect();
                    if ours.is_empty() {
                        lowering_notes += 1;
                    } else {
                        failures.push(format!("{relative}: does not lower: {ours:?}"));
                    }
                }
            }
            Err(_) if rejected_by_samt => {}
            Err(e) => failures.push(format!("{relative}: {}", e.message)),
        }
    }
    println!(
        "corpus: {} SAMT test inputs, {} other SAM templates ({unreadable} files the test reader cannot parse, {lowering_notes} that the lowering rejects for short-form `!ImportValue`)",
        counts.0, counts.1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_yaml(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// Roles of SAM resources this expansion does not generate, with why.
const NOT_EXPANDED: &[(&str, &str)] = &[
    (
        "AppSyncApiCloudWatchRole",
        "`AWS::Serverless::GraphQLApi` is reduced to its API; its logging role is not generated",
    ),
    (
        "CapacityProviderOperatorRole",
        "`AWS::Serverless::CapacityProvider` is kept as written",
    ),
];

/// Pairs made from other templates by running SAMT (`<name>.input.json`,
/// `<name>.output.json` in the directory `PERMGATE_SAMT_PAIRS` names); skipped without it.
#[test]
fn extra_samt_pairs() {
    let Some(dir) = std::env::var_os("PERMGATE_SAMT_PAIRS") else {
        println!("PERMGATE_SAMT_PAIRS is not set: skipped");
        return;
    };
    let dir = PathBuf::from(dir);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().to_string();
            n.strip_suffix(".input.json").map(str::to_string)
        })
        .collect();
    names.sort();
    let (mut full, mut report) = (0usize, Vec::new());
    for name in &names {
        let input: Value =
            serde_json::from_str(&read(&dir.join(format!("{name}.input.json")))).unwrap();
        let expected: Value =
            serde_json::from_str(&read(&dir.join(format!("{name}.output.json")))).unwrap();
        match expand(&json_node(&input)) {
            Ok(x) => {
                let mut d = differences(&facts(&expected), &facts(&render(&x.template)));
                d.retain(|line| {
                    !NOT_EXPANDED
                        .iter()
                        .any(|(role, _)| line == &format!("role {role}: missing"))
                });
                if d.is_empty() {
                    full += 1;
                } else {
                    report.push(format!("{name}:\n    {}", d.join("\n    ")));
                }
            }
            Err(e) => report.push(format!("{name}: fails: {}", e.message)),
        }
    }
    println!("{full} of {} extra pairs match fully", names.len());
    assert!(report.is_empty(), "{}", report.join("\n"));
}

fn provenance_json(p: &Provenance) -> Value {
    json!({
        "resources": p.resources.iter().map(|(id, g)| {
            (id.clone(), json!({"from": g.from, "event": g.event, "kind": format!("{:?}", g.kind)}))
        }).collect::<serde_json::Map<_, _>>(),
        "inline_policies": p.inline_policies.iter().map(|((role, name), o)| {
            json!({"role": role, "policy": name, "origin": format!("{o:?}")})
        }).collect::<Vec<_>>(),
    })
}

/// The expanded template, its provenance and notes, for each template in
/// `testdata/readers/sam/`, after semantic checks of what matters to an audit.
#[test]
fn expansion_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/readers/sam");
    let checks: &[(&str, &[(&str, &str)])] = &[
        (
            "events-pull",
            &[
                (
                    "/Resources/WorkerOrderQueue/Properties/EventSourceArn/Fn::GetAtt/0",
                    "Orders",
                ),
                (
                    "/Resources/WorkerRole/Properties/ManagedPolicyArns",
                    "AWSLambdaSQSQueueExecutionRole",
                ),
                (
                    "/Resources/WorkerRole/Properties/ManagedPolicyArns",
                    "AWSLambdaKinesisExecutionRole",
                ),
                (
                    "/Resources/WorkerRole/Properties/Policies",
                    "WorkerClickStreamSQSPolicy",
                ),
                (
                    "/Resources/WorkerRole/Properties/Policies",
                    "SamAutoGeneratedAMQPolicy",
                ),
                ("/Resources/WorkerRole/Properties/Policies", "kms:Decrypt"),
                (
                    "/Resources/WorkerRole/Properties/Policies",
                    "ec2:CreateNetworkInterface",
                ),
                (
                    "/Resources/WorkerBrokers/Properties/SecretsManagerKmsKeyId",
                    "1234abcd",
                ),
                (
                    "/Resources/WorkerKafka/Properties/SelfManagedEventSource",
                    "b1.example.com",
                ),
                ("/Resources/External/Properties/Role", "role/existing"),
                (
                    "/Resources/ExternalOrderQueue/Properties/FunctionName/Ref",
                    "External",
                ),
            ],
        ),
        (
            "events-push",
            &[
                (
                    "/Resources/HandlerUploadPermission/Properties/SourceAccount/Ref",
                    "AWS::AccountId",
                ),
                (
                    "/Resources/Uploads/Properties/NotificationConfiguration",
                    "s3:ObjectCreated:*",
                ),
                (
                    "/Resources/HandlerAlertPermission/Properties/SourceArn/Ref",
                    "Alerts",
                ),
                ("/Resources/HandlerAlert/Properties/Protocol", "lambda"),
                (
                    "/Resources/HandlerHourlyPermission/Properties/Principal",
                    "events.amazonaws.com",
                ),
                (
                    "/Resources/HandlerGetOrderPermissionProd/Properties/SourceArn",
                    "/GET/orders/*",
                ),
                (
                    "/Resources/HandlerHttpPermission/Properties/SourceArn",
                    "ServerlessHttpApi",
                ),
                (
                    "/Resources/HandlerErrorsPermission/Properties/Principal",
                    "logs.amazonaws.com",
                ),
                (
                    "/Resources/HandlerLaterRole/Properties/Policies",
                    "lambda:InvokeFunction",
                ),
                (
                    "/Resources/ServerlessRestApi/Type",
                    "AWS::ApiGateway::RestApi",
                ),
            ],
        ),
        (
            "policies-globals",
            &[
                (
                    "/Resources/ApiRole/Properties/ManagedPolicyArns",
                    "AWSXrayWriteOnlyAccess",
                ),
                (
                    "/Resources/ApiRole/Properties/ManagedPolicyArns",
                    "arn:aws:iam::aws:policy/AWSLambdaExecute",
                ),
                (
                    "/Resources/ApiRole/Properties/PermissionsBoundary",
                    "policy/boundary",
                ),
                (
                    "/Resources/ApiRole/Properties/Policies/0/PolicyName",
                    "ApiRolePolicy2",
                ),
                (
                    "/Resources/ApiRole/Properties/Policies/1/PolicyDocument",
                    "dynamodb:PutItem",
                ),
                (
                    "/Resources/ApiRole/Properties/Policies/2/PolicyDocument",
                    "parameter/${parameterName}",
                ),
                (
                    "/Resources/ApiRole/Properties/Policies/3/Fn::If/1/PolicyName",
                    "ApiRolePolicy5",
                ),
                ("/Resources/Api/Properties/Environment/Variables", "STAGE"),
                ("/Resources/Api/Properties/Environment/Variables", "TABLE"),
            ],
        ),
        (
            "alias-url-destinations",
            &[
                (
                    "/Resources/PublicWork/Properties/FunctionName/Ref",
                    "PublicAliaslive",
                ),
                (
                    "/Resources/PublicUrl/Properties/TargetFunctionArn/Ref",
                    "PublicAliaslive",
                ),
                (
                    "/Resources/PublicUrlPublicPermissions/Properties/FunctionUrlAuthType",
                    "NONE",
                ),
                (
                    "/Resources/PublicURLInvokeAllowPublicAccess/Properties/InvokedViaFunctionUrl",
                    "true",
                ),
                ("/Resources/PublicRole/Condition", "NOTUseSharedRole"),
                ("/Conditions/NOTUseSharedRole/Fn::Not", "UseSharedRole"),
                (
                    "/Resources/PublicRole/Properties/Policies",
                    "DeadLetterQueuePolicy",
                ),
                (
                    "/Resources/PublicRole/Properties/Policies",
                    "PublicEventInvokeConfigOnFailureSNSPolicy",
                ),
                (
                    "/Resources/PublicEventInvokeConfigOnFailureTopic/Type",
                    "AWS::SNS::Topic",
                ),
                ("/Outputs/Alias/Value/Ref", "PublicAliaslive"),
            ],
        ),
        (
            "connectors",
            &[
                (
                    "/Resources/QueueToConsumerPolicy/Properties/Roles/0/Ref",
                    "ConsumerRole",
                ),
                (
                    "/Resources/QueueToConsumerPolicy/Properties/PolicyDocument",
                    "sqs:DeleteMessage",
                ),
                (
                    "/Resources/ConsumerWriteTablePolicy/Properties/PolicyDocument",
                    "dynamodb:PutItem",
                ),
                (
                    "/Resources/TopicToConsumerWriteLambdaPermission/Properties/Principal",
                    "sns.amazonaws.com",
                ),
                ("/Resources/ConsumerJobs/DependsOn", "QueueToConsumerPolicy"),
            ],
        ),
    ];
    for (name, expectations) in checks {
        let text = read(&dir.join(format!("{name}.yaml")));
        let x = expand(&yaml(&text)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let rendered = render(&x.template);
        for (pointer, needle) in *expectations {
            let found = rendered
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{name}: nothing at {pointer}"));
            let text = match found {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert!(
                text.contains(needle),
                "{name}: {pointer} is {text}, expected {needle}"
            );
        }
        assert!(
            cfn::lower(&x.template, &x.provenance.for_lowering()).is_ok(),
            "{name} does not lower"
        );
        let diagnostics: Vec<String> = x.diagnostics.iter().map(|d| d.message.clone()).collect();
        insta::with_settings!({
            snapshot_path => "../../../testdata/readers/sam/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_json_snapshot!(*name, json!({
                "template": rendered,
                "provenance": provenance_json(&x.provenance),
                "diagnostics": diagnostics,
            }));
        });
    }
}

/// Which SAMT logical ids the expansion does not generate (printed, for the record).
#[test]
#[ignore = "a report, not a check"]
fn logical_ids_not_generated() {
    let dir = pairs_dir();
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    for input in inputs(&dir.join("input")) {
        let name = input.file_stem().unwrap().to_string_lossy().to_string();
        let expected: Value =
            serde_json::from_str(&read(&dir.join("output").join(format!("{name}.json")))).unwrap();
        let Some(Value::Object(resources)) = expected.get("Resources") else {
            continue;
        };
        let Ok(x) = expand(&yaml(&read(&input))) else {
            continue;
        };
        let ours = render(&x.template);
        for (id, r) in resources {
            if ours["Resources"].get(id).is_none() {
                let t = r["Type"].as_str().unwrap_or("").to_string();
                *missing.entry(format!("{t} ({name}: {id})")).or_default() += 1;
            }
        }
        for id in ours["Resources"].as_object().unwrap().keys() {
            if resources.get(id).is_none() {
                println!("extra: {name}: {id}");
            }
        }
    }
    for k in missing.keys() {
        println!("missing: {k}");
    }
}

/// Paths (child indices) of every node under `node`.
fn node_paths(node: &Node, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    let children: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        NodeKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        NodeKind::Scalar { .. } => Vec::new(),
    };
    for (i, c) in children.into_iter().enumerate() {
        prefix.push(i);
        node_paths(c, prefix, out);
        prefix.pop();
    }
}

fn node_at_mut<'a>(node: &'a mut Node, path: &[usize]) -> &'a mut Node {
    let Some((first, rest)) = path.split_first() else {
        return node;
    };
    let child = match &mut node.kind {
        NodeKind::Seq(items) => &mut items[*first],
        NodeKind::Map(entries) => &mut entries[*first].1,
        NodeKind::Scalar { .. } => unreachable!(),
    };
    node_at_mut(child, rest)
}

/// Every node of the test templates replaced in turn by a null, a string, an empty map, an
/// empty list, a `Ref` to nothing and a malformed `Fn::If`: the expansion returns a result or a
/// located error, and never panics.
#[test]
fn damaged_templates_do_not_panic() {
    let sp = Span::default();
    let variants: Vec<Node> = vec![
        Node::scalar("", ScalarStyle::Null, sp),
        Node::scalar("x", ScalarStyle::Plain, sp),
        tree::map(Vec::new(), sp),
        tree::seq(Vec::new(), sp),
        Node {
            span: sp,
            tag: Some("Ref".into()),
            kind: NodeKind::Scalar {
                raw: "Nothing".into(),
                style: ScalarStyle::Plain,
            },
        },
        Node {
            span: sp,
            tag: Some("If".into()),
            kind: NodeKind::Seq(vec![Node::scalar("C", ScalarStyle::Plain, sp)]),
        },
    ];
    let mut files: Vec<PathBuf> = inputs(&pairs_dir().join("input"))
        .into_iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("pg_") && !n.contains("all_policy_templates")
        })
        .collect();
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/readers/sam");
    files.extend(inputs(&snapshots));
    let mut runs = 0usize;
    for file in files {
        let root = yaml(&read(&file));
        let mut paths = Vec::new();
        node_paths(&root, &mut Vec::new(), &mut paths);
        for path in &paths {
            for v in &variants {
                let mut damaged = root.clone();
                *node_at_mut(&mut damaged, path) = v.clone();
                runs += 1;
                if let Err(e) = expand(&damaged) {
                    assert!(
                        !e.message.is_empty() && e.span.is_some(),
                        "{}: {path:?}: {e:?}",
                        file.display()
                    );
                }
            }
        }
    }
    println!("{runs} damaged templates expanded");
    assert!(runs > 5_000);
}

/// Time to expand a large template (printed; run with `--ignored --release`).
#[test]
#[ignore = "a measurement"]
fn large_template_timing() {
    let mut text = String::from(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.12\n    Handler: app.handler\n    CodeUri: src/\n    Tracing: Active\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    );
    for i in 0..400 {
        text.push_str(&format!(
            "  Queue{i}:\n    Type: AWS::SQS::Queue\n  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        - SQSPollerPolicy:\n            QueueName: !GetAtt Queue{i}.QueueName\n        - DynamoDBCrudPolicy:\n            TableName: table-{i}\n        - Statement:\n            - Effect: Allow\n              Action: s3:GetObject\n              Resource: arn:aws:s3:::bucket-{i}/*\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue{i}.Arn\n        Upload:\n          Type: S3\n          Properties:\n            Bucket: !Ref Bucket\n            Events: s3:ObjectCreated:*\n            Filter: {{S3Key: {{Rules: [{{Name: prefix, Value: p{i}/}}]}}}}\n        Api:\n          Type: Api\n          Properties:\n            Path: /items{i}/{{id}}\n            Method: get\n"
        ));
    }
    let root = yaml(&text);
    let start = std::time::Instant::now();
    let x = expand(&root).unwrap();
    let took = start.elapsed();
    println!(
        "{} kB template, {} resources: expanded in {took:?}",
        text.len() / 1024,
        x.template
            .get("Resources")
            .and_then(Node::as_map)
            .map_or(0, <[_]>::len)
    );
}

/// A bucket whose notifications the template also writes is not all SAM's.
#[test]
fn modified_resources_say_whether_the_template_wrote_triggers_too() {
    let (_, x) = expand_text(&read(&pairs_dir().join("input/pg_push_events.yaml")));
    let kind = |id: &str| x.provenance.resources.get(id).map(|g| g.kind);
    assert_eq!(kind("Bucket"), Some(GeneratedKind::ExtendedByEvent));
    assert_eq!(kind("UserPool"), Some(GeneratedKind::ModifiedByEvent));
    let lowering = x.provenance.for_lowering();
    assert!(lowering.sam_triggers.contains(&"UserPool".to_string()));
    assert!(!lowering.sam_triggers.contains(&"Bucket".to_string()));
    assert!(
        lowering
            .sam_triggers
            .contains(&"HandlerNightly".to_string())
    );
    assert!(
        lowering
            .sam_permissions
            .contains(&"HandlerUploadPermission".to_string())
    );
    assert!(!lowering.generated_from.contains_key("Bucket"));
}

/// `Fn::ForEach` (language extensions) is kept, with a note, and does not stop the expansion.
#[test]
fn language_extension_loops_are_noted() {
    let (_, x) = expand_text(
        "\
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Fn::ForEach::Queues:
    - Name
    - [A, B]
    - Queue${Name}:
        Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
",
    );
    assert!(x.template.get("Resources").unwrap().get("FnRole").is_some());
    assert_eq!(
        x.template.get("Transform").unwrap().as_seq().unwrap().len(),
        1,
        "only the SAM transform is removed"
    );
    assert_eq!(x.diagnostics.len(), 1);
    assert!(x.diagnostics[0].message.contains("Fn::ForEach::Queues"));
}
