//! Packaging: the licence file matches the manifest, and the completion scripts and manual
//! pages come from the built binary.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::Path;
use std::process::Command;

fn permgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn licence_file_is_the_apache_licence_the_manifest_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\nlicense = \"Apache-2.0\"\n"));
    let licence = std::fs::read_to_string(root.join("LICENSE")).unwrap();
    assert!(
        licence.contains("Apache License\n                           Version 2.0, January 2004")
    );
    assert!(licence.contains("END OF TERMS AND CONDITIONS"));
    assert!(licence.contains("APPENDIX: How to apply the Apache License to your work."));
}

#[test]
fn completions_for_each_shell_know_the_subcommands_and_options() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, script, _) = permgate(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for word in ["explain", "inventory", "parameter-overrides", "fail-on"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    let (code, _, stderr) = permgate(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
}

#[test]
fn manual_pages_for_the_tool_and_each_subcommand() {
    let (code, page, _) = permgate(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH permgate 1"));
    // The main page names each subcommand's page.
    assert!(page.contains(".SH SUBCOMMANDS\n"), "{page}");
    assert!(page.contains("\npermgate\\-check(1)\n"), "{page}");
    let (code, page, _) = permgate(&["man", "check"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH permgate-check 1"), "{page}");
    assert!(page.contains("\\-\\-parameter\\-overrides"), "{page}");
    assert!(page.contains("\\-\\-config\\-env"), "{page}");
    let (code, _, stderr) = permgate(&["man", "chek"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no subcommand `chek`"), "{stderr}");
}
