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
fn hcl_blocks_keep_the_span_of_the_block_and_of_each_attribute() {
    let text = "# roles\nresource \"aws_iam_role\" \"fn\" {\n  name = \"fn\"\n  assume_role_policy = \"{}\"\n  inline_policy {\n    name = \"inner\"\n  }\n}\n\ndata \"aws_iam_policy_document\" \"p\" {}\nmodule \"app\" {\n  source = \"./app\"\n}\nvariable \"x\" {}\n";
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
    assert!(f.slice(role.span).ends_with('}'));
    assert_eq!(f.line_col(role.span.start).line, 2);
    let names: Vec<&str> = role.attributes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["name", "assume_role_policy"],
        "nested blocks' attributes are not the block's"
    );
    assert_eq!(f.slice(role.attributes[1].1), "assume_role_policy = \"{}\"");
    assert_eq!(blocks[2].module_source.as_deref(), Some("./app"));
}

#[test]
fn a_file_that_does_not_parse_is_a_located_problem() {
    let f = file(
        "bad.tf",
        "resource \"aws_iam_role\" \"fn\" {\n  name = \n}\n",
    );
    let (span, message) = hcl_blocks(&f).err().unwrap();
    assert!(
        message.starts_with("the Terraform file does not parse"),
        "{message}"
    );
    assert_eq!(
        f.line_col(span.unwrap().start).line,
        2,
        "where the value is missing"
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
