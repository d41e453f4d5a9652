//! Making user-controlled text safe for a terminal or a log.
//!
//! Input: text from templates, plans, paths and arguments. Output: the same text with every
//! character that could move the cursor, change colours or reorder the line (C0/C1 controls,
//! DEL, bidirectional overrides, line separators) replaced by a visible `\u{..}` escape.
//! Everything else is kept. This is the one escaping of every human-readable output (the text
//! report, `inventory --format text`, `access`, `explain`, messages on stderr); the GitHub format
//! adds the workflow-command rules on top of [`push_escaped`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters a terminal or log viewer would act on rather than show.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Appends the visible escape of `c` (`\n`, `\t`, `\u{1b}`).
pub(crate) fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with unsafe characters escaped; with `keep_newlines`, `\n` is kept as a line break
/// (for multi-line help text).
pub fn terminal(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`terminal`] for text that starts a line of output: a GitHub Actions runner executes any
/// stdout line that starts with `::` after leading blanks (`::error::`, `::add-mask::`), so a
/// leading `:` is written as `\u{3a}` too.
pub fn line_start(text: &str) -> Cow<'_, str> {
    let escaped = terminal(text, false);
    if !escaped.trim_start().starts_with("::") {
        return escaped;
    }
    let blanks = escaped.len() - escaped.trim_start().len();
    let lead = escaped.get(..blanks).unwrap_or("");
    let rest = escaped.get(blanks + 1..).unwrap_or("");
    Cow::Owned(format!("{lead}\\u{{3a}}{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(terminal("plain `x` é", false), "plain `x` é");
        assert!(matches!(terminal("plain", false), Cow::Borrowed(_)));
        assert_eq!(
            terminal("a\u{1b}[31mred\u{7}\r\nb\u{202e}c\u{9b}", false),
            "a\\u{1b}[31mred\\u{7}\\r\\nb\\u{202e}c\\u{9b}"
        );
        assert_eq!(terminal("a\nb\tc", true), "a\nb\\tc");
    }

    #[test]
    fn a_workflow_command_cannot_start_a_line() {
        assert_eq!(line_start("::error::x"), "\\u{3a}:error::x");
        assert_eq!(line_start("  ::add-mask::x"), "  \\u{3a}:add-mask::x");
        assert_eq!(line_start("a ::error::x"), "a ::error::x");
        assert_eq!(line_start("a\n::error::x"), "a\\n::error::x");
    }
}
