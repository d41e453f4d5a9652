//! Input files and positions inside them.
//!
//! Everything inside permgate points into a file with a byte [`Span`]; line and column are
//! computed once, when a report is written, by [`SourceFile::line_col`].

use std::path::{Path, PathBuf};

/// A byte range `start..end` inside one [`SourceFile`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// One file as read from disk, with its line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it or as the walk found it (used verbatim in reports).
    pub path: PathBuf,
    pub text: String,
    /// Byte offset of the first byte of every line.
    line_starts: Vec<u32>,
    /// True when every byte is ASCII, so character columns equal byte columns.
    ascii: bool,
    /// True when every byte is printable ASCII, a newline or a tab: the text report shows
    /// such a file as it is, without replacing a character.
    printable: bool,
}

/// Byte offset of the first byte of every line of `text`.
pub fn line_starts_of(text: &str) -> Vec<u32> {
    std::iter::once(0)
        .chain(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        )
        .collect()
}

/// 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let bytes = text.as_bytes();
        let line_starts = line_starts_of(&text);
        let ascii = text.is_ascii();
        // A fold rather than `all`: without the early exit the test runs many bytes at a time,
        // and this is done once per file, often on another thread than the report's.
        let printable = ascii
            && bytes.iter().fold(true, |all, &b| {
                all & matches!(b, 0x20..=0x7e | b'\n' | b'\t')
            });
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            ascii,
            printable,
        }
    }

    /// Byte offset of the first byte of every line.
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// Whether every byte is printable ASCII, a newline or a tab.
    pub fn is_printable(&self) -> bool {
        self.printable
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Line and column (1-based) of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_idx).copied().unwrap_or(0);
        let column = if self.ascii {
            offset.saturating_sub(line_start) + 1
        } else {
            let start = line_start as usize;
            let end = (offset as usize).min(self.text.len());
            let chars = self
                .text
                .get(start..end)
                .map(|s| s.chars().count())
                .unwrap_or(0);
            u32::try_from(chars).unwrap_or(u32::MAX) + 1
        };
        LineCol {
            line: u32::try_from(line_idx).unwrap_or(u32::MAX) + 1,
            column,
        }
    }

    /// Byte offset of a 0-based (line, character column) pair, as YAML parsers report marks.
    pub fn byte_of_line_char(&self, line0: usize, col_chars: usize) -> u32 {
        let Some(&line_start) = self.line_starts.get(line0) else {
            return u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        };
        if self.ascii {
            return line_start.saturating_add(u32::try_from(col_chars).unwrap_or(u32::MAX));
        }
        let rest = self.text.get(line_start as usize..).unwrap_or("");
        let bytes: usize = rest.chars().take(col_chars).map(char::len_utf8).sum();
        line_start.saturating_add(u32::try_from(bytes).unwrap_or(u32::MAX))
    }

    /// Byte offset of a character index counted from the start of the file.
    pub fn byte_of_char_index(&self, char_index: usize) -> u32 {
        if self.ascii {
            return u32::try_from(char_index.min(self.text.len())).unwrap_or(u32::MAX);
        }
        let bytes = self
            .text
            .char_indices()
            .nth(char_index)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len());
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }

    /// The text of a span, or "" when the span is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_ascii() {
        let f = SourceFile::new("a.yaml", "ab\ncd\n".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("a.yaml", "é: x\nüü: y\n".to_string());
        // `y` is after "üü: " on line 2: 4 characters, 6 bytes.
        let y = f.text.find('y').unwrap() as u32;
        assert_eq!(f.line_col(y), LineCol { line: 2, column: 5 });
        assert_eq!(f.byte_of_line_char(1, 4), y);
        assert_eq!(f.byte_of_char_index(9), y);
    }
}
