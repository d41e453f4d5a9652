variable "grants" {
  description = "The consumer's own statements: the actions on the queue, by statement id."
  type        = map(list(string))
  default = {
    Consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
  }
}

resource "aws_sqs_queue" "orders" {
  name = "orders"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "consumer" {
  name               = "orders-consumer"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.consumer.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# What every consumer of the queue may do, shared by the team's modules.
data "aws_iam_policy_document" "baseline" {
  dynamic "statement" {
    for_each = var.grants
    content {
      sid       = statement.key
      actions   = statement.value
      resources = [aws_sqs_queue.orders.arn]
    }
  }

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:*:log-group:/aws/lambda/orders-consumer:*"]
  }
}

data "aws_iam_policy_document" "overrides" {
  statement {
    sid       = "Consume"
    actions   = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.orders.arn]
  }
}

# The baseline, this consumer's own statements, one per grant (a statement with the sid of a
# baseline statement replaces it), then the overrides (which replace statements with their sid).
data "aws_iam_policy_document" "read_orders" {
  source_policy_documents   = [data.aws_iam_policy_document.baseline.json]
  override_policy_documents = [data.aws_iam_policy_document.overrides.json]

  dynamic "statement" {
    for_each = var.grants
    content {
      sid       = statement.key
      actions   = statement.value
      resources = [aws_sqs_queue.orders.arn]
    }
  }
}

resource "aws_iam_role_policy" "consumer" {
  name   = "read-orders"
  role   = aws_iam_role.consumer.id
  policy = data.aws_iam_policy_document.read_orders.json
}

resource "aws_lambda_function" "consumer" {
  function_name = "orders-consumer"
  role          = aws_iam_role.consumer.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.consumer.arn
}
