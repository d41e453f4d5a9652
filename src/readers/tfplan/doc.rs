//! The parts of `terraform show -json` output that permgate reads, as borrowed serde structs.
//!
//! Input: the file's text. Output: a [`Document`] that borrows every string it can from that text
//! and keeps the values of each resource as an unparsed [`RawValue`], so that resources of types
//! permgate does not audit cost no allocation. Sections it never reads (`sensitive_values`,
//! `before`, `relevant_attributes`, `output_changes`, ...) are skipped by serde without being
//! built. Field names follow TF-JSON (`website/docs/internals/json-format.mdx`), spec §8.1.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// The top level of a plan (`terraform show -json plan.out`) or of a state
/// (`terraform show -json` without a plan: only `values`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Document<'a> {
    #[serde(borrow)]
    pub format_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub terraform_version: Option<Cow<'a, str>>,
    /// Root module input variables and their values.
    #[serde(borrow)]
    pub variables: Option<HashMap<Cow<'a, str>, Variable<'a>>>,
    #[serde(borrow)]
    pub planned_values: Option<StateValues<'a>>,
    #[serde(borrow)]
    pub resource_changes: Option<Vec<ResourceChange<'a>>>,
    #[serde(borrow)]
    pub prior_state: Option<PriorState<'a>>,
    #[serde(borrow)]
    pub configuration: Option<Configuration<'a>>,
    /// State output: the resources as they are.
    #[serde(borrow)]
    pub values: Option<StateValues<'a>>,
    pub errored: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Variable<'a> {
    #[serde(borrow)]
    pub value: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PriorState<'a> {
    #[serde(borrow)]
    pub values: Option<StateValues<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StateValues<'a> {
    #[serde(borrow)]
    pub root_module: Option<ModuleValues<'a>>,
}

/// `root_module` or one of `child_modules` (which carry their instance `address`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ModuleValues<'a> {
    #[serde(borrow)]
    pub address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub resources: Option<Vec<ResourceValues<'a>>>,
    #[serde(borrow)]
    pub child_modules: Option<Vec<ModuleValues<'a>>>,
}

#[derive(Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Managed,
    Data,
    #[serde(other)]
    Other,
}

/// One resource instance with its (known) attribute values. Its type and name are read from
/// its address when needed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResourceValues<'a> {
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    pub mode: Mode,
    /// The count index (a number) or for_each key (a string); absent without either.
    #[serde(borrow)]
    pub index: Option<&'a RawValue>,
    #[serde(borrow)]
    pub values: Option<&'a RawValue>,
}

/// The planned actions of a change, as a set (`["delete", "create"]` for a replacement).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Actions(u8);

impl Actions {
    const DELETE: u8 = 1;
    const OTHER: u8 = 2;
    const CREATE: u8 = 4;
    const UPDATE: u8 = 8;

    /// Exactly `["delete"]`: the object will not exist after apply.
    pub fn delete_only(self) -> bool {
        self.0 == Self::DELETE
    }

    /// `create` among the actions (a new object, or a replacement).
    pub fn creates(self) -> bool {
        self.0 & Self::CREATE != 0
    }

    /// `update` among the actions: the object exists and is changed in place.
    pub fn updates(self) -> bool {
        self.0 & Self::UPDATE != 0
    }
}

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ActionsVisitor;
        impl<'de> serde::de::Visitor<'de> for ActionsVisitor {
            type Value = Actions;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of actions")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Actions, A::Error> {
                let mut bits = 0;
                while let Some(a) = seq.next_element::<crate::readers::tfplan::expr::Text<'de>>()? {
                    bits |= match &*a.0 {
                        "delete" => Actions::DELETE,
                        "create" => Actions::OTHER | Actions::CREATE,
                        "update" => Actions::OTHER | Actions::UPDATE,
                        _ => Actions::OTHER,
                    };
                }
                Ok(Actions(bits))
            }
        }
        d.deserialize_seq(ActionsVisitor)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResourceChange<'a> {
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    /// Set for a deposed object (the old half of a create-before-destroy replacement).
    pub deposed: Option<IgnoredAny>,
    #[serde(borrow)]
    pub change: Change<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Change<'a> {
    pub actions: Actions,
    /// Mirrors `after` with `true` at every value only known after apply.
    #[serde(borrow)]
    pub after_unknown: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Configuration<'a> {
    #[serde(borrow)]
    pub provider_config: Option<HashMap<Cow<'a, str>, ProviderConfig<'a>>>,
    #[serde(borrow)]
    pub root_module: Option<ConfigModule<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProviderConfig<'a> {
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub module_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub expressions: Option<&'a RawValue>,
}

/// A module's configuration: unexpanded resource blocks, module calls, outputs.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfigModule<'a> {
    #[serde(borrow)]
    pub resources: Option<Vec<ConfigResource<'a>>>,
    #[serde(borrow)]
    pub module_calls: Option<HashMap<Cow<'a, str>, ModuleCall<'a>>>,
    #[serde(borrow)]
    pub outputs: Option<HashMap<Cow<'a, str>, ConfigOutput<'a>>>,
    #[serde(borrow)]
    pub variables: Option<HashMap<Cow<'a, str>, ConfigVariable<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfigVariable<'a> {
    #[serde(borrow)]
    pub default: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfigResource<'a> {
    /// `aws_x.y` or `data.aws_x.y`, within its module.
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    #[serde(borrow)]
    pub provider_config_key: Option<Cow<'a, str>>,
    /// Block-expressions representation, decoded only for audited types.
    #[serde(borrow)]
    pub expressions: Option<&'a RawValue>,
    /// Their references order the deploy too (read by `order`).
    #[serde(borrow)]
    pub count_expression: Option<&'a RawValue>,
    #[serde(borrow)]
    pub for_each_expression: Option<&'a RawValue>,
    /// `depends_on`, as written (`aws_iam_role_policy.orders`, `module.iam`).
    #[serde(borrow)]
    pub depends_on: Option<Vec<Cow<'a, str>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ModuleCall<'a> {
    /// The expressions of the call's input variables.
    #[serde(borrow)]
    pub expressions: Option<&'a RawValue>,
    #[serde(borrow)]
    pub count_expression: Option<&'a RawValue>,
    #[serde(borrow)]
    pub for_each_expression: Option<&'a RawValue>,
    /// `depends_on` of the call: every resource of the module waits for these.
    #[serde(borrow)]
    pub depends_on: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    pub module: Option<ConfigModule<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfigOutput<'a> {
    #[serde(borrow)]
    pub expression: Option<&'a RawValue>,
}
