//! Linking values to the functions and roles they name.
//!
//! A reference is linked by identity first (`Ref`/`Fn::GetAtt` of the resource, or its
//! generated-name symbol inside a longer string), then by literal name or ARN.

use crate::model::{
    FunctionId, FunctionLink, Part, RoleId, RoleLink, SymStr, Symbol, Value, ValueKind,
};

/// What the linker knows of a function.
pub struct FunctionEntry {
    pub id: String,
    pub name: SymStr,
}

/// What the linker knows of an alias or version.
pub struct QualifierEntry {
    pub id: String,
    pub function: FunctionId,
    pub qualifier: SymStr,
}

pub struct RoleEntry {
    pub id: String,
    pub name: SymStr,
}

#[derive(Default)]
pub struct Linker {
    pub functions: Vec<FunctionEntry>,
    pub qualifiers: Vec<QualifierEntry>,
    pub roles: Vec<RoleEntry>,
}

fn contains_symbol_of(s: &SymStr, resource: &str) -> bool {
    s.symbols()
        .any(|sym| matches!(sym, Symbol::PhysicalName { resource: r } if r == resource))
}

/// Whether an ARN (or a name) ends with a role's symbolic name, part for part: the same symbols,
/// and a leading literal of the name preceded by the `/` of the role path. Symbols are compared
/// as themselves, never by position alone, so that an imported ARN (one symbol) names no role
/// whose name is generated (another symbol).
fn ends_with_role_name(value: &SymStr, name: &SymStr) -> bool {
    let (v, n) = (value.parts.as_slice(), name.parts.as_slice());
    let Some(offset) = v.len().checked_sub(n.len()) else {
        return false;
    };
    let (Some(first_v), Some(first_n)) = (v.get(offset), n.first()) else {
        return false;
    };
    if v.get(offset + 1..) != n.get(1..) {
        return false;
    }
    let after_slash = || match offset.checked_sub(1).and_then(|i| v.get(i)) {
        None => true,
        Some(Part::Lit(t)) => t.ends_with('/'),
        Some(Part::Sym(_)) => false,
    };
    match (first_v, first_n) {
        (a, b) if a == b => after_slash(),
        (Part::Lit(a), Part::Lit(b)) => a
            .strip_suffix(b.as_str())
            .is_some_and(|before| before.ends_with('/')),
        _ => false,
    }
}

impl Linker {
    pub fn function(&self, value: &SymStr) -> Option<FunctionLink> {
        if let Some(r) = &value.refers {
            if let Some(i) = self.functions.iter().position(|f| f.id == r.resource) {
                return Some(FunctionLink::Local {
                    function: FunctionId(i),
                    qualifier: None,
                });
            }
            if let Some(q) = self.qualifiers.iter().find(|q| q.id == r.resource) {
                return Some(FunctionLink::Local {
                    function: q.function,
                    qualifier: Some(q.qualifier.clone()),
                });
            }
        }
        // A generated function name inside a longer string (an ARN built with `Fn::Sub`, an
        // API Gateway integration URI).
        for (i, f) in self.functions.iter().enumerate() {
            if contains_symbol_of(value, &f.id) {
                return Some(FunctionLink::Local {
                    function: FunctionId(i),
                    qualifier: qualifier_after(value, &f.name),
                });
            }
        }
        // A literal name or ARN.
        let text = value.flat_text();
        for (i, f) in self.functions.iter().enumerate() {
            let Some(name) = f.name.as_literal() else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            if text == name {
                return Some(FunctionLink::Local {
                    function: FunctionId(i),
                    qualifier: None,
                });
            }
            let needle = format!("function:{name}");
            if let Some(pos) = text.find(&needle) {
                let rest = text.get(pos + needle.len()..).unwrap_or("");
                if rest.is_empty() || rest.starts_with('/') {
                    return Some(FunctionLink::Local {
                        function: FunctionId(i),
                        qualifier: None,
                    });
                }
                if let Some(q) = rest.strip_prefix(':') {
                    let q = q.split('/').next().unwrap_or("");
                    return Some(FunctionLink::Local {
                        function: FunctionId(i),
                        qualifier: if q.is_empty() || q.contains('\u{1}') {
                            None
                        } else {
                            Some(SymStr::lit(q))
                        },
                    });
                }
            }
            // `name:qualifier` is also accepted by FunctionName.
            if let Some(q) = text.strip_prefix(name).and_then(|r| r.strip_prefix(':')) {
                if !q.contains(':') && !q.contains('\u{1}') && !q.is_empty() {
                    return Some(FunctionLink::Local {
                        function: FunctionId(i),
                        qualifier: Some(SymStr::lit(q)),
                    });
                }
            }
        }
        None
    }

    pub fn function_or_external(&self, value: &SymStr) -> FunctionLink {
        self.function(value)
            .unwrap_or_else(|| FunctionLink::External(value.clone()))
    }

    /// Links a role reference given as an ARN (`Role` of a function).
    pub fn role_from_arn_value(&self, value: &Value) -> RoleLink {
        match &value.kind {
            ValueKind::If {
                then, otherwise, ..
            } => {
                let mut links = Vec::new();
                for branch in [then, otherwise] {
                    match self.role_from_arn_value(branch) {
                        RoleLink::OneOf(inner) => links.extend(inner),
                        RoleLink::Missing(_) => {}
                        other => links.push(other),
                    }
                }
                match links.len() {
                    0 => RoleLink::Missing("no role in either branch of the condition".into()),
                    1 => links
                        .into_iter()
                        .next()
                        .unwrap_or(RoleLink::Missing(String::new())),
                    _ => RoleLink::OneOf(links),
                }
            }
            ValueKind::Str(s) => self
                .role(s)
                .map(RoleLink::Local)
                .unwrap_or_else(|| RoleLink::External(s.clone())),
            ValueKind::Unknown(reason) => {
                RoleLink::External(SymStr::sym(Symbol::Unknown(reason.clone())))
            }
            ValueKind::Null | ValueKind::NoValue => {
                RoleLink::Missing("the function has no `Role`".into())
            }
            ValueKind::List(_) | ValueKind::Map(_) => {
                RoleLink::Missing("`Role` is not a string".into())
            }
        }
    }

    /// The role a value (an ARN or a name) names.
    pub fn role(&self, value: &SymStr) -> Option<RoleId> {
        if let Some(r) = &value.refers {
            if let Some(i) = self.roles.iter().position(|x| x.id == r.resource) {
                return Some(RoleId(i));
            }
        }
        for (i, role) in self.roles.iter().enumerate() {
            if contains_symbol_of(value, &role.id) && role.name.as_literal().is_none() {
                return Some(RoleId(i));
            }
        }
        let text = value.flat_text();
        for (i, role) in self.roles.iter().enumerate() {
            let Some(name) = role.name.as_literal() else {
                // A role whose name is symbolic matches by the same symbols.
                if ends_with_role_name(value, &role.name) {
                    return Some(RoleId(i));
                }
                continue;
            };
            if name.is_empty() {
                continue;
            }
            if text == name {
                return Some(RoleId(i));
            }
            if text.contains(":role/") && text.rsplit('/').next() == Some(name) {
                return Some(RoleId(i));
            }
        }
        None
    }
}

/// The qualifier after a function's name in an ARN (`…:function:<name>:<qualifier>`).
fn qualifier_after(value: &SymStr, name: &SymStr) -> Option<SymStr> {
    let parts = &value.parts;
    let start = parts
        .windows(name.parts.len().max(1))
        .position(|w| w == name.parts.as_slice())?;
    let rest = parts.get(start + name.parts.len()..)?;
    match rest.first() {
        Some(Part::Lit(t)) => {
            let q = t.strip_prefix(':')?;
            let q = q.split('/').next().unwrap_or("");
            if q.is_empty() {
                match rest.get(1) {
                    Some(Part::Sym(s)) if t == ":" => Some(SymStr::sym(s.clone())),
                    _ => None,
                }
            } else {
                Some(SymStr::lit(q))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::ends_with_role_name;
    use crate::model::{Pseudo, SymStr, Symbol};

    fn sub(parts: &[Result<&str, Symbol>]) -> SymStr {
        let mut s = SymStr::default();
        for p in parts {
            match p {
                Ok(text) => s.push_lit(text),
                Err(sym) => s.push_sym(sym.clone()),
            }
        }
        s
    }

    #[test]
    fn a_role_arn_names_the_role_with_the_same_symbols() {
        let stack = || Err(Symbol::Pseudo(Pseudo::StackName));
        let account = || Err(Symbol::Pseudo(Pseudo::AccountId));
        let name = sub(&[stack(), Ok("-role")]);
        let arn = sub(&[
            Ok("arn:aws:iam::"),
            account(),
            Ok(":role/"),
            stack(),
            Ok("-role"),
        ]);
        assert!(ends_with_role_name(&arn, &name));
        let name = sub(&[Ok("app-"), stack()]);
        let arn = sub(&[Ok("arn:aws:iam::"), account(), Ok(":role/app-"), stack()]);
        assert!(ends_with_role_name(&arn, &name));
        let other = sub(&[Ok("arn:aws:iam::"), account(), Ok(":role/myapp-"), stack()]);
        assert!(!ends_with_role_name(&other, &name));
    }

    #[test]
    fn an_imported_arn_names_no_generated_role() {
        let generated = SymStr::sym(Symbol::PhysicalName {
            resource: "OtherRole".into(),
        });
        let imported = SymStr::sym(Symbol::Import("shared-role".into()));
        assert!(!ends_with_role_name(&imported, &generated));
        assert!(ends_with_role_name(&generated, &generated));
    }
}
