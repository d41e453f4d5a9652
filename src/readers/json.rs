//! Strict JSON → [`Node`](super::Node).
