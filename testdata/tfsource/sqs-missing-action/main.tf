variable "account_id" {
  type    = string
  default = "123456789012"
}

resource "aws_sqs_queue" "orders" {
  name = "orders"
}

module "consumer" {
  source    = "./modules/consumer"
  queue_arn = "arn:aws:sqs:us-east-1:${var.account_id}:orders"
}
