# pg115-fail-no-delegation with the key policy in its own resource (`aws_kms_key_policy`): it
# gives the key to an administrator role only, neither naming the consumer's role nor allowing
# the account, so the role's own kms:Decrypt statement counts for nothing.

# The account the stack deploys to. A module would read it from `data "aws_caller_identity"`,
# which calls AWS STS while planning; this fixture is planned offline.
variable "account_id" {
  type    = string
  default = "123456789012"
}

resource "aws_iam_role" "key_admin" {
  name = "key-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.account_id }
      Action    = "sts:AssumeRole"
    }]
  })
}

data "aws_iam_policy_document" "orders_key" {
  statement {
    sid       = "Administration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.key_admin.arn]
    }
  }
}

resource "aws_kms_key" "orders" {
  description = "orders"
}

resource "aws_kms_key_policy" "orders" {
  key_id = aws_kms_key.orders.id
  policy = data.aws_iam_policy_document.orders_key.json
}

resource "aws_sqs_queue" "orders" {
  name              = "orders"
  kms_master_key_id = aws_kms_key.orders.id
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

resource "aws_iam_role_policy_attachment" "consumer_managed" {
  role       = aws_iam_role.consumer.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
}

resource "aws_lambda_function" "consumer" {
  function_name = "orders-consumer"
  role          = aws_iam_role.consumer.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_iam_role_policy" "consumer_decrypt" {
  name = "decrypt"
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "kms:Decrypt", Resource = aws_kms_key.orders.arn }]
  })
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.consumer.arn
}
