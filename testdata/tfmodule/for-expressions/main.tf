provider "aws" {
  region = "us-east-1"
}

variable "read_only" {
  type    = bool
  default = false
}

variable "archive_arns" {
  type = list(string)
}

locals {
  queues = {
    orders  = { consumed = true }
    refunds = { consumed = true }
    audit   = { consumed = false }
  }
  queue_names = { for key, queue in local.queues : key => "${key}-queue" }
  consumed    = { for key, queue in local.queues : key => queue if queue.consumed }
  actions = var.read_only ? ["sqs:GetQueueAttributes"] : [
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
  ]
}

resource "aws_sqs_queue" "q" {
  for_each = local.queue_names
  name     = each.value
}

resource "aws_iam_role" "consumer" {
  name = "consumer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "consumer" {
  name = "read-queues"
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = local.actions
      Resource = [for key, name in local.queue_names : "arn:aws:sqs:*:*:${name}" if local.queues[key].consumed]
    }]
  })
}

resource "aws_lambda_function" "consumer" {
  function_name = "consumer"
  role          = aws_iam_role.consumer.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

# One mapping per consumed queue: each is granted by the policy above.
resource "aws_lambda_event_source_mapping" "consumed" {
  for_each         = local.consumed
  event_source_arn = aws_sqs_queue.q[each.key].arn
  function_name    = aws_lambda_function.consumer.arn
  depends_on       = [aws_iam_role_policy.consumer]
}

# The `if` above leaves the audit queue out of the policy: this mapping is not granted.
resource "aws_lambda_event_source_mapping" "audit" {
  event_source_arn = aws_sqs_queue.q["audit"].arn
  function_name    = aws_lambda_function.consumer.arn
  depends_on       = [aws_iam_role_policy.consumer]
}

resource "aws_iam_role" "archiver" {
  name = "archiver"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# A `for` over a variable without a value: which queues it grants is not known.
resource "aws_iam_role_policy" "archiver" {
  name = "read-archive"
  role = aws_iam_role.archiver.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = [for arn in var.archive_arns : arn]
    }]
  })
}

resource "aws_lambda_function" "archiver" {
  function_name = "archiver"
  role          = aws_iam_role.archiver.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_lambda_event_source_mapping" "archive" {
  event_source_arn = aws_sqs_queue.q["audit"].arn
  function_name    = aws_lambda_function.archiver.arn
  depends_on       = [aws_iam_role_policy.archiver]
}
