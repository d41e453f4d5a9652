//! The bundled examples say what examples/README.md says: each `template.yaml` gives the errors
//! listed there and each `fixed.yaml`, with permgate's fixes applied, gives no finding.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::path::PathBuf;

use permgate::report::FileStatus;

fn findings(path: &str) -> Vec<(String, String, String)> {
    let report = permgate::audit(&[PathBuf::from(path)]);
    assert!(
        report.files.iter().all(|f| f.status == FileStatus::Audited),
        "{path}: not audited"
    );
    let mut out: Vec<(String, String, String)> = report
        .findings()
        .map(|(_, f)| {
            (
                f.check.to_string(),
                f.severity.as_str().to_string(),
                f.resource.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expect(path: &str, wanted: &[(&str, &str, &str)]) {
    let wanted: Vec<(String, String, String)> = wanted
        .iter()
        .map(|(c, s, r)| (c.to_string(), s.to_string(), r.to_string()))
        .collect();
    assert_eq!(findings(path), wanted, "{path}");
}

#[test]
fn sqs_orders() {
    expect(
        "examples/sqs-orders/template.yaml",
        &[
            ("PG101", "error", "ProcessorOrders"),
            ("PG112", "error", "ProcessorOrders"),
        ],
    );
    expect("examples/sqs-orders/fixed.yaml", &[]);
}

#[test]
fn sam_kafka() {
    expect(
        "examples/sam-kafka/template.yaml",
        &[
            ("PG110", "error", "PaymentsConsumerPayments"),
            ("PG111", "error", "PaymentsConsumerPayments"),
        ],
    );
}

#[test]
fn vpc_destinations() {
    expect(
        "examples/vpc-destinations/template.yaml",
        &[
            ("PG401", "error", "Reports"),
            ("PG403", "error", "ReportsInvokeConfig"),
        ],
    );
    expect("examples/vpc-destinations/fixed.yaml", &[]);
}
