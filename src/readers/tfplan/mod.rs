//! Terraform plans and states: `terraform show -json` output → [`Stack`].
//!
//! Input: a [`SourceFile`] holding the JSON of `terraform show -json plan.out` (a plan) or of
//! `terraform show -json` without a plan (a state), or the path of a large one
//! ([`read_plan_file`]). Output: [`InputFormat::TerraformPlan`] or
//! [`InputFormat::TerraformState`] and the [`Stack`] of the resources that will exist after apply,
//! in the same model as CloudFormation: `Origin.id` is the full instance address
//! (`module.app.aws_lambda_event_source_mapping.this[0]`) and no item has a span (plans have no
//! lines, and no location is ever invented).
//!
//! Pipeline: a plan of [`STREAM_MIN`] bytes or more is condensed as it streams from disk
//! (`condense`: only what `doc` deserializes is kept, about half the file, and the file is never
//! held whole); `doc` deserializes the text into borrowed structs and keeps each resource's values
//! as raw JSON; `index` builds lookup tables and walks configuration references to give unknown
//! values a meaning (spec §8.4); `values` decodes the attributes of the ~40 audited resource
//! types on use; `attrs` builds computed attributes (ARNs) the plan does not know; `policy`
//! reads policy documents; `lower` builds the model and its links.
//!
//! Invariants: no `serde_json::Value` of the whole document is ever built; a file that is not a
//! plan, is truncated, errored, or wrapped by CI tooling gets a one-line error that says what to
//! do; problems that do not stop reading go to [`Stack::diagnostics`]; nothing panics.
//!
//! Limits: the plan records an unknown expression only as the references it uses (spec §8.2),
//! so an unknown value written as one reference inside a template
//! (`"${aws_s3_bucket.b.arn}/*"`) reads as the referenced value (spec §8.4 step 6); values that
//! combine several references, locals or function calls stay unknown, with the reason. The
//! region comes from the provider configuration (a constant or a root variable), a
//! `data.aws_region` read while planning, or the resource's own `region`; the account only from
//! a `data.aws_caller_identity` read while planning, never guessed: otherwise built ARNs carry
//! its symbol.

mod attrs;
mod condense;
mod doc;
mod expr;
mod index;
mod lower;
mod order;
mod policy;
mod schema;
mod source;
mod values;

#[cfg(test)]
mod tests;

use std::io::Read;
use std::path::Path;

use serde_json::error::Category;

use crate::diag::FileError;
use crate::model::{InputFormat, Stack};
use crate::source::{SourceFile, Span};

/// Plan format versions permgate reads: minor versions are backward compatible (TF-JSON).
const SUPPORTED_MAJOR: [&str; 2] = ["0", "1"];

/// How far into a file the sniffers look for the top-level keys of a plan.
const SNIFF_WINDOW: usize = 1 << 20;

/// Plans of at least this many bytes are read from disk as a stream ([`read_plan_file`]).
pub const STREAM_MIN: u64 = SNIFF_WINDOW as u64;

/// The longest prefix of `text` of at most `n` bytes that ends on a character boundary.
fn head(text: &str, n: usize) -> &str {
    let mut end = n.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// The value of the first `"format_version": "…"` in the text (a number too: it is then
/// recognised and refused with its place, never skipped).
fn sniff_format_version(text: &str) -> Option<&str> {
    let window = head(text, SNIFF_WINDOW);
    let at = window.find("\"format_version\"")?;
    let rest = window.get(at + "\"format_version\"".len()..)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.get(..quoted.find('"')?);
    }
    let number = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest.get(..number).filter(|n| !n.is_empty())
}

/// Which top-level keys of a JSON object the text has, found by one scan that skips every
/// nested value (so no amount of text before them, `configuration` first in a plan written with
/// sorted keys, can hide them). A truncated text gives the keys seen up to its end.
#[derive(Default)]
struct TopLevelKeys {
    format_version: bool,
    plan_section: bool,
}

fn top_level_keys(json: &str) -> TopLevelKeys {
    let mut keys = TopLevelKeys::default();
    let bytes = json.as_bytes();
    let mut depth = 0usize;
    let mut key_next = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while let Some(&c) = bytes.get(end) {
                    match c {
                        b'\\' => end += 2,
                        b'"' => break,
                        _ => end += 1,
                    }
                }
                if depth == 1 && key_next {
                    let raw = json.get(start..end).unwrap_or("");
                    let key: std::borrow::Cow<'_, str> = if raw.contains('\\') {
                        serde_json::from_str::<String>(json.get(i..=end).unwrap_or("\"\""))
                            .map_or(std::borrow::Cow::Borrowed(raw), std::borrow::Cow::Owned)
                    } else {
                        std::borrow::Cow::Borrowed(raw)
                    };
                    match &*key {
                        "format_version" => keys.format_version = true,
                        "planned_values" | "resource_changes" | "values" | "prior_state" => {
                            keys.plan_section = true;
                        }
                        _ => {}
                    }
                    key_next = false;
                }
                i = end + 1;
                continue;
            }
            b'{' => {
                depth += 1;
                key_next = depth == 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => key_next = true,
            _ => {}
        }
        if keys.format_version && keys.plan_section {
            break;
        }
        i += 1;
    }
    keys
}

/// The first line of a text.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// The JSON after the `[command]…` line that setup-terraform's `terraform-wrapper` prints
/// before the output of every command it runs.
fn after_wrapper_line(text: &str) -> Option<&str> {
    if !text.starts_with("[command]") {
        return None;
    }
    text.split_once('\n').map(|(_, rest)| rest.trim_start())
}

/// Whether the text is the human-readable output of `terraform show` / `terraform plan`.
fn is_human_readable(text: &str) -> bool {
    const MARKERS: &[&str] = &[
        "Terraform used the selected providers",
        "Terraform will perform the following actions",
        "An execution plan has been generated",
        "Terraform detected the following changes",
        "No changes. Your infrastructure matches the configuration",
        "No changes. Infrastructure is up-to-date",
        "Note: Objects have changed outside of Terraform",
        "Resource actions are indicated with the following symbols",
    ];
    let window = head(text, 4096);
    MARKERS.iter().any(|m| window.contains(m))
        || window.lines().take(3).any(|l| {
            l.trim_start().starts_with("# ") && l.trim_end().ends_with(':') && l.contains("aws_")
        }) && window.contains("resource \"")
}

/// Cheap content sniff: a JSON object with `format_version` and one of `planned_values`,
/// `resource_changes` (a plan) or `values` (a state). Also true for a plan that CI tooling
/// wrapped (`terraform-wrapper`) and for the human-readable output of `terraform show`, so that
/// [`read_plan`] can say what to do with them.
pub fn looks_like_plan(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    if is_human_readable(text) {
        return true;
    }
    let json = after_wrapper_line(text).unwrap_or(text);
    if !json.starts_with('{') {
        return false;
    }
    let has_key = |t: &str| {
        t.contains("\"planned_values\"")
            || t.contains("\"resource_changes\"")
            || t.contains("\"values\"")
    };
    if sniff_format_version(json).is_some() && (has_key(head(json, SNIFF_WINDOW)) || has_key(json))
    {
        return true;
    }
    let keys = top_level_keys(json);
    keys.format_version && keys.plan_section
}

/// Byte offset of a serde_json error position (1-based line, 1-based byte column) in `text`.
fn error_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)
            .unwrap_or(text.len())
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// A serde_json message without its ` at line X column Y` suffix.
fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full).to_string(),
        None => full,
    }
}

fn unsupported_version(version: &str) -> FileError {
    FileError::new(
        format!("unsupported plan format_version `{version}`; permgate reads 0.x and 1.x"),
        None,
    )
    .with_help("this plan was written by a newer Terraform; permgate needs an update to read it")
}

fn version_supported(version: &str) -> bool {
    let major = version.split('.').next().unwrap_or("");
    SUPPORTED_MAJOR.contains(&major)
}

/// Explains a file that is not plan JSON at all.
fn not_json(file: &SourceFile, body: &str, offset: usize) -> FileError {
    let line = first_line(body);
    let span = Some(Span::new(offset, offset + line.len()));
    if body.starts_with("[command]")
        || body.starts_with("::debug::")
        || body.contains("\n::set-output ")
    {
        return FileError::new(
            "this is `terraform show -json` output captured by setup-terraform's `terraform-wrapper`, which adds lines around the JSON",
            span,
        )
        .with_help(
            "set `terraform_wrapper: false` on the `hashicorp/setup-terraform` step, or write the file with `terraform show -json plan.out > plan.json` in a step that does not capture the output",
        );
    }
    if is_human_readable(body) {
        return FileError::new(
            "this is the human-readable output of `terraform show`; run `terraform show -json plan.out`",
            span,
        );
    }
    if body.starts_with("PK") {
        return FileError::new(
            "this is a binary plan file; run `terraform show -json` on it and audit the JSON",
            Some(Span::new(offset, offset + 2)),
        );
    }
    let _ = file;
    FileError::new(
        "this is not JSON; permgate reads the output of `terraform show -json`",
        span,
    )
}

/// Turns a parse error into a located, one-line explanation.
fn parse_error(e: &serde_json::Error, json: &str, offset: usize) -> FileError {
    let at = error_offset(json, e.line(), e.column());
    let file_at = offset + at;
    let span = Some(Span::new(file_at, (file_at + 1).min(offset + json.len())));
    match e.classify() {
        Category::Eof => {
            let end = offset + json.trim_end().len();
            FileError::new(
                format!("the plan JSON is truncated: it ends at byte {end} inside an unfinished value"),
                Some(Span::new(end.saturating_sub(1), end)),
            )
            .with_help("the file was cut off while it was written or copied; write it again with `terraform show -json plan.out > plan.json`")
        }
        Category::Syntax => {
            let rest = json.get(at..).unwrap_or("");
            if rest.starts_with("%0A") || rest.contains("\n::set-output ") {
                return FileError::new(
                    "this is `terraform show -json` output captured by setup-terraform's `terraform-wrapper`, which adds lines around the JSON",
                    span,
                )
                .with_help("set `terraform_wrapper: false` on the `hashicorp/setup-terraform` step");
            }
            FileError::new(
                format!("invalid JSON at byte {file_at}: {}", bare_message(e)),
                span,
            )
        }
        Category::Data => FileError::new(
            format!(
                "the plan does not have the shape of `terraform show -json` output at byte {file_at}: {}",
                bare_message(e)
            ),
            span,
        ),
        Category::Io => FileError::new(bare_message(e), None),
    }
}

/// A policy document's JSON text as a model value (strings literal).
pub fn parse_policy_text(text: &str) -> Result<crate::model::Value, String> {
    policy::parse_document(text)
}

/// The Terraform source read beside a plan, when there is one.
pub type PlanSource = Option<std::sync::Arc<crate::readers::hcl::TfSource>>;

/// Reads a Terraform plan or state (`terraform show -json` output) into a [`Stack`].
pub fn read_plan(file: &SourceFile) -> Result<(InputFormat, Stack), FileError> {
    read_plan_with_source(file, None)
}

/// [`read_plan`], with the values the plan leaves unknown evaluated from `source`.
pub fn read_plan_with_source(
    file: &SourceFile,
    source: PlanSource,
) -> Result<(InputFormat, Stack), FileError> {
    read_plan_evaluating_ahead_from(file, source, POLICIES_AHEAD_ON_A_THREAD)
}

/// [`read_plan_with_source`], with the source's policies evaluated on a second thread from
/// `ahead_from` policies on.
fn read_plan_evaluating_ahead_from(
    file: &SourceFile,
    source: PlanSource,
    ahead_from: usize,
) -> Result<(InputFormat, Stack), FileError> {
    let text = file.text.as_str();
    let body = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    let offset = text.len() - body.len();
    if !body.starts_with('{') {
        return Err(not_json(file, body, offset));
    }
    let document: doc::Document<'_> = match serde_json::from_str(body) {
        Ok(d) => d,
        Err(e) => {
            if let Some(v) = sniff_format_version(body).filter(|v| !version_supported(v)) {
                return Err(unsupported_version(v));
            }
            return Err(parse_error(&e, body, offset));
        }
    };
    if let Some((at, key)) = schema::duplicate_key(body) {
        return Err(FileError::new(
            format!("the key `{key}` is written twice in one object"),
            Some(Span::new(offset + at.start, offset + at.end)),
        )
        .with_help(
            "Terraform never writes a key twice; write the plan again with `terraform show -json`",
        ));
    }
    schema::check(&document, body, offset)?;
    lower_document(document, body, source, ahead_from)
}

/// Reads a plan of at least [`STREAM_MIN`] bytes from disk without holding its text: the file is
/// condensed as it is read to what the reader deserializes (about half of it), and the stack is
/// built from that. `None` when the file is smaller, does not start like a plan, or anything
/// about it (an error, an unusual layout) is better read whole with [`read_plan`], which gives
/// the same stack for every file this reads, and explains problems at their place.
pub fn read_plan_file(
    path: &Path,
    source: &(dyn Fn() -> PlanSource + Sync),
) -> Option<(InputFormat, Stack)> {
    let file = super::open_regular_file(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len < STREAM_MIN || len > u64::from(u32::MAX) {
        return None;
    }
    read_plan_stream(file, usize::try_from(len).ok()?, condense::CHUNK, source)
}

/// From this many policies of the Terraform source that the plan leaves unknown, they are also
/// evaluated on a second thread while the plan is lowered: below it, the thread costs more
/// than it saves.
const POLICIES_AHEAD_ON_A_THREAD: usize = 32;

/// The stack of the thread that reads a streamed plan's Terraform source.
const SOURCE_THREAD_STACK: usize = 8 << 20;

/// [`read_plan_file`] on any reader of `size` bytes (at most), read `chunk` bytes at a time.
/// The Terraform source is asked of `source` once the text looks like a plan, on another
/// thread, so that it is read (and its policies parsed) while the plan is condensed and
/// checked; the plan waits for it only when its values are built.
fn read_plan_stream(
    mut reader: impl Read,
    size: usize,
    chunk: usize,
    source: &(dyn Fn() -> PlanSource + Sync),
) -> Option<(InputFormat, Stack)> {
    let mut start = Vec::with_capacity(SNIFF_WINDOW.min(size));
    Read::by_ref(&mut reader)
        .take(SNIFF_WINDOW as u64)
        .read_to_end(&mut start)
        .ok()?;
    // The sniff sees what it sees in the whole text: the start, cut at a character boundary.
    let valid = match std::str::from_utf8(&start) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(start.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    if !looks_like_plan(valid) {
        return None;
    }
    std::thread::scope(|scope| {
        // A thread that cannot be started leaves the source to this one. Its stack is the main
        // thread's (8 MiB on Linux), where the readers are fuzzed, not a spawned thread's 2 MiB.
        let pending = std::thread::Builder::new()
            .name("tf-source".into())
            .stack_size(SOURCE_THREAD_STACK)
            .spawn_scoped(scope, source)
            .ok();
        let condensed = condense::condense(std::io::Cursor::new(start).chain(reader), chunk, size)?;
        let document: doc::Document<'_> = serde_json::from_str(&condensed).ok()?;
        // A plan that breaks the schema is read whole, where the error gets its place.
        if schema::duplicate_key(&condensed).is_some() {
            return None;
        }
        schema::check(&document, &condensed, 0).ok()?;
        let source = match pending {
            // A source reader that panicked is a bug, but not one that costs the plan.
            Some(thread) => thread.join().ok().flatten(),
            None => source(),
        };
        lower_document(document, &condensed, source, POLICIES_AHEAD_ON_A_THREAD).ok()
    })
}

/// Checks the version of a parsed document (from `body`) and builds its stack; from
/// `ahead_from` policies of the source that the plan leaves unknown, they are also evaluated on
/// a second thread.
fn lower_document(
    mut document: doc::Document<'_>,
    body: &str,
    source: PlanSource,
    ahead_from: usize,
) -> Result<(InputFormat, Stack), FileError> {
    let Some(version) = document.format_version.as_deref() else {
        let hint = if head(body, 4096).contains("\"lineage\"") {
            "this is a raw Terraform state file; run `terraform show -json` to get the JSON permgate reads"
        } else {
            "the JSON has no `format_version`, so it is not `terraform show -json` output"
        };
        return Err(FileError::new(hint, None));
    };
    if !version_supported(version) {
        return Err(unsupported_version(version));
    }
    let format = if document.planned_values.is_some() || document.resource_changes.is_some() {
        InputFormat::TerraformPlan
    } else {
        InputFormat::TerraformState
    };
    let errored = document.errored == Some(true);
    // Read before indexing, which moves the resource lists out of the document.
    let order = order::collect(&document);
    let mut plan = index::Plan::new(&mut document);
    plan.source = source;
    // A few policies are evaluated where the lowering meets them, with the plan at hand.
    plan.policies_ahead = plan.policies_to_evaluate(ahead_from);
    let mut stack = if plan.policies_ahead.is_empty() {
        lower::lower(&plan)
    } else {
        let ahead = &plan.policies_ahead;
        std::thread::scope(|scope| {
            // A thread that cannot be started leaves every policy to the lowering.
            let _ = std::thread::Builder::new()
                .name("tf-policies".into())
                .stack_size(SOURCE_THREAD_STACK)
                .spawn_scoped(scope, || ahead.evaluate_from_the_end());
            lower::lower(&plan)
        })
    };
    let attachments = std::mem::take(&mut stack.order.attachments);
    stack.order = order;
    stack.order.attachments = attachments;
    if errored {
        stack.diagnostics.insert(
            0,
            FileError::new(
                "terraform reported errors while planning (`errored: true`); the plan is incomplete and resources may be missing",
                None,
            ),
        );
    }
    Ok((format, stack))
}
