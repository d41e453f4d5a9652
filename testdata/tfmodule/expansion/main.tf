provider "aws" {
  region = "us-east-1"
}

locals {
  queues  = ["billing", "audit"]
  granted = ["billing"]
}

resource "aws_sqs_queue" "q" {
  for_each = toset(local.queues)
  name     = each.key
}

resource "aws_sqs_queue" "c" {
  count = 2
  name  = "c-${count.index}"
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
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = [format("arn:aws:sqs:*:*:%s", local.granted[0]), "arn:aws:sqs:*:*:c-*"]
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

resource "aws_lambda_event_source_mapping" "each" {
  for_each         = toset(local.queues)
  event_source_arn = aws_sqs_queue.q[each.key].arn
  function_name    = aws_lambda_function.consumer.arn
  depends_on       = [aws_iam_role_policy.consumer]
}

resource "aws_lambda_event_source_mapping" "count" {
  count            = 2
  event_source_arn = aws_sqs_queue.c[count.index].arn
  function_name    = aws_lambda_function.consumer.arn
  depends_on       = [aws_iam_role_policy.consumer]
}

resource "aws_sqs_queue" "unknown" {
  count = length(local.queues)
  name  = "unknown-${count.index}"
}
