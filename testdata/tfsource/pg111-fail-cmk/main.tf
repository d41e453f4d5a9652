# The secret is encrypted with a customer-managed key the role cannot use.

# The account the stack deploys to. A module would read it from `data "aws_caller_identity"`,
# which calls AWS STS while planning; this fixture is planned offline.
variable "account_id" {
  type    = string
  default = "123456789012"
}

resource "aws_kms_key" "secrets" {
  description = "secrets"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIamPolicies"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_secretsmanager_secret" "creds" {
  name       = "kafka/creds"
  kms_key_id = aws_kms_key.secrets.arn
}

resource "aws_iam_role" "ingest" {
  name = "kafka-ingest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ingest_managed" {
  role       = aws_iam_role.ingest.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "ingest" {
  function_name = "kafka-ingest"
  role          = aws_iam_role.ingest.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_iam_role_policy" "ingest_secret" {
  name = "secret"
  role = aws_iam_role.ingest.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = aws_secretsmanager_secret.creds.arn
      },
    ]
  })
}

resource "aws_lambda_event_source_mapping" "orders" {
  function_name     = aws_lambda_function.ingest.arn
  topics            = ["orders"]
  starting_position = "TRIM_HORIZON"

  self_managed_event_source {
    endpoints = {
      KAFKA_BOOTSTRAP_SERVERS = "kafka.example.com:9096"
    }
  }

  source_access_configuration {
    type = "SASL_SCRAM_512_AUTH"
    uri  = aws_secretsmanager_secret.creds.arn
  }
}
