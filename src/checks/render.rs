//! Writing model values back the way the user would write them in a fix.
//!
//! A fix statement names resources in the input's own language: `{"Fn::GetAtt": ["Queue",
//! "Arn"]}` in a template, `${aws_sqs_queue.q.arn}` in Terraform, or the literal ARN.

use serde_json::{Value as Json, json};

use crate::model::{InputFormat, Part, SymStr, Symbol};

/// A resource value for a policy statement in a fix.
pub fn resource(format: InputFormat, value: &SymStr) -> Json {
    if let Some(lit) = value.as_literal() {
        return json!(lit);
    }
    match format {
        InputFormat::Cloudformation | InputFormat::Sam => cfn(value),
        InputFormat::TerraformPlan | InputFormat::TerraformState => json!(terraform(value)),
    }
}

fn cfn(value: &SymStr) -> Json {
    if let Some(r) = &value.refers {
        return if r.attr == "Ref" {
            json!({ "Ref": r.resource })
        } else if r.attr == crate::model::AttrRef::IMPORT {
            json!({ "Fn::ImportValue": r.resource })
        } else {
            json!({ "Fn::GetAtt": [r.resource, r.attr] })
        };
    }
    let mut text = String::new();
    for part in &value.parts {
        match part {
            // `${` in literal text must be escaped as `${!` inside `Fn::Sub`.
            Part::Lit(s) => text.push_str(&s.replace("${", "${!")),
            Part::Sym(sym) => text.push_str(&cfn_symbol(sym)),
        }
    }
    json!({ "Fn::Sub": text })
}

fn cfn_symbol(sym: &Symbol) -> String {
    match sym {
        Symbol::Pseudo(p) => format!("${{{}}}", p.cfn_name()),
        Symbol::Param(p) => format!("${{{p}}}"),
        Symbol::Attr { resource, attr } => format!("${{{resource}.{attr}}}"),
        // Generated names and other unknown parts become wildcards: the fix stays correct
        // (if broader than necessary) without naming an attribute that may not exist.
        Symbol::PhysicalName { .. } | Symbol::Import(_) | Symbol::Unknown(_) => "*".to_string(),
    }
}

fn terraform(value: &SymStr) -> String {
    if let Some(r) = &value.refers {
        return format!("${{{}.{}}}", r.resource, r.attr);
    }
    let mut text = String::new();
    for part in &value.parts {
        match part {
            Part::Lit(s) => text.push_str(&s.replace("${", "$${")),
            Part::Sym(Symbol::Attr { resource, attr }) => {
                text.push_str(&format!("${{{resource}.{attr}}}"));
            }
            Part::Sym(Symbol::Param(p)) => text.push_str(&format!("${{var.{p}}}")),
            Part::Sym(Symbol::Pseudo(crate::model::Pseudo::Region)) => {
                text.push_str("${data.aws_region.current.region}");
            }
            Part::Sym(Symbol::Pseudo(crate::model::Pseudo::AccountId)) => {
                text.push_str("${data.aws_caller_identity.current.account_id}");
            }
            Part::Sym(Symbol::Pseudo(crate::model::Pseudo::Partition)) => {
                text.push_str("${data.aws_partition.current.partition}");
            }
            Part::Sym(_) => text.push('*'),
        }
    }
    text
}

/// A resource value as one line of text for `missing`: the literal, the `Fn::Sub` text, or the
/// JSON of the intrinsic function.
pub fn plain(format: InputFormat, value: &SymStr) -> String {
    match resource(format, value) {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// A resource value for a message: the logical id or address it refers to, else its text.
pub fn label(value: &SymStr) -> String {
    match &value.refers {
        Some(r) => r.resource.clone(),
        None => value.to_string(),
    }
}

/// An `Allow` statement for a fix: actions sorted, resources de-duplicated.
pub fn allow_statement(actions: &[&str], resources: Vec<Json>) -> Json {
    let mut actions: Vec<&str> = actions.to_vec();
    actions.sort_unstable();
    actions.dedup();
    let mut unique: Vec<Json> = Vec::new();
    for r in resources {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    let resource = if unique.len() == 1 {
        unique.into_iter().next().unwrap_or(json!("*"))
    } else {
        Json::Array(unique)
    };
    json!({
        "Effect": "Allow",
        "Action": match actions.as_slice() {
            [one] => json!(one),
            _ => json!(actions),
        },
        "Resource": resource,
    })
}

/// Statements as the items of a YAML block sequence, for a file the user edits in YAML (a
/// Serverless Framework `serverless.yml`): `- Effect: Allow`, keys in the order JSON gives
/// them, a string plain when YAML reads it back as the same string, else double-quoted (JSON
/// string syntax is valid YAML).
pub fn yaml_statements(statements: &Json) -> String {
    let items: Vec<&Json> = match statements {
        Json::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let mut out = String::new();
    for item in items {
        let mut lines = Vec::new();
        match item {
            // A statement's elements in the order policies are written in.
            Json::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by_key(|k| {
                    STATEMENT_ORDER
                        .iter()
                        .position(|o| o == k)
                        .unwrap_or(STATEMENT_ORDER.len())
                });
                for key in keys {
                    if let Some((k, v)) = map.get_key_value(key) {
                        let one =
                            Json::Object(serde_json::Map::from_iter([(k.clone(), v.clone())]));
                        yaml_value(&one, 0, &mut lines);
                    }
                }
            }
            other => yaml_value(other, 0, &mut lines),
        }
        for (i, line) in lines.iter().enumerate() {
            out.push_str(if i == 0 { "- " } else { "  " });
            out.push_str(line);
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The elements of a policy statement in the order AWS's examples write them.
const STATEMENT_ORDER: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "Version",
];

/// The lines of `value` at `indent` spaces, as a mapping's or sequence's body.
fn yaml_value(value: &Json, indent: usize, lines: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    match value {
        Json::Object(map) => {
            for (key, v) in map {
                match v {
                    Json::Object(m) if !m.is_empty() => {
                        lines.push(format!("{pad}{}:", yaml_scalar(key)));
                        yaml_value(v, indent + 2, lines);
                    }
                    Json::Array(a) if !a.is_empty() => {
                        lines.push(format!("{pad}{}:", yaml_scalar(key)));
                        yaml_value(v, indent + 2, lines);
                    }
                    _ => lines.push(format!("{pad}{}: {}", yaml_scalar(key), yaml_leaf(v))),
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                let mut inner = Vec::new();
                yaml_value(item, 0, &mut inner);
                for (i, line) in inner.iter().enumerate() {
                    let mark = if i == 0 { "- " } else { "  " };
                    lines.push(format!("{pad}{mark}{line}"));
                }
            }
        }
        leaf => lines.push(format!("{pad}{}", yaml_leaf(leaf))),
    }
}

fn yaml_leaf(value: &Json) -> String {
    match value {
        Json::String(text) => yaml_scalar(text),
        Json::Object(_) => "{}".into(),
        Json::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

/// A string as a YAML scalar: plain when it cannot read as anything else (a number, a
/// boolean, null, an alias, a comment, a flow collection, a key), else JSON-quoted.
fn yaml_scalar(text: &str) -> String {
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '$');
    let chars_ok = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ":_-./${}".contains(c));
    let reserved = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
    );
    if first_ok && chars_ok && !reserved && !text.ends_with(':') && !text.contains(": ") {
        text.to_string()
    } else {
        Json::String(text.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Pseudo;

    #[test]
    fn statements_as_yaml_block_items() {
        let statements = json!([
            {"Effect": "Allow", "Action": "sqs:DeleteMessage",
             "Resource": {"Fn::GetAtt": ["MailQueue", "Arn"]}},
            {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}
        ]);
        assert_eq!(
            yaml_statements(&statements),
            "- Effect: Allow\n  Action: sqs:DeleteMessage\n  Resource:\n    Fn::GetAtt:\n      \
             - MailQueue\n      - Arn\n- Effect: Allow\n  Action:\n    - kms:Decrypt\n    \
             - kms:DescribeKey\n  Resource: \"*\""
        );
    }

    proptest::proptest! {
        /// Read back by YAML 1.1 rules (as the framework's loader and SAM read it), the text
        /// is the statements again.
        #[test]
        fn yaml_statements_read_back_as_the_same_statements(
            actions in proptest::collection::vec("[a-z]{1,8}:[A-Za-z*]{1,12}", 1..4),
            resource in "[ -~]{0,30}",
            ids in proptest::collection::vec("[A-Za-z0-9]{1,10}", 1..3),
        ) {
            let statement = json!({
                "Effect": "Allow",
                "Action": actions,
                "Resource": [resource, {"Fn::GetAtt": ids}],
            });
            let text = yaml_statements(&json!([statement.clone()]));
            let file = crate::source::SourceFile::new("serverless.yml", text.clone());
            let node = crate::readers::yaml::parse_yaml(&file).unwrap();
            let read = crate::readers::sam::yaml_1_1_json(&node);
            proptest::prop_assert_eq!(read, json!([statement]), "{}", text);
        }
    }

    #[test]
    fn yaml_scalars_that_would_read_as_something_else_are_quoted() {
        for (text, shown) in [
            ("Allow", "Allow"),
            (
                "arn:aws:sqs:eu-west-1:111122223333:q",
                "arn:aws:sqs:eu-west-1:111122223333:q",
            ),
            ("*", "\"*\""),
            ("true", "\"true\""),
            ("123", "\"123\""),
            ("a: b", "\"a: b\""),
            ("#x", "\"#x\""),
            ("", "\"\""),
        ] {
            assert_eq!(yaml_scalar(text), shown, "{text}");
        }
    }

    #[test]
    fn getatt_and_ref_are_written_back() {
        let queue = SymStr::sym(Symbol::PhysicalName {
            resource: "Q".into(),
        })
        .with_refers("Q", "Arn");
        assert_eq!(
            resource(InputFormat::Cloudformation, &queue),
            json!({ "Fn::GetAtt": ["Q", "Arn"] })
        );
        assert_eq!(
            resource(
                InputFormat::TerraformPlan,
                &queue.clone().with_refers("aws_sqs_queue.q", "arn")
            ),
            json!("${aws_sqs_queue.q.arn}")
        );
    }

    #[test]
    fn symbolic_strings_become_sub() {
        let mut arn = SymStr::lit("arn:aws:sqs:");
        arn.push_sym(Symbol::Pseudo(Pseudo::Region));
        arn.push_lit(":");
        arn.push_sym(Symbol::Pseudo(Pseudo::AccountId));
        arn.push_lit(":orders");
        assert_eq!(
            resource(InputFormat::Sam, &arn),
            json!({ "Fn::Sub": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders" })
        );
        assert_eq!(
            resource(InputFormat::TerraformPlan, &arn),
            json!(
                "arn:aws:sqs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:orders"
            )
        );
    }

    #[test]
    fn statements_are_sorted_and_deduplicated() {
        let s = allow_statement(
            &["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            vec![json!("a"), json!("a")],
        );
        assert_eq!(
            s,
            json!({ "Effect": "Allow", "Action": ["sqs:DeleteMessage", "sqs:ReceiveMessage"], "Resource": "a" })
        );
    }
}
