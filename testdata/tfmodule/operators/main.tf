# Operators decide how many queues and consumers there are and what the policy grants.
variable "env" {
  type    = string
  default = "prod"
}

variable "extra_consumers" {
  type    = number
  default = 2
}

variable "dead_letters" {
  type    = bool
  default = false
}

locals {
  prod = var.env == "prod"
  # Production polls the main queue and `extra_consumers` more: three queues.
  queues = local.prod && !var.dead_letters ? var.extra_consumers + 1 : 1
}

resource "aws_sqs_queue" "q" {
  count = local.queues
  name  = "orders-${count.index}"
}

resource "aws_sqs_queue" "dead_letters" {
  count = var.dead_letters ? 1 : 0
  name  = "orders-dead-letters"
}

resource "aws_iam_role" "consumer" {
  name = "orders-consumer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.consumer.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "consumer" {
  name = "read-orders"
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = var.env != "prod" ? ["sqs:ReceiveMessage"] : [
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"
      ]
      # Every queue but the last: `local.queues - 1` of them.
      Resource = [for i in range(local.queues - 1) : aws_sqs_queue.q[i].arn]
    }]
  })
}

resource "aws_lambda_function" "consumer" {
  function_name = "orders-consumer"
  role          = aws_iam_role.consumer.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
  timeout       = 2 * 15
}

resource "aws_lambda_event_source_mapping" "q" {
  count            = local.queues
  event_source_arn = aws_sqs_queue.q[count.index].arn
  function_name    = aws_lambda_function.consumer.arn
  depends_on       = [aws_iam_role_policy.consumer]
}
