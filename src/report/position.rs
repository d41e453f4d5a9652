//! Byte spans → the lines and columns every emitter prints.
//!
//! Input: a [`SourceFile`] and a finding's optional [`Span`]. Output: a span clamped to the text
//! and to character boundaries, and its 1-based start and end positions. A span that points
//! outside the text yields nothing: a location is never invented.

use crate::source::{LineCol, SourceFile, Span};

/// Where a span starts and ends (the end is the position just after the last character, as
/// SARIF's `endColumn` and miette expect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    pub start: LineCol,
    pub end: LineCol,
}

/// `span` made safe to slice `source.text` with: inside the text, on character boundaries,
/// without trailing whitespace (a span over a YAML block often ends after its final newline,
/// which would otherwise point at the next line). `None` when there is no span or it starts
/// past the end of the text.
pub(crate) fn clamp(source: &SourceFile, span: Option<Span>) -> Option<Span> {
    let span = span?;
    let text = source.text.as_str();
    let mut start = span.start as usize;
    if start > text.len() {
        return None;
    }
    let mut end = (span.end as usize).clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let bytes = text.as_bytes();
    while end > start && bytes.get(end - 1).is_some_and(|b| b.is_ascii_whitespace()) {
        end -= 1;
    }
    Some(Span::new(start, end))
}

/// The start and end positions of a clamped span.
pub(crate) fn region(source: &SourceFile, span: Option<Span>) -> Option<Region> {
    let span = clamp(source, span)?;
    Some(Region {
        start: source.line_col(span.start),
        end: source.line_col(span.end),
    })
}

/// The path as reports key it: forward slashes, without a leading `./`.
pub(crate) fn normalized_path(source: &SourceFile) -> String {
    let path = source.path.to_string_lossy();
    let mut path = if std::path::MAIN_SEPARATOR == '\\' {
        path.replace('\\', "/")
    } else {
        path.into_owned()
    };
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("t.yaml", text.to_string())
    }

    #[test]
    fn clamp_trims_trailing_whitespace_and_keeps_char_boundaries() {
        let f = file("a: é\nb: 1\n");
        // 4..5 is inside `é` (bytes 3..5): widened to the character.
        assert_eq!(clamp(&f, Some(Span::new(4, 5))), Some(Span::new(3, 5)));
        // A span ending after the newline ends before it.
        assert_eq!(clamp(&f, Some(Span::new(0, 6))), Some(Span::new(0, 5)));
        assert_eq!(clamp(&f, Some(Span::new(6, 999))), Some(Span::new(6, 10)));
        assert_eq!(clamp(&f, Some(Span::new(11, 12))), Some(Span::new(11, 11)));
        assert_eq!(clamp(&f, Some(Span::new(12, 13))), None);
        assert_eq!(clamp(&f, None), None);
    }

    #[test]
    fn region_counts_characters() {
        let f = file("é: [x]\n");
        let r = region(&f, Some(Span::new(4, 7))).unwrap();
        assert_eq!((r.start.line, r.start.column), (1, 4));
        assert_eq!((r.end.line, r.end.column), (1, 7));
    }

    #[test]
    fn normalized_path_drops_leading_dot_slash() {
        let f = SourceFile::new("././stacks/app.yaml", String::new());
        assert_eq!(normalized_path(&f), "stacks/app.yaml");
    }
}
