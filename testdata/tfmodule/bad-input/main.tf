variable "queue_arn" {
  type = string
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

resource "aws_lambda_function" "consumer" {
  function_name = "consumer"
  role          = aws_iam_role.consumer.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

# The queues come from a variable nobody set: the statements are unknown.
data "aws_iam_policy_document" "read" {
  statement {
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = var.queue_arn
    content {
      actions   = ["sqs:ReceiveMessage"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "read" {
  name   = "read"
  role   = aws_iam_role.consumer.id
  policy = data.aws_iam_policy_document.read.json
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = var.queue_arn
  function_name    = aws_lambda_function.consumer.arn
  depends_on       = [aws_iam_role_policy.read]
}

# A provider-defined function is not evaluated: the policy is unknown.
resource "aws_iam_role_policy" "built" {
  name = "built"
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = provider::aws::arn_build("aws", "sqs", "us-east-1", "123456789012", "q") }]
  })
}

module "missing" {
  source = "./not-here"
}
