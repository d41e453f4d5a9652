//! Readers: bytes of one input file → a [`Stack`].
//!
//! Input: a [`SourceFile`]. Output: the detected [`InputFormat`] and the lowered [`Stack`], or a
//! [`FileError`] with a span. CloudFormation and SAM go through the one spanned syntax tree
//! ([`syntax::Node`]); Terraform plans deserialize straight into typed structs.

pub mod cfn;
pub mod json;
pub mod syntax;
pub mod yaml;

pub use syntax::{Key, Node, NodeKind, ScalarStyle};
