//! AWS facts the engine and the checks rely on, each generated from or citing its source.
//!
//! Input: embedded data files under `data/`. Output: lookups. Nothing here reads the model.

pub mod actions;
pub mod sources;
