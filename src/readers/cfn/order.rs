//! CloudFormation's deploy order: `DependsOn` and every reference between resources.
//!
//! Input: a [`Template`] (after SAM expansion, so SAM's own `DependsOn` and references are
//! there) and its [`references`](super::references). Output: the [`DeployOrder`] CloudFormation
//! follows: a resource is created after each resource it names in `DependsOn`, and after each
//! resource a `Ref`, `Fn::GetAtt` or `Fn::Sub` in its `Properties` names (CloudFormation User
//! Guide, "DependsOn attribute": "resources that include a `Ref` or `Fn::GetAtt` … depend on the
//! referenced resource"). A reference inside an `Fn::If` branch counts whatever the condition:
//! an edge too many can only hide a race, never invent one.

use super::references::ResourceReferences;
use super::template::Template;
use crate::model::{DeployOrder, EdgeKind};

/// The order of a template's resources.
pub fn collect(template: &Template<'_>, references: &[ResourceReferences<'_>]) -> DeployOrder {
    let mut order = DeployOrder {
        known: true,
        ..DeployOrder::default()
    };
    let id = |i: usize| template.resources.get(i).map(|r| r.id);
    for (r, found) in template.resources.iter().zip(references) {
        for &(to, span) in &found.depends_on {
            if let Some(to) = id(to) {
                order.add(r.id, to, EdgeKind::DependsOn, Some(span));
            }
        }
        for reference in &found.properties {
            if let Some(to) = id(reference.to) {
                order.add(r.id, to, EdgeKind::Reference, Some(reference.name));
            }
        }
    }
    order.finish();
    order
}
