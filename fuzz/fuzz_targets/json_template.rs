//! A JSON CloudFormation or SAM template.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::audit("template.json", data);
});
