//! AWS facts.
