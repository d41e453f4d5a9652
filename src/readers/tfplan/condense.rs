//! Large plans condensed as they stream in, so that the whole file is never in memory.
//!
//! Input: the bytes of a `terraform show -json` document, from any reader. Output: the text of a
//! smaller JSON document that deserializes to the same [`Document`](super::doc::Document): every
//! member the reader's structs declare is kept byte for byte, in its place and order, and every
//! other member (`sensitive_values`, `before`, `after`, `relevant_attributes`, ...) is left out.
//! A plan carries each resource's values twice (`planned_values` and `resource_changes[].after`)
//! and much the reader never looks at, so the condensed text is about half the file.
//!
//! Invariants: the condensed text is read without error exactly when the input would be, because
//! every byte that is left out is still checked (UTF-8, JSON syntax, nesting depth) and every
//! byte that is kept is checked again when the condensed text is parsed. Whatever this module
//! does not handle with certainty (an input that is not one JSON object, a read error, deep
//! nesting, a file over 4 GiB) gives `None`, and the caller reads the file whole, which explains
//! problems at their exact place. Memory: the condensed text plus the largest single value that
//! is kept or left out whole (usually one resource's attributes), never the file.

use std::borrow::Cow;
use std::io::Read;

use serde::de::IgnoredAny;

/// Bytes asked of the reader at a time.
pub const CHUNK: usize = 1 << 20;

/// The deepest nesting handled here; deeper documents go the general way (serde_json itself
/// stops at 128 levels, and its message is the one to show).
const MAX_DEPTH: usize = 100;

/// How many levels of a left-out value are walked before its parts are checked whole: enough
/// that a left-out list of resources (`resource_drift`) is buffered one resource at a time.
const SKIP_LEVELS: u8 = 2;

/// What the reader deserializes at one place of the document.
pub enum Shape {
    /// A value kept as written.
    Keep,
    /// An object of which only the named members are kept, each with its shape.
    Struct(&'static [(&'static str, &'static Shape)]),
    /// An array whose elements have the shape.
    Array(&'static Shape),
    /// An object whose members all have the shape.
    Map(&'static Shape),
}

// One shape per struct of `doc`, member names in declaration order (a test compares them with
// the structs' fields, so that a field added there cannot be left out here).

static KEEP: Shape = Shape::Keep;
pub static DOCUMENT: Shape = Shape::Struct(&[
    ("format_version", &KEEP),
    ("terraform_version", &KEEP),
    ("variables", &Shape::Map(&VARIABLE)),
    ("planned_values", &STATE_VALUES),
    ("resource_changes", &Shape::Array(&RESOURCE_CHANGE)),
    ("prior_state", &PRIOR_STATE),
    ("configuration", &CONFIGURATION),
    ("values", &STATE_VALUES),
    ("errored", &KEEP),
]);
pub static VARIABLE: Shape = Shape::Struct(&[("value", &KEEP)]);
pub static PRIOR_STATE: Shape = Shape::Struct(&[("values", &STATE_VALUES)]);
pub static STATE_VALUES: Shape = Shape::Struct(&[("root_module", &MODULE_VALUES)]);
pub static MODULE_VALUES: Shape = Shape::Struct(&[
    ("address", &KEEP),
    ("resources", &Shape::Array(&RESOURCE_VALUES)),
    ("child_modules", &Shape::Array(&MODULE_VALUES)),
]);
pub static RESOURCE_VALUES: Shape = Shape::Struct(&[
    ("address", &KEEP),
    ("mode", &KEEP),
    ("index", &KEEP),
    ("values", &KEEP),
]);
pub static RESOURCE_CHANGE: Shape =
    Shape::Struct(&[("address", &KEEP), ("deposed", &KEEP), ("change", &CHANGE)]);
pub static CHANGE: Shape = Shape::Struct(&[("actions", &KEEP), ("after_unknown", &KEEP)]);
pub static CONFIGURATION: Shape = Shape::Struct(&[
    ("provider_config", &Shape::Map(&PROVIDER_CONFIG)),
    ("root_module", &CONFIG_MODULE),
]);
pub static PROVIDER_CONFIG: Shape = Shape::Struct(&[
    ("name", &KEEP),
    ("module_address", &KEEP),
    ("expressions", &KEEP),
]);
pub static CONFIG_MODULE: Shape = Shape::Struct(&[
    ("resources", &Shape::Array(&CONFIG_RESOURCE)),
    ("module_calls", &Shape::Map(&MODULE_CALL)),
    ("outputs", &Shape::Map(&CONFIG_OUTPUT)),
    ("variables", &Shape::Map(&CONFIG_VARIABLE)),
]);
pub static CONFIG_VARIABLE: Shape = Shape::Struct(&[("default", &KEEP)]);
pub static CONFIG_RESOURCE: Shape = Shape::Struct(&[
    ("address", &KEEP),
    ("provider_config_key", &KEEP),
    ("expressions", &KEEP),
    ("count_expression", &KEEP),
    ("for_each_expression", &KEEP),
    ("depends_on", &KEEP),
]);
pub static MODULE_CALL: Shape = Shape::Struct(&[
    ("expressions", &KEEP),
    ("count_expression", &KEEP),
    ("for_each_expression", &KEEP),
    ("depends_on", &KEEP),
    ("module", &CONFIG_MODULE),
]);
pub static CONFIG_OUTPUT: Shape = Shape::Struct(&[("expression", &KEEP)]);

/// The condensed text of the document the reader yields, or `None` when the input is to be read
/// whole (see the module documentation). `chunk` is the read size; `size` the input's length
/// when known, which bounds the text's: reserving it once means the text is never copied to grow
/// (only the bytes written take memory).
pub fn condense(reader: impl Read, chunk: usize, size: usize) -> Option<String> {
    let mut input = Input::new(reader, chunk);
    let mut out = Vec::with_capacity(size);
    input.document(&mut out).ok()?;
    // Every byte was checked as it was read; this only turns the bytes into text.
    String::from_utf8(out).ok()
}

/// The input cannot be condensed with certainty: read it whole instead.
#[derive(Debug)]
struct GiveUp;

type Step<T> = Result<T, GiveUp>;

/// How a value is treated.
#[derive(Clone, Copy)]
enum Mode {
    /// Kept, with the shape the reader gives it.
    Keep(&'static Shape),
    /// Checked and left out; containers are walked this many more levels.
    Skip(u8),
}

impl Mode {
    /// The mode of a value inside one that is left out.
    fn skipped(self) -> Mode {
        match self {
            Mode::Keep(_) => Mode::Skip(0),
            skip => skip,
        }
    }
}

struct Input<R> {
    reader: R,
    /// `buf[..end]` are the bytes read and not yet dropped; those before `pos` are done with.
    buf: Vec<u8>,
    end: usize,
    pos: usize,
    /// `buf[..valid]` is known to be UTF-8 (the rest is the start of a character cut by a read).
    valid: usize,
    eof: bool,
    chunk: usize,
    /// Bytes read so far.
    total: u64,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<R: Read> Input<R> {
    fn new(reader: R, chunk: usize) -> Self {
        Input {
            reader,
            buf: Vec::new(),
            end: 0,
            pos: 0,
            valid: 0,
            eof: false,
            chunk: chunk.max(1),
            total: 0,
        }
    }

    /// The bytes read and not dropped.
    fn filled(&self) -> &[u8] {
        self.buf.get(..self.end).unwrap_or_default()
    }

    /// The byte `at` places after `pos`, if read.
    fn byte(&self, at: usize) -> Option<u8> {
        self.filled().get(self.pos + at).copied()
    }

    /// Reads more bytes after those in the buffer, first dropping the ones done with; false at
    /// the end of the input. Only bytes checked as UTF-8 are ever made available.
    fn more(&mut self) -> Step<bool> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.valid -= self.pos;
            self.pos = 0;
        }
        loop {
            if self.eof {
                return Ok(false);
            }
            if self.buf.len() < self.end + self.chunk {
                self.buf.resize(self.end + self.chunk, 0);
            }
            let read = match self.buf.get_mut(self.end..) {
                Some(space) => self.reader.read(space),
                None => return Err(GiveUp),
            };
            let n = match read {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(GiveUp),
            };
            self.total += n as u64;
            // The whole-file reader refuses files over 4 GiB.
            if self.total > u64::from(u32::MAX) {
                return Err(GiveUp);
            }
            self.end += n;
            let unchecked = self.buf.get(self.valid..self.end).unwrap_or_default();
            match std::str::from_utf8(unchecked) {
                Ok(_) => self.valid = self.end,
                // A character cut by the read: the next read completes it.
                Err(e) if e.error_len().is_none() && n > 0 => self.valid += e.valid_up_to(),
                Err(_) => return Err(GiveUp),
            }
            if n == 0 {
                self.eof = true;
            } else if self.valid > self.pos {
                return Ok(true);
            }
        }
    }

    /// The next byte that is not JSON whitespace (the whitespace is consumed); `None` at the end.
    fn peek(&mut self) -> Step<Option<u8>> {
        loop {
            while let Some(b) = self.valid_byte(0) {
                if !is_ws(b) {
                    return Ok(Some(b));
                }
                self.pos += 1;
            }
            if !self.more()? {
                return Ok(None);
            }
        }
    }

    /// The byte `at` places after `pos`, if read and checked.
    fn valid_byte(&self, at: usize) -> Option<u8> {
        if self.pos + at < self.valid {
            self.byte(at)
        } else {
            None
        }
    }

    /// The checked bytes from `at` places after `pos` on.
    fn valid_from(&self, at: usize) -> &[u8] {
        self.buf.get(self.pos + at..self.valid).unwrap_or_default()
    }

    /// Consumes the next non-whitespace byte, which must be `expected`.
    fn expect(&mut self, expected: u8) -> Step<()> {
        if self.peek()? != Some(expected) {
            return Err(GiveUp);
        }
        self.pos += 1;
        Ok(())
    }

    /// The end (relative to `pos`) of the string whose opening quote is just before `from`.
    fn string_end(&mut self, mut from: usize) -> Step<usize> {
        loop {
            let rest = self.valid_from(from);
            match memchr::memchr2(b'"', b'\\', rest) {
                Some(at) if rest.get(at) == Some(&b'"') => return Ok(from + at + 1),
                // An escape: the next byte is part of it, whatever it is.
                Some(at) if at + 1 < rest.len() => from += at + 2,
                found => {
                    from += found.unwrap_or(rest.len());
                    if !self.more()? {
                        return Err(GiveUp);
                    }
                }
            }
        }
    }

    /// The length of the value that starts at `pos` and its nesting depth (0 for a scalar).
    /// Only finds where the value ends; whether it is valid JSON is checked by the caller.
    fn frame(&mut self) -> Step<(usize, usize)> {
        let first = self.valid_byte(0).ok_or(GiveUp)?;
        match first {
            b'"' => Ok((self.string_end(1)?, 0)),
            b'{' | b'[' => {
                let (mut at, mut depth, mut deepest) = (1, 1, 1);
                loop {
                    let Some(b) = self.valid_byte(at) else {
                        if !self.more()? {
                            return Err(GiveUp);
                        }
                        continue;
                    };
                    at += 1;
                    match b {
                        b'"' => at = self.string_end(at)?,
                        b'{' | b'[' => {
                            depth += 1;
                            deepest = deepest.max(depth);
                            if deepest > MAX_DEPTH {
                                return Err(GiveUp);
                            }
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok((at, deepest));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {
                let mut at = 1;
                loop {
                    match self.valid_byte(at) {
                        Some(b) if is_ws(b) || matches!(b, b',' | b'}' | b']') => {
                            return Ok((at, 0));
                        }
                        Some(_) => at += 1,
                        None => {
                            if !self.more()? {
                                return Ok((at, 0));
                            }
                        }
                    }
                }
            }
        }
    }

    /// One value that is kept or left out whole.
    fn leaf(&mut self, depth: usize, keep: Option<&mut Vec<u8>>) -> Step<()> {
        let (len, nesting) = self.frame()?;
        if depth + nesting > MAX_DEPTH {
            return Err(GiveUp);
        }
        let bytes = self.valid_from(0).get(..len).ok_or(GiveUp)?;
        match keep {
            // Checked when the condensed text is parsed.
            Some(out) => out.extend_from_slice(bytes),
            None => {
                serde_json::from_slice::<IgnoredAny>(bytes).map_err(|_| GiveUp)?;
            }
        }
        self.pos += len;
        Ok(())
    }

    /// The whole input: an optional byte order mark, one object, whitespace.
    fn document(&mut self, out: &mut Vec<u8>) -> Step<()> {
        while self.valid < 3 && self.more()? {}
        if self.valid_from(0).starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        if self.peek()? != Some(b'{') {
            return Err(GiveUp);
        }
        self.value(Mode::Keep(&DOCUMENT), 0, out)?;
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(GiveUp),
        }
    }

    fn value(&mut self, mode: Mode, depth: usize, out: &mut Vec<u8>) -> Step<()> {
        if depth >= MAX_DEPTH {
            return Err(GiveUp);
        }
        let first = self.peek()?.ok_or(GiveUp)?;
        match (mode, first) {
            (Mode::Keep(Shape::Struct(members)), b'{') => self.object(depth, Some(out), |key| {
                members
                    .iter()
                    .find(|(name, _)| name.as_bytes() == key)
                    .map_or(Mode::Skip(SKIP_LEVELS), |(_, shape)| Mode::Keep(shape))
            }),
            (Mode::Keep(Shape::Map(shape)), b'{') => {
                self.object(depth, Some(out), |_| Mode::Keep(shape))
            }
            (Mode::Keep(Shape::Array(shape)), b'[') => {
                self.array(depth, Some(out), Mode::Keep(shape))
            }
            // A value of another type than the reader expects is kept as written, so that the
            // reader sees what it would have seen.
            (Mode::Keep(_), _) => self.leaf(depth, Some(out)),
            (Mode::Skip(levels), b'{') if levels > 0 => {
                self.object(depth, None, |_| Mode::Skip(levels - 1))
            }
            (Mode::Skip(levels), b'[') if levels > 0 => {
                self.array(depth, None, Mode::Skip(levels - 1))
            }
            (Mode::Skip(_), _) => self.leaf(depth, None),
        }
    }

    /// An object; its members are written to `out` (when given) as `mode_of` their key says.
    fn object(
        &mut self,
        depth: usize,
        mut out: Option<&mut Vec<u8>>,
        mode_of: impl Fn(&[u8]) -> Mode,
    ) -> Step<()> {
        self.expect(b'{')?;
        if let Some(o) = out.as_deref_mut() {
            o.push(b'{');
        }
        let mut written = false;
        if self.peek()? == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                if self.peek()? != Some(b'"') {
                    return Err(GiveUp);
                }
                let len = self.string_end(1)?;
                let raw = self.valid_from(0).get(..len).ok_or(GiveUp)?;
                let mode = mode_of(&key_text(raw)?);
                let kept = match (mode, out.as_deref_mut()) {
                    (Mode::Keep(_), Some(o)) => {
                        if written {
                            o.push(b',');
                        }
                        written = true;
                        // The key as written: `key_text` checked it.
                        o.extend_from_slice(raw);
                        o.push(b':');
                        Some(o)
                    }
                    _ => None,
                };
                self.pos += len;
                self.expect(b':')?;
                match kept {
                    Some(o) => self.value(mode, depth + 1, o)?,
                    None => self.value(mode.skipped(), depth + 1, &mut Vec::new())?,
                }
                match self.peek()? {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(GiveUp),
                }
            }
        }
        if let Some(o) = out {
            o.push(b'}');
        }
        Ok(())
    }

    /// An array whose elements are written to `out` (when given) as `mode` says.
    fn array(&mut self, depth: usize, mut out: Option<&mut Vec<u8>>, mode: Mode) -> Step<()> {
        self.expect(b'[')?;
        if let Some(o) = out.as_deref_mut() {
            o.push(b'[');
        }
        if self.peek()? == Some(b']') {
            self.pos += 1;
        } else {
            let mut first = true;
            loop {
                match out.as_deref_mut() {
                    Some(o) => {
                        if !first {
                            o.push(b',');
                        }
                        self.value(mode, depth + 1, o)?;
                    }
                    None => self.value(mode, depth + 1, &mut Vec::new())?,
                }
                first = false;
                match self.peek()? {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(GiveUp),
                }
            }
        }
        if let Some(o) = out {
            o.push(b']');
        }
        Ok(())
    }
}

/// The text of an object key written as `raw` (with its quotes), checked as JSON.
fn key_text(raw: &[u8]) -> Step<Cow<'_, [u8]>> {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    if raw.len() >= 2 && !inner.iter().any(|&b| b == b'\\' || b < 0x20) {
        return Ok(Cow::Borrowed(inner));
    }
    serde_json::from_slice::<String>(raw)
        .map(|k| Cow::Owned(k.into_bytes()))
        .map_err(|_| GiveUp)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::super::doc;
    use super::*;

    /// The field names serde gives a struct, read through a deserializer that only records them.
    fn fields_of<T: Deserialize<'static>>() -> Vec<&'static str> {
        use serde::de::Visitor;
        use serde::de::value::Error;
        use std::cell::Cell;
        struct Fields<'c>(&'c Cell<&'static [&'static str]>);
        impl serde::Deserializer<'static> for Fields<'_> {
            type Error = Error;
            fn deserialize_any<V: Visitor<'static>>(self, _: V) -> Result<V::Value, Error> {
                Err(serde::de::Error::custom("not a struct"))
            }
            fn deserialize_struct<V: Visitor<'static>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Error> {
                self.0.set(fields);
                Err(serde::de::Error::custom("recorded"))
            }
            serde::forward_to_deserialize_any! {
                <W: Visitor<'static>>
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let seen = Cell::new(&[][..]);
        let _ = T::deserialize(Fields(&seen));
        seen.get().to_vec()
    }

    fn names(shape: &Shape) -> Vec<&'static str> {
        match shape {
            Shape::Struct(members) => members.iter().map(|(n, _)| *n).collect(),
            _ => panic!("not a struct shape"),
        }
    }

    #[test]
    fn every_field_of_the_reader_structs_is_kept() {
        assert_eq!(names(&DOCUMENT), fields_of::<doc::Document<'static>>());
        assert_eq!(names(&VARIABLE), fields_of::<doc::Variable<'static>>());
        assert_eq!(names(&PRIOR_STATE), fields_of::<doc::PriorState<'static>>());
        assert_eq!(
            names(&STATE_VALUES),
            fields_of::<doc::StateValues<'static>>()
        );
        assert_eq!(
            names(&MODULE_VALUES),
            fields_of::<doc::ModuleValues<'static>>()
        );
        assert_eq!(
            names(&RESOURCE_VALUES),
            fields_of::<doc::ResourceValues<'static>>()
        );
        assert_eq!(
            names(&RESOURCE_CHANGE),
            fields_of::<doc::ResourceChange<'static>>()
        );
        assert_eq!(names(&CHANGE), fields_of::<doc::Change<'static>>());
        assert_eq!(
            names(&CONFIGURATION),
            fields_of::<doc::Configuration<'static>>()
        );
        assert_eq!(
            names(&PROVIDER_CONFIG),
            fields_of::<doc::ProviderConfig<'static>>()
        );
        assert_eq!(
            names(&CONFIG_MODULE),
            fields_of::<doc::ConfigModule<'static>>()
        );
        assert_eq!(
            names(&CONFIG_VARIABLE),
            fields_of::<doc::ConfigVariable<'static>>()
        );
        assert_eq!(
            names(&CONFIG_RESOURCE),
            fields_of::<doc::ConfigResource<'static>>()
        );
        assert_eq!(names(&MODULE_CALL), fields_of::<doc::ModuleCall<'static>>());
        assert_eq!(
            names(&CONFIG_OUTPUT),
            fields_of::<doc::ConfigOutput<'static>>()
        );
    }

    fn condensed(text: &str, chunk: usize) -> Option<String> {
        condense(text.as_bytes(), chunk, text.len())
    }

    #[test]
    fn keeps_what_the_reader_reads_as_written_and_drops_the_rest() {
        let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
            {"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q",
             "values":{"name":"q", "n": 1.50},"sensitive_values":{"tags":{}}}],
            "child_modules":[]}, "outputs": {"x": {"value": 1}}},
          "resource_changes":[{"address":"aws_sqs_queue.q","change":{"actions":["create"],
             "before":null,"after":{"name":"q"},"after_unknown":{"arn":true}}}],
          "relevant_attributes":[{"resource":"aws_sqs_queue.q","attribute":["arn"]}],
          "configuration":{"provider_config":{"aws":{"name":"aws","full_name":"x"}},
             "root_module":{"resources":[{"address":"aws_sqs_queue.q","mode":"managed",
               "expressions":{"name":{"constant_value":"q"}},"schema_version":0}]}},
          "timestamp":"2024-01-01T00:00:00Z","errored":false}"#;
        let want = concat!(
            r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":["#,
            r#"{"address":"aws_sqs_queue.q","mode":"managed","values":{"name":"q", "n": 1.50}}],"#,
            r#""child_modules":[]}},"resource_changes":[{"address":"aws_sqs_queue.q","change":"#,
            r#"{"actions":["create"],"after_unknown":{"arn":true}}}],"configuration":"#,
            r#"{"provider_config":{"aws":{"name":"aws"}},"root_module":{"resources":"#,
            r#"[{"address":"aws_sqs_queue.q","expressions":{"name":{"constant_value":"q"}}}]}},"#,
            r#""errored":false}"#
        );
        for chunk in [1, 2, 3, 5, 8, 64, CHUNK] {
            assert_eq!(
                condensed(plan, chunk).as_deref(),
                Some(want),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn values_of_another_type_than_expected_are_kept_whole() {
        let plan = r#"{"planned_values":null,"resource_changes":{"a":1},"variables":[1],
            "configuration":{"root_module":"x"},"format_version":1}"#;
        let want = r#"{"planned_values":null,"resource_changes":{"a":1},"variables":[1],"configuration":{"root_module":"x"},"format_version":1}"#;
        assert_eq!(condensed(plan, 4).as_deref(), Some(want));
    }

    #[test]
    fn keys_are_matched_after_unescaping_and_kept_as_written() {
        let plan = r#"{"format_\u0076ersion":"1.2","x\"y":1}"#;
        assert_eq!(
            condensed(plan, 3).as_deref(),
            Some(r#"{"format_\u0076ersion":"1.2"}"#)
        );
    }

    #[test]
    fn a_byte_order_mark_and_whitespace_around_the_object_are_allowed() {
        let plan = "\u{feff} \n{\"errored\":true}\r\n\t ";
        assert_eq!(condensed(plan, 2).as_deref(), Some(r#"{"errored":true}"#));
    }

    #[test]
    fn whatever_is_not_certain_goes_the_general_way() {
        let deep = format!("{{\"checks\":{}1{}}}", "[".repeat(120), "]".repeat(120));
        let deep_kept = format!(
            "{{\"variables\":{{\"v\":{{\"value\":{}1{}}}}}}}",
            "[".repeat(120),
            "]".repeat(120)
        );
        let cases = [
            // Invalid JSON in a member that is left out.
            r#"{"checks":[tru]}"#,
            r#"{"checks":{"a" 1}}"#,
            r#"{"checks":"a"b}"#,
            "{\"checks\":\"tab\tin a string\"}",
            r#"{"checks":01}"#,
            r#"{"checks":[1,]}"#,
            // Invalid structure around kept members.
            r#"{"errored":true,}"#,
            r#"{"errored":true"#,
            r#"{"errored" true}"#,
            r#"{"errored":true}}"#,
            r#"{"errored":true} x"#,
            r#"{"errored":true}{}"#,
            r#"{,"errored":true}"#,
            r#"{errored:true}"#,
            r#"{"errored":}"#,
            r#"{"planned_values":{"root_module":{"resources":[{}{}]}}}"#,
            // Not one object.
            "[]",
            "",
            "\u{feff}\u{feff}{}",
            "\u{a0}{}",
            "{\"checks\":\"\\",
            deep.as_str(),
            deep_kept.as_str(),
        ];
        for case in cases {
            for chunk in [1, 3, CHUNK] {
                assert_eq!(condensed(case, chunk), None, "{case} (chunk {chunk})");
            }
        }
        let bad_utf8 = b"{\"checks\":\"\xff\"}";
        assert_eq!(condense(&bad_utf8[..], 4, bad_utf8.len()), None);
        let bad_key = b"{\"\xff\":1}";
        assert_eq!(condense(&bad_key[..], 4, bad_key.len()), None);
    }

    #[test]
    fn characters_cut_by_a_read_are_checked_and_kept_whole() {
        let plan = r#"{"variables":{"é":{"value":"日本語 ✓"}},"checks":"ü"}"#;
        for chunk in 1..8 {
            assert_eq!(
                condensed(plan, chunk).as_deref(),
                Some(r#"{"variables":{"é":{"value":"日本語 ✓"}}}"#),
                "chunk {chunk}"
            );
        }
        let bad: [&[u8]; 3] = [
            b"{\"variables\":{\"v\":{\"value\":\"\xff\"}}}",
            b"{\"errored\":true}\xe6",
            b"{\"errored\":true} \xe6\x97",
        ];
        for bytes in bad {
            for chunk in [1, 2, CHUNK] {
                assert_eq!(condense(bytes, chunk, bytes.len()), None);
            }
        }
    }

    #[test]
    fn large_values_left_out_are_walked_a_resource_at_a_time() {
        let drift: Vec<String> = (0..200)
            .map(|i| {
                format!(r#"{{"address":"aws_sqs_queue.q{i}","change":{{"before":{{"a":[1,2]}}}}}}"#)
            })
            .collect();
        let plan = format!(
            r#"{{"resource_drift":[{}],"errored":false}}"#,
            drift.join(",")
        );
        let mut input = Input::new(plan.as_bytes(), 16);
        let mut out = Vec::new();
        input.document(&mut out).unwrap();
        assert_eq!(out, br#"{"errored":false}"#);
        // The buffer never held more than a part of one drifted resource and a chunk.
        assert!(plan.len() > 10_000);
        assert!(input.buf.capacity() < 128, "{}", input.buf.capacity());
    }
}
