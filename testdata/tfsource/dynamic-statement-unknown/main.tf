variable "grants" {
  description = "The actions the consumer is granted on the queue, by statement id."
  type        = map(list(string))
  default = {
    Receive = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"]
    Delete  = ["sqs:DeleteMessage"]
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

data "aws_iam_policy_document" "read_orders" {
  # The grants only once the queue exists: whether it does is known after apply.
  dynamic "statement" {
    for_each = aws_sqs_queue.orders.url != "" ? var.grants : {}
    content {
      sid       = statement.key
      actions   = statement.value
      resources = [aws_sqs_queue.orders.arn]
    }
  }

  dynamic "statement" {
    for_each = ["WriteLogs"]
    iterator = group
    content {
      sid       = group.value
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["arn:aws:logs:*:*:log-group:/aws/lambda/orders-consumer:*"]
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
