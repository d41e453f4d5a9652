# The stream's resource policy grants the reader's role what the mapping reads with; the role's
# own policies grant nothing on Kinesis.
resource "aws_kinesis_stream" "events" {
  name        = "events"
  shard_count = 1
}

data "aws_iam_policy_document" "events_stream" {
  statement {
    sid = "Reader"
    actions = [
      "kinesis:DescribeStream",
      "kinesis:DescribeStreamSummary",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:ListShards",
    ]
    resources = [aws_kinesis_stream.events.arn]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.reader.arn]
    }
  }
}

resource "aws_kinesis_resource_policy" "events" {
  resource_arn = aws_kinesis_stream.events.arn
  policy       = data.aws_iam_policy_document.events_stream.json
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
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
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
