# The table's stream policy grants the projector's role the stream actions; the role's own
# policy grants only `dynamodb:ListStreams`, which takes `*`.
resource "aws_dynamodb_table" "orders" {
  name             = "orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "id"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_dynamodb_resource_policy" "orders_stream" {
  resource_arn = aws_dynamodb_table.orders.stream_arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Projector"
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.projector.arn }
      Action    = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
      Resource  = "*"
    }]
  })
}

resource "aws_iam_role" "projector" {
  name = "orders-projector"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "projector_managed" {
  role       = aws_iam_role.projector.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "projector" {
  function_name = "orders-projector"
  role          = aws_iam_role.projector.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_iam_role_policy" "projector_list" {
  name = "list"
  role = aws_iam_role.projector.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:ListStreams", Resource = "*" }]
  })
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn  = aws_dynamodb_table.orders.stream_arn
  function_name     = aws_lambda_function.projector.arn
  starting_position = "LATEST"
}
