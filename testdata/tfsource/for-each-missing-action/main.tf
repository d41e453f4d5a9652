# One consumer per queue; what each consumer may do comes from the map it is made from.
variable "consumers" {
  type = map(object({ actions = list(string) }))
  default = {
    orders = {
      actions = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"]
    }
  }
}

resource "aws_sqs_queue" "q" {
  for_each = var.consumers
  name     = each.key
}

resource "aws_iam_role" "consumer" {
  for_each = var.consumers
  name     = "${each.key}-consumer"
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
  for_each   = var.consumers
  role       = aws_iam_role.consumer[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "consumer" {
  for_each = var.consumers
  name     = "read-${each.key}"
  role     = aws_iam_role.consumer[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = each.value.actions
      Resource = aws_sqs_queue.q[each.key].arn
    }]
  })
}

resource "aws_lambda_function" "consumer" {
  for_each      = var.consumers
  function_name = "${each.key}-consumer"
  role          = aws_iam_role.consumer[each.key].arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_lambda_event_source_mapping" "q" {
  for_each         = var.consumers
  event_source_arn = aws_sqs_queue.q[each.key].arn
  function_name    = aws_lambda_function.consumer[each.key].arn
}
