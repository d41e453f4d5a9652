//! Builders for the ARNs of resources whose ARN the input determines from their name.
//!
//! Formats are those of the Service Authorization Reference (spec key PS). The partition,
//! region and account are the pseudo-parameter symbols unless the reader knows them.

use super::value::{Part, Pseudo, SymStr, Symbol};

/// Where a stack is deployed, as far as the input says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    pub partition: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl Environment {
    fn part(value: &Option<String>, pseudo: Pseudo) -> SymStr {
        match value {
            Some(v) => SymStr::lit(v.clone()),
            None => SymStr::sym(Symbol::Pseudo(pseudo)),
        }
    }

    pub fn partition(&self) -> SymStr {
        Self::part(&self.partition, Pseudo::Partition)
    }

    pub fn region(&self) -> SymStr {
        Self::part(&self.region, Pseudo::Region)
    }

    pub fn account(&self) -> SymStr {
        Self::part(&self.account, Pseudo::AccountId)
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`.
    pub fn regional_arn(&self, service: &str, resource: &SymStr) -> SymStr {
        self.arn(service, &self.region(), &self.account(), resource)
    }

    /// `arn:<partition>:<service>::<account>:<resource>` (IAM).
    pub fn global_arn(&self, service: &str, resource: &SymStr) -> SymStr {
        self.arn(service, &SymStr::default(), &self.account(), resource)
    }

    /// `arn:<partition>:<service>:::<resource>` (S3 buckets).
    pub fn accountless_arn(&self, service: &str, resource: &SymStr) -> SymStr {
        self.arn(service, &SymStr::default(), &SymStr::default(), resource)
    }

    fn arn(&self, service: &str, region: &SymStr, account: &SymStr, resource: &SymStr) -> SymStr {
        let mut s = SymStr::lit("arn:");
        s.push(&self.partition());
        s.push_lit(":");
        s.push_lit(service);
        s.push_lit(":");
        s.push(region);
        s.push_lit(":");
        s.push(account);
        s.push_lit(":");
        s.push(resource);
        s.refers = None;
        s
    }

    /// Prefixes `prefix` to a name: `stream/` + name.
    pub fn with_prefix(prefix: &str, name: &SymStr) -> SymStr {
        let mut s = SymStr::lit(prefix);
        s.push(name);
        s.refers = None;
        s
    }

    pub fn queue_arn(&self, name: &SymStr) -> SymStr {
        self.regional_arn("sqs", name)
    }

    /// `https://sqs.<region>.<url-suffix>/<account>/<name>`.
    pub fn queue_url(&self, name: &SymStr) -> SymStr {
        let mut s = SymStr::lit("https://sqs.");
        s.push(&self.region());
        s.push_lit(".");
        s.push_sym(Symbol::Pseudo(Pseudo::UrlSuffix));
        s.push_lit("/");
        s.push(&self.account());
        s.push_lit("/");
        s.push(name);
        s
    }

    pub fn kinesis_stream_arn(&self, name: &SymStr) -> SymStr {
        self.regional_arn("kinesis", &Self::with_prefix("stream/", name))
    }

    pub fn dynamodb_table_arn(&self, name: &SymStr) -> SymStr {
        self.regional_arn("dynamodb", &Self::with_prefix("table/", name))
    }

    pub fn function_arn(&self, name: &SymStr) -> SymStr {
        self.regional_arn("lambda", &Self::with_prefix("function:", name))
    }

    pub fn role_arn(&self, path: Option<&str>, name: &SymStr) -> SymStr {
        let prefix = format!("role{}", path.unwrap_or("/"));
        self.global_arn("iam", &Self::with_prefix(&prefix, name))
    }

    pub fn policy_arn(&self, path: Option<&str>, name: &SymStr) -> SymStr {
        let prefix = format!("policy{}", path.unwrap_or("/"));
        self.global_arn("iam", &Self::with_prefix(&prefix, name))
    }

    pub fn topic_arn(&self, name: &SymStr) -> SymStr {
        self.regional_arn("sns", name)
    }

    pub fn bucket_arn(&self, name: &SymStr) -> SymStr {
        self.accountless_arn("s3", name)
    }

    pub fn log_group_arn(&self, name: &SymStr) -> SymStr {
        let mut r = Self::with_prefix("log-group:", name);
        r.push_lit(":*");
        self.regional_arn("logs", &r)
    }

    pub fn kms_key_arn(&self, key_id: &SymStr) -> SymStr {
        self.regional_arn("kms", &Self::with_prefix("key/", key_id))
    }

    /// `arn:…:events:…:rule/[<bus>/]<name>`; `bus` may be the bus's name or ARN (CFNLINT
    /// `AWS::Events::Rule.EventBusName`: "The name or ARN of the event bus"), and the rule ARN
    /// holds the name.
    pub fn event_rule_arn(&self, bus: Option<&SymStr>, name: &SymStr) -> SymStr {
        let mut r = SymStr::lit("rule/");
        if let Some(bus) = bus.map(bus_name) {
            if bus.as_literal() != Some("default") {
                r.push(&bus);
                r.push_lit("/");
            }
        }
        r.push(name);
        self.regional_arn("events", &r)
    }
}

/// The name in an event bus ARN (`…:event-bus/<name>`), or the value itself.
fn bus_name(bus: &SymStr) -> SymStr {
    for (i, part) in bus.parts.iter().enumerate() {
        if let Part::Lit(text) = part {
            if let Some(pos) = text.find("event-bus/") {
                let mut out = SymStr::lit(text.get(pos + "event-bus/".len()..).unwrap_or(""));
                for rest in bus.parts.get(i + 1..).unwrap_or(&[]) {
                    match rest {
                        Part::Lit(t) => out.push_lit(t),
                        Part::Sym(sym) => out.push_sym(sym.clone()),
                    }
                }
                return out;
            }
        }
    }
    bus.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbolic_queue_arn() {
        let env = Environment::default();
        let arn = env.queue_arn(&SymStr::lit("orders"));
        assert_eq!(
            arn.to_string(),
            "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"
        );
    }

    #[test]
    fn rule_arns_name_the_bus_by_name() {
        let env = Environment::default();
        let rule = SymStr::lit("nightly");
        let by_name = env.event_rule_arn(Some(&SymStr::lit("orders")), &rule);
        let mut bus_arn = SymStr::lit("arn:aws:events:eu-west-1:");
        bus_arn.push_sym(Symbol::Pseudo(Pseudo::AccountId));
        bus_arn.push_lit(":event-bus/orders");
        assert_eq!(env.event_rule_arn(Some(&bus_arn), &rule), by_name);
        assert!(by_name.to_string().ends_with(":rule/orders/nightly"));
        let default = env.event_rule_arn(Some(&SymStr::lit("default")), &rule);
        assert!(default.to_string().ends_with(":rule/nightly"));
    }

    #[test]
    fn known_environment_gives_literal_arns() {
        let env = Environment {
            partition: Some("aws".into()),
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
        };
        let arn = env.role_arn(Some("/service/"), &SymStr::lit("r"));
        assert_eq!(
            arn.as_literal(),
            Some("arn:aws:iam::123456789012:role/service/r")
        );
        assert_eq!(
            env.bucket_arn(&SymStr::lit("b")).as_literal(),
            Some("arn:aws:s3:::b")
        );
    }
}
