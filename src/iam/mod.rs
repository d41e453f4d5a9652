//! The IAM engine: what a role's policies allow.
pub mod wildcard;
