//! PG401: a function attached to a VPC needs its role to manage network interfaces.

use super::context::Context;
use super::esm;
use super::function::Group;
use super::needs::Need;
use super::requirements;
use crate::model::Function;

crate::declare_check! {
    /// a function attached to a VPC whose execution role cannot manage its network interfaces
    ///
    /// ## What it checks
    /// A function with `VpcConfig` (CloudFormation, SAM) or `vpc_config` (Terraform) reaches
    /// its VPC through elastic network interfaces that Lambda creates, describes and deletes
    /// with the execution role. The role must allow `ec2:CreateNetworkInterface`,
    /// `ec2:DescribeNetworkInterfaces` and `ec2:DeleteNetworkInterface`.
    /// The AWS managed policies `AWSLambdaVPCAccessExecutionRole` and
    /// `AWSLambdaENIManagementAccess` grant them; SAM attaches the first to a role it creates
    /// for a function with `VpcConfig`, but not to a role you pass in `Role`.
    ///
    /// ## Why it matters
    /// Lambda refuses to create or update the function: "The provided execution role does not
    /// have permissions to call CreateNetworkInterface on EC2". The stack fails to deploy, or
    /// rolls back on update.
    ///
    /// ## How to fix
    /// Attach `arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole` to the role,
    /// or add the statement under `fix`. `ec2:DescribeNetworkInterfaces` only accepts
    /// `Resource: "*"`.
    ///
    /// ## Example
    /// ```yaml
    /// Role:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     ManagedPolicyArns:
    ///       - arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
    /// ```
    pub static FUNCTION_VPC_ACCESS = {
        id: "PG401",
        slug: "function-vpc-access",
        severity: Error,
        sources: ["MAMIP", "SAMT", "PS"],
    }
}

pub fn needs(cx: &Context<'_>, function: &Function) -> Option<Group> {
    function.vpc.as_ref()?;
    let interfaces = esm::network_interfaces(&cx.stack.env);
    let needs = requirements::FUNCTION_VPC
        .iter()
        .map(|r| {
            let resource = match r.target {
                requirements::Target::Star => crate::model::SymStr::lit("*"),
                _ => interfaces.clone(),
            };
            Need::new(&FUNCTION_VPC_ACCESS, r.any_of, resource)
        })
        .collect();
    Some(Group {
        purpose: "reach its VPC".into(),
        needs,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_VPC_ACCESS);
    }
}
