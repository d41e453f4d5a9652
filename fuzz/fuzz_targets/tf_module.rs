//! A Terraform module directory audited from its source alone (no plan): the input is its
//! `main.tf`, or its `main.tf.json` when it starts with `{`, so hcl-edit, the JSON-syntax reader,
//! the variable and expression evaluator, the plan built from source and the checks that read it
//! all see it.
#![no_main]

#[path = "common.rs"]
#[allow(
    dead_code,
    reason = "this target writes reports but reads no file as text"
)]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("permgate-fuzz-tfmod-{}", std::process::id()));
    // Terraform reads `.tf.json` files with its JSON syntax; an object is the only JSON a module
    // file can hold, so its first byte tells the two apart.
    let json = data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let (name, other) = if json {
        ("main.tf.json", "main.tf")
    } else {
        ("main.tf", "main.tf.json")
    };
    // One process reuses its directory: the file of the other syntax, left by an earlier input,
    // would be read beside this one.
    let _ = std::fs::remove_file(dir.join(other));
    if std::fs::create_dir_all(&dir).is_err() || std::fs::write(dir.join(name), data).is_err() {
        return;
    }
    let report = permgate::audit(&[dir]);
    common::write_every_format(&report);
});
