//! Readers: bytes of one input file → a [`Stack`].
//!
//! Input: a [`SourceFile`]. Output: the detected [`InputFormat`] and the lowered [`Stack`], or a
//! [`FileError`] with a span. What a file is is decided by its content, not its name.
//! CloudFormation and SAM go through the one spanned syntax tree ([`syntax::Node`]); Terraform
//! plans deserialize straight into typed structs.

pub mod cdk;
pub mod cfn;
pub mod hcl;
pub mod json;
pub mod sam;
pub mod serverless;
pub mod suppressions;
pub mod syntax;
pub mod tfplan;
pub mod yaml;

pub use syntax::{Key, Node, NodeKind, ScalarStyle};

use crate::diag::FileError;
use crate::model::{InputFormat, Stack};
use crate::source::{SourceFile, Span};

/// What reading one file gave.
#[derive(Debug)]
pub enum ReadOutcome {
    /// A template or plan, lowered.
    Stack {
        format: InputFormat,
        stack: Box<Stack>,
    },
    /// Recognised but not audited, with the reason.
    Skipped {
        format: Option<InputFormat>,
        reason: String,
    },
}

pub use sam::SAM_TRANSFORM;

/// The largest file read: spans are 32-bit byte offsets.
pub const MAX_FILE_BYTES: u64 = u32::MAX as u64;

/// Opens a file for reading only if it is a regular file. The type is checked before opening
/// (opening a FIFO blocks until something writes to it) and again on the open handle (the path
/// may have been replaced in between).
pub(crate) fn open_regular_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let not_regular = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device); permgate reads only regular files",
        )
    };
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// Loads a file, refusing bytes that are not UTF-8 with the offset of the first bad byte. At
/// most [`MAX_FILE_BYTES`] + 1 bytes are ever read, whatever the file claims to be.
pub fn load(path: &std::path::Path) -> Result<SourceFile, Box<(SourceFile, FileError)>> {
    use std::io::Read;
    let failed = |message: String| {
        Box::new((
            SourceFile::new(path, String::new()),
            FileError::new(message, None),
        ))
    };
    let io_message = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidInput => e.to_string(),
        _ => format!("cannot read the file: {e}"),
    };
    let file = open_regular_file(path).map_err(|e| failed(io_message(e)))?;
    let expected = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(MAX_FILE_BYTES)).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| failed(io_message(e)))?;
    if u32::try_from(bytes.len()).is_err() {
        return Err(failed("the file is larger than 4 GiB".to_string()));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Err(Box::new((
                SourceFile::new(path, text),
                FileError::new(
                    format!("the file is not UTF-8 (invalid byte at offset {offset})"),
                    Some(Span::new(offset, offset + 1)),
                ),
            )))
        }
    }
}

/// Reads a large Terraform plan straight from disk, as a stream ([`tfplan::read_plan_file`]): the
/// source keeps the path and no text (a plan's findings have no lines to show). `None` when the
/// file is to be read with [`load`] and [`read`], which give the same stack for any file this
/// reads.
pub fn read_large_plan(
    path: &std::path::Path,
    source: &(dyn Fn() -> tfplan::PlanSource + Sync),
) -> Option<(SourceFile, ReadOutcome)> {
    let large = std::fs::metadata(path).is_ok_and(|m| m.len() >= tfplan::STREAM_MIN);
    if !large {
        return None;
    }
    let (format, stack) = tfplan::read_plan_file(path, source)?;
    Some((
        SourceFile::new(path, String::new()),
        ReadOutcome::Stack {
            format,
            stack: Box::new(stack),
        },
    ))
}

/// Reads one file. `explicit` files (named on the command line) are always parsed; files found
/// by walking are only opened further when they mention `AWS::` or `format_version`, so that a
/// repository's other YAML and JSON files cost nothing and are never reported.
pub fn read(file: &SourceFile, explicit: bool) -> Result<Option<ReadOutcome>, FileError> {
    read_with(
        file,
        explicit,
        &crate::parameters::GivenValues::new(),
        cfn::parameters::Defaults::Use,
        &|| None,
    )
}

/// [`read`] with the parameter values a deploy gives a template (ignored for plans), what to do
/// with the defaults of the parameters it gives none, and the Terraform source of a plan asked
/// of `source` (only when the file is a plan), to evaluate what the plan leaves unknown. The
/// stack records where each parameter's value came from ([`Stack::parameters`]).
pub fn read_with(
    file: &SourceFile,
    explicit: bool,
    given: &crate::parameters::GivenValues,
    defaults: cfn::parameters::Defaults,
    source: &dyn Fn() -> tfplan::PlanSource,
) -> Result<Option<ReadOutcome>, FileError> {
    read_in(
        file,
        explicit,
        given,
        defaults,
        source,
        &cfn::Deployment::default(),
    )
}

/// [`read_with`] in an application: a template is read with what the rest of the application
/// fixes (its region and account, values passed by a parent stack, imported values).
pub fn read_in(
    file: &SourceFile,
    explicit: bool,
    given: &crate::parameters::GivenValues,
    defaults: cfn::parameters::Defaults,
    source: &dyn Fn() -> tfplan::PlanSource,
    deployment: &cfn::Deployment,
) -> Result<Option<ReadOutcome>, FileError> {
    Ok(
        read_file(file, explicit, given, defaults, source, deployment, false)?
            .map(|(outcome, _)| outcome),
    )
}

/// The syntax tree of a template whose stack rests on parameter defaults, kept from its first
/// reading (with the given values already written in) for [`read_without_defaults`]: the
/// second reading lowers the same tree again instead of parsing the text again.
#[derive(Debug)]
pub struct KeptTemplate {
    root: Node,
    /// What the application fixed for the first reading, fixed for the second too.
    deployment: cfn::Deployment,
}

/// [`read_with`] using the defaults, which also keeps the template's syntax tree when the stack
/// uses a parameter's default ([`Stack::assumed_defaults`]).
pub fn read_keeping_tree(
    file: &SourceFile,
    explicit: bool,
    given: &crate::parameters::GivenValues,
    source: &dyn Fn() -> tfplan::PlanSource,
    deployment: &cfn::Deployment,
) -> Result<Option<(ReadOutcome, Option<KeptTemplate>)>, FileError> {
    read_file(
        file,
        explicit,
        given,
        cfn::parameters::Defaults::Use,
        source,
        deployment,
        true,
    )
}

/// The stack of a kept template read with the defaults of the parameters without a given value
/// withheld: the same stack as [`read_with`] with [`cfn::parameters::Defaults::Withhold`] gives
/// for the file, without parsing it again. `None` when that reading fails (SAM needs a literal
/// where a parameter was used).
pub fn read_without_defaults(
    kept: KeptTemplate,
    given: &crate::parameters::GivenValues,
) -> Option<(InputFormat, Box<Stack>)> {
    // The given values are already the tree's defaults: applying them again changes nothing.
    read_template(
        kept.root,
        given,
        cfn::parameters::Defaults::Withhold,
        &kept.deployment,
    )
    .ok()
    .map(|(format, stack, _)| (format, stack))
}

/// [`read_with`], and with `keep`, the syntax tree of a template whose stack uses a default.
fn read_file(
    file: &SourceFile,
    explicit: bool,
    given: &crate::parameters::GivenValues,
    defaults: cfn::parameters::Defaults,
    source: &dyn Fn() -> tfplan::PlanSource,
    deployment: &cfn::Deployment,
    keep: bool,
) -> Result<Option<(ReadOutcome, Option<KeptTemplate>)>, FileError> {
    if explicit && file.path.extension().is_some_and(|e| e == "tf") {
        return Ok(Some((
            ReadOutcome::Skipped {
                format: None,
                reason: hcl::AUDITED_FROM_A_PLAN.into(),
            },
            None,
        )));
    }
    let text = file.text.trim_start_matches('\u{feff}').trim_start();
    if tfplan::looks_like_plan(text) {
        let (format, stack) = tfplan::read_plan_with_source(file, source())?;
        return Ok(Some((
            ReadOutcome::Stack {
                format,
                stack: Box::new(stack),
            },
            None,
        )));
    }
    let looks_like_json = text.starts_with('{') || text.starts_with('[');
    if !explicit && !file.text.contains("AWS::") {
        return Ok(None);
    }
    let root = if looks_like_json {
        json::parse_json(file)?
    } else {
        yaml::parse_yaml(file)?
    };
    if !is_template(&root) {
        return Ok(explicit.then(|| {
            (
                ReadOutcome::Skipped {
                    format: None,
                    reason: not_a_template(&file.path),
                },
                None,
            )
        }));
    }
    let (format, mut stack, root) = read_template(root, given, defaults, deployment)?;
    stack.serverless_functions = serverless::function_names(&file.path, &root);
    let kept = (keep && stack.assumed_defaults().next().is_some()).then(|| KeptTemplate {
        root,
        deployment: deployment.clone(),
    });
    Ok(Some((ReadOutcome::Stack { format, stack }, kept)))
}

/// A template's tree → its stack, with the tree as the lowering saw it (the given values, and
/// the defaults unless withheld, written in as the parameters' `Default`s).
fn read_template(
    root: Node,
    given: &crate::parameters::GivenValues,
    defaults: cfn::parameters::Defaults,
    deployment: &cfn::Deployment,
) -> Result<(InputFormat, Box<Stack>, Node), FileError> {
    let (root, parameters) = cfn::parameters::apply(root, given, defaults);
    let (format, lowered, diagnostics, suppressions) = if is_sam(&root) {
        let expansion = sam::expand(&root)?;
        let provenance = expansion.provenance.for_lowering();
        // Read from the template as written: SAM generates resources a suppression on the
        // SAM resource covers.
        let suppressions = suppressions::read(&root, &provenance.generated_from)?;
        (
            InputFormat::Sam,
            cfn::lower_in(&expansion.template, &provenance, deployment),
            expansion.diagnostics,
            suppressions,
        )
    } else {
        (
            InputFormat::Cloudformation,
            cfn::lower_in(&root, &cfn::Provenance::default(), deployment),
            Vec::new(),
            suppressions::read(&root, &std::collections::HashMap::new())?,
        )
    };
    let mut stack = lowered.map_err(first_error)?;
    stack.suppressions = suppressions;
    // What the SAM expansion left out (a property it ignores, a resource type it keeps as
    // written) is reported with the stack, not lost.
    stack.diagnostics.extend(diagnostics);
    stack.parameters = parameters;
    stack.construct_paths = cfn::links::construct_paths(&root);
    Ok((format, Box::new(stack), root))
}

fn first_error(mut errors: Vec<FileError>) -> FileError {
    errors.sort_by_key(|e| e.span.map(|s| s.start));
    let more = errors.len().saturating_sub(1);
    let mut iter = errors.into_iter();
    let first = iter
        .next()
        .unwrap_or_else(|| FileError::new("the template cannot be read", None));
    if more > 0 {
        let others: Vec<String> = iter.take(5).map(|e| e.message).collect();
        let help = format!(
            "{more} more problem{}: {}{}",
            if more == 1 { "" } else { "s" },
            others.join("; "),
            if more > 5 { "; …" } else { "" }
        );
        first.with_help(help)
    } else {
        first
    }
}

/// A CloudFormation template: a mapping with `AWSTemplateFormatVersion`, or with `Resources`
/// of which at least one entry has a `Type` naming a resource type (`AWS::…`). One such entry
/// is enough: a template where another resource lacks its `Type` is a broken template (reported
/// by the lowering), not something else.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return false;
    };
    resources.iter().any(|(_, r)| {
        r.get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.contains("::"))
    })
}

/// A SAM template: `Transform` names the SAM transform (alone or in a list).
pub fn is_sam(root: &Node) -> bool {
    sam::is_sam(root)
}

/// Why a file named on the command line that is no template is skipped: a Serverless Framework
/// service file is told apart, since what it deploys is its compiled template.
pub(crate) fn not_a_template(path: &std::path::Path) -> String {
    let compiled = format!(
        "{}/{}",
        serverless::OUTPUT_DIR,
        serverless::COMPILED_TEMPLATE
    );
    if serverless::compiled_template(path).is_some() {
        format!(
            "a Serverless Framework service file: its compiled template `{compiled}` is audited \
             instead"
        )
    } else if serverless::is_service_file(path) {
        format!(
            "a Serverless Framework service file: permgate audits what `serverless package` \
             compiles it to, `{compiled}`, which is not there yet"
        )
    } else {
        "not a CloudFormation template, SAM template or Terraform plan".into()
    }
}
