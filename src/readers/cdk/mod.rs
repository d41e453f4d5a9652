//! CDK cloud assemblies: a `manifest.json` → the stacks it deploys.
//!
//! Input: the `manifest.json` of a cloud assembly (the `cdk.out` directory `cdk synth` writes).
//! Output: an [`Assembly`]: every `aws:cloudformation:stack` artifact of it and of the nested
//! assemblies of its stages (`cdk:cloud-assembly` artifacts, recursively), each with its
//! template, its name as the CDK shows it (`Stage/Stack`), the parameter values the manifest
//! passes and the environment when it is not `unknown-account` / `unknown-region`; and, located
//! in the manifest, what could not be read (an unknown schema version, a missing template);
//! and where the app's code created each construct, when the assembly records creation stacks
//! ([`trace`]).
//!
//! Invariants: the templates themselves are not read here; a manifest that is not a cloud
//! assembly is `None` (it is some other `manifest.json`); nesting is followed at most
//! [`MAX_DEPTH`] levels and never twice into the same directory; nothing panics on input.
//!
//! Source: the cloud assembly schema of the AWS CDK (`@aws-cdk/cloud-assembly-schema`,
//! <https://github.com/aws/aws-cdk-cli/tree/main/packages/%40aws-cdk/cloud-assembly-schema>).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diag::FileError;
use crate::parameters::{GivenValue, GivenValues};
use crate::source::{SourceFile, Span};

pub mod trace;
pub use trace::{CreationSite, CreationSites};

/// The file name of a cloud assembly's manifest.
pub const MANIFEST: &str = "manifest.json";

/// The newest schema major version whose fields this reader was written against (the version
/// `aws-cdk-lib` 2.278 writes). A newer one is read the same way, with a warning.
pub const NEWEST_KNOWN_MAJOR: u64 = 55;

/// How deep stages may nest inside each other.
pub const MAX_DEPTH: usize = 16;

/// One cloud assembly, with the assemblies of its stages.
#[derive(Debug, Default)]
pub struct Assembly {
    pub stacks: Vec<AssemblyStack>,
    /// Every manifest read (the top one and its stages'), as canonical paths.
    pub manifests: Vec<PathBuf>,
    /// What could not be read, located in the manifest that says it.
    pub problems: Vec<(Arc<SourceFile>, FileError)>,
    /// Construct path → where the app created it, over every stack and stage.
    pub sites: CreationSites,
}

/// One stack artifact.
#[derive(Debug, Clone)]
pub struct AssemblyStack {
    /// The name the CDK shows: the artifact's `displayName` (`Prod/Queues`), else its id.
    pub name: String,
    /// The CloudFormation stack name it deploys as (`AWS::StackName`): the `stackName`
    /// property, else the artifact id.
    pub deployed_name: String,
    pub template: PathBuf,
    /// The parameter values the manifest passes to the deploy.
    pub parameters: GivenValues,
    pub region: Option<String>,
    pub account: Option<String>,
}

#[derive(Deserialize)]
struct Manifest {
    version: String,
    #[serde(default)]
    artifacts: BTreeMap<String, Artifact>,
}

#[derive(Deserialize)]
struct Artifact {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default, rename = "displayName")]
    display_name: Option<String>,
    #[serde(default)]
    properties: Option<Properties>,
    /// Construct path → entries; read leniently ([`trace::Metadata`]), so that metadata of an
    /// unexpected shape never hides the stacks.
    #[serde(default)]
    metadata: Option<serde_json::Value>,
    #[serde(default, rename = "additionalMetadataFile")]
    additional_metadata_file: Option<String>,
}

#[derive(Deserialize, Default)]
struct Properties {
    #[serde(default, rename = "templateFile")]
    template_file: Option<String>,
    #[serde(default)]
    parameters: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "directoryName")]
    directory_name: Option<String>,
    #[serde(default, rename = "stackName")]
    stack_name: Option<String>,
}

/// Whether a file is a cloud assembly's manifest, by its name and content.
pub fn is_manifest(path: &Path, text: &str) -> bool {
    path.file_name().is_some_and(|n| n == MANIFEST) && parse(text).is_some()
}

fn parse(text: &str) -> Option<Manifest> {
    let manifest: Manifest = serde_json::from_str(text).ok()?;
    // Every cloud assembly has artifacts; an empty manifest of another tool has none.
    (!manifest.artifacts.is_empty()).then_some(manifest)
}

/// Reads the assembly whose manifest is at `path`. `None` when the file is not a cloud assembly
/// manifest (or cannot be read: reading it as an ordinary input reports that).
pub fn read(path: &Path) -> Option<Assembly> {
    let source = crate::readers::load(path).ok()?;
    let manifest = parse(&source.text)?;
    let mut assembly = Assembly::default();
    read_manifest(Arc::new(source), manifest, "", 0, &mut assembly);
    Some(assembly)
}

/// The span of the first occurrence of `"needle"` (a JSON string) in the manifest, to locate
/// a problem at the artifact or property it is about.
fn span_of(source: &SourceFile, needle: &str) -> Option<Span> {
    let quoted = format!("\"{needle}\"");
    let start = source.text.find(&quoted)?;
    Some(Span::new(start, start + quoted.len()))
}

fn read_manifest(
    source: Arc<SourceFile>,
    manifest: Manifest,
    stage: &str,
    depth: usize,
    assembly: &mut Assembly,
) {
    let dir = source
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let canonical = source
        .path
        .canonicalize()
        .unwrap_or_else(|_| source.path.clone());
    if assembly.manifests.contains(&canonical) {
        return;
    }
    assembly.manifests.push(canonical);
    let major = manifest
        .version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    match major {
        Some(m) if m <= NEWEST_KNOWN_MAJOR => {}
        _ => assembly.problems.push((
            Arc::clone(&source),
            FileError::new(
                format!(
                    "cloud assembly schema version `{}` is newer than permgate knows \
                     ({NEWEST_KNOWN_MAJOR}); the stacks are read as in version {NEWEST_KNOWN_MAJOR}",
                    manifest.version
                ),
                span_of(&source, &manifest.version),
            ),
        )),
    }
    for (id, artifact) in manifest.artifacts {
        let properties = artifact.properties.unwrap_or_default();
        match artifact.kind.as_str() {
            "aws:cloudformation:stack" => {
                let Some(file) = properties.template_file else {
                    assembly.problems.push((
                        Arc::clone(&source),
                        FileError::new(
                            format!("stack `{id}` has no `templateFile`; it is not audited"),
                            span_of(&source, &id),
                        ),
                    ));
                    continue;
                };
                let template = dir.join(&file);
                if !template.is_file() {
                    assembly.problems.push((
                        Arc::clone(&source),
                        FileError::new(
                            format!("the template `{file}` of stack `{id}` is not in the assembly; the stack is not audited"),
                            span_of(&source, &file).or_else(|| span_of(&source, &id)),
                        ),
                    ));
                    continue;
                }
                read_sites(
                    &source,
                    &dir,
                    artifact.metadata,
                    artifact.additional_metadata_file.as_deref(),
                    assembly,
                );
                let (account, region) = environment(artifact.environment.as_deref());
                let name = artifact.display_name.unwrap_or_else(|| {
                    if stage.is_empty() {
                        id.clone()
                    } else {
                        format!("{stage}/{id}")
                    }
                });
                let origin = format!("{} (stack `{name}`)", source.path.display());
                let parameters = properties
                    .parameters
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, value)| {
                        (
                            k,
                            GivenValue {
                                value,
                                origin: origin.clone(),
                            },
                        )
                    })
                    .collect();
                assembly.stacks.push(AssemblyStack {
                    name,
                    deployed_name: properties.stack_name.clone().unwrap_or_else(|| id.clone()),
                    template,
                    parameters,
                    region,
                    account,
                });
            }
            "cdk:cloud-assembly" => {
                let Some(directory) = properties.directory_name else {
                    continue;
                };
                let nested_path = dir.join(&directory).join(MANIFEST);
                let problem = |message: String| {
                    (
                        Arc::clone(&source),
                        FileError::new(message, span_of(&source, &directory)),
                    )
                };
                if depth + 1 >= MAX_DEPTH {
                    assembly.problems.push(problem(format!(
                        "stage `{id}` is nested more than {MAX_DEPTH} levels deep; it is not audited"
                    )));
                    continue;
                }
                let nested = crate::readers::load(&nested_path)
                    .ok()
                    .and_then(|s| Some((parse(&s.text)?, s)));
                let Some((nested_manifest, nested_source)) = nested else {
                    assembly.problems.push(problem(format!(
                        "the assembly of stage `{id}` (`{directory}/{MANIFEST}`) cannot be read; it is not audited"
                    )));
                    continue;
                };
                let stage_name = artifact.display_name.unwrap_or(id);
                read_manifest(
                    Arc::new(nested_source),
                    nested_manifest,
                    &stage_name,
                    depth + 1,
                    assembly,
                );
            }
            _ => {}
        }
    }
}

/// Adds the creation sites a stack artifact records, inline and in its metadata file. A
/// metadata file that cannot be read costs only the source locations, with a warning.
fn read_sites(
    source: &Arc<SourceFile>,
    dir: &Path,
    inline: Option<serde_json::Value>,
    file: Option<&str>,
    assembly: &mut Assembly,
) {
    if let Some(metadata) = inline.and_then(|v| serde_json::from_value::<trace::Metadata>(v).ok()) {
        trace::collect(&metadata, dir, &mut assembly.sites);
    }
    let Some(file) = file else {
        return;
    };
    let read = crate::readers::load(&dir.join(file))
        .map_err(|failed| failed.1.message)
        .and_then(|s| serde_json::from_str::<trace::Metadata>(&s.text).map_err(|e| e.to_string()));
    match read {
        Ok(metadata) => trace::collect(&metadata, dir, &mut assembly.sites),
        Err(reason) => assembly.problems.push((
            Arc::clone(source),
            FileError::new(
                format!(
                    "the metadata file `{file}` cannot be read ({reason}); findings in its stack \
                     do not show where the app created their constructs"
                ),
                span_of(source, file),
            ),
        )),
    }
}

/// `aws://account/region` → (account, region), each `None` when the assembly leaves it to the
/// deploy (`unknown-account`, `unknown-region`).
fn environment(text: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(rest) = text.and_then(|t| t.strip_prefix("aws://")) else {
        return (None, None);
    };
    let (account, region) = rest.split_once('/').unwrap_or((rest, ""));
    let known = |v: &str| (!v.is_empty() && !v.starts_with("unknown-")).then(|| v.to_string());
    (known(account), known(region))
}
