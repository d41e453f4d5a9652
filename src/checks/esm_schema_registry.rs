//! PG114: a Kafka mapping that validates records against an AWS Glue schema registry needs
//! to read the registry.

use super::esm::{self, Mapping};
use super::needs::{self, Need};
use crate::diag::RelatedRole;
use crate::model::{SymStr, Symbol};

crate::declare_check! {
    /// the execution role cannot read the AWS Glue schema registry a Kafka mapping uses
    ///
    /// ## What it checks
    /// An MSK or self-managed Kafka mapping whose `SchemaRegistryConfig.SchemaRegistryURI` is
    /// an AWS Glue registry ARN needs `glue:GetRegistry` on the registry and
    /// `glue:GetSchemaVersion` on the registry or its schemas (`schema/<registry>/*`). Confluent registries are reached with the secrets in `AccessConfigs`, which
    /// PG110 checks.
    ///
    /// ## Why it matters
    /// Records cannot be deserialized, so the mapping fails every batch.
    ///
    /// ## How to fix
    /// Add the statement under `fix` to the execution role.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [glue:GetRegistry, glue:GetSchemaVersion]
    ///   Resource:
    ///     - !Sub arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:registry/orders
    ///     - !Sub arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:schema/orders/*
    /// ```
    pub static ESM_SCHEMA_REGISTRY = {
        id: "PG114",
        slug: "esm-schema-registry",
        severity: Error,
        sources: ["L-MSK-PERM", "SAMT", "SAM-RUN", "PS"],
    }
}

/// `…:registry/<name>` → `…:schema/<name>/<any schema>`.
fn schemas_of(registry: &SymStr) -> Option<SymStr> {
    let mut out = esm::replace_resource_type(registry, ":registry/", ":schema/")?;
    out.push_lit("/");
    out.push_sym(Symbol::Unknown("the schema name".into()));
    Some(out)
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    let Some(registry) = &m.esm.schema_registry else {
        return;
    };
    if esm::arn_service(&registry.uri.value).as_deref() != Some("glue") {
        return;
    }
    let about = Some(needs::related_at(
        &m.esm.origin.id,
        registry.uri.span,
        RelatedRole::Source,
    ));
    let uri = registry.uri.value.clone();
    out.push(
        Need::new(&ESM_SCHEMA_REGISTRY, &["glue:GetRegistry"], uri.clone()).about(about.clone()),
    );
    let mut version = Need::new(&ESM_SCHEMA_REGISTRY, &["glue:GetSchemaVersion"], uri);
    if let Some(schemas) = schemas_of(&registry.uri.value) {
        version = version.or_on(schemas);
    }
    out.push(version.about(about));
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_SCHEMA_REGISTRY);
    }
}
