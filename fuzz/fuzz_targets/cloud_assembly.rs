//! A CDK cloud assembly: the input is its `manifest.json`, or, when it is an object whose first
//! key is a construct path (`"/ConsumerStack"`), the `ConsumerStack.metadata.json` the manifest
//! names; the other files are those of a real assembly (`testdata/cdk/cross-stack-broken`). So
//! the manifest reader, the stage recursion, the creation stacks of the metadata files, the
//! linking of imports to exports and the reports all see it.
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

/// Whether `data` is a metadata file: an object whose first key starts with `/`.
fn is_metadata(data: &[u8]) -> bool {
    let mut rest = data.iter().skip_while(|b| b.is_ascii_whitespace());
    rest.next() == Some(&b'{')
        && rest
            .skip_while(|b| b.is_ascii_whitespace())
            .take(2)
            .eq([b'"', b'/'].iter())
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("permgate-fuzz-cdk-{}", std::process::id()));
    let input = if is_metadata(data) {
        "ConsumerStack.metadata.json"
    } else {
        "manifest.json"
    };
    let fixture = [
        "manifest.json",
        "QueueStack.template.json",
        "ConsumerStack.template.json",
        "QueueStack.metadata.json",
        "ConsumerStack.metadata.json",
    ];
    let copied = std::fs::create_dir_all(&dir).is_ok()
        && fixture
            .iter()
            .filter(|f| **f != input)
            .all(|f| std::fs::copy(format!("{FIXTURE}/{f}"), dir.join(f)).is_ok());
    if !copied || std::fs::write(dir.join(input), data).is_err() {
        return;
    }
    let report = permgate::audit(&[dir]);
    common::write_every_format(&report);
});
