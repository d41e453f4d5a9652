//! YAML → [`Node`](super::Node).
