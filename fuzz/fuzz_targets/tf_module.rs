//! A Terraform module directory audited from its source alone (no plan): the input is its
//! `main.tf`, so hcl-edit, the variable and expression evaluator, the plan built from source and
//! the checks that read it all see it.
#![no_main]

#[path = "common.rs"]
#[allow(
    dead_code,
    reason = "this target writes reports but reads no file as text"
)]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("permgate-fuzz-tfmod-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() || std::fs::write(dir.join("main.tf"), data).is_err()
    {
        return;
    }
    let report = permgate::audit(&[dir]);
    common::write_every_format(&report);
});
