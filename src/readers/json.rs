//! Strict JSON (RFC 8259) → [`Node`]: a CloudFormation or SAM template written
//! as JSON.
//!
//! Input: a [`SourceFile`]. Output: the root [`Node`], or a [`FileError`] located at the
//! offending byte or token with a short reason. A hand-written recursive descent over bytes:
//! strings without escapes are copied in one slice, numbers keep their text.
//!
//! Invariants of the output:
//! - strings are [`ScalarStyle::Quoted`]; numbers, `true` and `false` are
//!   [`ScalarStyle::Plain`] with their text as written (`1.50` stays `1.50`); `null` is
//!   [`ScalarStyle::Null`]; no node has a tag;
//! - spans are byte offsets into `file.text`: a string's span includes its quotes, a
//!   collection's runs from its opening to its closing bracket, a key's covers the quoted key;
//! - object keys are unique (the same rule and message as the YAML reader);
//! - nesting is at most [`Limits::max_depth`] deep, so the recursion is bounded.
//!
//! Everything RFC 8259 does not allow is refused: comments, trailing commas, single quotes,
//! leading zeros, `NaN`, unescaped control characters, lone surrogates, trailing content. A
//! byte order mark at the start is skipped.

use crate::diag::FileError;
use crate::readers::syntax::{Key, Node, NodeKind, ScalarStyle};
use crate::readers::yaml::{Limits, MapEntries, duplicate_key, shown};
use crate::source::{SourceFile, Span};

/// Reads the JSON value of `file`.
pub fn parse_json(file: &SourceFile) -> Result<Node, FileError> {
    JsonReader::new(file, Limits::DEFAULT).document()
}

struct JsonReader<'f> {
    file: &'f SourceFile,
    text: &'f str,
    bytes: &'f [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
}

impl<'f> JsonReader<'f> {
    fn new(file: &'f SourceFile, limits: Limits) -> Self {
        JsonReader {
            file,
            text: &file.text,
            bytes: file.text.as_bytes(),
            pos: 0,
            depth: 0,
            max_depth: limits.max_depth,
        }
    }

    fn document(mut self) -> Result<Node, FileError> {
        if self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        self.skip_whitespace();
        if self.pos >= self.bytes.len() {
            return Err(FileError::new("empty document", None));
        }
        let root = self.value()?;
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            return Err(match self.peek() {
                Some(b'/') => self.comment(),
                _ => FileError::new(
                    "unexpected content after the JSON value",
                    Some(self.char_span(self.pos)),
                ),
            });
        }
        Ok(root)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Node, FileError> {
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let start = self.pos;
                let raw = self.string()?;
                Ok(Node::scalar(
                    raw,
                    ScalarStyle::Quoted,
                    Span::new(start, self.pos),
                ))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.word(),
        }
    }

    fn object(&mut self) -> Result<Node, FileError> {
        let start = self.pos;
        self.enter()?;
        self.pos += 1;
        let mut entries = MapEntries::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                let key = self.key()?;
                if let Some(first) = entries.find(&key.text) {
                    return Err(duplicate_key(self.file, first, &key));
                }
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(self.expected("expected `:` after object key"));
                }
                self.pos += 1;
                self.skip_whitespace();
                let value = self.value()?;
                entries.push(key, value);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        let comma = self.pos;
                        self.pos += 1;
                        self.skip_whitespace();
                        if self.peek() == Some(b'}') {
                            return Err(trailing_comma(comma));
                        }
                    }
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.expected("expected `,` or `}` after object member")),
                }
            }
        }
        self.depth -= 1;
        Ok(Node {
            span: Span::new(start, self.pos),
            tag: None,
            kind: NodeKind::Map(entries.into_vec()),
        })
    }

    fn key(&mut self) -> Result<Key, FileError> {
        if self.peek() != Some(b'"') {
            return Err(self.expected("expected a string key"));
        }
        let start = self.pos;
        let text = self.string()?;
        Ok(Key {
            text,
            span: Span::new(start, self.pos),
        })
    }

    fn array(&mut self) -> Result<Node, FileError> {
        let start = self.pos;
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                items.push(self.value()?);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        let comma = self.pos;
                        self.pos += 1;
                        self.skip_whitespace();
                        if self.peek() == Some(b']') {
                            return Err(trailing_comma(comma));
                        }
                    }
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.expected("expected `,` or `]` after array element")),
                }
            }
        }
        self.depth -= 1;
        Ok(Node {
            span: Span::new(start, self.pos),
            tag: None,
            kind: NodeKind::Seq(items),
        })
    }

    /// Counts one more level of nesting for the bracket at `self.pos`.
    fn enter(&mut self) -> Result<(), FileError> {
        if self.depth >= self.max_depth {
            return Err(FileError::new(
                format!("nesting deeper than {} levels", self.max_depth),
                Some(Span::new(self.pos, self.pos + 1)),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Reads the string whose opening quote is at `self.pos` and moves past its closing quote.
    fn string(&mut self) -> Result<Box<str>, FileError> {
        let open = self.pos;
        let content = open + 1;
        let mut at = content;
        loop {
            match self.bytes.get(at) {
                Some(b'"') => {
                    self.pos = at + 1;
                    return Ok(self.slice(content, at).into());
                }
                Some(b'\\') => break,
                Some(byte) if *byte < 0x20 => return Err(self.control_character(at)),
                Some(_) => at += 1,
                None => return Err(self.unterminated(open)),
            }
        }
        // Escapes: copy the runs between them.
        let mut out = String::with_capacity(at - content + 16);
        out.push_str(self.slice(content, at));
        loop {
            match self.bytes.get(at) {
                Some(b'"') => {
                    self.pos = at + 1;
                    return Ok(out.into_boxed_str());
                }
                Some(b'\\') => at = self.escape(at, &mut out)?,
                Some(byte) if *byte < 0x20 => return Err(self.control_character(at)),
                Some(_) => {
                    let run = at;
                    while self
                        .bytes
                        .get(at)
                        .is_some_and(|b| *b != b'"' && *b != b'\\' && *b >= 0x20)
                    {
                        at += 1;
                    }
                    out.push_str(self.slice(run, at));
                }
                None => return Err(self.unterminated(open)),
            }
        }
    }

    /// Decodes the escape whose backslash is at `at` into `out`; returns the position after it.
    fn escape(&self, at: usize, out: &mut String) -> Result<usize, FileError> {
        let decoded = match self.bytes.get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let (c, next) = self.unicode_escape(at)?;
                out.push(c);
                return Ok(next);
            }
            Some(_) => {
                let span = Span::new(at, self.char_span(at + 1).end as usize);
                return Err(FileError::new(
                    format!("invalid escape `{}` in string", shown(self.file.slice(span))),
                    Some(span),
                )
                .with_help(
                    "JSON escapes are `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`",
                ));
            }
            None => return Err(self.unterminated(at)),
        };
        out.push(decoded);
        Ok(at + 2)
    }

    /// Decodes `\uXXXX` at `at` (a surrogate pair takes two escapes).
    fn unicode_escape(&self, at: usize) -> Result<(char, usize), FileError> {
        let high = self.hex4(at)?;
        if let Some(c) = char::from_u32(high) {
            return Ok((c, at + 6));
        }
        let lone = || {
            FileError::new(
                format!("unpaired surrogate `{}` in string", self.slice(at, at + 6)),
                Some(Span::new(at, at + 6)),
            )
        };
        if !(0xD800..0xDC00).contains(&high)
            || self.bytes.get(at + 6) != Some(&b'\\')
            || self.bytes.get(at + 7) != Some(&b'u')
        {
            return Err(lone());
        }
        let low = self.hex4(at + 6)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(lone());
        }
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        char::from_u32(code).map(|c| (c, at + 12)).ok_or_else(lone)
    }

    /// The four hex digits of the `\u` escape at `at`.
    fn hex4(&self, at: usize) -> Result<u32, FileError> {
        let mut code = 0u32;
        for i in 0..4 {
            let digit = self
                .bytes
                .get(at + 2 + i)
                .and_then(|b| char::from(*b).to_digit(16));
            match digit {
                Some(d) => code = code * 16 + d,
                None => {
                    let end = self.char_span(at + 2 + i).end as usize;
                    let span = Span::new(at, end.max(at + 2));
                    return Err(FileError::new(
                        "invalid `\\u` escape: expected four hex digits",
                        Some(span),
                    ));
                }
            }
        }
        Ok(code)
    }

    fn number(&mut self) -> Result<Node, FileError> {
        let start = self.pos;
        let mut at = start;
        if self.bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match self.bytes.get(at) {
            Some(b'0') => {
                at += 1;
                if self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    let end = self.digits_end(at);
                    return Err(FileError::new(
                        "numbers cannot have leading zeros",
                        Some(Span::new(start, end)),
                    ));
                }
            }
            Some(b'1'..=b'9') => at = self.digits_end(at),
            _ => {
                let end = self.word_end(at);
                return Err(if end > at {
                    FileError::new(
                        format!("`{}` is not a JSON value", shown(self.slice(start, end))),
                        Some(Span::new(start, end)),
                    )
                } else {
                    FileError::new("expected a digit after `-`", Some(self.char_span(at)))
                });
            }
        }
        if self.bytes.get(at) == Some(&b'.') {
            at += 1;
            if !self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
                return Err(FileError::new(
                    "expected a digit after the decimal point",
                    Some(self.char_span(at)),
                ));
            }
            at = self.digits_end(at);
        }
        if let Some(b'e' | b'E') = self.bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(at) {
                at += 1;
            }
            if !self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
                return Err(FileError::new(
                    "expected a digit in the exponent",
                    Some(self.char_span(at)),
                ));
            }
            at = self.digits_end(at);
        }
        self.pos = at;
        Ok(Node::scalar(
            self.slice(start, at),
            ScalarStyle::Plain,
            Span::new(start, at),
        ))
    }

    fn digits_end(&self, mut at: usize) -> usize {
        while self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        at
    }

    /// `true`, `false` or `null` at `self.pos`; anything else where a value belongs is an error.
    fn word(&mut self) -> Result<Node, FileError> {
        let start = self.pos;
        let end = self.word_end(start);
        let word = self.slice(start, end);
        let style = match word {
            "true" | "false" => ScalarStyle::Plain,
            "null" => ScalarStyle::Null,
            "" => return Err(self.expected("expected a value")),
            _ => {
                return Err(FileError::new(
                    format!("`{}` is not a JSON value", shown(word)),
                    Some(Span::new(start, end)),
                ));
            }
        };
        self.pos = end;
        Ok(Node::scalar(word, style, Span::new(start, end)))
    }

    /// The end of the run of letters, digits and `_` at `at`.
    fn word_end(&self, mut at: usize) -> usize {
        while self
            .bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            at += 1;
        }
        at
    }

    /// The error for an unexpected byte (or the end of the file) at `self.pos`.
    fn expected(&self, what: &str) -> FileError {
        match self.peek() {
            None => FileError::new(
                format!("unexpected end of file, {what}"),
                Some(Span::new(self.bytes.len(), self.bytes.len())),
            ),
            Some(b'/') => self.comment(),
            Some(b'\'') => FileError::new(
                "strings must be in double quotes",
                Some(self.char_span(self.pos)),
            ),
            Some(_) => FileError::new(what, Some(self.char_span(self.pos))),
        }
    }

    fn comment(&self) -> FileError {
        FileError::new(
            "comments are not allowed in JSON",
            Some(Span::new(self.pos, (self.pos + 2).min(self.bytes.len()))),
        )
    }

    fn control_character(&self, at: usize) -> FileError {
        let byte = self.bytes.get(at).copied().unwrap_or(0);
        FileError::new(
            format!("control character U+{byte:04X} in string must be escaped"),
            Some(Span::new(at, at + 1)),
        )
    }

    fn unterminated(&self, open: usize) -> FileError {
        FileError::new("unterminated string", Some(Span::new(open, open + 1)))
    }

    /// The character at `at` (empty at the end of the file).
    fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    /// `text[start..end]`; both ends are always at ASCII bytes, so on character boundaries.
    fn slice(&self, start: usize, end: usize) -> &'f str {
        self.text.get(start..end).unwrap_or("")
    }
}

fn trailing_comma(comma: usize) -> FileError {
    FileError::new(
        "trailing comma is not allowed in JSON",
        Some(Span::new(comma, comma + 1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn file(text: &str) -> SourceFile {
        SourceFile::new("t.json", text.to_string())
    }

    fn ok(text: &str) -> Node {
        match parse_json(&file(text)) {
            Ok(node) => node,
            Err(e) => panic!("{text:?} failed: {e:?}"),
        }
    }

    fn err(text: &str) -> FileError {
        match parse_json(&file(text)) {
            Ok(node) => panic!("{text:?} parsed: {node:?}"),
            Err(e) => e,
        }
    }

    /// The error as `line:col: message`.
    fn located(text: &str) -> String {
        let e = err(text);
        match e.span {
            Some(span) => {
                let at = file(text).line_col(span.start);
                format!("{}:{}: {}", at.line, at.column, e.message)
            }
            None => e.message,
        }
    }

    fn scalar(node: &Node) -> (&str, ScalarStyle) {
        match &node.kind {
            NodeKind::Scalar { raw, style } => (raw, *style),
            other => panic!("not a scalar: {other:?}"),
        }
    }

    #[test]
    fn scalars_keep_their_text() {
        let root = ok(
            r#"[1.50, -0, 0, 1e10, 2E-3, -1.0e+5, 12345678901234567890, true, false, null, "012345678901", ""]"#,
        );
        let items: Vec<(&str, ScalarStyle)> = root.as_seq().unwrap().iter().map(scalar).collect();
        use ScalarStyle::{Null, Plain, Quoted};
        assert_eq!(
            items,
            [
                ("1.50", Plain),
                ("-0", Plain),
                ("0", Plain),
                ("1e10", Plain),
                ("2E-3", Plain),
                ("-1.0e+5", Plain),
                ("12345678901234567890", Plain),
                ("true", Plain),
                ("false", Plain),
                ("null", Null),
                ("012345678901", Quoted),
                ("", Quoted),
            ]
        );
        assert!(root.as_seq().unwrap()[9].is_null());
        assert!(root.tag.is_none());
    }

    #[test]
    fn spans_are_bytes_of_tokens() {
        let text = "\u{feff}{\n  \"Résumé\": {\"Grüße\": [1, \"🎉\", {}]},\n  \"b\" : null\n}\n";
        let f = file(text);
        let root = ok(text);
        assert_eq!(f.slice(root.span), &text[3..text.len() - 1]);
        let (key, value) = root.get_entry("Résumé").unwrap();
        assert_eq!(f.slice(key.span), "\"Résumé\"");
        assert_eq!(f.slice(value.span), "{\"Grüße\": [1, \"🎉\", {}]}");
        let (key, list) = value.get_entry("Grüße").unwrap();
        assert_eq!(f.slice(key.span), "\"Grüße\"");
        let items = list.as_seq().unwrap();
        assert_eq!(
            items.iter().map(|n| f.slice(n.span)).collect::<Vec<_>>(),
            ["1", "\"🎉\"", "{}"]
        );
        let (key, value) = root.get_entry("b").unwrap();
        assert_eq!((f.slice(key.span), f.slice(value.span)), ("\"b\"", "null"));
        assert_eq!(f.line_col(key.span.start).line, 3);
    }

    #[test]
    fn escapes_are_decoded() {
        let root = ok(
            r#"["a\"b\\c\/d\be\ff\ng\rh\ti", "\u00e9\u0041\u0000", "\ud83d\ude00!", "plain ü"]"#,
        );
        let items: Vec<&str> = root.as_seq().unwrap().iter().map(|n| scalar(n).0).collect();
        assert_eq!(
            items,
            [
                "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti",
                "éA\u{0}",
                "😀!",
                "plain ü"
            ]
        );
        // Keys too.
        let root = ok(r#"{"k\u00e9y": 1}"#);
        assert!(root.get("kéy").is_some());
    }

    #[test]
    fn bad_escapes_are_errors() {
        let text = r#"{"a": "x\qy"}"#;
        let e = err(text);
        assert_eq!(e.message, r"invalid escape `\q` in string");
        assert_eq!(file(text).slice(e.span.unwrap()), r"\q");
        assert!(e.help.unwrap().contains(r"`\uXXXX`"));
        assert_eq!(located(r#"["\é"]"#), r"1:3: invalid escape `\é` in string");
        assert_eq!(
            located(r#"["\u12G4"]"#),
            r"1:3: invalid `\u` escape: expected four hex digits"
        );
        assert_eq!(
            located(r#"["\u12"]"#),
            r"1:3: invalid `\u` escape: expected four hex digits"
        );
        assert_eq!(
            located(r#"["\ud83d"]"#),
            r"1:3: unpaired surrogate `\ud83d` in string"
        );
        assert_eq!(
            located(r#"["\ude00"]"#),
            r"1:3: unpaired surrogate `\ude00` in string"
        );
        assert_eq!(
            located(r#"["x\ud83d\u0041"]"#),
            r"1:4: unpaired surrogate `\ud83d` in string"
        );
        assert_eq!(
            located(r#"["\ud83d\ud83d"]"#),
            r"1:3: unpaired surrogate `\ud83d` in string"
        );
        assert_eq!(
            located(r#"["\ud83dx"]"#),
            r"1:3: unpaired surrogate `\ud83d` in string"
        );
        assert_eq!(located("[\"\\"), "1:3: unterminated string");
    }

    #[test]
    fn rejects_what_rfc_8259_does_not_allow() {
        let cases = [
            ("[1, 2,]", "1:6: trailing comma is not allowed in JSON"),
            (
                "{\"a\": 1,\n}",
                "1:8: trailing comma is not allowed in JSON",
            ),
            ("{\"a\": 1 // c\n}", "1:9: comments are not allowed in JSON"),
            ("/* c */ {}", "1:1: comments are not allowed in JSON"),
            ("{} // c", "1:4: comments are not allowed in JSON"),
            ("{'a': 1}", "1:2: strings must be in double quotes"),
            ("['a']", "1:2: strings must be in double quotes"),
            ("[01]", "1:2: numbers cannot have leading zeros"),
            ("[-012]", "1:2: numbers cannot have leading zeros"),
            ("[NaN]", "1:2: `NaN` is not a JSON value"),
            ("[Infinity]", "1:2: `Infinity` is not a JSON value"),
            ("[-Infinity]", "1:2: `-Infinity` is not a JSON value"),
            ("[True]", "1:2: `True` is not a JSON value"),
            ("[nul]", "1:2: `nul` is not a JSON value"),
            ("[undefined]", "1:2: `undefined` is not a JSON value"),
            ("[+1]", "1:2: expected a value"),
            ("[.5]", "1:2: expected a value"),
            ("[1.]", "1:4: expected a digit after the decimal point"),
            ("[1e]", "1:4: expected a digit in the exponent"),
            ("[1e+]", "1:5: expected a digit in the exponent"),
            ("[-]", "1:3: expected a digit after `-`"),
            (
                "[\"a\tb\"]",
                "1:4: control character U+0009 in string must be escaped",
            ),
            (
                "[\"a\nb\"]",
                "1:4: control character U+000A in string must be escaped",
            ),
            (
                "[\"\\n\u{1}\"]",
                "1:5: control character U+0001 in string must be escaped",
            ),
            ("{} x", "1:4: unexpected content after the JSON value"),
            ("{}{}", "1:3: unexpected content after the JSON value"),
            ("[1 2]", "1:4: expected `,` or `]` after array element"),
            (
                "{\"a\": 1 \"b\": 2}",
                "1:9: expected `,` or `}` after object member",
            ),
            ("{\"a\" 1}", "1:6: expected `:` after object key"),
            ("{1: 2}", "1:2: expected a string key"),
            ("{,}", "1:2: expected a string key"),
            ("[,1]", "1:2: expected a value"),
            ("[1,,2]", "1:4: expected a value"),
            ("{\"a\": 1, \"a\": 2}", "1:10: duplicate key `a`"),
            ("\u{feff}\u{feff}{}", "1:2: expected a value"),
            ("[é]", "1:2: expected a value"),
            ("\u{b}[]", "1:1: expected a value"),
        ];
        for (text, expected) in cases {
            assert_eq!(located(text), expected, "{text:?}");
        }
    }

    #[test]
    fn truncated_input_is_located_at_the_end() {
        assert_eq!(
            located("{\"a\": [1, 2"),
            "1:12: unexpected end of file, expected `,` or `]` after array element"
        );
        assert_eq!(
            located("{\"a\": "),
            "1:7: unexpected end of file, expected a value"
        );
        assert_eq!(
            located("{\"a\""),
            "1:5: unexpected end of file, expected `:` after object key"
        );
        assert_eq!(
            located("{"),
            "1:2: unexpected end of file, expected a string key"
        );
        assert_eq!(
            located("[1,"),
            "1:4: unexpected end of file, expected a value"
        );
        assert_eq!(located("{\"a\": \"open"), "1:7: unterminated string");
        assert_eq!(located("[tru"), "1:2: `tru` is not a JSON value");
        assert_eq!(located("[1.5e"), "1:6: expected a digit in the exponent");
    }

    #[test]
    fn duplicate_keys_name_the_first_line() {
        let text = "{\n  \"A\": 1,\n  \"B\": {\"A\": 2},\n  \"A\": 3\n}";
        let e = err(text);
        assert_eq!(e.message, "duplicate key `A`");
        assert_eq!(e.help.as_deref(), Some("first defined on line 2"));
        assert_eq!(file(text).slice(e.span.unwrap()), "\"A\"");
        assert_eq!(file(text).line_col(e.span.unwrap().start).line, 4);
        // Escapes are decoded before keys are compared.
        assert_eq!(
            located(r#"{"é": 1, "\u00e9": 2}"#),
            "1:10: duplicate key `é`"
        );
        // Large objects use the hash index.
        let members: Vec<String> = (0..300).map(|i| format!("\"k{i}\": {i}")).collect();
        let mut text = format!("{{{}}}", members.join(",\n"));
        ok(&text);
        text.insert_str(text.len() - 1, ",\n\"k7\": 0");
        let e = err(&text);
        assert_eq!(
            (e.message.as_str(), e.help.as_deref()),
            ("duplicate key `k7`", Some("first defined on line 8"))
        );
    }

    #[test]
    fn nesting_is_limited() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_json(&file(&deep(200))).is_ok());
        assert_eq!(located(&deep(201)), "1:201: nesting deeper than 200 levels");
        let deep_objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        assert!(parse_json(&file(&deep_objects(200))).is_ok());
        assert_eq!(
            located(&deep_objects(201)),
            "1:1001: nesting deeper than 200 levels"
        );
        let started = Instant::now();
        assert_eq!(
            located(&"[".repeat(100_000)),
            "1:201: nesting deeper than 200 levels"
        );
        assert_eq!(
            located(&"{\"a\":".repeat(100_000)),
            "1:1001: nesting deeper than 200 levels"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn empty_documents() {
        for text in ["", " \n\t\r\n", "\u{feff}", "\u{feff}  "] {
            let e = err(text);
            assert_eq!(
                (e.message.as_str(), e.span),
                ("empty document", None),
                "{text:?}"
            );
        }
    }

    #[test]
    fn any_root_is_read() {
        assert_eq!(scalar(&ok(" \"x\" ")), ("x", ScalarStyle::Quoted));
        assert_eq!(scalar(&ok("\u{feff}42\n")), ("42", ScalarStyle::Plain));
        assert!(ok("[]").as_seq().unwrap().is_empty());
        assert!(ok("{}").as_map().unwrap().is_empty());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use serde_json::Value;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(Value::from),
                any::<String>().prop_map(Value::String),
                "[\"\\\\\u{0}-\u{1f}\u{7f}-\u{ff}a-c]{0,8}".prop_map(Value::String),
            ];
            leaf.prop_recursive(6, 64, 8, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                    proptest::collection::btree_map(any::<String>(), inner, 0..8)
                        .prop_map(|map| Value::Object(map.into_iter().collect())),
                ]
            })
        }

        /// Whether our tree has the same shape and contents as serde_json's value. serde_json
        /// reads numbers into binary (`1.50` becomes `1.5`), so the text of a number is compared
        /// only when `exact_numbers` (the value was written by serde_json itself).
        fn same(node: &Node, value: &Value, exact_numbers: bool) -> bool {
            match (&node.kind, value) {
                (
                    NodeKind::Scalar {
                        style: ScalarStyle::Null,
                        raw,
                    },
                    Value::Null,
                ) => &**raw == "null",
                (
                    NodeKind::Scalar {
                        style: ScalarStyle::Plain,
                        raw,
                    },
                    Value::Bool(b),
                ) => **raw == *b.to_string(),
                (
                    NodeKind::Scalar {
                        style: ScalarStyle::Plain,
                        raw,
                    },
                    Value::Number(n),
                ) => !exact_numbers || **raw == *n.to_string(),
                (
                    NodeKind::Scalar {
                        style: ScalarStyle::Quoted,
                        raw,
                    },
                    Value::String(s),
                ) => **raw == **s,
                (NodeKind::Seq(items), Value::Array(values)) => {
                    items.len() == values.len()
                        && items
                            .iter()
                            .zip(values)
                            .all(|(n, v)| same(n, v, exact_numbers))
                }
                (NodeKind::Map(entries), Value::Object(map)) => {
                    entries.len() == map.len()
                        && entries.iter().zip(map).all(|((key, node), (name, v))| {
                            *key.text == **name && same(node, v, exact_numbers)
                        })
                }
                _ => false,
            }
        }

        proptest! {
            #[test]
            fn agrees_with_serde_json(value in json_value(), pretty in any::<bool>()) {
                let text = if pretty {
                    serde_json::to_string_pretty(&value).unwrap()
                } else {
                    serde_json::to_string(&value).unwrap()
                };
                let f = SourceFile::new("p.json", text);
                let root = parse_json(&f).unwrap();
                prop_assert!(same(&root, &value, true), "{}\n{:?}", f.text, root);
                prop_assert_eq!(root.span, Span::new(0, f.text.len()));
            }

            #[test]
            fn accepts_and_rejects_like_serde_json(text in "[\\[\\]{}:,\"\\\\ \n0-9a-fu.eE+-]{0,40}") {
                let ours = parse_json(&SourceFile::new("p.json", text.clone()));
                let theirs = serde_json::from_str::<Value>(&text);
                // serde_json accepts duplicate keys (the last wins); we refuse them.
                let duplicate = ours.as_ref().is_err_and(|e| e.message.starts_with("duplicate key"));
                if !duplicate {
                    prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?}", text, ours);
                }
                if let (Ok(node), Ok(value)) = (&ours, &theirs) {
                    prop_assert!(same(node, value, false), "{:?}: {:?}", text, node);
                }
            }

            #[test]
            fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let _ = parse_json(&SourceFile::new("p.json", text));
            }

            #[test]
            fn never_panics_on_ascii(text in "[ -~\t\n\r]{0,400}") {
                let _ = parse_json(&SourceFile::new("p.json", text));
            }
        }
    }
}
