use serde_json::json;

use super::*;
use crate::iam::testing::{spanned, sym, value};

fn parse_json(doc: serde_json::Value) -> ParsedPolicy {
    parse(&value(&doc), DocumentKind::Identity)
}

fn messages(p: &ParsedPolicy) -> Vec<String> {
    p.problems.iter().map(|p| p.message.clone()).collect()
}

#[test]
fn string_or_list_everywhere() {
    let p = parse_json(json!({
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "One",
            "Effect": "Allow",
            "Action": "sqs:ReceiveMessage",
            "Resource": ["arn:aws:sqs:us-east-1:123456789012:q", "*"]
        }
    }));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.version.as_deref(), Some("2012-10-17"));
    assert_eq!(p.statements.len(), 1);
    let s = &p.statements[0];
    assert_eq!(s.sid.as_deref(), Some("One"));
    assert_eq!(s.variants.len(), 1);
    let v = &s.variants[0];
    assert_eq!(v.effect, Effect::Allow);
    let actions = v.actions.as_ref().unwrap();
    assert!(!actions.negated);
    assert_eq!(
        actions.items[0].lower.as_deref(),
        Some("sqs:receivemessage")
    );
    assert_eq!(v.resources.as_ref().unwrap().items.len(), 2);
}

#[test]
fn not_forms_and_conditions() {
    let p = parse_json(json!({
        "Statement": [{
            "Effect": "Deny",
            "NotAction": ["iam:*"],
            "NotResource": "arn:aws:s3:::b/*",
            "Condition": {"Bool": {"aws:ViaAWSService": ["false"]}, "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
        }]
    }));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let v = &p.statements[0].variants[0];
    assert!(v.actions.as_ref().unwrap().negated);
    assert!(v.resources.as_ref().unwrap().negated);
    assert_eq!(v.conditions.len(), 2);
    assert_eq!(v.conditions[0].operator, "Bool");
    assert_eq!(v.conditions[0].key, "aws:ViaAWSService");
    assert_eq!(v.conditions[0].values, vec![SymStr::lit("false")]);
}

#[test]
fn invalid_statements_are_reported_and_left_out() {
    let p = parse_json(json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Permit", "Action": "sqs:ReceiveMessage", "Resource": "*"},
            {"Effect": "Allow", "Resource": "*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "NotAction": "sqs:ReceiveMessage", "Resource": "*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage"},
            {"Effect": "Allow", "Action": [{"a": 1}, "sqs:SendMessage"], "Resource": "*"},
            {"Action": "sqs:SendMessage", "Resource": "*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
        ]
    }));
    let m = messages(&p);
    for expected in [
        "`Effect` must be `Allow` or `Deny`, not `Permit`",
        "statement has no `Action` or `NotAction`",
        "statement has both `Action` and `NotAction`",
        "statement has no `Resource` or `NotResource`",
        "`Action` entries must be strings",
        "statement has no `Effect`",
    ] {
        assert!(
            m.iter().any(|x| x == expected),
            "missing {expected:?} in {m:?}"
        );
    }
    // The statement with a non-string action keeps its valid action; the last one is intact.
    let indexes: Vec<usize> = p.statements.iter().map(|s| s.index).collect();
    assert_eq!(indexes, vec![4, 6]);
}

#[test]
fn empty_and_missing_statement_lists() {
    assert_eq!(
        messages(&parse_json(
            json!({"Version": "2012-10-17", "Statement": []})
        )),
        vec!["the `Statement` list is empty"]
    );
    assert_eq!(
        messages(&parse_json(json!({"Version": "2012-10-17"}))),
        vec!["policy has no `Statement`"]
    );
    assert_eq!(
        messages(&parse_json(
            json!({"Version": "2012-10-18", "Statment": []})
        )),
        vec![
            "unknown policy element `Statment`",
            "unknown policy `Version` `2012-10-18` (use `2012-10-17`)",
            "policy has no `Statement`"
        ]
    );
}

#[test]
fn unknown_actions_and_resources_are_problems() {
    let p = parse_json(json!({
        "Statement": [{
            "Effect": "Allow",
            "Action": ["sqs:RecieveMessage", "sqs:Recieve*", "dynamdb:GetRecords", "sqs", "SQS:deletemessage"],
            "Resource": [
                "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                "arn:aws:sqs:us-east-1",
                "arn:aws:sqs:*",
                "${attr:Queue.Arn}",
                "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q"
            ]
        }]
    }));
    assert_eq!(
        messages(&p),
        vec![
            "unknown action `sqs:RecieveMessage` (did you mean `sqs:ReceiveMessage`?)",
            "`sqs:Recieve*` matches no action",
            "unknown service prefix in `dynamdb:GetRecords` (did you mean `dynamodb:GetRecords`?)",
            "`sqs` is not an action (expected `service:action`)",
            "resource `https://sqs.us-east-1.amazonaws.com/123456789012/q` is not an ARN or `*`",
            "resource `arn:aws:sqs:us-east-1` is not an ARN or `*`",
        ]
    );
    assert_eq!(p.problems[0].kind, ProblemKind::UnknownAction);
    assert_eq!(p.problems[4].kind, ProblemKind::InvalidResource);
    let corrections: Vec<Option<(&str, &str)>> = p
        .problems
        .iter()
        .map(|p| {
            p.correction
                .as_ref()
                .map(|c| (c.written.as_str(), c.suggested.as_str()))
        })
        .collect();
    assert_eq!(
        corrections,
        vec![
            Some(("sqs:RecieveMessage", "sqs:ReceiveMessage")),
            None,
            Some(("dynamdb:GetRecords", "dynamodb:GetRecords")),
            None,
            None,
            None,
        ]
    );
    // The statement is still evaluated with all its entries.
    assert_eq!(
        p.statements[0].variants[0]
            .actions
            .as_ref()
            .unwrap()
            .items
            .len(),
        5
    );
}

#[test]
fn conditional_statements_and_novalue_items() {
    let p = parse_json(json!({
        "Statement": [
            {"Fn::If": ["IsProd",
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
                {"Ref": "AWS::NoValue"}]},
            {"Effect": "Allow",
             "Action": ["sqs:ReceiveMessage", {"Ref": "AWS::NoValue"},
                        {"Fn::If": ["UseDelete", "sqs:DeleteMessage", {"Ref": "AWS::NoValue"}]}],
             "Resource": "*"}
        ]
    }));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.statements.len(), 2);
    let guarded = &p.statements[0];
    assert_eq!(
        guarded.presence,
        vec![Guard {
            condition: "IsProd".into(),
            holds: true
        }]
    );
    assert_eq!(guarded.depends_on(), vec!["condition `IsProd` is true"]);
    let inside = &p.statements[1];
    assert!(inside.presence.is_empty());
    assert_eq!(inside.chosen_by, vec!["UseDelete"]);
    let counts: Vec<usize> = inside
        .variants
        .iter()
        .map(|v| v.actions.as_ref().unwrap().items.len())
        .collect();
    assert_eq!(counts, vec![2, 1]);
}

#[test]
fn if_around_the_statement_list() {
    let p = parse_json(json!({
        "Statement": {"Fn::If": ["C",
            [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
             {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"}],
            [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}]]}
    }));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let guards: Vec<bool> = p.statements.iter().map(|s| s.presence[0].holds).collect();
    assert_eq!(guards, vec![true, true, false]);
}

#[test]
fn unresolvable_values() {
    let p = parse_json(json!({
        "Statement": [
            {"Unknown": "`Fn::GetAZs` cannot be resolved"},
            {"Effect": "${param:Effect}", "Action": {"Unknown": "no idea"}, "Resource": "*"}
        ]
    }));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(
        p.statements[0].opaque.as_deref(),
        Some("`Fn::GetAZs` cannot be resolved")
    );
    let v = &p.statements[1].variants[0];
    assert_eq!(
        v.effect,
        Effect::Unknown("parameter `Effect` has no default".into())
    );
    assert_eq!(
        v.actions.as_ref().unwrap().items[0].text,
        SymStr::sym(Symbol::Unknown("no idea".into()))
    );
}

#[test]
fn too_many_conditions_make_the_statement_opaque() {
    let actions: Vec<serde_json::Value> = (0..=MAX_VARIANT_CONDITIONS)
        .map(|i| json!({"Fn::If": [format!("C{i}"), "sqs:SendMessage", {"Ref": "AWS::NoValue"}]}))
        .collect();
    let p =
        parse_json(json!({"Statement": {"Effect": "Allow", "Action": actions, "Resource": "*"}}));
    assert!(p.statements[0].opaque.is_some());
}

#[test]
fn policy_variables_depend_on_the_version() {
    let doc = |version: &str| {
        json!({"Version": version, "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/${aws:username}/${$}x"}})
    };
    let new = parse_json(doc("2012-10-17"));
    let text = &new.statements[0].variants[0]
        .resources
        .as_ref()
        .unwrap()
        .items[0]
        .text;
    assert_eq!(text.literal_prefix(), "arn:aws:s3:::b/");
    assert_eq!(
        text.symbols().next().map(Symbol::reason).as_deref(),
        Some("policy variable `${aws:username}` is resolved for each request")
    );
    assert!(text.to_string().ends_with("/$x"));
    let old = parse_json(doc("2008-10-17"));
    let text = &old.statements[0].variants[0]
        .resources
        .as_ref()
        .unwrap()
        .items[0]
        .text;
    assert_eq!(
        text.as_literal(),
        Some("arn:aws:s3:::b/${aws:username}/${$}x")
    );
}

#[test]
fn trust_policies_need_a_principal() {
    let p = parse(
        &value(&json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}
        ]})),
        DocumentKind::Trust,
    );
    assert_eq!(
        messages(&p),
        vec![
            "trust policy statement has no `Principal`",
            "a trust policy statement cannot have a `Resource`"
        ]
    );
    let principals = p.statements[0].variants[0].principals.as_ref().unwrap();
    assert_eq!(principals.entries[0].kind, "Service");
    assert_eq!(principals.entries[0].value, sym("lambda.amazonaws.com"));
    assert!(
        p.statements[1].variants[0]
            .principals
            .as_ref()
            .unwrap()
            .everyone
    );
    let identity = parse_json(
        json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}}),
    );
    assert_eq!(
        messages(&identity),
        vec!["an identity policy statement cannot have a `Principal`"]
    );
}

#[test]
fn minimal_size_ignores_whitespace_and_symbols() {
    let doc = value(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s:a b", "Resource": "${param:X}"}]}),
    );
    let compact = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s:ab","Resource":""}]}"#;
    assert_eq!(min_size(&doc), compact.len());
    let numbers = value(&json!({"A": 12, "B": true, "C": "x"}));
    assert_eq!(min_size(&numbers), r#"{"A":12,"B":true,"C":"x"}"#.len());
}

proptest::proptest! {
    /// A string counts its characters but whitespace, and its quotes unless JSON writes it bare
    /// (a number as `f64` reads it, or a boolean), whatever the string.
    #[test]
    fn minimal_size_of_any_string(text in "(true|false|[-+.]?[0-9]{0,3}(e[0-9])?|inf|NaN|[ \t\n\u{b}\u{c}\r\u{85}\u{a0}a-z0-9:*\u{e9}]{0,12})") {
        let counted = text.chars().filter(|c| !c.is_whitespace()).count();
        let bare = text == "true" || text == "false" || text.parse::<f64>().is_ok();
        let expected = counted + if bare { 0 } else { 2 };
        proptest::prop_assert_eq!(min_size(&value(&json!(text))), expected);
    }
}

/// Problems point at the text they are about.
#[test]
fn problems_are_located() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Alow",
      "Action": "sqs:RecieveMessage",
      "Resource": "https://sqs.us-east-1.amazonaws.com/1/q"
    },
    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
  ]
}"#;
    let parsed = parse(&spanned(text), DocumentKind::Identity);
    let located: Vec<(&str, &str)> = parsed
        .problems
        .iter()
        .map(|p| {
            let span = p.span.unwrap();
            (
                p.message.as_str(),
                &text[span.start as usize..span.end as usize],
            )
        })
        .collect();
    assert_eq!(
        located,
        vec![
            ("`Effect` must be `Allow` or `Deny`, not `Alow`", "\"Alow\""),
            (
                "unknown action `sqs:RecieveMessage` (did you mean `sqs:ReceiveMessage`?)",
                "\"sqs:RecieveMessage\""
            ),
            (
                "resource `https://sqs.us-east-1.amazonaws.com/1/q` is not an ARN or `*`",
                "\"https://sqs.us-east-1.amazonaws.com/1/q\""
            ),
        ]
    );
    // The invalid statement is left out; the valid one keeps its index and span.
    assert_eq!(parsed.statements.len(), 1);
    let statement = &parsed.statements[0];
    assert_eq!(statement.index, 1);
    assert!(text[statement.span.unwrap().start as usize..].starts_with("{\"Effect\": \"Allow\""));
}

#[test]
fn a_prefix_suggestion_is_a_correction_only_when_the_action_exists() {
    let p = parse_json(json!({
        "Statement": [{
            "Effect": "Allow",
            "Action": ["sqss:NoSuchAction"],
            "Resource": "*"
        }]
    }));
    assert_eq!(
        messages(&p),
        vec!["unknown service prefix in `sqss:NoSuchAction` (did you mean `sqs`?)"]
    );
    assert_eq!(p.problems[0].correction, None);
}
