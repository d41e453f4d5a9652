//! A YAML CloudFormation or SAM template (the reader picks the format by content, as for any file).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::audit("template.yaml", data);
});
