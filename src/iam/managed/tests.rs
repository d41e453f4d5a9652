use std::path::{Path, PathBuf};

use super::*;
use crate::iam::policy::ProblemKind;
use crate::iam::testing::sym;

fn found(arn: &str) -> &'static ManagedPolicy {
    match lookup(&sym(arn)) {
        ManagedLookup::Found(p) => p,
        other => panic!("{arn}: {other:?}"),
    }
}

#[test]
fn partitions_resolve_to_the_same_document() {
    let p = found("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole");
    assert_eq!(p.name, "AWSLambdaSQSQueueExecutionRole");
    assert_eq!(p.version, "v1");
    assert_eq!(p.date, "2018-06-14T21:50:45Z");
    for arn in [
        "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        "arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    ] {
        assert!(std::ptr::eq(found(arn), p), "{arn}");
    }
    let msk = found("arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole");
    assert_eq!(msk.version, "v2");
    assert_eq!(
        found("arn:aws:iam::aws:policy/AdministratorAccess").name,
        "AdministratorAccess"
    );
}

#[test]
fn other_arns() {
    assert!(matches!(
        lookup(&sym("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")),
        ManagedLookup::UnknownAwsManaged { suggestion: Some(p) }
            if p.arn == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ));
    assert!(matches!(
        lookup(&sym("arn:aws:iam::aws:policy/AmazonEC2FullAccess")),
        ManagedLookup::UnknownAwsManaged { suggestion: None }
    ));
    assert!(matches!(
        lookup(&sym("arn:aws:iam::123456789012:policy/mine")),
        ManagedLookup::NotAwsManaged
    ));
    assert!(matches!(
        lookup(&sym(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/mine"
        )),
        ManagedLookup::NotAwsManaged
    ));
    match lookup(&sym("${param:PolicyArn}")) {
        ManagedLookup::Undetermined(reason) => {
            assert_eq!(reason, "parameter `PolicyArn` has no default");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        lookup(&sym("arn:aws:iam::aws:policy/${param:Name}")),
        ManagedLookup::Undetermined(_)
    ));
}

#[test]
fn every_embedded_document_parses() {
    assert_eq!(all().len(), data::DOCUMENTS.len());
    assert!(all().len() >= 40);
    for p in all() {
        let parsed = p.parsed();
        assert!(!parsed.statements.is_empty(), "{}", p.name);
        let serious: Vec<_> = parsed
            .problems
            .iter()
            .filter(|x| x.kind != ProblemKind::UnknownAction)
            .collect();
        assert!(serious.is_empty(), "{}: {serious:?}", p.name);
    }
    let (commit, date) = source();
    assert_eq!(commit, "0387244e53a3dbe038810ef3463489c2c6836f06");
    assert!(date.starts_with("2026-03-07"));
}

fn research_folder() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `../shared` next to the crate, or one level up for a checkout inside a worktree folder.
    [
        root.join("../shared/research/managed-policies"),
        root.join("../../shared/research/managed-policies"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// The embedded copies equal the research folder, file by file (when it exists).
#[test]
fn embedded_data_matches_the_research_copies() {
    let Some(folder) = research_folder() else {
        eprintln!(
            "skipped: ../shared/research/managed-policies is not there; the embedded copies are not compared"
        );
        return;
    };
    let mut research: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    research.sort();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/managed-policies");
    let mut embedded: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, research,
        "run `python3 tools/gen-managed-policies.py`"
    );
    for name in &research {
        assert_eq!(
            std::fs::read(data.join(name)).unwrap(),
            std::fs::read(folder.join(name)).unwrap(),
            "{name} differs; run `python3 tools/gen-managed-policies.py`"
        );
    }
    let listed: Vec<String> = data::DOCUMENTS
        .iter()
        .map(|(n, _)| format!("{n}.json"))
        .collect();
    let files: Vec<String> = embedded
        .into_iter()
        .filter(|n| n != "_index.json")
        .collect();
    assert_eq!(listed, files);
}
