//! The IAM engine: what a role's policies allow.
pub mod access;
pub mod condition;
pub mod eval;
pub mod managed;
pub mod policy;
#[cfg(test)]
pub(crate) mod testing;
pub mod trust;
pub mod wildcard;
