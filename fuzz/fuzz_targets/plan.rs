//! The JSON of `terraform show -json` (a plan or a state).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::audit("plan.json", data);
});
