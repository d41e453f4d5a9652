# One consumer per queue, in native syntax; the resources are in `main.tf.json`.
variable "consumers" {
  type = map(object({ actions = list(string) }))
  default = {
    billing = {
      actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    }
    orders = {
      actions = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"]
    }
  }
}

resource "aws_sqs_queue" "q" {
  for_each = var.consumers
  name     = each.key
}
