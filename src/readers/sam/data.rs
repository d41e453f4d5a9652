//! The SAM translator's data files, embedded (source SAMT, `data/sam/README.md`).
//!
//! Input: nothing. Output: the policy templates, the connector profiles and the `aws`
//! partition's managed policy name map, each parsed once on first use. The files are part of
//! the binary and are checked by the tests below, so parsing cannot fail at run time; if it
//! ever did, the accessors return empty data rather than panic.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

static POLICY_TEMPLATES: &str = include_str!("../../../data/sam/policy_templates.json");
static CONNECTOR_PROFILES: &str = include_str!("../../../data/sam/profiles.json");
static MANAGED_POLICIES: &str = include_str!("../../../data/sam/aws_managed_policies.json");

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// `Templates` of `policy_templates.json`: name → `{Description, Parameters, Definition}`.
pub fn policy_templates() -> &'static serde_json::Map<String, Value> {
    static CELL: OnceLock<serde_json::Map<String, Value>> = OnceLock::new();
    CELL.get_or_init(|| match parse(POLICY_TEMPLATES) {
        Value::Object(mut root) => match root.remove("Templates") {
            Some(Value::Object(t)) => t,
            _ => serde_json::Map::new(),
        },
        _ => serde_json::Map::new(),
    })
}

/// The connector profiles: `Permissions` (source type → destination type → profile) and
/// `CfnResourceProperties`.
pub fn connector_profiles() -> &'static Value {
    static CELL: OnceLock<Value> = OnceLock::new();
    CELL.get_or_init(|| parse(CONNECTOR_PROFILES))
}

/// The ARN of an AWS managed policy by name (`AWSLambdaExecute` →
/// `arn:aws:iam::aws:policy/AWSLambdaExecute`), from SAMT's bundled map.
pub fn managed_policy_arn(name: &str) -> Option<&'static str> {
    static CELL: OnceLock<HashMap<String, String>> = OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str(MANAGED_POLICIES).unwrap_or_default())
        .get(name)
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        let templates = policy_templates();
        assert_eq!(templates.len(), 81);
        assert!(templates["SQSPollerPolicy"]["Definition"]["Statement"].is_array());
        assert!(
            connector_profiles()["Permissions"]["AWS::SQS::Queue"]["AWS::Lambda::Function"]
                .is_object()
        );
        assert_eq!(
            managed_policy_arn("AWSLambdaExecute"),
            Some("arn:aws:iam::aws:policy/AWSLambdaExecute")
        );
        assert_eq!(
            managed_policy_arn("AWSLambdaSQSQueueExecutionRole"),
            Some("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
        );
        assert_eq!(managed_policy_arn("NoSuchPolicy"), None);
    }
}
