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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Pseudo;

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
