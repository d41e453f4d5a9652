//! permgate: audits AWS Lambda permissions in CloudFormation, SAM and Terraform plans.
//!
//! The pipeline, one direction: paths → `discover` → `source::SourceFile` → `readers` →
//! `model::Stack` → `iam` → `checks` → `diag::Finding` → `report`.

pub mod checks;
pub mod diag;
pub mod model;
pub mod readers;
pub mod report;
pub mod source;
