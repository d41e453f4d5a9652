//! `--format github`: GitHub Actions workflow commands, which GitHub shows as annotations on the
//! pull request's files.
//!
//! Input: a normalized [`Report`] and the [`CheckInfo`] of the checks that ran (for titles).
//! Output: one `::error` / `::warning` / `::notice` command per finding and per file error,
//! errors first, then warnings, then notices (GitHub shows at most 10 annotations of each kind
//! per step, so the ones that matter most come first), a line saying how many were beyond what
//! GitHub shows and where to read them, then a summary line of plain text. With
//! [`summary_markdown`], the same findings as a Markdown table for the job summary
//! (`$GITHUB_STEP_SUMMARY`). Invariants: every command is exactly one line; user text is
//! escaped by GitHub's rules (`%`, CR and LF in the message; also `:` and `,` in properties) and
//! other control characters are written as visible `\u{..}` escapes, so nothing in a template can
//! start a command of its own or colour the log. `line`/`col` appear only when there is a span.

use std::io::Write;

use super::{FileReport, INPUT_ERROR_ID, INPUT_ERROR_SLUG, Report, escape, position, summary_line};
use crate::checks::CheckInfo;
use crate::diag::{Certainty, Finding, Severity};
use crate::source::{SourceFile, Span};

/// How many annotations of one kind GitHub shows for a step.
pub const ANNOTATIONS_SHOWN: usize = 10;

/// Writes one workflow command per finding and file error, then the summary line.
pub fn write(report: &Report, checks: &[&CheckInfo], out: &mut dyn Write) -> std::io::Result<()> {
    write_with_summary(report, checks, false, out)
}

/// [`write`]; `summary_written` says whether [`summary_markdown`] went to the job summary,
/// which the note about annotations beyond GitHub's limit then points to.
pub fn write_with_summary(
    report: &Report,
    checks: &[&CheckInfo],
    summary_written: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut beyond = [0usize; 3];
    for (i, severity) in [Severity::Error, Severity::Warning, Severity::Note]
        .into_iter()
        .enumerate()
    {
        let count = write_commands(report, checks, severity, out)?;
        if let Some(b) = beyond.get_mut(i) {
            *b = count.saturating_sub(ANNOTATIONS_SHOWN);
        }
    }
    let [errors, warnings, notes] = beyond;
    if errors + warnings + notes > 0 {
        let mut parts = Vec::new();
        for (n, one, many) in [
            (errors, "error", "errors"),
            (warnings, "warning", "warnings"),
            (notes, "notice", "notices"),
        ] {
            if n > 0 {
                parts.push(format!("{n} more {}", if n == 1 { one } else { many }));
            }
        }
        let place = if summary_written {
            "the job summary lists every finding"
        } else {
            "every finding is in the log above"
        };
        writeln!(
            out,
            "GitHub shows {ANNOTATIONS_SHOWN} annotations of each kind per step: {} are not shown as annotations; {place}",
            parts.join(", ")
        )?;
    }
    writeln!(out, "{}", summary_line(&report.summary()))
}

/// Writes the commands of one severity (file errors count as errors); returns how many.
fn write_commands(
    report: &Report,
    checks: &[&CheckInfo],
    severity: Severity,
    out: &mut dyn Write,
) -> std::io::Result<usize> {
    let mut count = 0;
    for file in &report.files {
        if let Some(error) = &file.error
            && severity == Severity::Error
        {
            count += 1;
            let mut message = error.message.clone();
            if let Some(help) = &error.help {
                message.push_str(" — help: ");
                message.push_str(help);
            }
            let title = format!("{INPUT_ERROR_ID} ({INPUT_ERROR_SLUG})");
            command(
                out,
                Severity::Error,
                &file.key_path,
                &file.source,
                error.span,
                &title,
                &message,
            )?;
        }
        for finding in file.findings.iter().filter(|f| f.severity == severity) {
            count += 1;
            write_finding(out, file, finding, checks)?;
        }
    }
    Ok(count)
}

/// The job summary: a heading with the summary line, then a table of every finding and file
/// error (errors first), then the suppressed and baselined findings.
pub fn summary_markdown(report: &Report, checks: &[&CheckInfo]) -> String {
    let mut md = String::from("## permgate\n\n");
    md.push_str(&cell(&summary_line(&report.summary())));
    md.push_str("\n\n");
    let mut rows = Vec::new();
    for file in &report.files {
        if let Some(error) = &file.error {
            rows.push((
                Severity::Error,
                file,
                INPUT_ERROR_ID.to_string(),
                error.span,
                String::new(),
                error.message.clone(),
            ));
        }
        for f in &file.findings {
            let mut message = f.message.clone();
            if let Certainty::CannotVerify { reason } = &f.certainty {
                message.push_str(" — cannot verify: ");
                message.push_str(reason);
            }
            if let Some(fix) = &f.fix {
                message.push_str(" — help: ");
                message.push_str(&fix.help);
            }
            rows.push((
                f.severity,
                file,
                title(f.check, checks),
                f.span,
                f.resource.clone(),
                message,
            ));
        }
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    if !rows.is_empty() {
        md.push_str(
            "| severity | check | location | resource | finding |\n|---|---|---|---|---|\n",
        );
        for (severity, file, check, span, resource, message) in rows {
            let mut location = file.key_path.clone();
            if let Some(region) = position::region(&file.source, span) {
                location.push_str(&format!(":{}", region.start.line));
            }
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                severity.as_str(),
                cell(&check),
                code(&location),
                if resource.is_empty() {
                    String::new()
                } else {
                    code(&resource)
                },
                cell(&message)
            ));
        }
        md.push('\n');
    }
    let suppressed: Vec<_> = report
        .files
        .iter()
        .flat_map(|file| file.suppressed.iter().map(move |s| (file, s)))
        .collect();
    if !suppressed.is_empty() {
        md.push_str("<details><summary>suppressed and baselined findings</summary>\n\n");
        md.push_str("| check | location | resource | why |\n|---|---|---|---|\n");
        for (file, s) in suppressed {
            let mut why = format!("{}: {}", s.origin.kind(), s.reason);
            if let Some(line) = s.origin.line() {
                why.push_str(&format!(" ({}:{line})", s.origin.file()));
            }
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&title(s.finding.check, checks)),
                code(&file.key_path),
                code(&s.finding.resource),
                cell(&why)
            ));
        }
        md.push_str("\n</details>\n\n");
    }
    md
}

fn title(check: &str, checks: &[&CheckInfo]) -> String {
    match checks.iter().find(|c| c.id == check) {
        Some(info) => format!("{} ({})", info.id, info.slug),
        None => check.to_string(),
    }
}

/// A Markdown table cell: one line, `|` escaped, control characters visible.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if escape::is_unsafe(c) => escape::push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// `text` as inline code in a table cell (backticks inside are replaced, so the span holds).
fn code(text: &str) -> String {
    format!("`{}`", cell(&text.replace('`', "'")))
}

fn write_finding(
    out: &mut dyn Write,
    file: &FileReport,
    finding: &Finding,
    checks: &[&CheckInfo],
) -> std::io::Result<()> {
    let title = title(finding.check, checks);
    let (site, span) = super::finding_site(file, finding);
    let span = position::clamp(site, span);
    let mut message = String::new();
    if span.is_none() && !finding.resource.is_empty() {
        // Without a line, the resource is the only way to find what the finding is about.
        message.push('`');
        message.push_str(&finding.resource);
        message.push_str("`: ");
    } else if finding.location.is_some() && !finding.resource.is_empty() {
        // Shown at its source (a `.tf` block): name the input of record and the address.
        message.push('`');
        message.push_str(&finding.resource);
        message.push_str("` in ");
        message.push_str(&position::normalized_path(&file.source));
        message.push_str(": ");
    }
    message.push_str(&finding.message);
    if let Some(context) = file.application_context(finding) {
        message.push_str(" — ");
        message.push_str(&context);
    }
    if let Certainty::CannotVerify { reason } = &finding.certainty {
        message.push_str(" — cannot verify: ");
        message.push_str(reason);
    }
    if let Some(fix) = &finding.fix {
        message.push_str(" — help: ");
        message.push_str(&fix.help);
    }
    command(
        out,
        finding.severity,
        super::finding_key_path(file, finding),
        site,
        span,
        &title,
        &message,
    )
}

fn command(
    out: &mut dyn Write,
    severity: Severity,
    key_path: &str,
    source: &SourceFile,
    span: Option<Span>,
    title: &str,
    message: &str,
) -> std::io::Result<()> {
    let name = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    // GitHub matches `file` against paths relative to the repository root.
    let path = key_path;
    let mut line = format!("::{name} file={}", property(path));
    if let Some(region) = position::region(source, span) {
        let (start, end) = (region.start, region.end);
        line.push_str(&format!(",line={},col={}", start.line, start.column));
        line.push_str(&format!(",endLine={}", end.line));
        // GitHub accepts a column range only on one line; its end is the last character.
        if end.line == start.line {
            let last = end.column.saturating_sub(1).max(start.column);
            line.push_str(&format!(",endColumn={last}"));
        }
    }
    line.push_str(",title=");
    line.push_str(&property(title));
    line.push_str("::");
    line.push_str(&data(message));
    writeln!(out, "{line}")
}

/// Escapes a command's message.
pub(crate) fn data(text: &str) -> String {
    escape_with(text, false)
}

/// Escapes a command's property value.
pub(crate) fn property(text: &str) -> String {
    escape_with(text, true)
}

fn escape_with(text: &str, is_property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if is_property => out.push_str("%3A"),
            ',' if is_property => out.push_str("%2C"),
            c if escape::is_unsafe(c) => escape::push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::InputFormat;
    use crate::report::fixtures::{checks, finding, sample_report};

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &checks(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sample_report_matches_snapshot() {
        let output = render(&sample_report());
        crate::report::snapshots().bind(|| insta::assert_snapshot!("sample.github", output));
    }

    #[test]
    fn one_line_per_finding_and_error_then_the_summary() {
        let output = render(&sample_report());
        let lines: Vec<&str> = output.lines().collect();
        // 5 findings, 2 file errors, 1 summary.
        assert_eq!(lines.len(), 8);
        assert!(lines[..7].iter().all(|l| l.starts_with("::")));
        assert_eq!(
            lines[7],
            "2 errors, 1 warning, 2 notes in 5 files (1 skipped, 2 unreadable)"
        );
        assert!(!output.contains('\u{1b}'));
    }

    #[test]
    fn escaping_follows_github_rules_exactly() {
        assert_eq!(data("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b");
        assert_eq!(property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        assert_eq!(data("red \u{1b}[31m\u{202e}"), "red \\u{1b}[31m\\u{202e}");
        assert_eq!(data("::error::x"), "::error::x");
    }

    #[test]
    fn hostile_message_stays_on_one_line() {
        let output = render(&sample_report());
        let line = output.lines().find(|l| l.starts_with("::warning")).unwrap();
        assert_eq!(
            line,
            "::warning file=stacks/app.yaml,line=4,col=80,endLine=4,endColumn=100,\
             title=PG106 (sqs-visibility-timeout)::visibility timeout of queue \
             `100%25%0Acommandes\\u{1b}[31m` (30 s) is shorter than the function timeout (60 s) \
             — help: set `VisibilityTimeout` to at least 360, six times the function timeout"
        );
    }

    #[test]
    fn findings_without_span_have_no_line_and_name_the_resource() {
        let output = render(&sample_report());
        let plan: Vec<&str> = output
            .lines()
            .filter(|l| l.contains("file=plans/prod.tfplan.json"))
            .collect();
        assert_eq!(plan.len(), 2);
        // Sorted by check id: PG101 first.
        assert!(plan[0].starts_with("::error file=plans/prod.tfplan.json,title=PG101 "));
        assert_eq!(
            plan[1],
            "::notice file=plans/prod.tfplan.json,title=PG103 (esm-sqs-kms-decrypt)::\
             `module.orders.aws_lambda_event_source_mapping.this[\"orders\"]`: cannot verify that \
             role `orders-fn` may decrypt messages of queue `orders` — cannot verify: key \
             `alias/orders` is not managed in this plan, so its key policy is unknown"
        );
        assert!(plan.iter().all(|l| !l.contains("line=")));
    }

    #[test]
    fn file_errors_point_at_their_span() {
        let output = render(&sample_report());
        assert!(output.contains(
            "::error file=stacks/broken.yaml,line=3,col=3,endLine=3,endColumn=4,\
             title=PG001 (input-error)::duplicate key `Fn` — help: the first `Fn` is on line 2; \
             CloudFormation rejects duplicate keys\n"
        ));
        assert!(output.contains(
            "::error file=stacks/locked.yaml,title=PG001 (input-error)::cannot read \
             `stacks/locked.yaml`: permission denied\n"
        ));
    }

    #[test]
    fn path_and_unknown_check_are_escaped_properties() {
        let report = Report::new(vec![FileReport::audited(
            Arc::new(SourceFile::new("./a,b:c.json", "{}".to_string())),
            InputFormat::TerraformPlan,
            vec![finding("PG999", "x", None)],
        )]);
        let output = render(&report);
        assert!(
            output.starts_with("::error file=a%2Cb%3Ac.json,title=PG999::`x`: finding on `x`\n")
        );
    }

    #[test]
    fn multi_line_spans_have_no_column_range() {
        let text = "a:\n  b: 1\n";
        let report = Report::new(vec![FileReport::audited(
            Arc::new(SourceFile::new("t.yaml", text.to_string())),
            InputFormat::Cloudformation,
            vec![finding("PG101", "A", Some(Span::new(0, text.len())))],
        )]);
        let output = render(&report);
        assert!(output.starts_with("::error file=t.yaml,line=1,col=1,endLine=2,title="));
    }
}
