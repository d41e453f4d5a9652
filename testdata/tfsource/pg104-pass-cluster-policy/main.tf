# The cluster policy grants the consumer's role `kafka:DescribeClusterV2` on the cluster; the
# role's own policy grants `kafka:GetBootstrapBrokers` on `*` and the VPC actions.
resource "aws_msk_cluster" "orders" {
  cluster_name           = "orders"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 2

  broker_node_group_info {
    instance_type   = "kafka.m5.large"
    client_subnets  = ["subnet-1", "subnet-2"]
    security_groups = ["sg-kafka"]
  }
}

data "aws_iam_policy_document" "orders_cluster" {
  statement {
    sid       = "Consumer"
    actions   = ["kafka:DescribeClusterV2"]
    resources = [aws_msk_cluster.orders.arn]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.ingest.arn]
    }
  }
}

resource "aws_msk_cluster_policy" "orders" {
  cluster_arn = aws_msk_cluster.orders.arn
  policy      = data.aws_iam_policy_document.orders_cluster.json
}

resource "aws_iam_role" "ingest" {
  name = "orders-ingest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ingest_managed" {
  role       = aws_iam_role.ingest.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "ingest" {
  function_name = "orders-ingest"
  role          = aws_iam_role.ingest.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

resource "aws_iam_role_policy" "ingest_msk" {
  name = "msk"
  role = aws_iam_role.ingest.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "kafka:GetBootstrapBrokers",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
      ]
      Resource = "*"
    }]
  })
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn  = aws_msk_cluster.orders.arn
  function_name     = aws_lambda_function.ingest.arn
  topics            = ["orders"]
  starting_position = "LATEST"
}
