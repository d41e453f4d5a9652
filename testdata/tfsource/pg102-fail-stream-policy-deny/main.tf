# The role may read the stream (AWSLambdaKinesisExecutionRole), but the stream's resource policy
# denies the role GetRecords: an explicit Deny in any policy wins.
resource "aws_kinesis_stream" "events" {
  name        = "events"
  shard_count = 1
}

resource "aws_kinesis_resource_policy" "events" {
  resource_arn = aws_kinesis_stream.events.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "NoReads"
      Effect    = "Deny"
      Principal = { AWS = aws_iam_role.reader.arn }
      Action    = "kinesis:GetRecords"
      Resource  = aws_kinesis_stream.events.arn
    }]
  })
}

resource "aws_iam_role" "reader" {
  name = "events-reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "reader_managed" {
  role       = aws_iam_role.reader.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole"
}

resource "aws_lambda_function" "reader" {
  function_name = "events-reader"
  role          = aws_iam_role.reader.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn  = aws_kinesis_stream.events.arn
  function_name     = aws_lambda_function.reader.arn
  starting_position = "LATEST"
}
