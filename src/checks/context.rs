//! What every check reads: the stack, its input format, and each role's policies parsed once.
//!
//! Input: a lowered [`Stack`]. Output: shared, lazily built [`PolicySet`]s, so that a role
//! used by many functions, mappings and checks is parsed and indexed once per run. A stack of
//! many roles has them built on a second thread too ([`Context::build_from_the_end`]).

use std::sync::OnceLock;

use crate::iam::eval::PolicySet;
use crate::iam::eval::resource::ResourcePolicies;
use crate::model::{InputFormat, RoleId, Stack, SymStr};

pub struct Context<'s> {
    pub stack: &'s Stack,
    pub format: InputFormat,
    role_sets: Vec<OnceLock<PolicySet>>,
    resource_policies: OnceLock<ResourcePolicies>,
    /// The stack's account, as a caller's `aws:PrincipalAccount`.
    pub account: SymStr,
}

impl<'s> Context<'s> {
    pub fn new(stack: &'s Stack, format: InputFormat) -> Context<'s> {
        Context {
            stack,
            format,
            role_sets: (0..stack.roles.len()).map(|_| OnceLock::new()).collect(),
            resource_policies: OnceLock::new(),
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

    /// Builds the roles' policy sets from the last role backwards until it meets one already
    /// built: run on a second thread while the checks, which ask for the roles from the first,
    /// run on this one, the two halves are built at once. A set is the same whichever thread
    /// builds it, and one asked for while it is being built is waited for.
    pub fn build_from_the_end(&self) {
        for (i, cell) in self.role_sets.iter().enumerate().rev() {
            if cell.get().is_some() {
                return;
            }
            self.policies(RoleId(i));
        }
    }
}
