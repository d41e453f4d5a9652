//! permgate: audits AWS Lambda permissions in CloudFormation, SAM and Terraform plans.
//!
//! The pipeline, one direction: paths → [`discover`] → [`source::SourceFile`] → [`readers`] →
//! [`model::Stack`] → [`link`] (the stacks of a run joined as one application) → `iam` →
//! [`checks`] → [`diag::Finding`] → [`suppress`] (with the rules of [`config`]) → [`baseline`]
//! → [`report`].

pub mod aws;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod config;
pub mod day;
pub mod diag;
pub mod discover;
pub mod iam;
pub mod inventory;
pub mod link;
pub mod locate;
pub mod model;
pub mod parameters;
pub mod readers;
pub mod report;
pub mod source;
pub mod suppress;

use std::path::PathBuf;
use std::sync::Arc;

use diag::FileError;
use model::{InputFormat, Stack};
use readers::ReadOutcome;
use readers::cfn::parameters::Defaults;
use source::SourceFile;

/// One input file after reading.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: Arc<SourceFile>,
    pub explicit: bool,
    /// The parameter values the template was read with.
    pub given: parameters::GivenValues,
    pub outcome: FileOutcome,
    /// For a plan: the Terraform source read beside it (or in `--tf-source`), when there is one.
    pub tf_source: Option<Arc<readers::hcl::TfSource>>,
    /// For a template whose stack uses parameter defaults: its syntax tree, for the reading
    /// with the defaults withheld ([`qualify_defaults`]).
    pub kept: Option<readers::KeptTemplate>,
    /// The stack's name in its application, when it has one: a CDK stack (`Prod/Queues`), a
    /// nested stack (`Parent/Child`).
    pub stack_name: Option<String>,
    /// For a stack of a CDK cloud assembly (or nested in one): where the app's code created
    /// each construct, by construct path.
    pub creation_sites: Option<Arc<readers::cdk::CreationSites>>,
    /// What the application fixed when the template was read (region, account, values passed
    /// by a parent, imports).
    pub deployment: readers::cfn::Deployment,
}

impl LoadedFile {
    /// A file not read yet (its outcome says so until [`read_outcome`] replaces it).
    pub fn new(source: Arc<SourceFile>, explicit: bool) -> LoadedFile {
        LoadedFile {
            source,
            explicit,
            given: parameters::GivenValues::new(),
            outcome: FileOutcome::Skipped {
                format: None,
                reason: "not read".to_string(),
            },
            tf_source: None,
            kept: None,
            stack_name: None,
            creation_sites: None,
            deployment: readers::cfn::Deployment::default(),
        }
    }
}

/// What reading a template in its application gives (plans are read by [`load_inputs_with`]).
pub(crate) fn read_outcome(
    source: &SourceFile,
    explicit: bool,
    given: &parameters::GivenValues,
    deployment: &readers::cfn::Deployment,
) -> FileOutcome {
    let read = readers::read_in(source, explicit, given, Defaults::Use, &|| None, deployment)
        .map(|read| read.unwrap_or_else(|| not_an_input(&source.path)));
    FileOutcome::of(read)
}

/// What a file that is neither a template nor a plan gives when it is named explicitly.
fn not_an_input(path: &std::path::Path) -> ReadOutcome {
    ReadOutcome::Skipped {
        format: None,
        reason: readers::not_a_template(path),
    }
}

#[derive(Debug)]
pub enum FileOutcome {
    Stack {
        format: InputFormat,
        stack: Box<Stack>,
    },
    Skipped {
        format: Option<InputFormat>,
        reason: String,
    },
    Error {
        format: Option<InputFormat>,
        error: FileError,
    },
    /// A CDK cloud assembly's manifest: read for the stacks it names (each its own file), with
    /// what in it could not be followed (an unknown schema version, a missing template).
    Assembly { warnings: Vec<FileError> },
}

impl FileOutcome {
    /// The outcome of reading one file: its stack, why it was skipped, or its error.
    fn of(read: Result<ReadOutcome, FileError>) -> FileOutcome {
        match read {
            Ok(ReadOutcome::Stack { format, stack }) => FileOutcome::Stack { format, stack },
            Ok(ReadOutcome::Skipped { format, reason }) => FileOutcome::Skipped { format, reason },
            Err(error) => FileOutcome::Error {
                format: None,
                error,
            },
        }
    }
}

/// One input read from standard input (`-` on the command line).
#[derive(Debug)]
pub struct StdinInput {
    /// The name it is reported under (`--stdin-filename`, else `-`).
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

/// Discovers and reads every input. Files found by walking that are not templates or plans
/// are left out; everything else is returned in a stable order, errors included. Templates get
/// the parameter values of the samconfig file beside them.
pub fn load_inputs(paths: &[PathBuf]) -> Vec<LoadedFile> {
    let mut values =
        ParameterSources::new(&parameters::ParameterOptions::default(), Default::default());
    load_inputs_with(paths, None, &mut values, false, None)
}

/// The parameter values each template is read with, and the problems found in their sources.
pub struct ParameterSources {
    command_line: parameters::CommandLineValues,
    environment: (String, bool),
    /// Directory → its samconfig file (`None`: there is none or it could not be read).
    samconfigs: std::collections::HashMap<PathBuf, Option<Arc<parameters::SamConfig>>>,
    /// Sources that cannot be read, or that give a value for a parameter no template has.
    pub errors: Vec<parameters::SourceError>,
    /// Every parameter name a template read so far declares.
    declared: std::collections::HashSet<String>,
    /// The region and account templates are deployed to (`--region`, `--account`, the
    /// configuration), unless their cloud assembly says otherwise.
    pub region: Option<String>,
    pub account: Option<String>,
}

impl ParameterSources {
    pub fn new(
        options: &parameters::ParameterOptions,
        command_line: parameters::CommandLineValues,
    ) -> ParameterSources {
        let (env, explicit) = options.environment();
        ParameterSources {
            command_line,
            environment: (env.to_string(), explicit),
            samconfigs: std::collections::HashMap::new(),
            errors: Vec::new(),
            declared: std::collections::HashSet::new(),
            region: None,
            account: None,
        }
    }

    /// What every template is deployed with, before its application says more.
    fn deployment(&self) -> readers::cfn::Deployment {
        readers::cfn::Deployment {
            region: self.region.clone(),
            account: self.account.clone(),
            ..readers::cfn::Deployment::default()
        }
    }

    /// The values for the template at `path`: the command line's when it gives any (as the SAM
    /// CLI, whose `--parameter-overrides` replaces samconfig values), else the samconfig's in
    /// the template's directory when it is for this template.
    fn for_template(
        &mut self,
        path: &std::path::Path,
    ) -> (parameters::GivenValues, Option<Arc<parameters::SamConfig>>) {
        if !self.command_line.is_empty() {
            return (self.command_line.merged(), None);
        }
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let config = self
            .samconfigs
            .entry(dir.clone())
            .or_insert_with(|| {
                match parameters::samconfig_in(&dir, &self.environment.0, self.environment.1) {
                    Ok(c) => c.map(Arc::new),
                    Err(failed) => {
                        self.errors.push(*failed);
                        None
                    }
                }
            })
            .clone();
        match config {
            Some(c) if c.template.as_deref().is_some_and(|t| same_file(t, path)) => {
                (c.values.values.clone(), Some(c))
            }
            _ => (parameters::GivenValues::new(), None),
        }
    }

    /// Errors for values given for parameters that the template (samconfig) or every template
    /// (command line) lacks: a misspelt name must not silently leave the default in force.
    fn check_declared(
        &mut self,
        stack: &Stack,
        template: &std::path::Path,
        config: Option<&parameters::SamConfig>,
    ) {
        let names: std::collections::HashSet<&str> =
            stack.parameters.iter().map(|p| p.name.as_str()).collect();
        self.declared.extend(names.iter().map(|n| n.to_string()));
        let Some(config) = config else { return };
        for (key, span) in &config.values.key_spans {
            if !names.contains(key.as_str()) {
                self.errors.push((
                    Arc::clone(&config.source),
                    FileError::new(
                        format!("`{key}` is not a parameter of `{}`", template.display()),
                        Some(*span),
                    ),
                ));
            }
        }
    }

    /// After every input is read: the command-line values that no template declares.
    pub fn finish(&mut self) {
        if self.command_line.is_empty() {
            return;
        }
        for source in &self.command_line.sources {
            for key in source.values.keys() {
                if self.declared.contains(key) {
                    continue;
                }
                let message = format!("`{key}` is not a parameter of any template audited");
                let (file, span) = match &source.file {
                    Some(f) => (Arc::clone(f), source.key_spans.get(key).copied()),
                    None => (
                        Arc::new(SourceFile::new("--parameter-overrides", String::new())),
                        None,
                    ),
                };
                self.errors.push((file, FileError::new(message, span)));
            }
        }
    }
}

/// Whether two paths name the same file (compared as given, then canonicalized).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// [`load_inputs`] with the text of the path `-` (`stdin`), parameter values from `values`, which also collects the problems of
/// their sources. With `only_templates`, files named in `paths` are treated as files found by
/// walking: one that is not a template or plan is left out rather than parsed and reported (a
/// pre-commit hook passes every staged YAML and JSON file). Each plan is read with its Terraform
/// source (in `tf_source`, else in the plan's directory), which gives the values the plan leaves
/// unknown.
pub fn load_inputs_with(
    paths: &[PathBuf],
    stdin: Option<StdinInput>,
    values: &mut ParameterSources,
    only_templates: bool,
    tf_source: Option<&std::path::Path>,
) -> Vec<LoadedFile> {
    let (mut inputs, walk_errors) = discover::inputs(paths);
    // A cloud assembly's templates are read through its manifest, never also as loose files.
    let assemblies = take_assemblies(&mut inputs, values);
    if only_templates {
        for input in &mut inputs {
            input.explicit = false;
        }
    }
    // Terraform source read once per directory, however many plans it has. A large plan asks
    // for it from another thread (`readers::read_large_plan`).
    let sources: std::sync::Mutex<Vec<(PathBuf, Option<Arc<readers::hcl::TfSource>>)>> =
        std::sync::Mutex::default();
    let source_of = |plan: &std::path::Path| -> Option<Arc<readers::hcl::TfSource>> {
        let dir = source_dir(plan, tf_source);
        // A thread that panicked while holding the list left it whole: nothing is pushed
        // before the source is read.
        let mut sources = sources
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, known)) = sources.iter().find(|(d, _)| *d == dir) {
            return known.clone();
        }
        let mut read = readers::hcl::TfSource::read(&dir);
        read.parse_policies();
        let read = (!read.is_empty() || !read.problems.is_empty()).then(|| Arc::new(read));
        sources.push((dir, read.clone()));
        read
    };
    let mut files: Vec<LoadedFile> = walk_errors
        .into_iter()
        .map(|e| LoadedFile {
            source: Arc::new(SourceFile::new(e.path, String::new())),
            explicit: true,
            given: parameters::GivenValues::new(),
            outcome: FileOutcome::Error {
                format: None,
                error: FileError::new(e.message, None),
            },
            tf_source: None,
            kept: None,
            stack_name: None,
            creation_sites: None,
            deployment: readers::cfn::Deployment::default(),
        })
        .collect();
    files.extend(assemblies);
    if let Some(stdin) = stdin {
        let (given, _) = values.for_template(&stdin.name);
        files.push(read_stdin(stdin, given));
    }
    for input in inputs {
        // Large plans stream from disk, so that their text is never held whole.
        let asked = std::cell::Cell::new(false);
        let plan_source = || {
            asked.set(true);
            source_of(&input.path)
        };
        if let Some((source, ReadOutcome::Stack { format, stack })) =
            readers::read_large_plan(&input.path, &|| source_of(&input.path))
        {
            files.push(LoadedFile {
                source: Arc::new(source),
                explicit: input.explicit,
                given: parameters::GivenValues::new(),
                outcome: FileOutcome::Stack { format, stack },
                tf_source: source_of(&input.path),
                kept: None,
                stack_name: None,
                creation_sites: None,
                deployment: readers::cfn::Deployment::default(),
            });
            continue;
        }
        let source = match readers::load(&input.path) {
            Ok(s) => s,
            Err(failed) => {
                let (source, error) = *failed;
                files.push(LoadedFile {
                    source: Arc::new(source),
                    explicit: input.explicit,
                    given: parameters::GivenValues::new(),
                    outcome: FileOutcome::Error {
                        format: None,
                        error,
                    },
                    tf_source: None,
                    kept: None,
                    stack_name: None,
                    creation_sites: None,
                    deployment: readers::cfn::Deployment::default(),
                });
                continue;
            }
        };
        let (given, config) = values.for_template(&input.path);
        asked.set(false);
        let (read, kept) = match readers::read_keeping_tree(
            &source,
            input.explicit,
            &given,
            &plan_source,
            &values.deployment(),
        ) {
            Ok(Some((read, kept))) => (Ok(read), kept),
            Ok(None) => continue,
            Err(error) => (Err(error), None),
        };
        if let Ok(ReadOutcome::Stack { format, stack }) = &read
            && *format != InputFormat::TerraformPlan
        {
            values.check_declared(stack, &input.path, config.as_deref());
        }
        let outcome = FileOutcome::of(read);
        let tf_source = if asked.get() {
            source_of(&input.path)
        } else {
            None
        };
        files.push(LoadedFile {
            source: Arc::new(source),
            explicit: input.explicit,
            given,
            outcome,
            tf_source,
            kept,
            stack_name: None,
            creation_sites: None,
            deployment: values.deployment(),
        });
    }
    values.finish();
    link::link(files)
}

/// Takes the manifests of CDK cloud assemblies and every template they name out of `inputs`,
/// and reads those templates with what the assembly says: each stack's name, parameters and
/// environment. A manifest whose assembly has problems is kept as a file with warnings.
fn take_assemblies(
    inputs: &mut Vec<discover::Input>,
    values: &mut ParameterSources,
) -> Vec<LoadedFile> {
    let mut manifests: Vec<PathBuf> = inputs
        .iter()
        .filter(|i| {
            i.path
                .file_name()
                .is_some_and(|n| n == readers::cdk::MANIFEST)
        })
        .map(|i| i.path.clone())
        .collect();
    // The outermost assembly first: a stage's assembly is read as part of it.
    manifests.sort_by_key(|p| p.components().count());
    let mut claimed: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut files = Vec::new();
    for manifest in manifests {
        let key = manifest.canonicalize().unwrap_or_else(|_| manifest.clone());
        if claimed.contains(&key) {
            continue;
        }
        let Some(mut assembly) = readers::cdk::read(&manifest) else {
            continue;
        };
        claimed.extend(assembly.manifests.iter().cloned());
        let sites = Arc::new(std::mem::take(&mut assembly.sites));
        let mut warnings: Vec<(Arc<SourceFile>, Vec<FileError>)> = Vec::new();
        for (source, problem) in assembly.problems {
            match warnings.iter_mut().find(|(s, _)| s.path == source.path) {
                Some((_, list)) => list.push(problem),
                None => warnings.push((source, vec![problem])),
            }
        }
        for (source, warnings) in warnings {
            let mut file = LoadedFile::new(source, false);
            file.outcome = FileOutcome::Assembly { warnings };
            files.push(file);
        }
        for stack in assembly.stacks {
            let key = stack
                .template
                .canonicalize()
                .unwrap_or_else(|_| stack.template.clone());
            if !claimed.insert(key) {
                continue;
            }
            let source = match readers::load(&stack.template) {
                Ok(source) => Arc::new(source),
                Err(failed) => {
                    let (source, error) = *failed;
                    let mut file = LoadedFile::new(Arc::new(source), true);
                    file.outcome = FileOutcome::Error {
                        format: None,
                        error,
                    };
                    files.push(file);
                    continue;
                }
            };
            let mut file = LoadedFile::new(source, true);
            let deployment = readers::cfn::Deployment {
                region: stack.region.or_else(|| values.region.clone()),
                account: stack.account.or_else(|| values.account.clone()),
                stack_name: Some(stack.deployed_name.clone()),
                ..readers::cfn::Deployment::default()
            };
            file.outcome = read_outcome(&file.source, true, &stack.parameters, &deployment);
            if let FileOutcome::Stack { stack: read, .. } = &file.outcome {
                values
                    .declared
                    .extend(read.parameters.iter().map(|p| p.name.clone()));
            }
            file.given = stack.parameters;
            file.deployment = deployment;
            file.stack_name = Some(stack.name);
            file.creation_sites = Some(Arc::clone(&sites));
            files.push(file);
        }
    }
    inputs.retain(|i| {
        let key = i.path.canonicalize().unwrap_or_else(|_| i.path.clone());
        !claimed.contains(&key)
    });
    files
}

fn read_stdin(stdin: StdinInput, given: parameters::GivenValues) -> LoadedFile {
    let (source, outcome, kept) = match String::from_utf8(stdin.bytes) {
        Ok(text) => {
            let source = SourceFile::new(stdin.name, text);
            let (read, kept) = match readers::read_keeping_tree(
                &source,
                true,
                &given,
                &|| None,
                &readers::cfn::Deployment::default(),
            ) {
                Ok(Some((read, kept))) => (Ok(read), kept),
                // An explicit input is always read or skipped with a reason.
                Ok(None) => (Ok(not_an_input(&source.path)), None),
                Err(error) => (Err(error), None),
            };
            let outcome = FileOutcome::of(read);
            (source, outcome, kept)
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let error = FileError::new(
                format!("the input is not UTF-8 (invalid byte at offset {offset})"),
                Some(source::Span::new(offset, offset + 1)),
            );
            (
                SourceFile::new(stdin.name, text),
                FileOutcome::Error {
                    format: None,
                    error,
                },
                None,
            )
        }
    };
    LoadedFile {
        source: Arc::new(source),
        explicit: true,
        given,
        outcome,
        tf_source: None,
        kept,
        stack_name: None,
        creation_sites: None,
        deployment: readers::cfn::Deployment::default(),
    }
}

/// How a `check` run treats its findings, beyond running the checks.
#[derive(Debug)]
pub struct AuditOptions {
    /// Selection, severity overrides and configured suppressions.
    pub rules: config::Rules,
    /// The repository root (canonical): fingerprints and `path` globs are relative to it.
    pub root: PathBuf,
    /// The directory relative input paths are relative to.
    pub cwd: PathBuf,
    /// The day suppressions' `until` is compared with.
    pub today: day::Day,
    /// The root module of the Terraform source the plans were made from; by default each
    /// plan's own directory.
    pub tf_source: Option<PathBuf>,
    /// Values for the input variables of Terraform modules audited without a plan
    /// (`--var`, `--var-file`), in the order given.
    pub tf_vars: Vec<readers::hcl::vars::VarInput>,
}

impl AuditOptions {
    /// No rules, in the current directory and its repository.
    pub fn here() -> AuditOptions {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        AuditOptions {
            rules: config::Rules::default(),
            root: config::repository_root(&cwd),
            cwd,
            today: day::Day::today(),
            tf_source: None,
            tf_vars: Vec::new(),
        }
    }
}

/// The audit: reads every input, runs every check on every stack, and returns the report.
pub fn audit(paths: &[PathBuf]) -> report::Report {
    let mut values =
        ParameterSources::new(&parameters::ParameterOptions::default(), Default::default());
    audit_with(paths, None, &mut values, false, &AuditOptions::here())
}

/// [`audit`] with standard input, the parameter values of `values` (the problems of their
/// sources are errors in the report), `only_templates` as in [`load_inputs_with`], and the
/// options of the command line and configuration.
pub fn audit_with(
    paths: &[PathBuf],
    stdin: Option<StdinInput>,
    values: &mut ParameterSources,
    only_templates: bool,
    options: &AuditOptions,
) -> report::Report {
    let loaded = load_inputs_with(
        paths,
        stdin,
        values,
        only_templates,
        options.tf_source.as_deref(),
    );
    let modules = load_modules_without_plan(
        paths,
        &loaded,
        options.tf_source.as_deref(),
        &options.tf_vars,
    );
    let mut files: Vec<suppress::Audited> = loaded
        .into_iter()
        .flat_map(|f| audit_loaded(f, options))
        .collect();
    for module in modules {
        files.extend(audit_module(module, options));
    }
    for (source, error) in std::mem::take(&mut values.errors) {
        let mut report = report::FileReport::error(source, None, error);
        report.key_path = key_path(&report.source.path, &options.cwd, &options.root);
        files.push(suppress::Audited {
            report,
            inline: Vec::new(),
        });
    }
    let config_key_path = options
        .rules
        .config
        .as_ref()
        .map(|c| key_path(&c.path, &options.cwd, &options.root))
        .unwrap_or_default();
    report::Report::new(suppress::apply(
        files,
        &options.rules,
        &config_key_path,
        options.today,
    ))
}
/// The path of an input relative to the repository root, with forward slashes, however it was
/// spelled (`./x`, absolute, from a subdirectory). A path outside the root keeps its spelling.
pub fn key_path(path: &std::path::Path, cwd: &std::path::Path, root: &std::path::Path) -> String {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let absolute = cwd.join(path);
    // A name that is not a file (standard input's `--stdin-filename`) is resolved by hand.
    let resolved = absolute
        .canonicalize()
        .unwrap_or_else(|_| lexically_normal(&absolute));
    let shown = resolved.strip_prefix(root).unwrap_or(path);
    let mut text = shown.to_string_lossy().replace('\\', "/");
    while let Some(rest) = text.strip_prefix("./") {
        text = rest.to_string();
    }
    text
}

/// A path as a terminal shows it: relative to `cwd` (with `../` steps when it is beside it)
/// and without `.` and `..` detours; absolute when it shares no more than the root with `cwd`
/// (a file of another machine, named by a CDK trace).
fn shown_path(path: &std::path::Path, cwd: &std::path::Path) -> String {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let normal = lexically_normal(&cwd.join(path));
    let shared = cwd
        .components()
        .zip(normal.components())
        .take_while(|(a, b)| a == b)
        .count();
    if shared <= 1 {
        return normal.to_string_lossy().into_owned();
    }
    let mut relative = PathBuf::new();
    for _ in cwd.components().skip(shared) {
        relative.push("..");
    }
    relative.extend(normal.components().skip(shared));
    relative.to_string_lossy().into_owned()
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn lexically_normal(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Findings that rest on parameter defaults: the template is read again with the defaults
/// withheld, and what that reading does not confirm holds only "if deployed with the default"
/// ([`checks::assumed`]). The second reading lowers the syntax tree kept from the first one
/// (`kept`); without it, the text is parsed again.
fn qualify_defaults(
    findings: Vec<diag::Finding>,
    source: &SourceFile,
    explicit: bool,
    given: &parameters::GivenValues,
    kept: Option<readers::KeptTemplate>,
    deployment: &readers::cfn::Deployment,
    stack: &Stack,
) -> Vec<diag::Finding> {
    let without_defaults = match kept {
        Some(kept) => readers::read_without_defaults(kept, given),
        // Only templates have parameters: no plan source is asked for.
        None => match readers::read_in(
            source,
            explicit,
            given,
            Defaults::Withhold,
            &|| None,
            deployment,
        ) {
            Ok(Some(ReadOutcome::Stack { format, stack })) => Some((format, stack)),
            _ => None,
        },
    };
    let confirmed = match without_defaults {
        Some((format, stack)) => checks::run_all(&stack, format),
        // Without the defaults the template cannot be read (SAM needs a literal there): nothing
        // is confirmed.
        None => Vec::new(),
    };
    checks::assumed::qualify(findings, &confirmed, stack)
}

/// The audit of one file given as text, as if it were named on the command line (for the fuzz
/// targets and property tests: the same reading, checks and report as [`audit`]).
pub fn audit_text(path: impl Into<PathBuf>, text: String) -> report::Report {
    let file = read_stdin(
        StdinInput {
            name: path.into(),
            bytes: text.into_bytes(),
        },
        parameters::GivenValues::new(),
    );
    let options = AuditOptions::here();
    report::Report::new(suppress::apply(
        audit_loaded(file, &options),
        &options.rules,
        "",
        options.today,
    ))
}

/// One read input through the checks (and the second reading of [`qualify_defaults`]), with
/// its key path and inline suppressions, ready for [`suppress::apply`]; followed by one error
/// report per `# permgate:ignore` comment of a plan's source that is refused.
fn audit_loaded(f: LoadedFile, options: &AuditOptions) -> Vec<suppress::Audited> {
    let file_key_path = key_path(&f.source.path, &options.cwd, &options.root);
    let mut refused = Vec::new();
    let (mut report, inline) = match f.outcome {
        FileOutcome::Stack { format, mut stack } => {
            let mut findings = checks::run_all(&stack, format);
            // Only certain findings can rest on a default: without one, no second reading.
            if stack.assumed_defaults().next().is_some()
                && findings
                    .iter()
                    .any(|f| f.certainty == diag::Certainty::Certain)
            {
                findings = qualify_defaults(
                    findings,
                    &f.source,
                    f.explicit,
                    &f.given,
                    f.kept,
                    &f.deployment,
                    &stack,
                );
            }
            if format == InputFormat::TerraformPlan {
                let dir = source_dir(&f.source.path, options.tf_source.as_deref());
                match &f.tf_source {
                    Some(source) => locate::place(&mut findings, &f.source, source, &dir, &|p| {
                        key_path(p, &options.cwd, &options.root)
                    }),
                    None if options.tf_source.is_some() => {
                        findings.push(locate::no_source_warning(&dir));
                    }
                    None => {}
                }
            }
            let mut inline = std::mem::take(&mut stack.suppressions);
            if format == InputFormat::TerraformPlan
                && let Some(source) = &f.tf_source
            {
                let (comments, bad) =
                    locate::suppressions(source, &|p| key_path(p, &options.cwd, &options.root));
                inline.extend(comments);
                refused = bad;
            }
            let mut report = report::FileReport::audited(f.source, format, findings);
            report.stack = f.stack_name;
            report.constructs = std::mem::take(&mut stack.construct_paths);
            if let Some(sites) = &f.creation_sites {
                report.created_at = report
                    .constructs
                    .iter()
                    .filter_map(|(id, construct)| {
                        let site = sites.get(construct)?;
                        let code = report::CodeSite {
                            key_path: key_path(&site.path, &options.cwd, &options.root),
                            shown: shown_path(&site.path, &options.cwd),
                            line: site.line,
                            column: site.column,
                            function: site.function.clone(),
                            on_disk: site.path.is_file(),
                        };
                        Some((id.clone(), code))
                    })
                    .collect();
            }
            report.serverless_functions = std::mem::take(&mut stack.serverless_functions);
            (report, inline)
        }
        FileOutcome::Skipped { format, reason } => {
            let mut r = report::FileReport::skipped(f.source, reason);
            r.format = format;
            (r, Vec::new())
        }
        FileOutcome::Error { format, error } => (
            report::FileReport::error(f.source, format, error),
            Vec::new(),
        ),
        FileOutcome::Assembly { warnings } => {
            let findings = warnings
                .into_iter()
                .map(checks::input_warning::finding)
                .collect();
            (
                report::FileReport::audited_other(f.source, findings),
                Vec::new(),
            )
        }
    };
    report.key_path = file_key_path;
    free_elsewhere(f.tf_source);
    let mut audited = vec![suppress::Audited { report, inline }];
    for (file, error) in refused {
        let mut report = report::FileReport::error(file, None, error);
        report.key_path = key_path(&report.source.path, &options.cwd, &options.root);
        audited.push(suppress::Audited {
            report,
            inline: Vec::new(),
        });
    }
    audited
}

/// Frees `value` on a thread of its own. A plan's Terraform source, with every policy expression
/// parsed, is a tree of many small allocations made on another thread; freeing it takes
/// milliseconds that the rest of the audit and the report need not wait for. The process may
/// end before the thread does, which frees it all the same. When no thread can be started, it
/// is freed here.
fn free_elsewhere<T: Send + 'static>(value: T) {
    // `spawn` drops the closure, and `value` with it, when it fails.
    let _ = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(value));
}

/// The Terraform root modules under `paths` that no plan was given for, each with its source
/// read: a directory of `.tf` files that is neither the source of a plan (in `planned`) nor a
/// module that another of them calls (audited as part of its caller, with its inputs).
fn modules_without_plan(
    paths: &[PathBuf],
    planned: &[PathBuf],
) -> Vec<(PathBuf, readers::hcl::TfSource)> {
    let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let planned: Vec<PathBuf> = planned.iter().map(|p| canonical(p)).collect();
    let read: Vec<(PathBuf, readers::hcl::TfSource)> = discover::terraform_modules(paths)
        .into_iter()
        .filter(|dir| !planned.contains(&canonical(dir)))
        .map(|dir| {
            let source = readers::hcl::TfSource::read(&dir);
            (dir, source)
        })
        .collect();
    let mut called = std::collections::HashSet::new();
    for (dir, source) in &read {
        let root = canonical(dir);
        for file in &source.files {
            if let Some(parent) = file.path.parent().map(canonical)
                && parent != root
            {
                called.insert(parent);
            }
        }
    }
    read.into_iter()
        .filter(|(dir, _)| !called.contains(&canonical(dir)))
        .collect()
}

/// The Terraform modules under `paths` that no plan among `loaded` (or `tf_source`) was made
/// from, each read from its source into the plan Terraform would show
/// ([`readers::hcl::module`]) with the variable values `tf_vars`. The plan wins over its source:
/// a module with a plan is read through the plan.
pub fn load_modules_without_plan(
    paths: &[PathBuf],
    loaded: &[LoadedFile],
    tf_source: Option<&std::path::Path>,
    tf_vars: &[readers::hcl::vars::VarInput],
) -> Vec<LoadedFile> {
    let is_plan = |f: &&LoadedFile| {
        matches!(
            f.outcome,
            FileOutcome::Stack {
                format: InputFormat::TerraformPlan | InputFormat::TerraformState,
                ..
            }
        )
    };
    let mut planned: Vec<PathBuf> = loaded
        .iter()
        .filter(is_plan)
        .map(|f| source_dir(&f.source.path, tf_source))
        .collect();
    if loaded.iter().any(|f| is_plan(&f)) {
        planned.extend(tf_source.map(std::path::Path::to_path_buf));
    }
    modules_without_plan(paths, &planned)
        .into_iter()
        .map(|(dir, source)| load_module(&dir, source, tf_vars))
        .collect()
}

/// A Terraform module directory without a plan, read from its source: the plan Terraform would
/// show is built from the source and read as a real plan beside its source is.
fn load_module(
    dir: &std::path::Path,
    source: readers::hcl::TfSource,
    tf_vars: &[readers::hcl::vars::VarInput],
) -> LoadedFile {
    let built = readers::hcl::module::plan_from_source(dir, source, tf_vars);
    let tf_source = Arc::new(built.source);
    let plan = SourceFile::new(dir.to_path_buf(), built.json);
    let outcome = match readers::tfplan::read_plan_with_source(&plan, Some(Arc::clone(&tf_source)))
    {
        Ok((_, stack)) => FileOutcome::Stack {
            format: InputFormat::TerraformPlan,
            stack: Box::new(stack),
        },
        Err(error) => FileOutcome::Error {
            format: None,
            error,
        },
    };
    LoadedFile {
        // The report names the directory; the built plan is not shown.
        source: Arc::new(SourceFile::new(dir.to_path_buf(), String::new())),
        explicit: true,
        given: parameters::GivenValues::new(),
        outcome,
        tf_source: Some(tf_source),
        kept: None,
        stack_name: None,
        creation_sites: None,
        deployment: readers::cfn::Deployment::default(),
    }
}

/// A module read by [`load_module`], audited: checked and placed at the `.tf` lines as a real
/// plan beside its source is, and said to be audited from source.
fn audit_module(loaded: LoadedFile, options: &AuditOptions) -> Vec<suppress::Audited> {
    let plan_path = loaded.source.path.to_string_lossy().into_owned();
    let mut audited = audit_loaded(loaded, options);
    if let Some(first) = audited.first_mut() {
        first.report.from_source = true;
        first.report.message = Some(readers::hcl::AUDITED_FROM_SOURCE.to_string());
        for finding in &mut first.report.findings {
            // There is no plan file to name beside the `.tf` line.
            finding.related.retain(|r| {
                !(r.role == diag::RelatedRole::Input && r.note.as_deref() == Some(&plan_path))
            });
        }
    }
    audited
}

/// The root module of a plan's Terraform source: `--tf-source`, or the plan's directory.
fn source_dir(plan: &std::path::Path, tf_source: Option<&std::path::Path>) -> PathBuf {
    match tf_source {
        Some(dir) => dir.to_path_buf(),
        None => match plan.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::shown_path;

    #[test]
    fn a_path_is_shown_relative_to_the_current_directory() {
        let cwd = Path::new("/nonexistent/repo/infra");
        let shown = |p: &str| shown_path(Path::new(p), cwd);
        assert_eq!(shown("cdk.out/../lib/app.ts"), "lib/app.ts");
        assert_eq!(shown("cdk.out/../../app/app.js"), "../app/app.js");
        assert_eq!(shown("/nonexistent/repo/infra/lib/app.ts"), "lib/app.ts");
        // Another machine's path shares only the root: it stays absolute.
        assert_eq!(shown("/home/dev/app.js"), "/home/dev/app.js");
    }
}
