//! Paths → input files.
//!
//! Input: the paths given on the command line. Output: the files to read, in a stable order,
//! each marked as named explicitly or found by walking. Directories are walked following
//! symbolic links (walkdir detects loops, so a link cycle cannot hang the walk), skipping hidden
//! folders, `node_modules`, `.terraform` and CDK asset folders (`cdk.out/asset.*`). The one
//! hidden folder walked is `.serverless`, where `serverless package` writes the compiled
//! templates of a Serverless Framework service; a service file named on the command line
//! brings its compiled template with it.
//!
//! Invariants: every input is a regular file (a FIFO, socket or device named on the command line
//! is an error, never opened: opening a FIFO blocks and `/dev/zero` never ends); each file is
//! read once, however many paths lead to it (overlapping arguments, symbolic links), under the
//! path that reached it first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// Named on the command line (reported even when it is not a template).
    pub explicit: bool,
}

/// A path that could not be walked (it does not exist, a permission error, a link loop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// File name endings worth opening when found by walking. Content decides what a file is;
/// this only keeps the walk from opening source code and images.
const CANDIDATE_EXTENSIONS: &[&str] =
    &["yaml", "yml", "json", "template", "tmpl", "cfn", "tf.json"];

fn is_skipped_dir(entry: &DirEntry) -> bool {
    if entry.depth() == 0 || !entry.file_type().is_dir() {
        return false;
    }
    let name = entry.file_name().to_string_lossy();
    if name == crate::readers::serverless::OUTPUT_DIR {
        return false;
    }
    if name.starts_with('.') || name == "node_modules" {
        return true;
    }
    // CDK copies every asset (often whole node_modules trees) into cdk.out/asset.<hash>.
    name.starts_with("asset.")
        && entry
            .path()
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|p| p == "cdk.out")
}

fn is_candidate(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    let Some(name) = name else { return false };
    CANDIDATE_EXTENSIONS
        .iter()
        .any(|ext| name.len() > ext.len() + 1 && name.ends_with(&format!(".{ext}")))
}

/// The inputs found so far, each file once by its canonical path.
#[derive(Default)]
struct Found {
    inputs: Vec<Input>,
    by_canonical: HashMap<PathBuf, usize>,
}

impl Found {
    fn add(&mut self, path: PathBuf, explicit: bool) {
        // A path that cannot be canonicalized (it vanished meanwhile) is kept as it is: reading
        // it reports the problem.
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if let Some(&i) = self.by_canonical.get(&key) {
            // Named again explicitly after a walk found it: it is reported even if it is not a
            // template.
            if let Some(first) = self.inputs.get_mut(i) {
                first.explicit |= explicit;
            }
            return;
        }
        self.by_canonical.insert(key, self.inputs.len());
        self.inputs.push(Input { path, explicit });
    }
}

/// Expands paths into input files.
pub fn inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<WalkError>) {
    let mut found = Found::default();
    let mut errors = Vec::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(WalkError {
                    path: path.clone(),
                    message: io_message(&e),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if meta.is_file() {
                found.add(path.clone(), true);
                // A service file is not what is deployed: its compiled template is.
                if let Some(compiled) = crate::readers::serverless::compiled_template(path) {
                    found.add(compiled, true);
                }
            } else {
                errors.push(WalkError {
                    path: path.clone(),
                    message: "not a regular file (a FIFO, socket or device); permgate reads only \
                              regular files"
                        .to_string(),
                });
            }
            continue;
        }
        let walker = WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !is_skipped_dir(e));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() && is_candidate(e.path()) => {
                    found.add(e.into_path(), false);
                }
                Ok(_) => {}
                Err(e) => {
                    // A link loop is reported once and the walk goes on.
                    let p = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| path.clone());
                    let message = if e.loop_ancestor().is_some() {
                        "symbolic link loop, not followed".to_string()
                    } else {
                        e.io_error()
                            .map(io_message)
                            .unwrap_or_else(|| e.to_string())
                    };
                    errors.push(WalkError { path: p, message });
                }
            }
        }
    }
    (found.inputs, errors)
}

/// The directories under `paths` (or named by them) that hold `.tf` or `.tf.json` files, found by the same
/// walk as [`inputs`] (so `.terraform`, where `terraform init` downloads modules, is not one),
/// in path order: the Terraform modules among the inputs.
pub fn terraform_modules(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for path in paths.iter().filter(|p| p.is_dir()) {
        let walker = WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !is_skipped_dir(e))
            .filter_map(Result::ok);
        for entry in walker {
            let name = entry.file_name().to_string_lossy();
            let source = name.ends_with(".tf") || name.ends_with(".tf.json");
            if !(entry.file_type().is_file() && source) {
                continue;
            }
            if let Some(dir) = entry.path().parent() {
                let dir = match dir.strip_prefix(".") {
                    Ok(d) if d.as_os_str().is_empty() => PathBuf::from("."),
                    Ok(d) => d.to_path_buf(),
                    Err(_) => dir.to_path_buf(),
                };
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
    }
    dirs
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            let mut chars = s.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_skips_hidden_node_modules_and_cdk_assets() {
        let dir = std::env::temp_dir().join(format!("permgate-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in [
            "a",
            ".git",
            "node_modules/x",
            "cdk.out/asset.123",
            "cdk.out",
            ".terraform",
        ] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        for f in [
            "a/t.yaml",
            "a/code.py",
            ".git/x.yaml",
            "node_modules/x/t.json",
            "cdk.out/asset.123/t.json",
            "cdk.out/Stack.template.json",
            ".terraform/p.json",
        ] {
            std::fs::write(dir.join(f), "{}").unwrap();
        }
        let (inputs, errors) = inputs(std::slice::from_ref(&dir));
        let found: Vec<String> = inputs
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(found, vec!["a/t.yaml", "cdk.out/Stack.template.json"]);
        assert!(errors.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn link_loop_does_not_hang() {
        let dir = std::env::temp_dir().join(format!("permgate-loop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/back")).unwrap();
        std::fs::write(dir.join("sub/t.yaml"), "x: 1").unwrap();
        let (inputs, errors) = inputs(std::slice::from_ref(&dir));
        assert_eq!(inputs.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("loop"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn explicit_missing_path_is_an_error() {
        let (inputs, errors) = inputs(&[PathBuf::from("/nonexistent/permgate")]);
        assert!(inputs.is_empty());
        assert_eq!(errors[0].message, "no such file or directory");
    }
}
