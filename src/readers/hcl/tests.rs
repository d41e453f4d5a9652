use super::*;

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile::new(name, text.to_string())
}

#[test]
fn plan_addresses_lose_their_instance_keys_only() {
    assert_eq!(config_address("aws_iam_role.fn"), "aws_iam_role.fn");
    assert_eq!(config_address("aws_iam_role.fn[0]"), "aws_iam_role.fn");
    assert_eq!(
        config_address(r#"module.app["a.b]"].module.x[1].data.aws_iam_policy_document.p["k\"]"]"#),
        "module.app.module.x.data.aws_iam_policy_document.p"
    );
}

#[test]
fn hcl_blocks_keep_the_span_of_the_whole_block() {
    let text = "# roles\nresource \"aws_iam_role\" \"fn\" {\n  name = \"fn\" # a } in a comment\n  assume_role_policy = \"{${jsonencode({a = \"}\"})}\"\n  policy = <<EOF\n}}}\nEOF\n  inline_policy {\n    name = \"inner\"\n  }\n}\n\ndata \"aws_iam_policy_document\" \"p\" {}\nmodule \"app\" {\n  source = \"./app\"\n}\nvariable \"x\" {}\n/* } */\n";
    let f = file("main.tf", text);
    let blocks = hcl_blocks(&f).unwrap();
    let addresses: Vec<&str> = blocks.iter().map(|b| b.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aws_iam_role.fn",
            "data.aws_iam_policy_document.p",
            "module.app"
        ]
    );
    let role = &blocks[0];
    assert!(
        f.slice(role.span)
            .starts_with("resource \"aws_iam_role\" \"fn\" {")
    );
    assert!(
        f.slice(role.span).ends_with("  }\n}"),
        "{:?}",
        f.slice(role.span)
    );
    assert_eq!(f.line_col(role.span.start).line, 2);
    assert_eq!(blocks[2].module_source.as_deref(), Some("./app"));
    // The body is parsed when an attribute is asked for.
    let body = parse_block(&f, role.span).unwrap();
    let parsed = body.blocks().next().unwrap();
    assert!(
        parsed
            .body
            .get_attribute("policy")
            .unwrap()
            .value
            .is_heredoc_template()
    );
}

#[test]
fn scan_errors_are_located() {
    for (text, line, message) in [
        (
            "resource \"a\" \"b\" {\n  name = \"x\n}\n",
            2,
            "unterminated string",
        ),
        ("resource \"a\" \"b\" {\n  name = 1\n", 1, "never closed"),
        (
            "resource \"a\" \"b\" {\n  p = <<EOF\nx\n}\n",
            2,
            "unterminated heredoc",
        ),
        (
            "/* open\nresource \"a\" \"b\" {}\n",
            1,
            "unterminated `/*` comment",
        ),
        ("name = 1\n", 1, "expected `{` to open the `name` block"),
        ("\"x\" {}\n", 1, "expected a block"),
    ] {
        let (at, found) = scan::top_blocks(text).unwrap_err();
        assert!(found.contains(message), "{text:?}: {found}");
        let f = file("t.tf", text);
        assert_eq!(
            f.line_col(u32::try_from(at).unwrap()).line,
            line,
            "{text:?}"
        );
    }
}

#[test]
fn a_file_that_does_not_parse_is_a_located_problem() {
    let f = file(
        "bad.tf",
        "resource \"aws_iam_role\" \"fn\" {\n  name = \"fn\n}\n",
    );
    let (span, message) = hcl_blocks(&f).err().unwrap();
    assert!(
        message.starts_with("the Terraform file does not parse"),
        "{message}"
    );
    assert_eq!(
        f.line_col(span.unwrap().start).line,
        2,
        "where the string starts"
    );
}

#[test]
fn tf_json_blocks_are_found_in_objects_and_arrays() {
    let f = file(
        "main.tf.json",
        r#"{"resource": [{"aws_iam_role": {"fn": {"name": "fn"}}}],
 "data": {"aws_iam_policy_document": {"p": {}}},
 "module": {"app": {"source": "./app"}}}"#,
    );
    let blocks = json::blocks(&f).unwrap();
    let addresses: Vec<&str> = blocks.iter().map(|b| b.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aws_iam_role.fn",
            "data.aws_iam_policy_document.p",
            "module.app"
        ]
    );
    assert_eq!(f.slice(blocks[0].span), r#"{"name": "fn"}"#);
    assert_eq!(blocks[2].module_source.as_deref(), Some("./app"));
}

#[test]
fn tf_json_blocks_read_as_the_native_syntax_would_write_them() {
    let f = file(
        "main.tf.json",
        r#"{"//": "a comment",
 "variable": {"name": {"default": "${not a template}"}},
 "locals": {"arn": "arn:aws:sqs:${var.region}:1:q", "whole": "${var.list}"},
 "resource": {"aws_lambda_function": {"fn": {
   "//": "also a comment",
   "count": 2,
   "tags": {"environment": "prod"},
   "environment": {"variables": {"A": "b"}},
   "depends_on": ["aws_iam_role.r"],
   "dynamic": {"vpc_config": {"for_each": "${var.vpcs}", "content": {"subnet_ids": ["s"]}}}
 }}},
 "module": {"app": {"source": "./${x}", "queue": "${aws_sqs_queue.q.arn}"}}}"#,
    );
    let blocks = json::module_blocks(&f).unwrap();
    let text: Vec<String> = blocks
        .iter()
        .map(|b| {
            let mut body = Body::new();
            body.push(b.block.clone());
            // The extracted expressions keep no decor: compare without spaces.
            body.to_string().replace(' ', "")
        })
        .collect();
    let squash = |s: &str| s.replace(' ', "");
    // A variable's default and a module's source are literals; `"${x}"` alone is `x`; a
    // nested block of the provider's schema is a block, any other object an attribute.
    assert_eq!(
        text[0],
        squash("variable \"name\" {\ndefault = \"$${not a template}\"\n}\n")
    );
    assert_eq!(
        text[1],
        squash("locals {\narn = \"arn:aws:sqs:${var.region}:1:q\"\nwhole = var.list\n}\n")
    );
    assert_eq!(
        text[2],
        squash(
            "resource \"aws_lambda_function\" \"fn\" {\ncount = 2\ntags = {\"environment\" = \"prod\",}\nenvironment {\nvariables = {\"A\" = \"b\",}\n}\ndepends_on = [aws_iam_role.r]\ndynamic \"vpc_config\" {\nfor_each = var.vpcs\ncontent {\nsubnet_ids = [\"s\"]\n}\n}\n}\n"
        )
    );
    assert_eq!(
        text[3],
        squash("module \"app\" {\nsource = \"./$${x}\"\nqueue = aws_sqs_queue.q.arn\n}\n")
    );
    assert_eq!(f.slice(blocks[2].span).lines().next(), Some("{"));
    // A string that is not a template is a located error of its file.
    let bad = file("bad.tf.json", r#"{"locals": {"a": "${var.x"}}"#);
    let Err((span, message)) = json::module_blocks(&bad) else {
        panic!("a broken template reads");
    };
    assert_eq!(bad.slice(span.unwrap()), r#""${var.x""#);
    assert!(message.contains("not a valid template"), "{message}");
}

#[test]
fn local_module_paths_are_joined_lexically() {
    assert_eq!(
        lexical_join(Path::new("infra"), "./modules/app"),
        Path::new("infra/modules/app")
    );
    assert_eq!(
        lexical_join(Path::new("infra/env"), "../modules/app"),
        Path::new("infra/modules/app")
    );
    assert_eq!(lexical_join(Path::new("."), "./m"), Path::new("m"));
    assert_eq!(lexical_join(Path::new(""), "../m"), Path::new("../m"));
}

mod evaluation {
    use super::super::eval::{References, evaluate, policy_document};
    use crate::model::{Part, SymStr, Symbol, Value, ValueKind};

    /// References as a plan would resolve them: resource attributes are symbols, `var.region`
    /// is known, everything else unknown.
    struct Fake;

    impl References for Fake {
        fn reference(&self, text: &str) -> Value {
            match text {
                "var.region" => Value::str(SymStr::lit("us-east-1"), None),
                "var.actions" => Value::new(
                    ValueKind::List(vec![
                        Value::str(SymStr::lit("sqs:ReceiveMessage"), None),
                        Value::str(SymStr::lit("sqs:DeleteMessage"), None),
                    ]),
                    None,
                ),
                t if t.starts_with("aws_") => {
                    Value::str(SymStr::sym(Symbol::Unknown(format!("value of {t}"))), None)
                }
                t => Value::new(ValueKind::Unknown(format!("`{t}` is unknown")), None),
            }
        }
    }

    fn eval(text: &str) -> Value {
        evaluate(&hcl_edit::parser::parse_expr(text).unwrap(), &Fake, 0)
    }

    fn lit(v: &Value) -> Option<&str> {
        match &v.kind {
            ValueKind::Str(s) => s.as_literal(),
            _ => None,
        }
    }

    fn unknown_reason(v: &Value) -> &str {
        match &v.kind {
            ValueKind::Unknown(r) => r,
            other => panic!("expected unknown, got {other:?}"),
        }
    }

    /// Values resolved beforehand give the evaluation the plan's references give, as long as
    /// the expression asks for no other; one it asks for and that is not there is said.
    #[test]
    fn references_resolved_beforehand_evaluate_alike() {
        use super::super::eval::{Resolved, references};
        let expr = hcl_edit::parser::parse_expr(
            r#"jsonencode({
              Statement = [{ Effect = "Allow", Action = var.actions, Resource = "arn:aws:sqs:${var.region}:1:${aws_sqs_queue.q.name}" }]
            })"#,
        )
        .unwrap();
        let written = references(&expr);
        let values: Vec<(String, Value)> = written
            .iter()
            .map(|text| (text.clone(), Fake.reference(text)))
            .collect();
        let resolved = Resolved::new(&values);
        assert_eq!(
            format!("{:?}", policy_document(&expr, &resolved)),
            format!("{:?}", policy_document(&expr, &Fake))
        );
        assert!(!resolved.missed());
        let fewer = Resolved::new(&values[1..]);
        assert_ne!(
            format!("{:?}", policy_document(&expr, &fewer)),
            format!("{:?}", policy_document(&expr, &Fake))
        );
        assert!(fewer.missed());
    }

    #[test]
    fn jsonencode_of_an_object_keeps_references_as_symbols() {
        let expr = hcl_edit::parser::parse_expr(
            r#"jsonencode({
              Version = "2012-10-17"
              Statement = [{ Effect = "Allow", Action = var.actions, Resource = "${aws_sqs_queue.q.arn}/*" }]
            })"#,
        )
        .unwrap();
        let doc = policy_document(&expr, &Fake);
        let ValueKind::Map(entries) = &doc.kind else {
            panic!("{doc:?}")
        };
        assert_eq!(entries[0].0.text, "Version");
        assert_eq!(lit(&entries[0].1), Some("2012-10-17"));
        let ValueKind::List(statements) = &entries[1].1.kind else {
            panic!()
        };
        let ValueKind::Map(statement) = &statements[0].kind else {
            panic!()
        };
        let ValueKind::List(actions) = &statement[1].1.kind else {
            panic!()
        };
        assert_eq!(lit(&actions[1]), Some("sqs:DeleteMessage"));
        let ValueKind::Str(resource) = &statement[2].1.kind else {
            panic!()
        };
        assert!(matches!(resource.parts.first(), Some(Part::Sym(_))));
        assert!(matches!(resource.parts.last(), Some(Part::Lit(l)) if l == "/*"));
    }

    #[test]
    fn literal_heredoc_is_parsed_and_interpolated_one_is_unknown_with_the_reason() {
        let literal = "<<EOF\n{\"Version\": \"2012-10-17\", \"Statement\": []}\nEOF";
        let doc = policy_document(&hcl_edit::parser::parse_expr(literal).unwrap(), &Fake);
        assert!(matches!(doc.kind, ValueKind::Map(_)), "{doc:?}");
        let interpolated =
            "<<EOF\n{\"Statement\": [{\"Resource\": \"${aws_sqs_queue.q.arn}\"}]}\nEOF";
        let doc = policy_document(&hcl_edit::parser::parse_expr(interpolated).unwrap(), &Fake);
        let ValueKind::Map(entries) = &doc.kind else {
            panic!("{doc:?}")
        };
        let ValueKind::List(statements) = &entries[0].1.kind else {
            panic!()
        };
        let ValueKind::Map(statement) = &statements[0].kind else {
            panic!()
        };
        let ValueKind::Str(resource) = &statement[0].1.kind else {
            panic!()
        };
        assert_eq!(
            resource.parts,
            [Part::Sym(Symbol::Unknown(
                "value of aws_sqs_queue.q.arn".into()
            ))],
            "the symbol is back in the string it was written in"
        );
        let outside = "<<EOF\n{\"Statement\": [{\"Resource\": ${aws_sqs_queue.q.arn}}]}\nEOF";
        let doc = policy_document(&hcl_edit::parser::parse_expr(outside).unwrap(), &Fake);
        assert!(
            unknown_reason(&doc).contains("not inside JSON strings"),
            "{doc:?}"
        );
        let directive = "<<EOF\n%{ if true }x%{ endif }\nEOF";
        let doc = policy_document(&hcl_edit::parser::parse_expr(directive).unwrap(), &Fake);
        assert!(unknown_reason(&doc).contains("directives"), "{doc:?}");
    }

    #[test]
    fn listed_functions_are_evaluated_and_others_are_unknown_by_name() {
        let v = eval(r#"concat(["a"], var.actions, tolist(["b"]))"#);
        let ValueKind::List(items) = &v.kind else {
            panic!("{v:?}")
        };
        assert_eq!(
            items.iter().filter_map(lit).collect::<Vec<_>>(),
            ["a", "sqs:ReceiveMessage", "sqs:DeleteMessage", "b"]
        );
        assert_eq!(
            lit(&eval(r#"format("arn:aws:sqs:%s:*:q", var.region)"#)),
            Some("arn:aws:sqs:us-east-1:*:q")
        );
        assert_eq!(lit(&eval(r#"join(",", ["a", "b"])"#)), Some("a,b"));
        assert_eq!(lit(&eval(r#"element(["a", "b"], 3)"#)), Some("b"));
        assert_eq!(lit(&eval(r#"coalesce("", "x")"#)), Some("x"));
        assert_eq!(lit(&eval(r#"lookup({a = "1"}, "b", "2")"#)), Some("2"));
        assert_eq!(lit(&eval(r#"trimsuffix("abc/*", "/*")"#)), Some("abc"));
        let ValueKind::List(flat) = eval(r#"distinct(flatten([["a"], ["a", ["b"]]]))"#).kind else {
            panic!()
        };
        assert_eq!(flat.iter().filter_map(lit).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            unknown_reason(&eval(r#"upper("a")"#)),
            "the function `upper` is not evaluated"
        );
        assert!(unknown_reason(&eval(r#"format("%x", 1)"#)).contains("`format`"));
        assert!(unknown_reason(&eval("var.missing")).contains("`var.missing` is unknown"));
    }

    fn texts(v: &Value) -> Vec<&str> {
        match &v.kind {
            ValueKind::List(items) => items.iter().filter_map(lit).collect(),
            other => panic!("expected a list, got {other:?}"),
        }
    }

    fn entries(v: &Value) -> Vec<(&str, &Value)> {
        match &v.kind {
            ValueKind::Map(entries) => entries.iter().map(|(k, v)| (k.text.as_str(), v)).collect(),
            other => panic!("expected a map, got {other:?}"),
        }
    }

    #[test]
    fn for_expressions_over_known_collections_are_evaluated() {
        assert_eq!(
            texts(&eval(r#"[for a in var.actions : "${a}*"]"#)),
            ["sqs:ReceiveMessage*", "sqs:DeleteMessage*"]
        );
        // A list's key is its index.
        assert_eq!(
            texts(&eval(r#"[for i, a in var.actions : "${i}=${a}"]"#)),
            ["0=sqs:ReceiveMessage", "1=sqs:DeleteMessage"]
        );
        // A map is walked in the lexical order of its keys, as Terraform walks it.
        assert_eq!(
            texts(&eval(r#"[for k, v in { b = "2", a = "1" } : "${k}${v}"]"#)),
            ["a1", "b2"]
        );
        // `if` filters; the value variable is followed into attributes.
        let filtered = eval(
            r#"[for f in [{ name = "a", on = true }, { name = "b", on = false }] : f.name if f.on]"#,
        );
        assert_eq!(texts(&filtered), ["a"]);
        let object = eval(r#"{ for a in var.actions : a => upper(a) }"#);
        let keys: Vec<&str> = entries(&object).iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["sqs:ReceiveMessage", "sqs:DeleteMessage"]);
        assert!(unknown_reason(entries(&object)[0].1).contains("`upper`"));
        // Grouping mode gathers the values of a key into a list.
        let grouped = eval(r#"{ for s in ["a1", "a2", "b1"] : substr(s, 0, 1) => s... }"#);
        assert!(unknown_reason(&grouped).contains("`substr`"), "{grouped:?}");
        let grouped = eval(r#"{ for k, s in { x = "a", y = "a", z = "b" } : s => k... }"#);
        let groups = entries(&grouped);
        assert_eq!(groups.len(), 2);
        assert_eq!(texts(groups[0].1), ["x", "y"]);
        assert_eq!(texts(groups[1].1), ["z"]);
        // A symbolic element stays a symbol.
        let symbols = eval(r#"[for q in [aws_sqs_queue.a.arn] : "${q}/*"]"#);
        let ValueKind::List(items) = &symbols.kind else {
            panic!("{symbols:?}")
        };
        assert!(matches!(&items[0].kind, ValueKind::Str(s) if s.as_literal().is_none()));
        assert_eq!(texts(&eval(r#"keys({ b = "2", a = "1" })"#)), ["a", "b"]);
        assert_eq!(texts(&eval(r#"values({ b = "2", a = "1" })"#)), ["1", "2"]);
        // The bench's list of function names.
        assert_eq!(
            texts(&eval(r#"[for i in range(3) : format("svc-fn-%05d", i)]"#)),
            ["svc-fn-00000", "svc-fn-00001", "svc-fn-00002"]
        );
    }

    #[test]
    fn for_expressions_over_unknowns_are_unknown_with_the_reason() {
        let v = eval(r#"[for a in var.missing : a]"#);
        assert!(
            unknown_reason(&v).contains("`var.missing` is unknown"),
            "{v:?}"
        );
        assert!(
            unknown_reason(&v).contains("collection of a `for`"),
            "{v:?}"
        );
        let v = eval(r#"[for a in var.actions : a if a == var.missing]"#);
        assert!(unknown_reason(&v).contains("`if` of a `for`"), "{v:?}");
        let v = eval(r#"{ for a in [aws_sqs_queue.a.arn] : a => 1 }"#);
        assert!(
            unknown_reason(&v).contains("only known after apply"),
            "{v:?}"
        );
        let v = eval(r#"{ for a in ["x", "x"] : a => 1 }"#);
        assert!(unknown_reason(&v).contains("twice"), "{v:?}");
        let v = eval(r#"[for a in "text" : a]"#);
        assert!(unknown_reason(&v).contains("not a list or a map"), "{v:?}");
    }

    #[test]
    fn conditionals_take_the_branch_of_a_known_condition_only() {
        assert_eq!(lit(&eval(r#"true ? "a" : "b""#)), Some("a"));
        assert_eq!(lit(&eval(r#"false ? "a" : var.region"#)), Some("us-east-1"));
        // The branch not taken is not evaluated: its unknowns do not matter.
        assert_eq!(lit(&eval(r#"true ? "a" : var.missing"#)), Some("a"));
        let v = eval(r#"var.missing ? "a" : "b""#);
        assert!(unknown_reason(&v).contains("condition of `? :`"), "{v:?}");
        assert!(
            unknown_reason(&v).contains("`var.missing` is unknown"),
            "{v:?}"
        );
        assert!(unknown_reason(&eval(r#""yes" ? "a" : "b""#)).contains("not a bool"));
    }

    #[test]
    fn range_and_format_numbers_follow_terraform() {
        assert_eq!(texts(&eval("range(3)")), ["0", "1", "2"]);
        assert_eq!(texts(&eval("range(1, 4)")), ["1", "2", "3"]);
        assert_eq!(texts(&eval("range(4, 1)")), ["4", "3", "2"]);
        assert_eq!(texts(&eval("range(0, 10, 4)")), ["0", "4", "8"]);
        assert_eq!(texts(&eval("range(0)")), Vec::<&str>::new());
        assert_eq!(texts(&eval("range(1024)")).len(), 1024);
        // Terraform refuses more than 1,024 numbers, and a step that never reaches the limit.
        assert!(unknown_reason(&eval("range(1025)")).contains("`range`"));
        assert!(unknown_reason(&eval("range(0, 3, -1)")).contains("`range`"));
        assert!(unknown_reason(&eval("range(0, 3, 0)")).contains("`range`"));
        assert_eq!(lit(&eval(r#"format("%05d", 7)"#)), Some("00007"));
        assert_eq!(lit(&eval(r#"format("%3d|%d", 7, -2)"#)), Some("  7|-2"));
        assert!(unknown_reason(&eval(r#"format("%d", "x")"#)).contains("`format`"));
    }

    #[test]
    fn nesting_is_bounded_by_the_parser() {
        // hcl-edit refuses more than 64 nested levels, so the evaluator's recursion is bounded.
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(hcl_edit::parser::parse_expr(&deep).is_err());
        let fine = format!("{}1{}", "[".repeat(60), "]".repeat(60));
        let mut at = eval(&fine);
        while let ValueKind::List(mut items) = at.kind {
            at = items.remove(0);
        }
        assert_eq!(lit(&at), Some("1"));
    }

    #[test]
    fn files_are_read_under_path_module_only() {
        use super::super::eval::policy_document_in;
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/tfsource/templatefile-missing-action"
        ));
        let expr = hcl_edit::parser::parse_expr(
            r#"templatefile("${path.module}/read-orders.json.tpl", { queue_arn = aws_sqs_queue.q.arn })"#,
        )
        .unwrap();
        let doc = policy_document_in(&expr, &Fake, Some(dir));
        assert!(matches!(doc.kind, ValueKind::Map(_)), "{doc:?}");
        let expr = hcl_edit::parser::parse_expr(r#"file("read-orders.json.tpl")"#).unwrap();
        let doc = policy_document_in(&expr, &Fake, Some(dir));
        assert!(
            unknown_reason(&doc).contains("not under `path.module`"),
            "{doc:?}"
        );
        let expr = hcl_edit::parser::parse_expr(
            r#"templatefile("${path.module}/read-orders.json.tpl", {})"#,
        )
        .unwrap();
        let doc = policy_document_in(&expr, &Fake, Some(dir));
        assert!(
            unknown_reason(&doc)
                .contains("`queue_arn` is not a variable given to the template file"),
            "{doc:?}"
        );
    }
}

#[test]
fn ignore_comments_are_the_ones_alone_on_the_lines_above_or_inside_a_block() {
    let text = "# permgate:ignore PG900 not directly above: a blank line follows\n\n\
        # header\n# permgate:ignore PG101 drained by a job\n// permgate:ignore PG120   logs elsewhere  \n\
        resource \"aws_lambda_event_source_mapping\" \"m\" {\n  # permgate:ignore PG102 inside\n\
        \x20 name = \"x\" # permgate:ignore PG103 after code\n\
        \x20 policy = <<EOF\n# permgate:ignore PG104 in a heredoc\nEOF\n\
        \x20 tags = { a = \"# permgate:ignore PG105 in a string\" }\n\
        \x20 # permgate:ignored PG106 another word\n  # permgate:ignore\n}\n\
        /* # permgate:ignore PG107 in a block comment */\n\
        module \"app\" {\n  source = \"./app\"\n}\n";
    let f = file("main.tf", text);
    let blocks = hcl_blocks(&f).unwrap();
    let ignores: Vec<(&str, Option<(String, String)>)> = blocks
        .iter()
        .flat_map(|b| {
            b.comments
                .iter()
                .map(|c| (b.address.as_str(), parse_ignore(f.slice(*c).trim_end())))
        })
        .filter(|(_, parsed)| parsed.is_some())
        .collect();
    let expected = [
        ("PG101", "drained by a job"),
        ("PG120", "logs elsewhere"),
        ("PG102", "inside"),
        ("", ""),
    ];
    assert_eq!(ignores.len(), expected.len(), "{ignores:?}");
    for ((address, parsed), (check, reason)) in ignores.iter().zip(expected) {
        assert_eq!(*address, "aws_lambda_event_source_mapping.m");
        assert_eq!(
            parsed.as_ref().map(|(c, r)| (c.as_str(), r.as_str())),
            Some((check, reason))
        );
    }
}

#[test]
fn an_attribute_expression_is_found_without_parsing_the_block() {
    let text = r#"resource "aws_iam_role_policy" "p" {
  name = "a # not a comment" # a comment
  role = aws_iam_role.r.id // another
  statement {
    policy = "nested, not the block's"
  }
  dynamic "x" {
    for_each = { a = "}" }
    content {}
  }
  /* a { */ count = var.on == true ? 1 : 0
  policy = jsonencode({
    Statement = [{
      Action   = ["sqs:ReceiveMessage"] # why
      Resource = "${aws_sqs_queue.q.arn}/*"
    }]
  })
  heredoc = <<-EOF
    {"a": "}"}
    EOF
  tags = merge(local.tags,
    { b = 1 })
  last = [1,
    2]
}"#;
    let f = file("main.tf", text);
    let body = parse_block(&f, Span::new(0, text.len())).unwrap();
    let block = body.blocks().next().unwrap();
    for name in ["name", "role", "count", "policy", "heredoc", "tags", "last"] {
        let whole = block
            .body
            .get_attribute(name)
            .unwrap_or_else(|| panic!("hcl-edit: {name}"))
            .value
            .to_string();
        let range = scan::attribute_value(text, name).unwrap_or_else(|| panic!("{name}"));
        let alone = hcl_edit::parser::parse_expr(&text[range]).unwrap();
        assert_eq!(alone.to_string().trim(), whole.trim(), "{name}");
    }
    // Only the block's own attributes: not a nested block's, not an absent one.
    assert_eq!(scan::attribute_value(text, "for_each"), None);
    assert_eq!(scan::attribute_value(text, "missing"), None);
    assert_eq!(
        &text[scan::attribute_value(text, "name").unwrap()],
        "\"a # not a comment\""
    );
}

#[test]
fn a_computed_index_is_referenced_by_what_precedes_it_and_evaluated_with_its_key() {
    let expr = hcl_edit::parser::parse_expr("aws_sqs_queue.q[each.key].arn").unwrap();
    assert_eq!(eval::references(&expr), ["aws_sqs_queue.q", "each.key"]);
    struct Keyed;
    impl eval::References for Keyed {
        fn reference(&self, text: &str) -> crate::model::Value {
            let s = match text {
                "each.key" => "orders".to_string(),
                other => format!("<{other}>"),
            };
            crate::model::Value::str(crate::model::SymStr::lit(s), None)
        }
    }
    let value = eval::evaluate(&expr, &Keyed, 0);
    assert_eq!(
        value.as_literal(),
        Some("<aws_sqs_queue.q[\"orders\"].arn>")
    );
    let splat = hcl_edit::parser::parse_expr("aws_sqs_queue.q[*].arn").unwrap();
    assert!(matches!(
        eval::evaluate(&splat, &Keyed, 0).kind,
        crate::model::ValueKind::Unknown(_)
    ));
}
