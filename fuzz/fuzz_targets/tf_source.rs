//! The Terraform source read beside a plan: the input is the `main.tf` of a real plan's root
//! module (`testdata/tfsource/jsonencode-missing-action`), so the block scanner, hcl-edit, the
//! policy evaluator, the placing of findings and inline suppression comments all see it.
#![no_main]

#[path = "common.rs"]
#[allow(
    dead_code,
    reason = "this target writes reports but reads no file as text"
)]
mod common;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/tfsource/jsonencode-missing-action/plan.json"
);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("permgate-fuzz-tf-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err()
        || std::fs::copy(FIXTURE, dir.join("plan.json")).is_err()
        || std::fs::write(dir.join("main.tf"), data).is_err()
    {
        return;
    }
    let options = permgate::AuditOptions {
        tf_source: Some(dir.clone()),
        ..permgate::AuditOptions::here()
    };
    let mut values = permgate::ParameterSources::new(&Default::default(), Default::default());
    let report = permgate::audit_with(&[dir.join("plan.json")], None, &mut values, false, &options);
    common::write_every_format(&report);
});
