//! What every check reads: the stack, its input format, and each role's policies parsed once.
//!
//! Input: a lowered [`Stack`]. Output: shared, lazily built [`PolicySet`]s, so that a role
//! used by many functions, mappings and checks is parsed and indexed once per run.

use std::cell::OnceCell;

use crate::iam::eval::PolicySet;
use crate::iam::eval::resource::ResourcePolicies;
use crate::model::{InputFormat, RoleId, Stack, SymStr};

pub struct Context<'s> {
    pub stack: &'s Stack,
    pub format: InputFormat,
    role_sets: Vec<OnceCell<PolicySet>>,
    resource_policies: OnceCell<ResourcePolicies>,
    /// The stack's account, as a caller's `aws:PrincipalAccount`.
    pub account: SymStr,
}

impl<'s> Context<'s> {
    pub fn new(stack: &'s Stack, format: InputFormat) -> Context<'s> {
        Context {
            stack,
            format,
            role_sets: (0..stack.roles.len()).map(|_| OnceCell::new()).collect(),
            resource_policies: OnceCell::new(),
            account: stack.env.account(),
        }
    }

    /// The resource policies of the stack (key, queue, stream, table, secret and cluster
    /// policies), built on first use.
    pub fn resource_policies(&self) -> &ResourcePolicies {
        self.resource_policies
            .get_or_init(|| ResourcePolicies::for_stack(self.stack))
    }

    /// The identity policies and boundary of a role of the stack, built on first use.
    pub fn policies(&self, role: RoleId) -> Option<&PolicySet> {
        let role_model = self.stack.role(role)?;
        let cell = self.role_sets.get(role.0)?;
        Some(cell.get_or_init(|| PolicySet::for_role_in(role_model, self.stack)))
    }
}
