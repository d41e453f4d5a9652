//! A Serverless Framework service: the input is its `serverless.yml`, beside the compiled
//! template of a real service (`testdata/serverless/sqs-worker`), so the service file's reader,
//! the naming of functions on the template and the reports all see it.
#![no_main]

#[path = "common.rs"]
#[allow(
    dead_code,
    reason = "this target writes reports but reads no file as text"
)]
mod common;

const COMPILED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/serverless/sqs-worker/.serverless/cloudformation-template-update-stack.json"
);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("permgate-fuzz-sls-{}", std::process::id()));
    let output = dir.join(".serverless");
    if std::fs::create_dir_all(&output).is_err()
        || std::fs::copy(
            COMPILED,
            output.join("cloudformation-template-update-stack.json"),
        )
        .is_err()
        || std::fs::write(dir.join("serverless.yml"), data).is_err()
    {
        return;
    }
    let report = permgate::audit(&[output]);
    common::write_every_format(&report);
});
