//! A CDK cloud assembly: the input is its `manifest.json`, beside the two templates of a real
//! assembly (`testdata/cdk/cross-stack-broken`), so the manifest reader, the stage recursion,
//! the linking of imports to exports and the reports all see it.
#![no_main]

#[path = "common.rs"]
#[allow(
    dead_code,
    reason = "this target writes reports but reads no file as text"
)]
mod common;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/cdk/cross-stack-broken/cdk.out"
);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("permgate-fuzz-cdk-{}", std::process::id()));
    let copied = std::fs::create_dir_all(&dir).is_ok()
        && ["QueueStack.template.json", "ConsumerStack.template.json"]
            .iter()
            .all(|f| std::fs::copy(format!("{FIXTURE}/{f}"), dir.join(f)).is_ok());
    if !copied || std::fs::write(dir.join("manifest.json"), data).is_err() {
        return;
    }
    let report = permgate::audit(&[dir]);
    common::write_every_format(&report);
});
