//! Serverless Framework: the functions of `serverless.yml` named on the compiled template.
//!
//! `serverless package` writes `.serverless/cloudformation-template-update-stack.json` beside
//! the service's `serverless.yml`. The framework derives the logical ids of a function's
//! resources from the function's key (`naming.js` of serverless/serverless,
//! <https://www.serverless.com/framework/docs/providers/aws/guide/resources>): the key is
//! normalized (`-` → `Dash`, `_` → `Underscore`, first letter uppercased: `send-mail` →
//! `SendDashmail`) and a suffix is appended. The keys are mapped forward through that
//! normalization and matched against the template's logical ids; a logical id is never parsed
//! back into a name.

use std::collections::BTreeMap;
use std::path::Path;

use super::syntax::Node;

/// The directory `serverless package` writes the compiled templates to.
pub const OUTPUT_DIR: &str = ".serverless";

/// The compiled template `serverless package` writes for an update of the stack, the one
/// whose resources are the service's functions (the `create-stack` one holds only the
/// deployment bucket).
pub const COMPILED_TEMPLATE: &str = "cloudformation-template-update-stack.json";

/// The logical id of the execution role the framework writes for every function of a service
/// from `provider.iam.role` (a function with a role of its own does not use it).
pub const SHARED_ROLE: &str = "IamRoleLambdaExecution";

/// The service files the framework reads, by name.
pub const SERVICE_FILES: [&str; 2] = ["serverless.yml", "serverless.yaml"];

/// Whether a file is a Serverless Framework service file, by its name.
pub fn is_service_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| SERVICE_FILES.contains(&n))
}

/// For a service file (`serverless.yml`), its compiled template when `serverless package` has
/// written it beside.
pub fn compiled_template(service_file: &Path) -> Option<std::path::PathBuf> {
    if !is_service_file(service_file) {
        return None;
    }
    let compiled = service_file
        .parent()?
        .join(OUTPUT_DIR)
        .join(COMPILED_TEMPLATE);
    compiled.is_file().then_some(compiled)
}

/// Suffixes the framework appends to a normalized function name for the resources it
/// derives from that function alone: the function, its versions, its log group, its event
/// source mappings (`<Fn>EventSourceMappingSQS<Queue>`) and the permissions that let a
/// service invoke it (`<Fn>LambdaPermissionApiGateway`). The default role
/// `IamRoleLambdaExecution` serves every function, so it names none.
const DERIVED_SUFFIXES: [&str; 4] = [
    "LambdaVersion",
    "LogGroup",
    "EventSourceMapping",
    "LambdaPermission",
];

/// Logical id → the `serverless.yml` key of the function it derives from, for a template
/// compiled into a `.serverless/` directory whose service file is readable beside it; empty
/// otherwise.
pub fn function_names(template_path: &Path, template: &Node) -> BTreeMap<String, String> {
    let Some(service_dir) = template_path
        .parent()
        .filter(|dir| dir.file_name().is_some_and(|n| n == OUTPUT_DIR))
        .and_then(Path::parent)
    else {
        return BTreeMap::new();
    };
    let Some(resources) = template.get("Resources").and_then(Node::as_map) else {
        return BTreeMap::new();
    };
    let functions = service_functions(service_dir);
    if functions.is_empty() {
        return BTreeMap::new();
    }
    let normalized: Vec<(String, &String)> = functions
        .iter()
        .map(|name| (normalized_function_name(name), name))
        .collect();
    resources
        .iter()
        .filter_map(|(key, _)| {
            let id = key.text.as_ref();
            // The longest normalized name that the id derives from: `hello` and `helloWorld`
            // both prefix `HelloWorldLogGroup`, which is `helloWorld`'s.
            normalized
                .iter()
                .filter(|(prefix, _)| derives_from(id, prefix))
                .max_by_key(|(prefix, _)| prefix.len())
                .map(|(_, name)| (id.to_string(), (*name).clone()))
        })
        .collect()
}

/// Whether `id` is one of the logical ids the framework derives from the function whose
/// normalized name is `prefix`.
fn derives_from(id: &str, prefix: &str) -> bool {
    let Some(rest) = id.strip_prefix(prefix) else {
        return false;
    };
    rest == "LambdaFunction" || DERIVED_SUFFIXES.iter().any(|s| rest.starts_with(s))
}

/// The framework's `getNormalizedFunctionName`: `-` → `Dash`, `_` → `Underscore`, then the
/// first letter uppercased.
pub fn normalized_function_name(name: &str) -> String {
    let replaced = name.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = replaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The keys of `functions:` in the service's `serverless.yml` (or `.yaml`); empty when the
/// file is missing, does not read, or lists its functions some other way (a `${file(…)}`).
fn service_functions(service_dir: &Path) -> Vec<String> {
    SERVICE_FILES
        .iter()
        .map(|name| service_dir.join(name))
        .find_map(|path| {
            // Read as any input is: a regular file, within the size limit.
            let source = super::load(&path).ok()?;
            super::yaml::parse_yaml(&source).ok()
        })
        .and_then(|root| {
            let functions = root.get("functions")?.as_map()?;
            Some(
                functions
                    .iter()
                    .map(|(key, _)| key.text.to_string())
                    .collect(),
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_as_the_framework_does() {
        assert_eq!(normalized_function_name("hello"), "Hello");
        assert_eq!(normalized_function_name("send-mail"), "SendDashmail");
        assert_eq!(normalized_function_name("send_mail"), "SendUnderscoremail");
        assert_eq!(normalized_function_name("processSQS"), "ProcessSQS");
        assert_eq!(normalized_function_name(""), "");
    }

    #[test]
    fn derived_ids_are_matched_forward() {
        assert!(derives_from("HelloLambdaFunction", "Hello"));
        assert!(derives_from(
            "WorkerEventSourceMappingSQSJobsQueue",
            "Worker"
        ));
        assert!(derives_from("HelloLambdaPermissionApiGateway", "Hello"));
        assert!(!derives_from("HelloWorldLambdaFunction", "Hello"));
        assert!(!derives_from("IamRoleLambdaExecution", "Hello"));
        assert!(!derives_from("HelloLambdaFunctionQualifiedArn", "Hello"));
    }
}
