//! The default, human format: miette diagnostics with source snippets, then a summary line.
//!
//! Input: a normalized [`Report`] and [`TextOptions`]. Output: for each file error and finding,
//! a diagnostic (code, severity, message, the snippet with the primary span and related spans
//! of the same file, the cannot-verify reason, help with the fix statement), separated by blank
//! lines, then `N errors, N warnings, N notes in N files (N skipped, N unreadable)`.
//! Findings without a span (Terraform plans) get a header, the file and the resource address,
//! and no snippet. Invariants: this is the only module that knows miette; every piece of user
//! text reaching the terminal (messages, paths, labels, help and the source itself) has its
//! control characters replaced, so a template cannot inject escape sequences; colour is used
//! only when asked for.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{FileReport, INPUT_ERROR_ID, Report, escape, position, summary_line};
use crate::diag::{Certainty, FileError, Finding, Related, Severity};
use crate::source::{LineCol, SourceFile, Span};

/// How to render text.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions {
    /// Use colours (the caller decides, e.g. from whether stdout is a terminal).
    pub color: bool,
    /// Wrap width of notes and help: the terminal's width on a terminal, `None` (never wrap)
    /// elsewhere, so that a CI log keeps every ARN and statement on one line for copy and paste.
    /// Words are never broken either way.
    pub width: Option<usize>,
}

impl TextOptions {
    /// Options that never wrap.
    pub fn new(color: bool) -> TextOptions {
        TextOptions { color, width: None }
    }
}

/// Spans longer than this many lines are shown by their first line only: a label over a whole
/// resource would otherwise print the resource.
const MAX_LABEL_LINES: usize = 4;

/// Widest line shown in a snippet, in terminal columns counted generously (a tab as 4, any
/// other character as 2). miette lays labels out with Rust format widths, which panic past
/// 65,535 columns (a minified JSON template, a line of tabs); a line this wide is no use on a
/// terminal either, so such a diagnostic is shown without its snippet, with its line and column.
const MAX_SNIPPET_COLUMNS: usize = 16_384;

/// Writes every file error and finding, then the summary line.
pub fn write(report: &Report, options: &TextOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // miette does not wrap: notes and help are wrapped here ([`TextDiagnostic::wrapped`]), so
    // that a fix statement's JSON keeps its lines.
    let handler = GraphicalReportHandler::new_themed(theme).with_wrap_lines(false);
    let mut rendered = String::new();
    for file in &report.files {
        if file.error.is_none() && file.findings.is_empty() {
            continue;
        }
        // Plans have no spans: do not scan a large file that will not be shown.
        let has_span = file.error.as_ref().is_some_and(|e| e.span.is_some())
            || file.findings.iter().any(|f| f.span.is_some());
        let snippet = if has_span {
            FileSnippet::new(&file.source)
        } else {
            FileSnippet::unshown(&file.source)
        };
        if let Some(error) = &file.error {
            let diagnostic =
                TextDiagnostic::from_error(error, &file.source, &snippet).wrapped(options.width);
            render(&handler, options, &diagnostic, file, None, &mut rendered);
            out.write_all(rendered.as_bytes())?;
        }
        // Snippets of the other files findings are shown in (`.tf` sources of a plan).
        let mut elsewhere: Vec<FileSnippet<'_>> = Vec::new();
        for finding in &file.findings {
            if let Some(at) = &finding.location
                && !elsewhere.iter().any(|s| s.is_of(&at.file))
            {
                elsewhere.push(FileSnippet::new(&at.file));
            }
            let site = finding.location.as_ref().and_then(|at| {
                let site_snippet = elsewhere.iter().find(|s| s.is_of(&at.file))?;
                Some((at, site_snippet))
            });
            let view;
            let diagnostic = match site {
                Some((at, site_snippet)) => {
                    view = located_view(finding);
                    TextDiagnostic::from_finding(&view, &at.file, site_snippet)
                }
                None => TextDiagnostic::from_finding(finding, &file.source, &snippet),
            }
            .with_first_note(file.application_context(finding))
            .wrapped(options.width);
            render(
                &handler,
                options,
                &diagnostic,
                file,
                Some(&finding.resource),
                &mut rendered,
            );
            out.write_all(rendered.as_bytes())?;
        }
    }
    writeln!(out, "{}", summary_line(&report.summary()))
}

/// A finding shown at its location in another file: its span is the location's, related
/// resources in that same file keep their spans, the others are named with their file and line.
fn located_view(finding: &Finding) -> Finding {
    let mut view = finding.clone();
    let Some(at) = &finding.location else {
        return view;
    };
    view.span = Some(at.span);
    // The resource itself among the related (the mapping as `event source`) would label the
    // same block twice.
    view.related.retain(|r| r.location.as_ref() != Some(at));
    for related in &mut view.related {
        related.span = match &related.location {
            Some(r) if r.file.path == at.file.path => Some(r.span),
            Some(r) => {
                let line = r.file.line_col(r.span.start).line;
                let place = format!("{}:{line}", r.file.path.to_string_lossy());
                related.note = Some(match related.note.take() {
                    Some(note) => format!("{note} ({place})"),
                    None => place,
                });
                None
            }
            None => None,
        };
    }
    view
}

/// Renders one diagnostic into `buf` (replacing its content), followed by a blank line.
fn render(
    handler: &GraphicalReportHandler,
    options: &TextOptions,
    diagnostic: &TextDiagnostic<'_>,
    file: &FileReport,
    resource: Option<&str>,
    buf: &mut String,
) {
    buf.clear();
    let mut body = String::new();
    // A snippet is shown only where miette can lay it out (it panics past visual column
    // 65,535); otherwise the header form gives the line and column.
    if diagnostic.has_snippet()
        && diagnostic.snippet_fits()
        && handler.render_report(&mut body, diagnostic).is_ok()
    {
        // miette's first line is the (empty) message after the severity icon: the heading
        // replaces it, so that findings with and without a snippet start alike.
        buf.push_str(&heading(options, diagnostic));
        buf.push('\n');
        buf.push_str(body.split_once('\n').map_or("", |(_, rest)| rest));
    } else {
        render_header(options, diagnostic, file, resource, buf);
    }
    while buf.ends_with('\n') {
        buf.pop();
    }
    buf.push_str("\n\n");
}

/// `error[PG101]: message`, the first line of every diagnostic, with the severity in words.
fn heading(options: &TextOptions, diagnostic: &TextDiagnostic<'_>) -> String {
    let (word, colour) = match diagnostic.severity {
        Severity::Error => ("error", "\u{1b}[1;31m"),
        Severity::Warning => ("warning", "\u{1b}[1;33m"),
        Severity::Note => ("note", "\u{1b}[1;36m"),
    };
    let code = format!("{word}[{}]", diagnostic.code);
    if options.color {
        format!("{colour}{code}\u{1b}[0m: {}", diagnostic.message)
    } else {
        format!("{code}: {}", diagnostic.message)
    }
}

/// The form for diagnostics without a snippet:
///
/// ```text
/// error[PG101]: message
///   --> plan.json (aws_lambda_event_source_mapping.x)
///   = cannot verify: reason
///   help: add this statement …
/// ```
fn render_header(
    options: &TextOptions,
    diagnostic: &TextDiagnostic<'_>,
    file: &FileReport,
    resource: Option<&str>,
    buf: &mut String,
) {
    buf.push_str(&heading(options, diagnostic));
    buf.push_str("\n  --> ");
    buf.push_str(&escape::terminal(
        &file.source.path.to_string_lossy(),
        false,
    ));
    if let Some(at) = diagnostic.at {
        buf.push_str(&format!(":{}:{}", at.line, at.column));
    }
    if let Some(resource) = resource.filter(|r| !r.is_empty()) {
        buf.push_str(" (");
        buf.push_str(&escape::terminal(resource, false));
        buf.push(')');
    }
    buf.push('\n');
    let mut note = diagnostic.notes.as_deref();
    while let Some(n) = note {
        buf.push_str("  = ");
        buf.push_str(&n.text);
        buf.push('\n');
        note = n.next.as_deref();
    }
    if let Some(help) = &diagnostic.help {
        let mut lines = help.lines();
        if let Some(first) = lines.next() {
            buf.push_str("  help: ");
            buf.push_str(first);
            buf.push('\n');
        }
        for line in lines {
            buf.push_str("        ");
            buf.push_str(line);
            buf.push('\n');
        }
    }
}

/// A file's text as miette shows it: the name, and the text with every control character (but
/// tab, LF and the CR of CRLF) replaced by a visible symbol. Replacements can be longer than the
/// characters they replace, so spans are mapped through [`FileSnippet::map`].
pub struct FileSnippet<'a> {
    name: String,
    text: Cow<'a, str>,
    /// For each replaced character: its offset in the original text and the total number of
    /// bytes added by the replacements up to and including it.
    shifts: Vec<(u32, u32)>,
    /// Byte offset of the first byte of every line of `text`: the source file's own index
    /// when nothing is replaced.
    line_starts: Cow<'a, [u32]>,
}

impl<'a> FileSnippet<'a> {
    pub fn new(source: &'a SourceFile) -> FileSnippet<'a> {
        let name = escape::terminal(&source.path.to_string_lossy(), false).into_owned();
        let original = source.text.as_str();
        let needs_replacing = |c: char, next: Option<char>| {
            escape::is_unsafe(c) && c != '\n' && c != '\t' && !(c == '\r' && next == Some('\n'))
        };
        // Printable ASCII, newlines and tabs (most files) need no replacing, and the file has
        // been tested for that once, when it was read.
        if source.is_printable() {
            return FileSnippet {
                name,
                text: Cow::Borrowed(original),
                shifts: Vec::new(),
                line_starts: Cow::Borrowed(source.line_starts()),
            };
        }
        let mut chars = original.char_indices().peekable();
        let mut text = String::new();
        let mut shifts = Vec::new();
        let mut added: u32 = 0;
        let mut copied_to = 0;
        while let Some((i, c)) = chars.next() {
            if !needs_replacing(c, chars.peek().map(|&(_, n)| n)) {
                continue;
            }
            let picture = match u32::from(c) {
                n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
                0x7f => '\u{2421}',
                _ => '\u{fffd}',
            };
            text.push_str(original.get(copied_to..i).unwrap_or(""));
            text.push(picture);
            copied_to = i + c.len_utf8();
            let grown = picture.len_utf8().saturating_sub(c.len_utf8());
            added = added.saturating_add(u32::try_from(grown).unwrap_or(0));
            shifts.push((u32::try_from(i).unwrap_or(u32::MAX), added));
        }
        let text = if shifts.is_empty() {
            Cow::Borrowed(original)
        } else {
            text.push_str(original.get(copied_to..).unwrap_or(""));
            Cow::Owned(text)
        };
        let line_starts = match &text {
            Cow::Borrowed(_) => Cow::Borrowed(source.line_starts()),
            Cow::Owned(shown) => Cow::Owned(crate::source::line_starts_of(shown)),
        };
        FileSnippet {
            name,
            text,
            shifts,
            line_starts,
        }
    }

    /// Whether this is the snippet of `source`.
    fn is_of(&self, source: &SourceFile) -> bool {
        self.name == escape::terminal(&source.path.to_string_lossy(), false)
    }

    /// A snippet without text, for files whose findings have no span.
    fn unshown(source: &SourceFile) -> FileSnippet<'static> {
        FileSnippet {
            name: escape::terminal(&source.path.to_string_lossy(), false).into_owned(),
            text: Cow::Borrowed(""),
            shifts: Vec::new(),
            line_starts: Cow::Borrowed(&[0]),
        }
    }

    /// The 0-based line of a byte offset of the shown text.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start as usize <= offset)
            .saturating_sub(1)
    }

    fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).map(|&start| start as usize)
    }

    /// The offset in the shown text of an offset in the original text.
    fn map(&self, offset: u32) -> usize {
        let before = self.shifts.partition_point(|&(at, _)| at < offset);
        let added = before
            .checked_sub(1)
            .and_then(|i| self.shifts.get(i))
            .map_or(0, |&(_, added)| added);
        offset as usize + added as usize
    }

    /// Whether every line miette would show for `span` (with one line of context on each side)
    /// is at most [`MAX_SNIPPET_COLUMNS`] wide.
    fn fits(&self, span: &SourceSpan) -> bool {
        let start = span.offset();
        let end = start.saturating_add(span.len());
        let first = self.line_of(start).saturating_sub(1);
        let last = self
            .line_of(end.saturating_sub(1).max(start))
            .saturating_add(1);
        let from = self.line_start(first).unwrap_or(0);
        let to = last
            .checked_add(1)
            .and_then(|l| self.line_start(l))
            .unwrap_or(self.text.len());
        let Some(window) = self.text.get(from..to) else {
            return false;
        };
        window.split('\n').all(|line| {
            line.len() <= MAX_SNIPPET_COLUMNS / 4
                || line
                    .chars()
                    .map(|c| if c == '\t' { 4 } else { 2 })
                    .sum::<usize>()
                    <= MAX_SNIPPET_COLUMNS
        })
    }

    fn source_span(&self, span: Span) -> SourceSpan {
        let start = self.map(span.start);
        let end = self.map(span.end).max(start);
        SourceSpan::new(start.into(), end - start)
    }
}

impl SourceCode for FileSnippet<'_> {
    /// miette's own `str` implementation scans from the start of the file on every call and
    /// counts `line_count` from there too (which merges every snippet of a file into one). This
    /// one hands miette only the lines it asked for, found with the line index, then puts the
    /// offsets and line numbers back into file terms and counts columns in characters.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.text.as_ref();
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = self.line_of(start);
        let last_line = self.line_of(end.saturating_sub(1).max(start));
        let window_line = first_line.saturating_sub(context_lines_before);
        let window_start = self.line_start(window_line).unwrap_or(0);
        let window_end = last_line
            .checked_add(context_lines_after + 1)
            .and_then(|l| self.line_start(l))
            .unwrap_or(text.len());
        let window = text
            .get(window_start..window_end)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - window_start).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let data_start = window_start + inner.span().offset();
        let data_line_start = self.line_start(self.line_of(data_start)).unwrap_or(0);
        let column = text
            .get(data_line_start..data_start)
            .map_or(inner.column(), |s| s.chars().count());
        let lines_in_data = inner.data().iter().filter(|&&b| b == b'\n').count();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(data_start.into(), inner.span().len()),
            window_line + inner.line(),
            column,
            lines_in_data,
        )))
    }
}

/// One line under the message (the cannot-verify reason, related locations without a span),
/// shown by miette as the error's cause chain.
#[derive(Debug)]
struct Note {
    text: String,
    next: Option<Box<Note>>,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Note {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.next
            .as_deref()
            .map(|n| n as &(dyn std::error::Error + 'static))
    }
}

/// A finding or file error seen as a miette diagnostic, with its text already escaped.
pub struct TextDiagnostic<'a> {
    snippet: &'a FileSnippet<'a>,
    code: &'a str,
    severity: Severity,
    message: String,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    notes: Option<Box<Note>>,
    /// Line and column of the primary span, shown when the snippet is not.
    at: Option<LineCol>,
}

impl<'a> TextDiagnostic<'a> {
    /// `snippet` must be [`FileSnippet::new`] of `source`, the finding's file.
    pub fn from_finding(
        finding: &'a Finding,
        source: &SourceFile,
        snippet: &'a FileSnippet<'a>,
    ) -> TextDiagnostic<'a> {
        let mut labels = Vec::new();
        let at = label_span(source, finding.span).map(|s| source.line_col(s.start));
        if let Some(span) = label_span(source, finding.span) {
            let text = primary_label(finding);
            labels.push(LabeledSpan::new_primary_with_span(
                Some(text),
                snippet.source_span(span),
            ));
        }
        let mut notes = Vec::new();
        if let Certainty::CannotVerify { reason } = &finding.certainty {
            notes.push(format!(
                "cannot verify: {}",
                escape::terminal(reason, false)
            ));
        }
        for related in &finding.related {
            let text = related_label(related);
            match label_span(source, related.span) {
                // Without a primary span there is no snippet to put related labels in.
                Some(span) if !labels.is_empty() => {
                    labels.push(LabeledSpan::new_with_span(
                        Some(text),
                        snippet.source_span(span),
                    ));
                }
                _ => notes.push(text),
            }
        }
        let help = finding.fix.as_ref().map(|fix| {
            let statement = match &fix.source {
                Some(source) => source.clone(),
                None => serde_json::to_string_pretty(&fix.statement).unwrap_or_default(),
            };
            escape::terminal(&format!("{}\n{statement}", fix.help), true).into_owned()
        });
        TextDiagnostic {
            snippet,
            code: finding.check,
            severity: finding.severity,
            message: escape::terminal(&finding.message, false).into_owned(),
            help,
            labels,
            notes: chain(notes),
            at,
        }
    }

    /// `snippet` must be [`FileSnippet::new`] of `source`, the erroneous file.
    pub fn from_error(
        error: &'a FileError,
        source: &SourceFile,
        snippet: &'a FileSnippet<'a>,
    ) -> TextDiagnostic<'a> {
        let span = label_span(source, error.span);
        let labels = span
            .map(|span| LabeledSpan::new_primary_with_span(None, snippet.source_span(span)))
            .into_iter()
            .collect();
        TextDiagnostic {
            snippet,
            code: INPUT_ERROR_ID,
            severity: Severity::Error,
            message: escape::terminal(&error.message, false).into_owned(),
            help: error
                .help
                .as_deref()
                .map(|h| escape::terminal(h, true).into_owned()),
            labels,
            notes: None,
            at: span.map(|s| source.line_col(s.start)),
        }
    }

    /// Wraps the notes and the help's first line (its prose; the statement after it keeps its
    /// lines) at `width`, between words only: an ARN is never broken. `None` leaves them whole.
    /// Puts `note` (escaped) before the other notes: where the finding is in its application.
    pub fn with_first_note(mut self, note: Option<String>) -> TextDiagnostic<'a> {
        if let Some(text) = note {
            self.notes = Some(Box::new(Note {
                text: escape::terminal(&text, false).into_owned(),
                next: self.notes.take(),
            }));
        }
        self
    }

    pub fn wrapped(mut self, width: Option<usize>) -> TextDiagnostic<'a> {
        let Some(width) = width else {
            return self;
        };
        // The columns miette puts before a note (`  ╰─▶ `) and the help (`  help: `).
        let wrap = |text: &str, indent: usize| -> String {
            let options = textwrap::Options::new(width.saturating_sub(indent).max(20))
                .break_words(false)
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .word_splitter(textwrap::WordSplitter::NoHyphenation);
            textwrap::fill(text, options)
        };
        let mut note = self.notes.as_deref_mut();
        while let Some(n) = note {
            n.text = wrap(&n.text, 6);
            note = n.next.as_deref_mut();
        }
        if let Some(help) = &mut self.help {
            let (first, rest) = help.split_once('\n').unwrap_or((help.as_str(), ""));
            let mut text = wrap(first, 8);
            if !rest.is_empty() {
                text.push('\n');
                text.push_str(rest);
            }
            *help = text;
        }
        self
    }

    /// Whether there is a span to show the source around.
    pub fn has_snippet(&self) -> bool {
        !self.labels.is_empty()
    }

    /// Whether the lines of every label are narrow enough to show (and for miette to lay out).
    fn snippet_fits(&self) -> bool {
        self.labels.iter().all(|l| self.snippet.fits(l.inner()))
    }
}

fn chain(texts: Vec<String>) -> Option<Box<Note>> {
    texts
        .into_iter()
        .rev()
        .fold(None, |next, text| Some(Box::new(Note { text, next })))
}

/// The span to label: clamped to the text, and cut to its first line when it is long.
fn label_span(source: &SourceFile, span: Option<Span>) -> Option<Span> {
    let span = position::clamp(source, span)?;
    let text = source.slice(span);
    if text.matches('\n').count() < MAX_LABEL_LINES {
        return Some(span);
    }
    let first_line = text.find('\n').unwrap_or(text.len());
    let first_line = text.get(..first_line).unwrap_or("").trim_end();
    Some(Span::new(
        span.start as usize,
        span.start as usize + first_line.len(),
    ))
}

/// Short: what is missing, or that it cannot be verified, or the resource.
fn primary_label(finding: &Finding) -> String {
    if matches!(finding.certainty, Certainty::CannotVerify { .. }) {
        return "cannot verify".to_string();
    }
    let mut actions: Vec<&str> = Vec::new();
    for m in &finding.missing {
        if !actions.contains(&m.action.as_str()) {
            actions.push(&m.action);
        }
    }
    const SHOWN: usize = 3;
    let label = match actions.len() {
        // A finding about the file itself (PG004): the span says it all.
        0 if finding.resource.is_empty() => "here".to_string(),
        0 => format!("`{}`", finding.resource),
        n => {
            let shown: Vec<String> = actions
                .iter()
                .take(SHOWN)
                .map(|a| format!("`{a}`"))
                .collect();
            let more = if n > SHOWN {
                format!(" and {} more", n - SHOWN)
            } else {
                String::new()
            };
            format!("missing {}{more}", shown.join(", "))
        }
    };
    escape::terminal(&label, false).into_owned()
}

fn related_label(related: &Related) -> String {
    let what = super::sarif::role_words(related.role);
    let label = match &related.note {
        Some(note) => format!("{what} `{}`: {note}", related.resource),
        None => format!("{what} `{}`", related.resource),
    };
    escape::terminal(&label, false).into_owned()
}

impl fmt::Debug for TextDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextDiagnostic")
            .field("code", &self.code)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// Empty: the message is in the heading ([`heading`]), which miette does not write.
impl fmt::Display for TextDiagnostic<'_> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for TextDiagnostic<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.notes
            .as_deref()
            .map(|n| n as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for TextDiagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.snippet)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::InputFormat;
    use crate::report::fixtures::{finding, sample_report, span_of};

    fn render_text(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &TextOptions::new(false), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sample_report_matches_snapshot() {
        let output = render_text(&sample_report());
        crate::report::snapshots().bind(|| insta::assert_snapshot!("sample.txt", output));
    }

    #[test]
    fn nothing_from_the_input_reaches_the_terminal_raw() {
        let output = render_text(&sample_report());
        assert!(!output.contains('\u{1b}'), "escape sequence in the output");
        // The message's escape and newline are shown as escapes, the source's as a picture.
        assert!(output.contains("`100%\\ncommandes\\u{1b}[31m`"));
        assert!(output.contains("équipe ␛[2Jpaiements"));
    }

    #[test]
    fn sample_report_shows_what_each_finding_needs() {
        let output = render_text(&sample_report());
        // Plan findings: a header, the file and address, and no snippet.
        assert!(output.contains(
            "error[PG101]: execution role `orders-fn` does not allow polling queue `orders`\n  \
             --> plans/prod.tfplan.json (module.orders.aws_lambda_event_source_mapping.this[\"orders\"])\n"
        ));
        assert!(output.contains("  = cannot verify: key `alias/orders` is not managed"));
        // The cannot-verify reason of a spanned finding is in the cause chain.
        assert!(output.contains("cannot verify: the function comes from `Fn::ImportValue`"));
        // Related locations in the same file are labelled.
        assert!(output.contains("execution role `OrdersFnRole`: allows only `sqs:SendMessage`"));
        // The fix statement is in the help, indented.
        assert!(output.contains("  help: add this statement to the policy of role `OrdersFnRole`"));
        assert!(output.contains("          \"Effect\": \"Allow\","));
        // The duplicate finding is shown once.
        assert_eq!(
            output
                .matches("does not allow polling queue `OrdersQueue`")
                .count(),
            1
        );
        // File errors: with a span, the snippet; without, the header.
        assert!(output.contains("[stacks/broken.yaml:3:3]"));
        assert!(
            output.contains("error[PG001]: cannot read `stacks/locked.yaml`: permission denied")
        );
        assert!(
            !output.contains("docs/notes.yaml"),
            "skipped files only count in the summary"
        );
        assert!(
            output
                .ends_with("\n2 errors, 1 warning, 2 notes in 5 files (1 skipped, 2 unreadable)\n")
        );
    }

    #[test]
    fn columns_in_snippet_header_count_characters() {
        let output = render_text(&sample_report());
        let line4 = crate::report::fixtures::APP_YAML.lines().nth(3).unwrap();
        let column = line4[..line4.find("VisibilityTimeout").unwrap()]
            .chars()
            .count()
            + 1;
        assert!(output.contains(&format!("[stacks/app.yaml:4:{column}]")));
    }

    #[test]
    fn colour_only_when_asked() {
        let mut out = Vec::new();
        write(&sample_report(), &TextOptions::new(true), &mut out).unwrap();
        let coloured = String::from_utf8(out).unwrap();
        assert!(coloured.contains("\u{1b}["));
        // The only escape sequences are permgate's and miette's, never the input's.
        assert!(!coloured.contains("\u{1b}[2J"));
        assert!(!coloured.contains("\u{1b}[31m`"));
    }

    #[test]
    fn snippet_maps_spans_past_replaced_characters() {
        let text = "a: \u{1b}\u{1b}x\r\nb: \u{9b}y\rz\n".to_string();
        let source = SourceFile::new("t.yaml", text.clone());
        let snippet = FileSnippet::new(&source);
        assert_eq!(snippet.text, "a: ␛␛x\r\nb: \u{fffd}y␍z\n");
        for needle in ["x", "y", "z", "b"] {
            let at = text.find(needle).unwrap() as u32;
            let shown = snippet.map(at);
            assert_eq!(&snippet.text[shown..shown + 1], needle);
        }
        let clean = SourceFile::new("c.yaml", "a: 1\n".to_string());
        assert!(matches!(FileSnippet::new(&clean).text, Cow::Borrowed(_)));
    }

    #[test]
    fn long_spans_are_labelled_on_their_first_line() {
        let text = "Esm:\n  Type: x\n  Properties:\n    A: 1\n    B: 2\n    C: 3\n";
        let source = SourceFile::new("t.yaml", text.to_string());
        let whole = Span::new(0, text.len());
        assert_eq!(
            label_span(&source, Some(whole)),
            Some(span_of(text, "Esm:"))
        );
        let short = span_of(text, "Type: x\n  Properties:");
        assert_eq!(label_span(&source, Some(short)), Some(short));
    }

    #[test]
    fn span_past_the_text_falls_back_to_the_header() {
        let mut f = finding("PG101", "Esm", Some(Span::new(500, 510)));
        f.message = "role `R` cannot poll".into();
        let report = Report::new(vec![FileReport::audited(
            Arc::new(SourceFile::new("t.yaml", "a: 1\n".to_string())),
            InputFormat::Cloudformation,
            vec![f],
        )]);
        let output = render_text(&report);
        assert!(output.starts_with("error[PG101]: role `R` cannot poll\n  --> t.yaml (Esm)\n"));
    }

    #[test]
    fn many_missing_actions_are_summarised() {
        let mut f = finding("PG101", "Esm", None);
        f.missing = ["a:A", "a:B", "a:B", "a:C", "a:D", "a:E"]
            .iter()
            .map(|a| crate::diag::Missing {
                action: a.to_string(),
                resource: "*".into(),
            })
            .collect();
        assert_eq!(primary_label(&f), "missing `a:A`, `a:B`, `a:C` and 2 more");
    }

    /// A finding with a long message, a long reason and a fix naming a long ARN, in a file.
    fn long_report() -> Report {
        let text = "Resources:\n  Esm:\n    Type: AWS::Lambda::EventSourceMapping\n";
        let arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/orders-cluster/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-7";
        let mut f = finding("PG110", "Esm", Some(span_of(text, "Esm")));
        f.message = format!(
            "role `FnRole` does not allow `kafka-cluster:Connect` that mapping `Esm` needs to read from cluster `{arn}`"
        );
        f.certainty = Certainty::CannotVerify {
            reason: format!(
                "the cluster `{arn}` is named by a parameter whose value is only known at deploy time"
            ),
        };
        f.fix = Some(crate::diag::Fix {
            source: None,
            help: format!(
                "add this statement to the policy of role `FnRole` so that it may connect to `{arn}`"
            ),
            statement: serde_json::json!({ "Effect": "Allow", "Action": "kafka-cluster:Connect", "Resource": arn }),
        });
        Report::new(vec![FileReport::audited(
            Arc::new(SourceFile::new("t.yaml", text.to_string())),
            InputFormat::Cloudformation,
            vec![f],
        )])
    }

    const LONG_ARN: &str = "arn:aws:kafka:eu-west-1:123456789012:cluster/orders-cluster/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-7";

    #[test]
    fn off_a_terminal_nothing_is_wrapped() {
        let output = render_text(&long_report());
        assert!(output.starts_with(&format!(
            "error[PG110]: role `FnRole` does not allow `kafka-cluster:Connect` that mapping `Esm` needs to read from cluster `{LONG_ARN}`\n"
        )));
        assert!(output.contains(&format!(
            "cannot verify: the cluster `{LONG_ARN}` is named by a parameter whose value is only known at deploy time\n"
        )));
        assert!(output.contains(&format!("so that it may connect to `{LONG_ARN}`\n")));
        assert!(output.contains(&format!("\"Resource\": \"{LONG_ARN}\"")));
    }

    #[test]
    fn at_a_terminal_width_lines_wrap_between_words_only() {
        let mut out = Vec::new();
        let options = TextOptions {
            color: false,
            width: Some(60),
        };
        write(&long_report(), &options, &mut out).unwrap();
        let output = String::from_utf8(out).unwrap();
        // The reason and help wrap, but the ARN is whole on one line.
        assert!(
            !output.contains("is named by a parameter whose value is only known at deploy time"),
            "{output}"
        );
        assert!(
            output.contains("  ╰─▶ cannot verify: the cluster\n"),
            "{output}"
        );
        assert_eq!(output.matches(LONG_ARN).count(), 4, "{output}");
        assert!(!output.contains("arn:aws:kafka:eu-west-\n"), "{output}");
    }

    #[test]
    fn template_and_plan_findings_start_alike() {
        let output = render_text(&sample_report());
        let headings: Vec<&str> = output
            .split("\n\n")
            .filter_map(|block| block.lines().next())
            .filter(|l| !l.contains(" in ") || l.contains('['))
            .collect();
        assert!(headings.len() >= 5, "{headings:?}");
        for h in &headings[..headings.len() - 1] {
            let word = h.split('[').next().unwrap();
            assert!(["error", "warning", "note"].contains(&word), "{h}");
            assert!(h.contains("]: "), "{h}");
        }
    }
}
