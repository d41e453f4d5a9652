//! YAML → [`Node`]: one CloudFormation or SAM template as a spanned tree.
//!
//! Input: a [`SourceFile`]. Output: the root [`Node`] of its one YAML document, or a located
//! [`FileError`]. The tree is built from `saphyr-parser` events with an explicit stack of
//! frames, so no input can overflow the call stack, and within [`Limits`].
//!
//! Invariants of the output:
//! - scalars keep their text and style, never a type: `012345678901` stays that text;
//! - [`Node::tag`] holds only CloudFormation short forms without the `!` (`Ref`, `GetAtt`, ...);
//!   YAML core tags (`!!str`, ...) are resolved here; any other tag is an error;
//! - spans are byte offsets into `file.text`; a node's span starts at its properties (tag or
//!   anchor) and covers its value; a key's span covers the key scalar;
//! - mapping keys are unique, untagged scalars;
//! - an alias is expanded into a copy of the anchored node, spans included (they point where
//!   the value is written).
//!
//! CloudFormation reads YAML 1.1 leniently; two forms it accepts that YAML 1.2 refuses are
//! common in real templates and are read here too (see `repair`): a lone `-` as a flow entry
//! (`!Split [-, ...]`) and a flow line indented like its key (the `]` of a JSON-style list).

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as EventStyle, ScanError, Span as EventSpan, Tag};

use crate::diag::FileError;
use crate::readers::syntax::{Key, Node, NodeKind, ScalarStyle};
use crate::source::{SourceFile, Span};

/// The limits of both template readers (YAML and JSON). They are part of the readers'
/// contract: whatever the input, reading ends with a tree or a located error, without
/// exhausting the stack or memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most mappings and sequences nested in one another, the root included. Templates nest
    /// about ten levels; deeper input is refused before it can exhaust the call stack of the
    /// code that walks the tree.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to one YAML document. A "billion laughs"
    /// document of a few hundred bytes asks for 10^9; a million copies still fit in memory.
    pub max_alias_nodes: usize,
    /// Most bytes of scalar and key text that alias expansion may copy into one YAML document.
    /// Counting nodes is not enough: one 1 MB string aliased 3,000 times is 3,000 nodes and
    /// 3 GB. Real templates alias small blocks (tags, environment variables).
    pub max_alias_bytes: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_depth: 200,
        max_alias_nodes: 1_000_000,
        max_alias_bytes: 32 << 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The short forms of CloudFormation's intrinsic functions (CloudFormation Template Reference,
/// "Intrinsic function reference"; research/spec.md has no source key for it). `!Length` and
/// `!ToJsonString` (`AWS::LanguageExtensions`) are documented only as `Fn::Length:` and
/// `Fn::ToJsonString:`; their short forms are accepted as the obvious spelling, the way
/// generic YAML loaders for CloudFormation read any `!Name` as `Fn::Name`.
const CLOUDFORMATION_TAGS: [&str; 20] = [
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "Base64",
    "Cidr",
    "GetAZs",
    "Equals",
    "And",
    "Or",
    "Not",
    "Condition",
    "Transform",
    "Length",
    "ToJsonString",
];

/// Reads the one YAML document of `file`.
pub fn parse_yaml(file: &SourceFile) -> Result<Node, FileError> {
    read_yaml(file, Limits::DEFAULT)
}

fn read_yaml(file: &SourceFile, limits: Limits) -> Result<Node, FileError> {
    let mut text = Cow::Borrowed(file.text.as_str());
    let mut repairs = 0;
    loop {
        let mut builder = TreeBuilder::new(file, limits);
        builder.restore_dashes = matches!(text, Cow::Owned(_))
            && text.contains(DASH_STAND_IN)
            && !file.text.contains(DASH_STAND_IN);
        match read_events(&mut builder, &text) {
            Ok(()) => return builder.finish(),
            Err(Failure::File(error)) => return Err(error),
            Err(Failure::Syntax(error)) => match repair(&file.text, &text, &error) {
                Some(repaired) if repairs < MAX_REPAIRS => {
                    text = Cow::Owned(repaired);
                    repairs += 1;
                }
                _ => return Err(builder.scan_error(&error)),
            },
        }
    }
}

/// Why reading the events stopped.
enum Failure {
    /// saphyr refused the text (it may be a form that [`repair`] can rewrite).
    Syntax(ScanError),
    File(FileError),
}

impl From<FileError> for Failure {
    fn from(error: FileError) -> Self {
        Failure::File(error)
    }
}

/// Feeds saphyr's events for `text` (the file's text, or a repair of it with the same
/// characters at the same indices) to `builder`.
fn read_events(builder: &mut TreeBuilder<'_>, text: &str) -> Result<(), Failure> {
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(Failure::Syntax)?;
        match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    let at = builder.span(span);
                    return Err(Failure::File(
                        FileError::new("a template must be one YAML document", Some(at))
                            .with_help("remove the second document or put it in a file of its own"),
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                builder.scalar(value, style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, tag) => {
                builder.start(Shape::Seq, anchor, tag.as_deref(), span)?;
            }
            Event::MappingStart(anchor, tag) => {
                builder.start(Shape::Map, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.end(span)?,
            Event::Alias(id) => builder.alias(id, span)?,
        }
    }
    Ok(())
}

/// Most rewrites of one file before its syntax error is reported.
const MAX_REPAIRS: usize = 32;

/// Stands in for a `-` that saphyr refuses (a private-use character, so that no template
/// means anything by it).
const DASH_STAND_IN: char = '\u{e000}';

/// Rewrites `text` so that saphyr accepts a form that CloudFormation's YAML 1.1 parser reads
/// but YAML 1.2 refuses, keeping every character at its index (so marks stay marks of the
/// file). `original` is the file's text; `text` may already be a repair of it.
///
/// - A lone `-` as a flow entry (`!Split [-, !Ref AWS::StackName]`) is the string `-` in
///   YAML 1.1. Every such `-` becomes [`DASH_STAND_IN`], which the builder turns back into `-`
///   in every scalar.
/// - A line inside `[...]` or `{...}` that is indented no more than the key that holds the
///   collection (typically the closing bracket of a JSON-style list) is allowed by YAML 1.1.
///   The line breaks before it become spaces, so the line joins the previous one; not when
///   the previous line has a `#`, which could start a comment.
fn repair(original: &str, text: &str, error: &ScanError) -> Option<String> {
    match error.info() {
        "plain scalar cannot start with '-' followed by ,[]{}"
            if !original.contains(DASH_STAND_IN) && !text.contains(DASH_STAND_IN) =>
        {
            Some(stand_in_lone_dashes(text))
        }
        "invalid indentation" | "invalid indentation in flow construct" => {
            let at = text
                .char_indices()
                .nth(error.marker().index())
                .map(|(byte, _)| byte)?;
            join_with_previous_line(text, at)
        }
        _ => None,
    }
}

fn stand_in_lone_dashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut previous = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let lone = c == '-'
            && matches!(previous, '[' | '{' | ',' | ' ' | '\t' | '\n' | '\r')
            && matches!(chars.peek(), Some(',' | ']' | '}'));
        out.push(if lone { DASH_STAND_IN } else { c });
        previous = c;
    }
    out
}

/// Joins the line whose first token is at byte `at` to the previous non-blank line.
fn join_with_previous_line(text: &str, at: usize) -> Option<String> {
    let before = text.get(..at)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before
        .get(line_start..)?
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
    {
        return None;
    }
    let content_end = before
        .get(..line_start)?
        .trim_end_matches([' ', '\t', '\r', '\n'])
        .len();
    let previous_line = before.get(..content_end)?;
    let previous_start = previous_line.rfind('\n').map_or(0, |i| i + 1);
    if content_end == 0 || previous_line.get(previous_start..)?.contains('#') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(previous_line);
    out.extend(before.get(content_end..)?.chars().map(|c| match c {
        '\n' | '\r' => ' ',
        other => other,
    }));
    out.push_str(text.get(at..)?);
    Some(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Scalar,
    Seq,
    Map,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Scalar => "a scalar",
            Shape::Seq => "a sequence",
            Shape::Map => "a mapping",
        }
    }
}

/// A mapping or sequence whose end event has not arrived yet.
struct Frame {
    /// Unique within the document; anchored nodes are found through it.
    id: u64,
    /// An anchored node is inside (a child, or a descendant through a closed frame).
    holds_anchor: bool,
    start: u32,
    /// End of the furthest child so far (block collections end with their last child).
    end: u32,
    /// A `[...]` or `{...}` collection, which ends at its closing bracket.
    flow: bool,
    tag: Option<Box<str>>,
    anchor: usize,
    /// Nodes in this subtree so far, the collection itself included.
    nodes: usize,
    /// Height of the tallest child (0 for scalars).
    child_height: usize,
    /// Bytes of scalar and key text in this subtree so far.
    bytes: usize,
    content: FrameContent,
}

enum FrameContent {
    Seq(Vec<Node>),
    Map {
        entries: MapEntries,
        /// The key whose value comes next.
        key: Option<Key>,
    },
}

/// Where a finished anchored node is. Anchored nodes are not copied when they finish (nested
/// anchors would copy a subtree once per anchor around it): the tree keeps the only copy, and
/// an alias copies from there.
enum Anchored {
    /// The `index`th child (sequence item or mapping value) of the frame `frame`; when that
    /// frame has closed, [`TreeBuilder::closed`] says where its node went.
    InTree {
        frame: u64,
        index: usize,
        nodes: usize,
        height: usize,
        bytes: usize,
    },
    /// An anchored key, which becomes a [`Key`]: a copy of its (scalar) node.
    Key(Node),
}

/// A finished node with the figures the limits need.
struct Built {
    node: Node,
    /// Nodes in the subtree, the node itself included.
    nodes: usize,
    /// Collections on the longest path down from the node (0 for a scalar).
    height: usize,
    /// Bytes of scalar and key text in the subtree.
    bytes: usize,
}

struct TreeBuilder<'f> {
    file: &'f SourceFile,
    offsets: CharOffsets<'f>,
    limits: Limits,
    stack: Vec<Frame>,
    /// Finished anchored nodes by saphyr's anchor id (unique per `&name`, even when a name is
    /// reused). An anchor whose node is still open is absent: an alias to it is recursive.
    anchors: HashMap<usize, Anchored>,
    /// Closed frames that hold anchored nodes: frame id → (parent frame id, index there).
    closed: HashMap<u64, (u64, usize)>,
    next_frame_id: u64,
    alias_nodes: usize,
    alias_bytes: usize,
    root: Option<Node>,
    /// The text was read with [`DASH_STAND_IN`] for lone dashes: scalars get them back.
    restore_dashes: bool,
}

impl<'f> TreeBuilder<'f> {
    fn new(file: &'f SourceFile, limits: Limits) -> Self {
        TreeBuilder {
            file,
            offsets: CharOffsets::new(&file.text),
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            closed: HashMap::new(),
            next_frame_id: 0,
            alias_nodes: 0,
            alias_bytes: 0,
            root: None,
            restore_dashes: false,
        }
    }

    fn span(&mut self, span: EventSpan) -> Span {
        let start = self.offsets.byte_of(span.start.index());
        let end = self.offsets.byte_of(span.end.index());
        Span {
            start,
            end: end.max(start),
        }
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                content: FrameContent::Map { key: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: EventStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: EventSpan,
    ) -> Result<(), FileError> {
        let mut span = self.span(span);
        let tag = self.resolve_tag(tag, span.start, Shape::Scalar)?;
        let mut style = match style {
            EventStyle::Plain if is_plain_null(&value) => ScalarStyle::Null,
            EventStyle::Plain => ScalarStyle::Plain,
            EventStyle::SingleQuoted | EventStyle::DoubleQuoted => ScalarStyle::Quoted,
            EventStyle::Literal | EventStyle::Folded => {
                // The event of a block scalar starts at its content (unless it has a tag or an
                // anchor) and runs to the next token, past the blank lines after it.
                span.start = self.block_header_before(span.start);
                span.end = self.trim_trailing_space(span);
                ScalarStyle::Block
            }
        };
        if tag.string && matches!(style, ScalarStyle::Plain | ScalarStyle::Null) {
            style = ScalarStyle::Quoted;
        }
        let raw: Box<str> = if self.restore_dashes && value.contains(DASH_STAND_IN) {
            value.replace(DASH_STAND_IN, "-").into()
        } else {
            value.into()
        };
        let bytes = raw.len();
        let node = Node {
            span,
            tag: tag.cloudformation,
            kind: NodeKind::Scalar { raw, style },
        };
        self.complete(
            Built {
                node,
                nodes: 1,
                height: 0,
                bytes,
            },
            anchor,
            None,
        )
    }

    fn start(
        &mut self,
        shape: Shape,
        anchor: usize,
        tag: Option<&Tag>,
        span: EventSpan,
    ) -> Result<(), FileError> {
        let span = self.span(span);
        if self.expects_key() {
            return Err(FileError::new(
                "a mapping key must be a scalar",
                Some(self.char_span(span.start)),
            )
            .with_help(
                "CloudFormation keys are strings; complex keys (`? [a, b]`) are not allowed",
            ));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.too_deep(span));
        }
        let resolved = self.resolve_tag(tag, span.start, shape)?;
        // A flow collection's event ends after its bracket and the blanks that follow it.
        let flow = matches!(
            self.file
                .text
                .get(span.start as usize..span.end as usize)
                .and_then(|token| token.trim_end().bytes().last()),
            Some(b'[' | b'{')
        );
        let mut start = span.start;
        if shape == Shape::Seq && span.is_empty() {
            // An indentless sequence (`Key:\n- a`) starts after its first `- `.
            start = self.dash_before(start);
        }
        let content = match shape {
            Shape::Map => FrameContent::Map {
                entries: MapEntries::new(),
                key: None,
            },
            Shape::Seq | Shape::Scalar => FrameContent::Seq(Vec::new()),
        };
        self.next_frame_id += 1;
        self.stack.push(Frame {
            id: self.next_frame_id,
            holds_anchor: false,
            start,
            end: span.end,
            flow,
            tag: resolved.cloudformation,
            anchor,
            nodes: 1,
            child_height: 0,
            bytes: 0,
            content,
        });
        Ok(())
    }

    fn end(&mut self, span: EventSpan) -> Result<(), FileError> {
        let span = self.span(span);
        let Some(frame) = self.stack.pop() else {
            return Err(FileError::new("unbalanced end of a collection", Some(span)));
        };
        // A flow collection ends after its bracket (its event also covers the blanks after it);
        // a block collection with its last child.
        let end = if frame.flow {
            span.start.saturating_add(1)
        } else {
            frame.end
        };
        let kind = match frame.content {
            FrameContent::Seq(items) => NodeKind::Seq(items),
            FrameContent::Map { entries, key: None } => NodeKind::Map(entries.into_vec()),
            FrameContent::Map { key: Some(key), .. } => {
                return Err(FileError::new(
                    "mapping key without a value",
                    Some(key.span),
                ));
            }
        };
        let node = Node {
            span: Span {
                start: frame.start,
                end: end.max(frame.start),
            },
            tag: frame.tag,
            kind,
        };
        self.complete(
            Built {
                node,
                nodes: frame.nodes,
                height: frame.child_height.saturating_add(1),
                bytes: frame.bytes,
            },
            frame.anchor,
            frame.holds_anchor.then_some(frame.id),
        )
    }

    fn alias(&mut self, id: usize, span: EventSpan) -> Result<(), FileError> {
        let at = self.span(span);
        let found = match self.anchors.get(&id) {
            Some(Anchored::InTree {
                frame,
                index,
                nodes,
                height,
                bytes,
            }) => self
                .node_in_tree(*frame, *index)
                .map(|node| (node, *nodes, *height, *bytes)),
            Some(Anchored::Key(node)) => Some((node, 1, 0, node.as_str().map_or(0, str::len))),
            None => None,
        };
        let Some((anchored, nodes, height, bytes)) = found else {
            let name = self.file.slice(at).to_string();
            return Err(FileError::new(
                format!("alias `{}` refers to a node that contains it", shown(&name)),
                Some(at),
            ));
        };
        if self.alias_nodes.saturating_add(nodes) > self.limits.max_alias_nodes {
            return Err(FileError::new(
                format!(
                    "alias expansion exceeds {} nodes",
                    self.limits.max_alias_nodes
                ),
                Some(at),
            )
            .with_help(
                "aliases (`*name`) are expanded into copies; this document asks for more copies \
                 than any template needs",
            ));
        }
        if self.alias_bytes.saturating_add(bytes) > self.limits.max_alias_bytes {
            return Err(FileError::new(
                format!(
                    "alias expansion exceeds {} bytes of copied text",
                    self.limits.max_alias_bytes
                ),
                Some(at),
            )
            .with_help(
                "aliases (`*name`) are expanded into copies; this document copies more text \
                 than any template needs (write the value once, or use a parameter)",
            ));
        }
        if self.stack.len().saturating_add(height) > self.limits.max_depth {
            return Err(self.too_deep(at));
        }
        let mut node = anchored.clone();
        self.alias_nodes += nodes;
        self.alias_bytes += bytes;
        if self.expects_key() {
            // The key is where the alias is written, not where its anchor is.
            node.span = at;
        }
        self.complete(
            Built {
                node,
                nodes,
                height,
                bytes,
            },
            0,
            None,
        )
    }

    /// The `index`th child of frame `frame`, following frames that have closed since.
    fn node_in_tree(&self, frame: u64, index: usize) -> Option<&Node> {
        let mut path = vec![index];
        let mut frame_id = frame;
        let open = loop {
            if let Some(open) = self.stack.iter().rev().find(|f| f.id == frame_id) {
                break open;
            }
            let (parent, index) = self.closed.get(&frame_id)?;
            path.push(*index);
            frame_id = *parent;
        };
        let mut node = match &open.content {
            FrameContent::Seq(items) => items.get(path.pop()?)?,
            FrameContent::Map { entries, .. } => entries.value(path.pop()?)?,
        };
        while let Some(index) = path.pop() {
            node = match &node.kind {
                NodeKind::Seq(items) => items.get(index)?,
                NodeKind::Map(entries) => &entries.get(index)?.1,
                NodeKind::Scalar { .. } => return None,
            };
        }
        Some(node)
    }

    /// Hands a finished node to its parent (or makes it the root). `anchor` is its anchor id
    /// (0 for none); `closed_frame` the id of the frame it was, when that frame holds anchors.
    fn complete(
        &mut self,
        built: Built,
        anchor: usize,
        closed_frame: Option<u64>,
    ) -> Result<(), FileError> {
        let TreeBuilder {
            file,
            stack,
            anchors,
            closed,
            root,
            ..
        } = self;
        let Some(frame) = stack.last_mut() else {
            // Nothing can refer to the root: the document ends with it.
            *root = Some(built.node);
            return Ok(());
        };
        frame.nodes = frame.nodes.saturating_add(built.nodes);
        frame.bytes = frame.bytes.saturating_add(built.bytes);
        frame.child_height = frame.child_height.max(built.height);
        frame.end = frame.end.max(built.node.span.end);
        let mut place = |index: usize| {
            if anchor != 0 {
                anchors.insert(
                    anchor,
                    Anchored::InTree {
                        frame: frame.id,
                        index,
                        nodes: built.nodes,
                        height: built.height,
                        bytes: built.bytes,
                    },
                );
            }
            if let Some(closed_id) = closed_frame {
                closed.insert(closed_id, (frame.id, index));
            }
            anchor != 0 || closed_frame.is_some()
        };
        match &mut frame.content {
            FrameContent::Seq(items) => {
                if place(items.len()) {
                    frame.holds_anchor = true;
                }
                items.push(built.node);
            }
            FrameContent::Map { entries, key } => match key.take() {
                Some(key) => {
                    if place(entries.len()) {
                        frame.holds_anchor = true;
                    }
                    entries.push(key, built.node);
                }
                None => {
                    if anchor != 0 && matches!(built.node.kind, NodeKind::Scalar { .. }) {
                        anchors.insert(anchor, Anchored::Key(built.node.clone()));
                    }
                    let new_key = key_of(file, built.node)?;
                    if let Some(first) = entries.find(&new_key.text) {
                        return Err(duplicate_key(file, first, &new_key));
                    }
                    *key = Some(new_key);
                }
            },
        }
        Ok(())
    }

    fn finish(self) -> Result<Node, FileError> {
        if let Some(frame) = self.stack.last() {
            return Err(FileError::new(
                "unexpected end of the document",
                Some(Span::new(frame.start as usize, frame.start as usize)),
            ));
        }
        match self.root {
            Some(root) if !is_empty_document(&root) => Ok(root),
            _ => Err(FileError::new("empty document", None)),
        }
    }

    fn resolve_tag(
        &self,
        tag: Option<&Tag>,
        node_start: u32,
        shape: Shape,
    ) -> Result<ResolvedTag, FileError> {
        let none = ResolvedTag {
            cloudformation: None,
            string: false,
        };
        let Some(tag) = tag else {
            return Ok(none);
        };
        let core = if tag.is_yaml_core_schema() {
            Some(tag.suffix.as_str())
        } else if tag.handle.is_empty() {
            tag.suffix.strip_prefix("tag:yaml.org,2002:")
        } else {
            None
        };
        if let Some(name) = core {
            let applies_to = match name {
                "str" | "int" | "bool" | "null" | "float" | "binary" => Shape::Scalar,
                "map" => Shape::Map,
                "seq" => Shape::Seq,
                _ => return Err(self.unknown_tag(node_start)),
            };
            if applies_to != shape {
                let tag_span = self.tag_span(node_start);
                return Err(FileError::new(
                    format!(
                        "tag `{}` cannot be used on {}",
                        shown(self.file.slice(tag_span)),
                        shape.name()
                    ),
                    Some(tag_span),
                ));
            }
            return Ok(ResolvedTag {
                cloudformation: None,
                string: name == "str",
            });
        }
        let local = if tag.handle == "!" {
            Some(tag.suffix.as_str())
        } else if tag.handle.is_empty() && tag.suffix == "!" {
            // The non-specific tag `!`: the scalar is a string, whatever it looks like.
            return Ok(ResolvedTag {
                cloudformation: None,
                string: true,
            });
        } else if tag.handle.is_empty() {
            // A verbatim local tag, `!<!Ref>`.
            tag.suffix.strip_prefix('!')
        } else {
            None
        };
        match local.and_then(|name| CLOUDFORMATION_TAGS.iter().find(|known| **known == name)) {
            Some(known) => Ok(ResolvedTag {
                cloudformation: Some((*known).into()),
                string: false,
            }),
            None => Err(self.unknown_tag(node_start)),
        }
    }

    fn unknown_tag(&self, node_start: u32) -> FileError {
        let tag_span = self.tag_span(node_start);
        FileError::new(
            format!("unknown tag `{}`", shown(self.file.slice(tag_span))),
            Some(tag_span),
        )
        .with_help(
            "CloudFormation knows `!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!If`, `!Select`, `!Split`, \
             `!FindInMap`, `!ImportValue`, `!Base64`, `!Cidr`, `!GetAZs`, `!Equals`, `!And`, \
             `!Or`, `!Not`, `!Condition`, `!Transform`, `!Length` and `!ToJsonString`",
        )
    }

    /// The tag written at the start of a node, after its anchor if the anchor comes first.
    fn tag_span(&self, node_start: u32) -> Span {
        let bytes = self.file.text.as_bytes();
        let mut at = node_start as usize;
        if bytes.get(at) == Some(&b'&') {
            while bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
                at += 1;
            }
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
        }
        if bytes.get(at) != Some(&b'!') {
            return Span::new(node_start as usize, node_start as usize);
        }
        let start = at;
        if bytes.get(at + 1) == Some(&b'<') {
            while bytes.get(at).is_some_and(|b| *b != b'>') {
                at += 1;
            }
            at = (at + 1).min(bytes.len());
        } else {
            while bytes
                .get(at)
                .is_some_and(|b| !b.is_ascii_whitespace() && !b",[]{}".contains(b))
            {
                at += 1;
            }
        }
        Span::new(start, at)
    }

    /// The `-` of the first entry of an indentless sequence, when `start` is just after it.
    fn dash_before(&self, start: u32) -> u32 {
        let bytes = self.file.text.as_bytes();
        let mut at = start as usize;
        if bytes.get(at) == Some(&b'-') {
            return start;
        }
        while at > 0 && matches!(bytes.get(at - 1), Some(b' ' | b'\t')) {
            at -= 1;
        }
        match at.checked_sub(1) {
            Some(dash) if bytes.get(dash) == Some(&b'-') => u32::try_from(dash).unwrap_or(start),
            _ => start,
        }
    }

    /// The `|` or `>` header of the block scalar whose content starts at `start`, when no tag
    /// or anchor comes first.
    fn block_header_before(&self, start: u32) -> u32 {
        let text = self.file.text.as_str();
        let Some(before) = text.get(..start as usize) else {
            return start;
        };
        if matches!(text.as_bytes().get(start as usize), Some(b'!' | b'&')) {
            return start;
        }
        let header_line_end = before.trim_end_matches([' ', '\t', '\r', '\n']).len();
        let header_line_start = before
            .get(..header_line_end)
            .and_then(|b| b.rfind('\n'))
            .map_or(0, |i| i + 1);
        let Some(line) = before.get(header_line_start..header_line_end) else {
            return start;
        };
        // The last `|` or `>` that is followed only by indicators and a comment.
        let header = line.char_indices().rev().find(|&(i, c)| {
            (c == '|' || c == '>')
                && line
                    .get(..i)
                    .is_some_and(|b| b.is_empty() || b.ends_with([' ', '\t', ':', '-']))
                && line.get(i + 1..).is_some_and(|rest| {
                    let rest = rest.split('#').next().unwrap_or("");
                    rest.chars()
                        .all(|c| matches!(c, '+' | '-' | '0'..='9' | ' ' | '\t'))
                })
        });
        match header {
            Some((i, _)) => u32::try_from(header_line_start + i).unwrap_or(start),
            None => start,
        }
    }

    fn trim_trailing_space(&self, span: Span) -> u32 {
        let bytes = self.file.text.as_bytes();
        let mut end = span.end;
        while end > span.start
            && matches!(
                bytes.get(end as usize - 1),
                Some(b' ' | b'\t' | b'\r' | b'\n')
            )
        {
            end -= 1;
        }
        end
    }

    /// The character at `at`, or an empty span at the end of a line or of the file.
    fn char_span(&self, at: u32) -> Span {
        let len = self
            .file
            .text
            .get(at as usize..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| *c != '\n' && *c != '\r')
            .map_or(0, char::len_utf8);
        Span::new(at as usize, at as usize + len)
    }

    fn too_deep(&self, at: Span) -> FileError {
        FileError::new(
            format!("nesting deeper than {} levels", self.limits.max_depth),
            Some(at),
        )
    }

    fn scan_error(&mut self, error: &ScanError) -> FileError {
        let at = self.offsets.byte_of(error.marker().index());
        match error.info() {
            "while parsing node, found unknown anchor" => {
                let bytes = self.file.text.as_bytes();
                let mut end = at as usize + 1;
                while bytes
                    .get(end)
                    .is_some_and(|b| !b.is_ascii_whitespace() && !b",[]{}".contains(b))
                {
                    end += 1;
                }
                let span = Span::new(at as usize, end.min(bytes.len()));
                FileError::new(
                    format!("unknown alias `{}`", shown(self.file.slice(span))),
                    Some(span),
                )
                .with_help("an alias (`*name`) must come after its anchor (`&name`)")
            }
            // The scanner's own limit on `[` and `{` nesting (255 levels) is above ours.
            "recursion limit exceeded" => self.too_deep(self.char_span(at)),
            info => FileError::new(lowercase_first(info), Some(self.char_span(at))),
        }
    }
}

struct ResolvedTag {
    /// The CloudFormation short form, without the `!`.
    cloudformation: Option<Box<str>>,
    /// `!!str` or `!`: the scalar is a string even if it looks like `null`.
    string: bool,
}

fn key_of(file: &SourceFile, node: Node) -> Result<Key, FileError> {
    match node.kind {
        NodeKind::Scalar { raw, .. } => match node.tag {
            None => Ok(Key {
                text: raw,
                span: node.span,
            }),
            Some(tag) => Err(FileError::new(
                format!("a mapping key cannot have the tag `!{tag}`"),
                Some(node.span),
            )),
        },
        NodeKind::Seq(_) | NodeKind::Map(_) => Err(FileError::new(
            "a mapping key must be a scalar",
            Some(Span::new(
                node.span.start as usize,
                node.span.start as usize,
            )),
        )
        .with_help(format!(
            "the key on line {} is a collection",
            file.line_col(node.span.start).line
        ))),
    }
}

/// A plain scalar that YAML reads as null.
fn is_plain_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A document with no content at all (only comments, or a bare `---`).
fn is_empty_document(root: &Node) -> bool {
    root.tag.is_none()
        && matches!(
            &root.kind,
            NodeKind::Scalar { raw, style: ScalarStyle::Null } if raw.is_empty()
        )
}

/// saphyr's reasons are sentences; messages start lowercase (`TAG` stays as written).
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// A user value for a one-line message: control characters escaped, long text cut.
pub(super) fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4));
    for (count, c) in text.chars().enumerate() {
        if count == MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The error for a key that is already in its mapping, at the second occurrence.
pub(super) fn duplicate_key(file: &SourceFile, first: &Key, second: &Key) -> FileError {
    FileError::new(
        format!("duplicate key `{}`", shown(&second.text)),
        Some(second.span),
    )
    .with_help(format!(
        "first defined on line {}",
        file.line_col(first.span.start).line
    ))
}

/// The entries of a mapping under construction. Finding an earlier key with the same text
/// takes constant time once the mapping is large (the `Resources` of a big template holds
/// thousands of keys).
pub(super) struct MapEntries {
    entries: Vec<(Key, Node)>,
    /// Hash of a key's text → index of the first entry with that hash; built once the mapping
    /// outgrows a linear scan. Distinct keys that share a hash fall back to a scan.
    index: Option<HashMap<u64, usize>>,
}

impl MapEntries {
    /// Up to this many entries a linear scan beats hashing.
    const LINEAR_SCAN_MAX: usize = 16;

    pub(super) fn new() -> Self {
        MapEntries {
            entries: Vec::new(),
            index: None,
        }
    }

    /// The earlier key with this text, if any.
    pub(super) fn find(&self, text: &str) -> Option<&Key> {
        let scan = || {
            self.entries
                .iter()
                .map(|(key, _)| key)
                .find(|key| &*key.text == text)
        };
        let Some(index) = &self.index else {
            return scan();
        };
        let candidate = self.entries.get(*index.get(&key_hash(text))?)?;
        if &*candidate.0.text == text {
            Some(&candidate.0)
        } else {
            scan()
        }
    }

    pub(super) fn push(&mut self, key: Key, value: Node) {
        let position = self.entries.len();
        match &mut self.index {
            Some(index) => {
                index.entry(key_hash(&key.text)).or_insert(position);
            }
            None if position >= Self::LINEAR_SCAN_MAX => {
                let mut index = HashMap::with_capacity(position * 2);
                for (i, (earlier, _)) in self.entries.iter().enumerate() {
                    index.entry(key_hash(&earlier.text)).or_insert(i);
                }
                index.entry(key_hash(&key.text)).or_insert(position);
                self.index = Some(index);
            }
            None => {}
        }
        self.entries.push((key, value));
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// The value of the `index`th entry.
    fn value(&self, index: usize) -> Option<&Node> {
        self.entries.get(index).map(|(_, value)| value)
    }

    pub(super) fn into_vec(self) -> Vec<(Key, Node)> {
        self.entries
    }
}

fn key_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Converts saphyr's marks (character indices) to byte offsets. Marks arrive almost in
/// order, so a cursor that walks from the previous mark keeps the conversion linear in the
/// size of the file. The index is used rather than line and column because saphyr counts a
/// byte order mark as a character but not as a column, and a lone `\r` as a line break.
struct CharOffsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        CharOffsets {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte_of(&mut self, char_index: usize) -> u32 {
        if self.ascii {
            return u32::try_from(char_index.min(self.text.len())).unwrap_or(u32::MAX);
        }
        if char_index < self.chars {
            let before = self.text.get(..self.bytes).unwrap_or("");
            for c in before.chars().rev() {
                if self.chars == char_index {
                    break;
                }
                self.chars -= 1;
                self.bytes -= c.len_utf8();
            }
        } else {
            let after = self.text.get(self.bytes..).unwrap_or("");
            for c in after.chars() {
                if self.chars == char_index {
                    break;
                }
                self.chars += 1;
                self.bytes += c.len_utf8();
            }
        }
        u32::try_from(self.bytes).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn file(text: &str) -> SourceFile {
        SourceFile::new("t.yaml", text.to_string())
    }

    fn parse(text: &str) -> Result<Node, FileError> {
        parse_yaml(&file(text))
    }

    fn ok(text: &str) -> Node {
        match parse(text) {
            Ok(node) => node,
            Err(e) => panic!("{text:?} failed: {e:?}"),
        }
    }

    fn err(text: &str) -> FileError {
        match parse(text) {
            Ok(node) => panic!("{text:?} parsed: {node:?}"),
            Err(e) => e,
        }
    }

    /// The error as `line:col: message`.
    fn located(text: &str) -> String {
        let e = err(text);
        let f = file(text);
        match e.span {
            Some(span) => {
                let at = f.line_col(span.start);
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

    fn tag(node: &Node) -> Option<&str> {
        node.tag.as_deref()
    }

    trait TaggedSeq {
        fn as_seq_tagged(&self) -> &[Node];
    }

    impl TaggedSeq for Node {
        /// The items of a sequence, tagged or not.
        fn as_seq_tagged(&self) -> &[Node] {
            match &self.kind {
                NodeKind::Seq(items) => items,
                other => panic!("not a sequence: {other:?}"),
            }
        }
    }

    #[test]
    fn cloudformation_tags_on_scalars_sequences_and_mappings() {
        let text = "\
A: !Ref Bucket
B: !GetAtt Fn.Arn
C: !GetAtt [Fn, Arn]
D: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}'
E: !Sub
  - '${Name}-x'
  - Name: !Ref Bucket
F: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
G: !If
  - IsProd
  - !Ref AWS::NoValue
  - !Join ['', [a, !Select [0, !Split [',', !ImportValue Shared]]]]
";
        let root = ok(text);
        let a = root.get("A").unwrap();
        assert_eq!(
            (tag(a), scalar(a)),
            (Some("Ref"), ("Bucket", ScalarStyle::Plain))
        );
        let b = root.get("B").unwrap();
        assert_eq!((tag(b), scalar(b).0), (Some("GetAtt"), "Fn.Arn"));
        let c = root.get("C").unwrap();
        assert_eq!(tag(c), Some("GetAtt"));
        assert!(matches!(&c.kind, NodeKind::Seq(items) if items.len() == 2));
        let d = root.get("D").unwrap();
        assert_eq!(
            (tag(d), scalar(d)),
            (
                Some("Sub"),
                ("arn:${AWS::Partition}:s3:::${Bucket}", ScalarStyle::Quoted)
            )
        );
        let e = root.get("E").unwrap();
        assert_eq!(tag(e), Some("Sub"));
        let NodeKind::Seq(items) = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(tag(&items[1].as_map().unwrap()[0].1), Some("Ref"));
        let f = root.get("F").unwrap();
        assert_eq!(tag(f), Some("Transform"));
        assert!(matches!(&f.kind, NodeKind::Map(entries) if entries.len() == 2));
        let g = root.get("G").unwrap();
        assert_eq!(tag(g), Some("If"));
        let NodeKind::Seq(branches) = &g.kind else {
            panic!("{g:?}")
        };
        assert_eq!(tag(&branches[1]), Some("Ref"));
        assert_eq!(tag(&branches[2]), Some("Join"));
        // Untagged nodes have no tag, and the accessors see through nothing tagged.
        assert!(root.tag.is_none());
        assert!(a.as_str().is_none());
    }

    #[test]
    fn every_short_form_is_known() {
        for name in CLOUDFORMATION_TAGS {
            let root = ok(&format!(
                "A: !{name} x\nB: !{name} [x]\nC: !{name} {{x: y}}\n"
            ));
            for key in ["A", "B", "C"] {
                assert_eq!(
                    tag(root.get_entry(key).unwrap().1),
                    Some(name),
                    "{name} {key}"
                );
            }
        }
    }

    #[test]
    fn a_bare_tag_is_a_tagged_null() {
        let text = "A: !GetAZs\nB: !Ref\nC: [!GetAZs , x]\nD: !GetAZs ''\n";
        let root = ok(text);
        let f = file(text);
        for key in ["A", "B"] {
            let node = root.get_entry(key).unwrap().1;
            assert_eq!(scalar(node), ("", ScalarStyle::Null));
            assert!(!node.is_null(), "a tagged null is not a plain null");
        }
        assert_eq!(f.slice(root.get_entry("A").unwrap().1.span), "!GetAZs");
        assert_eq!(f.slice(root.get_entry("B").unwrap().1.span), "!Ref");
        let NodeKind::Seq(items) = &root.get("C").unwrap().kind else {
            panic!()
        };
        assert_eq!(
            (tag(&items[0]), scalar(&items[0])),
            (Some("GetAZs"), ("", ScalarStyle::Null))
        );
        let d = root.get_entry("D").unwrap().1;
        assert_eq!(
            (tag(d), scalar(d)),
            (Some("GetAZs"), ("", ScalarStyle::Quoted))
        );
    }

    #[test]
    fn unknown_tags_are_errors_at_the_tag() {
        let text = "A: !Ref x\nB: !Foo x\n";
        let e = err(text);
        assert_eq!(e.message, "unknown tag `!Foo`");
        assert_eq!(file(text).slice(e.span.unwrap()), "!Foo");
        assert!(e.help.unwrap().contains("`!GetAtt`"));
        assert_eq!(located("A:\n  - !Bar [1, 2]\n"), "2:5: unknown tag `!Bar`");
        assert_eq!(located("A: {k: !Baz {a: b}}\n"), "1:8: unknown tag `!Baz`");
        // After an anchor.
        let text = "A: &x !Qux y\n";
        let e = err(text);
        assert_eq!(
            (e.message.as_str(), file(text).slice(e.span.unwrap())),
            ("unknown tag `!Qux`", "!Qux")
        );
        // Case matters, as in CloudFormation.
        assert_eq!(located("A: !ref x\n"), "1:4: unknown tag `!ref`");
        // A core tag outside the core schema, and a global tag.
        assert_eq!(located("A: !!set {a: b}\n"), "1:4: unknown tag `!!set`");
        assert_eq!(
            located("A: !<tag:example.com,2000:x> y\n"),
            "1:4: unknown tag `!<tag:example.com,2000:x>`"
        );
    }

    #[test]
    fn core_tags_are_resolved() {
        let text = "\
a: !!str 123
b: !!str null
c: !!str
d: !!int 012
e: !!bool true
f: !!null ~
g: !!float 1.50
h: !!binary aGk=
i: !!map {k: v}
j: !!seq [1]
k: !<tag:yaml.org,2002:str> 7
l: ! 12
m: !!str |
  block
n: !<!Ref> Bucket
";
        let root = ok(text);
        let expect = [
            ("a", "123", ScalarStyle::Quoted),
            ("b", "null", ScalarStyle::Quoted),
            ("c", "", ScalarStyle::Quoted),
            ("d", "012", ScalarStyle::Plain),
            ("e", "true", ScalarStyle::Plain),
            ("f", "~", ScalarStyle::Null),
            ("g", "1.50", ScalarStyle::Plain),
            ("h", "aGk=", ScalarStyle::Plain),
            ("k", "7", ScalarStyle::Quoted),
            ("l", "12", ScalarStyle::Quoted),
            ("m", "block\n", ScalarStyle::Block),
        ];
        for (key, raw, style) in expect {
            let node = root.get(key).unwrap_or_else(|| panic!("{key}"));
            assert_eq!(scalar(node), (raw, style), "{key}");
        }
        assert!(root.get("i").unwrap().as_map().is_some());
        assert!(root.get("j").unwrap().as_seq().is_some());
        let n = root.get_entry("n").unwrap().1;
        assert_eq!((tag(n), scalar(n).0), (Some("Ref"), "Bucket"));
        // A core tag on the wrong kind of node.
        assert_eq!(
            located("a: !!map [1]\n"),
            "1:4: tag `!!map` cannot be used on a sequence"
        );
        assert_eq!(
            located("a: !!str {b: c}\n"),
            "1:4: tag `!!str` cannot be used on a mapping"
        );
        assert_eq!(
            located("a: !!seq x\n"),
            "1:4: tag `!!seq` cannot be used on a scalar"
        );
    }

    #[test]
    fn scalars_keep_their_text_and_style() {
        let text = "\
Account: 012345678901
Version: 1.10
Flag: yes
Octal: 0o14
Single: 'quoted ''x'''
Double: \"tab\\there \\u00e9\"
Literal: |
  line 1
    line 2
Folded: >-
  one
  two
Keep: |+
  kept

Plain: a
  b
";
        let root = ok(text);
        let expect = [
            ("Account", "012345678901", ScalarStyle::Plain),
            ("Version", "1.10", ScalarStyle::Plain),
            ("Flag", "yes", ScalarStyle::Plain),
            ("Octal", "0o14", ScalarStyle::Plain),
            ("Single", "quoted 'x'", ScalarStyle::Quoted),
            ("Double", "tab\there é", ScalarStyle::Quoted),
            ("Literal", "line 1\n  line 2\n", ScalarStyle::Block),
            ("Folded", "one two", ScalarStyle::Block),
            ("Keep", "kept\n\n", ScalarStyle::Block),
            ("Plain", "a b", ScalarStyle::Plain),
        ];
        for (key, raw, style) in expect {
            assert_eq!(scalar(root.get(key).unwrap()), (raw, style), "{key}");
        }
        assert_eq!(root.get("Account").unwrap().as_str(), Some("012345678901"));
    }

    #[test]
    fn nulls() {
        let root = ok("a: null\nb: Null\nc: NULL\nd: ~\ne:\nf: 'null'\ng: nULL\nh: \"\"\n");
        for key in ["a", "b", "c", "d", "e"] {
            assert!(root.get(key).unwrap().is_null(), "{key}");
        }
        assert_eq!(scalar(root.get("a").unwrap()).0, "null");
        for key in ["f", "g", "h"] {
            assert!(!root.get(key).unwrap().is_null(), "{key}");
        }
        assert_eq!(
            scalar(root.get("f").unwrap()),
            ("null", ScalarStyle::Quoted)
        );
        assert_eq!(scalar(root.get("g").unwrap()), ("nULL", ScalarStyle::Plain));
    }

    #[test]
    fn spans_point_at_bytes_in_a_non_ascii_file() {
        let text = "\u{feff}# é comment\r\nDescription: 'Grüße 🎉'\nRésumé: !Sub \"naïve-${X}\"\nList:\n- ü\n- [é, 🎉]\nBlock: |\n  ß\n\nLast: ok\r\n";
        let f = file(text);
        let root = ok(text);
        let (key, value) = root.get_entry("Description").unwrap();
        assert_eq!(f.slice(key.span), "Description");
        assert_eq!(f.slice(value.span), "'Grüße 🎉'");
        let (key, value) = root.get_entry("Résumé").unwrap();
        assert_eq!(f.slice(key.span), "Résumé");
        assert_eq!(f.slice(value.span), "!Sub \"naïve-${X}\"");
        assert_eq!(f.line_col(key.span.start).line, 3);
        let list = root.get("List").unwrap();
        assert_eq!(f.slice(list.span), "- ü\n- [é, 🎉]");
        let NodeKind::Seq(items) = &list.kind else {
            panic!()
        };
        assert_eq!(f.slice(items[1].span), "[é, 🎉]");
        let NodeKind::Seq(inner) = &items[1].kind else {
            panic!()
        };
        assert_eq!(f.slice(inner[1].span), "🎉");
        assert_eq!(f.slice(root.get("Block").unwrap().span), "|\n  ß");
        let (key, value) = root.get_entry("Last").unwrap();
        assert_eq!((f.slice(key.span), f.slice(value.span)), ("Last", "ok"));
        assert_eq!(
            f.slice(root.span),
            &text[text.find("Description").unwrap()..text.len() - 2]
        );
    }

    #[test]
    fn a_lone_carriage_return_does_not_shift_spans() {
        // saphyr counts a lone `\r` as a line break; `SourceFile` does not.
        let text = "é: a\rb: c\r\nd: e\n";
        let f = file(text);
        let root = ok(text);
        for key in ["é", "b", "d"] {
            let (k, _) = root.get_entry(key).unwrap();
            assert_eq!(f.slice(k.span), key);
        }
        assert_eq!(f.slice(root.get("d").unwrap().span), "e");
    }

    #[test]
    fn collection_spans_cover_the_value() {
        let text = "\
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Props: !GetAtt
      - Queue
      - Arn
Flow: { a: [1, 2] , b: c }
Seq:
- a
- b

# trailing comment
";
        let f = file(text);
        let root = ok(text);
        assert_eq!(
            f.slice(root.get("Resources").unwrap().span),
            "Queue:\n    Type: AWS::SQS::Queue\n  Fn:\n    Props: !GetAtt\n      - Queue\n      - Arn"
        );
        let props = root
            .get("Resources")
            .unwrap()
            .get("Fn")
            .unwrap()
            .get_entry("Props")
            .unwrap()
            .1;
        assert_eq!(f.slice(props.span), "!GetAtt\n      - Queue\n      - Arn");
        assert_eq!(
            f.slice(root.get("Flow").unwrap().span),
            "{ a: [1, 2] , b: c }"
        );
        assert_eq!(
            f.slice(root.get("Flow").unwrap().get("a").unwrap().span),
            "[1, 2]"
        );
        assert_eq!(f.slice(root.get("Seq").unwrap().span), "- a\n- b");
        assert_eq!(root.span.start, 0);
        assert_eq!(f.slice(root.span).lines().last(), Some("- b"));
    }

    #[test]
    fn block_scalar_spans_run_from_header_to_last_character() {
        let text = "\
Literal: |  # the code
  line 1

  line 2

Folded: >-
  a
List:
  - |2
     indented
  - &k >
    anchored
Tagged: !Sub |
  ${X}
";
        let f = file(text);
        let root = ok(text);
        assert_eq!(
            f.slice(root.get("Literal").unwrap().span),
            "|  # the code\n  line 1\n\n  line 2"
        );
        assert_eq!(f.slice(root.get("Folded").unwrap().span), ">-\n  a");
        let items = root.get("List").unwrap().as_seq().unwrap();
        assert_eq!(f.slice(items[0].span), "|2\n     indented");
        assert_eq!(scalar(&items[0]).0, " indented\n");
        assert_eq!(f.slice(items[1].span), "&k >\n    anchored");
        assert_eq!(
            f.slice(root.get_entry("Tagged").unwrap().1.span),
            "!Sub |\n  ${X}"
        );
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = "A: 1\nB: 2\nA: 3\n";
        let e = err(text);
        assert_eq!(e.message, "duplicate key `A`");
        assert_eq!(e.help.as_deref(), Some("first defined on line 1"));
        assert_eq!(file(text).line_col(e.span.unwrap().start).line, 3);
        assert_eq!(
            located("R:\n  X: {a: 1, 'a': 2}\n"),
            "2:13: duplicate key `a`"
        );
        // The same text in another mapping is fine.
        ok("A: {x: 1}\nB: {x: 1}\n");
        // Large mappings use the hash index.
        let mut text: String = (0..500).map(|i| format!("Key{i}: v\n")).collect();
        ok(&text);
        text.push_str("Key250: again\n");
        let e = err(&text);
        assert_eq!(e.message, "duplicate key `Key250`");
        assert_eq!(e.help.as_deref(), Some("first defined on line 251"));
        assert_eq!(file(&text).line_col(e.span.unwrap().start).line, 501);
    }

    #[test]
    fn map_entries_find_keys_whatever_their_number() {
        let key = |text: &str| Key {
            text: text.into(),
            span: Span::default(),
        };
        let mut entries = MapEntries::new();
        for i in 0..100 {
            let text = format!("k{i}");
            assert!(entries.find(&text).is_none());
            entries.push(
                key(&text),
                Node::scalar("v", ScalarStyle::Plain, Span::default()),
            );
            assert_eq!(entries.find(&text).map(|k| &*k.text), Some(text.as_str()));
        }
        assert!(entries.find("k0").is_some());
        assert!(entries.find("k100").is_none());
        assert_eq!(entries.into_vec().len(), 100);
    }

    #[test]
    fn keys_must_be_untagged_scalars() {
        assert_eq!(
            located("? [a, b]\n: c\n"),
            "1:3: a mapping key must be a scalar"
        );
        assert_eq!(
            located("x: {? {a: b} : c}\n"),
            "1:7: a mapping key must be a scalar"
        );
        assert_eq!(
            located("m: &m {a: b}\nn: {*m : c}\n"),
            "2:5: a mapping key must be a scalar"
        );
        assert_eq!(
            located("!Ref a: b\n"),
            "1:1: a mapping key cannot have the tag `!Ref`"
        );
        // Core-tagged and quoted keys are ordinary strings.
        let root = ok("!!str 1: a\n'2': b\n\"3\": c\n");
        let keys: Vec<&str> = root
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| &*k.text)
            .collect();
        assert_eq!(keys, ["1", "2", "3"]);
    }

    #[test]
    fn aliases_expand_into_copies() {
        let text = "\
base: &base
  Type: String
  Default: !Ref X
name: &name Queue
copy: *base
list: [*name, *name]
*name : key from an alias
";
        let f = file(text);
        let root = ok(text);
        assert_eq!(root.get("copy").unwrap(), root.get("base").unwrap());
        assert_eq!(
            f.slice(root.get("copy").unwrap().span),
            "&base\n  Type: String\n  Default: !Ref X"
        );
        let NodeKind::Seq(items) = &root.get("list").unwrap().kind else {
            panic!()
        };
        assert_eq!(
            items.iter().map(|n| scalar(n).0).collect::<Vec<_>>(),
            ["Queue", "Queue"]
        );
        let (key, value) = root.get_entry("Queue").unwrap();
        assert_eq!(f.slice(key.span), "*name");
        assert_eq!(value.as_str(), Some("key from an alias"));
        // A reused anchor name refers to the latest node.
        let root = ok("a: &x 1\nb: &x 2\nc: *x\n");
        assert_eq!(root.get("c").unwrap().as_str(), Some("2"));
        // An alias can duplicate a key.
        assert_eq!(located("a: &k b\n*k : c\nb: d\n"), "3:1: duplicate key `b`");
    }

    #[test]
    fn aliases_find_anchored_nodes_wherever_they_went() {
        let text = "\
a:
  b:
    - x
    - &x {k: [1, &one 1]}
  c: *x
outer: &o {inner: &i [y], more: {deep: &d z}}
d: *x
use: [*i, *o, *d, *one]
";
        let root = ok(text);
        let anchored = &root.get("a").unwrap().get("b").unwrap().as_seq().unwrap()[1];
        assert_eq!(root.get("a").unwrap().get("c").unwrap(), anchored);
        assert_eq!(root.get("d").unwrap(), anchored);
        let uses = root.get("use").unwrap().as_seq().unwrap();
        let outer = root.get("outer").unwrap();
        assert_eq!(&uses[0], outer.get("inner").unwrap());
        assert_eq!(&uses[1], outer);
        assert_eq!(uses[2].as_str(), Some("z"));
        assert_eq!(uses[3].as_str(), Some("1"));
    }

    #[test]
    fn nested_anchors_are_not_copied() {
        // 150 anchors around 40,000 scalars: copying each anchored node when it ends would
        // make six million nodes.
        let mut text = String::new();
        for i in 0..150 {
            text.push_str(&format!("&a{i} ["));
        }
        text.push_str(&"x, ".repeat(40_000));
        text.push_str(&"]".repeat(150));
        text.push('\n');
        let started = Instant::now();
        let root = ok(&text);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let mut node = &root;
        for _ in 0..150 {
            node = &node.as_seq().unwrap()[0];
        }
        assert_eq!(node.as_str(), Some("x"));
    }

    #[test]
    fn bad_aliases_are_located_errors() {
        let text = "a: 1\nb: *nope\n";
        let e = err(text);
        assert_eq!(e.message, "unknown alias `*nope`");
        assert_eq!(file(text).slice(e.span.unwrap()), "*nope");
        assert_eq!(
            located("a: [*later]\nb: &later 1\n"),
            "1:5: unknown alias `*later`"
        );
        // An alias inside the node its anchor names.
        assert_eq!(
            located("a: &a [1, *a]\n"),
            "1:11: alias `*a` refers to a node that contains it"
        );
    }

    #[test]
    fn merge_keys_are_ordinary_keys() {
        let root = ok("base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n");
        let m = root.get("m").unwrap();
        assert_eq!(m.get("<<").unwrap(), root.get("base").unwrap());
        assert_eq!(m.get("y").unwrap().as_str(), Some("2"));
        assert!(m.get("x").is_none());
    }

    const BILLION_LAUGHS: &str = "\
a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
";

    #[test]
    fn billion_laughs_is_refused_quickly() {
        assert_eq!(BILLION_LAUGHS.len(), 342);
        let started = Instant::now();
        // `f` holds 597,871 nodes and expansion has used 672,588 by then; the first `*f` of `g`
        // goes over a million.
        assert_eq!(
            located(BILLION_LAUGHS),
            "7:8: alias expansion exceeds 1000000 nodes"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_alias_budget_counts_copied_bytes() {
        let limits = Limits {
            max_alias_bytes: 100,
            ..Limits::DEFAULT
        };
        let read = |text: &str| read_yaml(&file(text), limits);
        let long = "x".repeat(40);
        // Two copies of a 40-byte scalar fit, three do not; a key's text counts too.
        assert!(read(&format!("a: &a {long}\nb: [*a, *a]\n")).is_ok());
        let e = read(&format!("a: &a {long}\nb: [*a, *a, *a]\n")).unwrap_err();
        assert_eq!(
            e.message,
            "alias expansion exceeds 100 bytes of copied text"
        );
        let e = read(&format!("a: &a {{{long}: 1, y: 2}}\nb: [*a, *a, *a]\n")).unwrap_err();
        assert_eq!(
            e.message,
            "alias expansion exceeds 100 bytes of copied text"
        );
    }

    #[test]
    fn the_alias_budget_counts_every_copy() {
        let limits = Limits {
            max_alias_nodes: 10,
            ..Limits::DEFAULT
        };
        let read = |text: &str| read_yaml(&file(text), limits);
        // Five copies of a two-node sequence: exactly at the limit.
        assert!(read("a: &a [x]\nb: [*a, *a, *a, *a, *a]\n").is_ok());
        let e = read("a: &a [x]\nb: [*a, *a, *a, *a, *a, *a]\n").unwrap_err();
        assert_eq!(e.message, "alias expansion exceeds 10 nodes");
        assert_eq!(
            file("a: &a [x]\nb: [*a, *a, *a, *a, *a, *a]\n")
                .line_col(e.span.unwrap().start)
                .column,
            25
        );
    }

    #[test]
    fn nesting_is_limited() {
        let deep_flow = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep_flow(200)).is_ok());
        assert_eq!(
            located(&deep_flow(201)),
            "1:201: nesting deeper than 200 levels"
        );
        let deep_map = |n: usize| format!("{}x{}", "{a: ".repeat(n), "}".repeat(n));
        assert!(parse(&deep_map(200)).is_ok());
        assert_eq!(
            located(&deep_map(201)),
            "1:801: nesting deeper than 200 levels"
        );
        let block: String = (0..201).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert_eq!(located(&block), "201:201: nesting deeper than 200 levels");
        // Aliases cannot build what the text may not.
        let mut chain = String::from("a0: &a0 [x]\n");
        for i in 1..250 {
            chain.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        let e = located(&chain);
        assert_eq!(e, "200:14: nesting deeper than 200 levels");
    }

    #[test]
    fn pathological_nesting_fails_fast() {
        let inputs = [
            "[".repeat(100_000),
            "{".repeat(100_000),
            "- ".repeat(100_000),
            "{a: ".repeat(100_000),
            "a:\n".to_string() + &(1..100_000).map(|_| "- ").collect::<String>(),
        ];
        for text in inputs {
            let started = Instant::now();
            let e = err(&text);
            assert!(
                e.message.starts_with("nesting deeper than"),
                "{}",
                e.message
            );
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn one_document_only() {
        assert_eq!(
            located("a: 1\n---\nb: 2\n"),
            "2:1: a template must be one YAML document"
        );
        assert_eq!(
            located("a: 1\n...\nb: 2\n"),
            "3:1: a template must be one YAML document"
        );
        assert_eq!(
            located("--- a\n--- b\n"),
            "2:1: a template must be one YAML document"
        );
        assert!(ok("---\na: 1\n...\n").get("a").is_some());
        assert!(ok("%YAML 1.2\n---\na: 1\n").get("a").is_some());
    }

    #[test]
    fn empty_documents() {
        for text in [
            "",
            "\n\n",
            "# only a comment\n",
            "---\n",
            "--- # c\n...\n",
            "\u{feff}",
        ] {
            let e = err(text);
            assert_eq!(
                (e.message.as_str(), e.span),
                ("empty document", None),
                "{text:?}"
            );
        }
        // A document that is a null is not empty; the caller decides what it means.
        assert!(ok("~\n").is_null());
    }

    #[test]
    fn any_root_is_read() {
        assert!(ok("- a\n- b\n").as_seq().is_some());
        assert_eq!(ok("hello\n").as_str(), Some("hello"));
        assert_eq!(tag(&ok("!Ref X\n")), Some("Ref"));
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let text = "\u{feff}a: b\n";
        let root = ok(text);
        let (key, value) = root.get_entry("a").unwrap();
        assert_eq!(
            (file(text).slice(key.span), file(text).slice(value.span)),
            ("a", "b")
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        assert_eq!(
            located("a:\n  b: 1\n c: 2\n"),
            "3:2: while parsing a block mapping, did not find expected key"
        );
        assert_eq!(
            located("a: [1, 2\nb: 3\n"),
            "2:2: illegal placement of ':' indicator"
        );
        assert_eq!(
            located("a: \"open\n"),
            "1:4: while scanning a quoted scalar, found unexpected end of stream"
        );
        assert_eq!(
            located("a: é\t: b\n"),
            "1:6: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn a_lone_dash_in_a_flow_sequence_is_the_string_dash() {
        let text = "\
Name: !Select [0, !Split [-, !Ref AWS::StackName]]
Other: [ -, 'a -, b', x-, -]
Block: |
  keep [-, this]
";
        let f = file(text);
        let root = ok(text);
        let split = &root.get_entry("Name").unwrap().1.as_seq_tagged()[1];
        assert_eq!(split.tag.as_deref(), Some("Split"));
        let dash = &split.as_seq_tagged()[0];
        assert_eq!(
            (scalar(dash), f.slice(dash.span)),
            (("-", ScalarStyle::Plain), "-")
        );
        let other: Vec<&str> = root
            .get("Other")
            .unwrap()
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| scalar(n).0)
            .collect();
        assert_eq!(other, ["-", "a -, b", "x-", "-"]);
        assert_eq!(scalar(root.get("Block").unwrap()).0, "keep [-, this]\n");
        // The stand-in is never confused with the same character in the file.
        let e = err("a: \u{e000}\nb: [-, x]\n");
        assert_eq!(
            e.message,
            "plain scalar cannot start with '-' followed by ,[]{}"
        );
    }

    #[test]
    fn flow_lines_indented_like_their_key_are_read() {
        let text = "\
Statement:
  - Effect: Allow
    Action: [
      \"sqs:ReceiveMessage\",
      \"sqs:DeleteMessage\"
    ]
    Resource: '*'
Top: [a,
b,

c]
Map: {
  k: v
}
";
        let f = file(text);
        let root = ok(text);
        let statement = &root.get("Statement").unwrap().as_seq().unwrap()[0];
        let action = statement.get("Action").unwrap();
        let items: Vec<&str> = action
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| scalar(n).0)
            .collect();
        assert_eq!(items, ["sqs:ReceiveMessage", "sqs:DeleteMessage"]);
        assert!(f.slice(action.span).starts_with('[') && f.slice(action.span).ends_with(']'));
        assert_eq!(f.line_col(action.span.end).line, 6);
        assert_eq!(statement.get("Resource").unwrap().as_str(), Some("*"));
        let top: Vec<&str> = root
            .get("Top")
            .unwrap()
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| scalar(n).0)
            .collect();
        assert_eq!(top, ["a", "b", "c"]);
        let (key, _) = root.get_entry("Map").unwrap();
        assert_eq!(
            (f.slice(key.span), f.line_col(key.span.start).line),
            ("Map", 12)
        );
        assert_eq!(
            root.get("Map").unwrap().get("k").unwrap().as_str(),
            Some("v")
        );
        // A comment on the line before could swallow the joined line: still an error.
        assert_eq!(
            located("A: [\n  \"a\" # c\n]\n"),
            "3:1: invalid indentation"
        );
    }

    #[test]
    fn lowercase_first_keeps_acronyms() {
        assert_eq!(lowercase_first("Found a tab"), "found a tab");
        assert_eq!(lowercase_first("TAG directive"), "TAG directive");
        assert_eq!(lowercase_first("x"), "x");
        assert_eq!(lowercase_first(""), "");
    }

    #[test]
    fn shown_values_are_one_line() {
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), 61);
    }

    #[test]
    fn char_offsets_walk_both_ways() {
        let text = "aé🎉b\nüc";
        let f = file(text);
        let mut offsets = CharOffsets::new(text);
        let count = text.chars().count();
        for index in [0, 3, 1, 7, 2, 2, 8, 0, 5, count, count + 3, 4] {
            assert_eq!(
                offsets.byte_of(index),
                f.byte_of_char_index(index),
                "{index}"
            );
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let _ = parse_yaml(&SourceFile::new("p.yaml", text));
            }

            #[test]
            fn never_panics_on_ascii(text in "[ -~\t\n\r]{0,400}") {
                let _ = parse_yaml(&SourceFile::new("p.yaml", text));
            }

            #[test]
            fn never_panics_on_yamlish_text(text in "([a-c]|!Ref |!!str |&a |\\*a|\\[|\\]|\\{|\\}|, |: |- |\n|  |'|\"|#|\\||>|\u{e9}|---\n)*") {
                if let Ok(root) = parse_yaml(&SourceFile::new("p.yaml", text.clone())) {
                    // Every span lies on character boundaries inside the file.
                    let f = SourceFile::new("p.yaml", text);
                    let mut stack = vec![&root];
                    while let Some(node) = stack.pop() {
                        prop_assert!(f.text.get(node.span.start as usize..node.span.end as usize).is_some());
                        match &node.kind {
                            NodeKind::Seq(items) => stack.extend(items),
                            NodeKind::Map(entries) => {
                                for (key, value) in entries {
                                    prop_assert!(f.text.get(key.span.start as usize..key.span.end as usize).is_some());
                                    stack.push(value);
                                }
                            }
                            NodeKind::Scalar { .. } => {}
                        }
                    }
                }
            }
        }
    }
}
