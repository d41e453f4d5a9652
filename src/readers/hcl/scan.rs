//! The top-level blocks of a `.tf` file, found without parsing their bodies.
//!
//! A plan's source is read for two things: where each block is (every block, for locations)
//! and the expression of a few attributes (the policies the plan leaves unknown). Parsing a
//! whole configuration into hcl-edit's tree costs several times what reading the plan costs on a
//! large configuration, so the file is only scanned here for the extent of each top-level block:
//! strings (with their `${ … }` interpolations), heredocs and comments are skipped so that a
//! brace inside them does not count. A block's body is parsed with hcl-edit when it is used.
//!
//! Invariants: never panics; a structural error (an unterminated string, heredoc, comment or
//! block, or a top-level item that is not a block) is returned with its byte offset. Errors
//! inside a block's expressions are found when the block is parsed.

use std::ops::Range;

/// One top-level block: `resource "aws_iam_role" "fn" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TopBlock {
    pub ident: String,
    pub labels: Vec<String>,
    /// From the type keyword to the closing brace, inclusive.
    pub span: Range<usize>,
    /// The `#` and `//` comments, each alone on its line, on the lines directly above the block
    /// (up to a line that is not such a comment) and inside it (not inside a string or heredoc).
    pub comments: Vec<Range<usize>>,
}

/// A structural error: its offset and message.
pub type ScanError = (usize, String);

/// The top-level blocks of `text`, in order.
pub fn top_blocks(text: &str) -> Result<Vec<TopBlock>, ScanError> {
    let bytes = text.as_bytes();
    let mut blocks = Vec::new();
    let mut i = skip_trivia(bytes, 0)?;
    let mut previous_end = 0;
    while i < bytes.len() {
        let start = i;
        let mut comments = comments_above(bytes, previous_end..start);
        let ident_end = identifier_end(bytes, i);
        if ident_end == i {
            return Err((
                i,
                "expected a block such as `resource \"type\" \"name\" {`".into(),
            ));
        }
        let ident = text.get(i..ident_end).unwrap_or_default().to_string();
        i = skip_trivia(bytes, ident_end)?;
        let mut labels = Vec::new();
        loop {
            match bytes.get(i) {
                Some(b'"') => {
                    let end = skip_quoted(bytes, i + 1)?;
                    labels.push(unquote(text.get(i + 1..end - 1).unwrap_or_default()));
                    i = skip_trivia(bytes, end)?;
                }
                Some(b) if is_ident_start(*b) => {
                    let end = identifier_end(bytes, i);
                    labels.push(text.get(i..end).unwrap_or_default().to_string());
                    i = skip_trivia(bytes, end)?;
                }
                _ => break,
            }
        }
        if bytes.get(i) != Some(&b'{') {
            return Err((
                i.min(bytes.len()),
                format!("expected `{{` to open the `{ident}` block"),
            ));
        }
        let mut inside = Vec::new();
        let end = skip_body(bytes, i + 1, 1, &mut inside)?;
        comments.extend(inside.into_iter().filter(|c| alone_on_line(bytes, c.start)));
        blocks.push(TopBlock {
            ident,
            labels,
            span: start..end,
            comments,
        });
        previous_end = end;
        i = skip_trivia(bytes, end)?;
    }
    Ok(blocks)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn identifier_end(bytes: &[u8], mut i: usize) -> usize {
    if !bytes.get(i).copied().is_some_and(is_ident_start) {
        return i;
    }
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-') || *b >= 0x80)
    {
        i += 1;
    }
    i
}

/// A block label's text with its escapes undone (labels rarely hold any).
fn unquote(raw: &str) -> String {
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_string())
}

/// Past whitespace and comments.
fn skip_trivia(bytes: &[u8], mut i: usize) -> Result<usize, ScanError> {
    loop {
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b), _) if b.is_ascii_whitespace() => i += 1,
            (Some(b'#'), _) | (Some(b'/'), Some(b'/')) => i = line_end(bytes, i),
            (Some(b'/'), Some(b'*')) => i = comment_end(bytes, i)?,
            _ => return Ok(i),
        }
    }
}

/// The line comments of the trivia `between` (whitespace and comments only) that sit alone on
/// the consecutive lines directly above `between.end`, in order.
fn comments_above(bytes: &[u8], between: Range<usize>) -> Vec<Range<usize>> {
    let mut comments = Vec::new();
    let mut i = between.start;
    while i < between.end {
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'#'), _) | (Some(b'/'), Some(b'/')) => {
                let end = line_end(bytes, i);
                comments.push(i..end);
                i = end;
            }
            (Some(b'/'), Some(b'*')) => i = comment_end(bytes, i).unwrap_or(between.end),
            _ => i += 1,
        }
    }
    let mut above = Vec::new();
    let mut line = line_start(bytes, between.end);
    for comment in comments.into_iter().rev() {
        // The comment ends at the newline just before `line`.
        if comment.end + 1 != line || !alone_on_line(bytes, comment.start) {
            break;
        }
        line = line_start(bytes, comment.start);
        above.push(comment);
    }
    above.reverse();
    above
}

fn line_start(bytes: &[u8], i: usize) -> usize {
    memchr::memrchr(b'\n', bytes.get(..i).unwrap_or_default()).map_or(0, |n| n + 1)
}

/// Whether only spaces and tabs precede `i` on its line.
fn alone_on_line(bytes: &[u8], i: usize) -> bool {
    bytes
        .get(line_start(bytes, i)..i)
        .is_some_and(|before| before.iter().all(|b| *b == b' ' || *b == b'\t'))
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', bytes.get(i..).unwrap_or_default()).map_or(bytes.len(), |n| i + n)
}

fn comment_end(bytes: &[u8], i: usize) -> Result<usize, ScanError> {
    memchr::memmem::find(bytes.get(i + 2..).unwrap_or_default(), b"*/")
        .map(|n| i + 2 + n + 2)
        .ok_or((i, "unterminated `/*` comment".into()))
}

/// From inside braces at `depth`, past the brace that closes them.
/// The line comments met are added to `comments`.
fn skip_body(
    bytes: &[u8],
    mut i: usize,
    mut depth: usize,
    comments: &mut Vec<Range<usize>>,
) -> Result<usize, ScanError> {
    let open = i.saturating_sub(1);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = skip_quoted(bytes, i + 1)?,
            b'#' => {
                let end = line_end(bytes, i);
                comments.push(i..end);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = line_end(bytes, i);
                comments.push(i..end);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = comment_end(bytes, i)?,
            b'<' if bytes.get(i + 1) == Some(&b'<') => i = skip_heredoc(bytes, i)?,
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err((open, "this `{` is never closed".into()))
}

/// From just after an opening quote, past the closing one; interpolations are skipped as
/// expressions (they may hold strings and braces).
fn skip_quoted(bytes: &[u8], mut i: usize) -> Result<usize, ScanError> {
    let open = i.saturating_sub(1);
    while let Some(&b) = bytes.get(i) {
        match (b, bytes.get(i + 1)) {
            (b'\\', _) => i += 2,
            (b'"', _) => return Ok(i + 1),
            (b'\n', _) => break,
            // `$${` and `%%{` are literal text.
            (b'$', Some(b'$')) | (b'%', Some(b'%')) => i += 2,
            (b'$' | b'%', Some(b'{')) => i = skip_body(bytes, i + 2, 1, &mut Vec::new())?,
            _ => i += 1,
        }
    }
    Err((open, "unterminated string".into()))
}

/// From `<<` (or `<<-`), past the line that ends the heredoc.
fn skip_heredoc(bytes: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut start = i + 2;
    if bytes.get(start) == Some(&b'-') {
        start += 1;
    }
    let end = identifier_end(bytes, start);
    let marker = bytes.get(start..end).unwrap_or_default();
    if marker.is_empty() {
        // `<<` that opens no heredoc: an expression HCL does not have; let the parser say so.
        return Ok(i + 2);
    }
    let mut line = line_end(bytes, end) + 1;
    while line <= bytes.len() {
        let next = line_end(bytes, line);
        let text = bytes.get(line..next).unwrap_or_default();
        if text.trim_ascii() == marker {
            return Ok(next);
        }
        line = next + 1;
    }
    Err((i, "unterminated heredoc".into()))
}

/// The extent of the expression of the attribute `name` written directly in the body of the
/// block `block` (the text of one block, from its type keyword to its closing brace): from the
/// first byte after `=` and its spaces to the end of the expression. `None` when the body
/// does not set it, or is not well formed (the block is then parsed whole, where the error has
/// its message). Nested blocks are skipped: `name` inside `statement { … }` is not the block's.
pub fn attribute_value(block: &str, name: &str) -> Option<Range<usize>> {
    attributes(block)?
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, range)| range)
}

/// Every attribute written directly in the body of `block`, with the extent of its expression
/// (see [`attribute_value`]), in order; `None` when the body is not well formed.
pub fn attributes(block: &str) -> Option<Vec<(&str, Range<usize>)>> {
    let bytes = block.as_bytes();
    let open = memchr::memchr(b'{', bytes)?;
    let mut found = Vec::new();
    let mut i = skip_trivia(bytes, open + 1).ok()?;
    while let Some(&b) = bytes.get(i) {
        if b == b'}' {
            return Some(found);
        }
        let ident_end = identifier_end(bytes, i);
        if ident_end == i {
            return None;
        }
        let ident = block.get(i..ident_end)?;
        let mut j = skip_spaces(bytes, ident_end);
        let is_attribute = bytes.get(j) == Some(&b'=') && bytes.get(j + 1) != Some(&b'=');
        if is_attribute {
            j = skip_spaces(bytes, j + 1);
            let end = expression_end(bytes, j).ok()?;
            found.push((ident, j..end));
            i = skip_trivia(bytes, end).ok()?;
            continue;
        }
        // A nested block: its labels, then its body.
        loop {
            match bytes.get(j) {
                Some(b'"') => j = skip_spaces(bytes, skip_quoted(bytes, j + 1).ok()?),
                Some(b) if is_ident_start(*b) => j = skip_spaces(bytes, identifier_end(bytes, j)),
                Some(b'{') => break,
                _ => return None,
            }
        }
        let end = skip_body(bytes, j + 1, 1, &mut Vec::new()).ok()?;
        i = skip_trivia(bytes, end).ok()?;
    }
    None
}

/// Past spaces and tabs (not newlines, which end an attribute).
fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The end of an expression that starts at `i`: the first newline (or comment) outside
/// brackets, strings and heredocs, with trailing spaces left out.
fn expression_end(bytes: &[u8], mut i: usize) -> Result<usize, ScanError> {
    let mut depth = 0usize;
    let mut last = i;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = skip_quoted(bytes, i + 1)?,
            b'<' if bytes.get(i + 1) == Some(&b'<') => i = skip_heredoc(bytes, i)?,
            b'#' | b'/' if depth == 0 && comment_starts(bytes, i) => return Ok(last),
            b'#' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = comment_end(bytes, i)?;
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' if depth == 0 => return Ok(last),
            b')' | b']' | b'}' => {
                depth -= 1;
                i += 1;
            }
            b'\n' if depth == 0 => return Ok(last),
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => i += 1,
        }
        last = i;
    }
    Ok(last)
}

/// Whether a `#` or `//` line comment starts at `i`.
fn comment_starts(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b'#') => true,
        Some(b'/') => bytes.get(i + 1) == Some(&b'/'),
        _ => false,
    }
}
