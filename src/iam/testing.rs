//! Test helpers: policy documents and symbolic strings written as JSON.
//!
//! Strings may hold symbols: `${AWS::Region}` (any pseudo parameter), `${param:Name}`,
//! `${attr:Resource.Attr}`, `${name:Resource}`, `${import:Export}`, `${unknown:reason}`.
//! Anything else in `${…}` (an IAM policy variable) stays text. Objects
//! `{"Fn::If": [cond, then, else]}`, `{"Ref": "AWS::NoValue"}` and `{"Unknown": "reason"}`
//! stand for the model's undecided values.

use crate::model::{MapKey, Pseudo, SymStr, Symbol, Value, ValueKind};

/// A symbolic string from text with `${…}` symbols.
pub fn sym(text: &str) -> SymStr {
    let mut out = SymStr::default();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        let Some(end) = after.find('}') else {
            break;
        };
        out.push_lit(before);
        match symbol(&after[2..end]) {
            Some(symbol) => out.push_sym(symbol),
            None => out.push_lit(&after[..=end]),
        }
        rest = &after[end + 1..];
    }
    out.push_lit(rest);
    out
}

fn symbol(inner: &str) -> Option<Symbol> {
    if let Some(p) = Pseudo::from_cfn(inner) {
        return Some(Symbol::Pseudo(p));
    }
    let (kind, body) = inner.split_once(':')?;
    Some(match kind {
        "param" => Symbol::Param(body.to_string()),
        "attr" => {
            let (resource, attr) = body.split_once('.')?;
            Symbol::Attr {
                resource: resource.to_string(),
                attr: attr.to_string(),
            }
        }
        "name" => Symbol::PhysicalName {
            resource: body.to_string(),
        },
        "import" => Symbol::Import(body.to_string()),
        "unknown" => Symbol::Unknown(body.to_string()),
        _ => return None,
    })
}

/// A model value from JSON, with the conventions above.
pub fn value(json: &serde_json::Value) -> Value {
    let kind = match json {
        serde_json::Value::Null => ValueKind::Null,
        serde_json::Value::Bool(b) => ValueKind::Str(SymStr::lit(b.to_string())),
        serde_json::Value::Number(n) => ValueKind::Str(SymStr::lit(n.to_string())),
        serde_json::Value::String(s) => ValueKind::Str(sym(s)),
        serde_json::Value::Array(items) => ValueKind::List(items.iter().map(value).collect()),
        serde_json::Value::Object(map) => {
            if let (1, Some(serde_json::Value::Array(args))) = (map.len(), map.get("Fn::If")) {
                ValueKind::If {
                    condition: args[0].as_str().unwrap().to_string(),
                    then: Box::new(value(&args[1])),
                    otherwise: Box::new(value(&args[2])),
                }
            } else if map.len() == 1
                && map.get("Ref").and_then(|r| r.as_str()) == Some("AWS::NoValue")
            {
                ValueKind::NoValue
            } else if let (1, Some(serde_json::Value::String(reason))) =
                (map.len(), map.get("Unknown"))
            {
                ValueKind::Unknown(reason.clone())
            } else {
                ValueKind::Map(
                    map.iter()
                        .map(|(k, v)| {
                            (
                                MapKey {
                                    text: k.clone(),
                                    span: None,
                                },
                                value(v),
                            )
                        })
                        .collect(),
                )
            }
        }
    };
    Value { kind, span: None }
}

/// A model value from JSON text, with byte spans of every value and key (a small parser for
/// tests only: the readers are tested elsewhere). Same conventions as [`value`].
pub fn spanned(text: &str) -> Value {
    let mut p = SpanParser {
        text: text.as_bytes(),
        pos: 0,
    };
    let v = p.value();
    p.ws();
    assert_eq!(p.pos, text.len(), "trailing text");
    v
}

struct SpanParser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl SpanParser<'_> {
    fn ws(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> (String, crate::source::Span) {
        self.ws();
        let start = self.pos;
        assert_eq!(self.text[self.pos], b'"');
        self.pos += 1;
        let mut out = Vec::new();
        while self.text[self.pos] != b'"' {
            if self.text[self.pos] == b'\\' {
                self.pos += 1;
            }
            out.push(self.text[self.pos]);
            self.pos += 1;
        }
        self.pos += 1;
        (
            String::from_utf8(out).unwrap(),
            crate::source::Span::new(start, self.pos),
        )
    }

    fn value(&mut self) -> Value {
        self.ws();
        let start = self.pos;
        let kind = match self.text[self.pos] {
            b'"' => {
                let (s, _) = self.string();
                ValueKind::Str(sym(&s))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.text[self.pos] == b']' {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.value());
                    self.ws();
                    if self.text[self.pos] == b',' {
                        self.pos += 1;
                    }
                }
                ValueKind::List(items)
            }
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    self.ws();
                    if self.text[self.pos] == b'}' {
                        self.pos += 1;
                        break;
                    }
                    let (key, key_span) = self.string();
                    self.ws();
                    assert_eq!(self.text[self.pos], b':');
                    self.pos += 1;
                    let v = self.value();
                    entries.push((
                        MapKey {
                            text: key,
                            span: Some(key_span),
                        },
                        v,
                    ));
                    self.ws();
                    if self.text[self.pos] == b',' {
                        self.pos += 1;
                    }
                }
                special(entries)
            }
            _ => {
                while self.pos < self.text.len() && !b",]} \n\t\r".contains(&self.text[self.pos]) {
                    self.pos += 1;
                }
                let raw = std::str::from_utf8(&self.text[start..self.pos]).unwrap();
                if raw == "null" {
                    ValueKind::Null
                } else {
                    ValueKind::Str(SymStr::lit(raw))
                }
            }
        };
        Value {
            kind,
            span: Some(crate::source::Span::new(start, self.pos)),
        }
    }
}

fn special(entries: Vec<(MapKey, Value)>) -> ValueKind {
    if let [(key, v)] = entries.as_slice() {
        match (key.text.as_str(), &v.kind) {
            ("Fn::If", ValueKind::List(args)) => {
                let condition = args[0].as_literal().unwrap().to_string();
                return ValueKind::If {
                    condition,
                    then: Box::new(args[1].clone()),
                    otherwise: Box::new(args[2].clone()),
                };
            }
            ("Ref", ValueKind::Str(s)) if s.as_literal() == Some("AWS::NoValue") => {
                return ValueKind::NoValue;
            }
            ("Unknown", ValueKind::Str(s)) => {
                return ValueKind::Unknown(s.to_string());
            }
            _ => {}
        }
    }
    ValueKind::Map(entries)
}
