{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
      "Resource": "${queue_arn}"
    }
  ]
}
