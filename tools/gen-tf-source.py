#!/usr/bin/env python3
"""Writes the Terraform source of the plans that `gen_scale.py tf N` generates, for the bench of
`permgate check` with a plan's `.tf` source beside it (`cargo bench --bench tfplan`).

    python3 tools/gen-tf-source.py N OUT_DIR [--gen-scale PATH] [--defect-every K]

OUT_DIR/main.tf holds, for each of the N groups, the five blocks the plan has (role, inline
policy written with `jsonencode` around the source's ARN, queue or stream, function, mapping),
with the names, actions, defects and policy references of `gen_scale.py` (imported from the shared tools folder or
--gen-scale), so that every policy the plan leaves unknown is evaluated from this source.
"""

import argparse
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load_gen_scale(path):
    spec = importlib.util.spec_from_file_location("gen_scale", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def group(gs, i, defect_every):
    n = f"{i:05d}"
    kinesis = i % 2 == 1
    defect = gs.is_defect(i, defect_every)
    if kinesis:
        src = f"aws_kinesis_stream.s_{n}"
        src_block = f'''resource "aws_kinesis_stream" "s_{n}" {{
  name             = "svc-stream-{n}"
  shard_count      = 1
  retention_period = 24
  encryption_type  = "KMS"
  kms_key_id       = "alias/aws/kinesis"
  tags             = local.tags
}}
'''
        actions = ["kinesis:GetShardIterator", "kinesis:DescribeStream",
                   "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:ListStreams"]
        if not defect:
            actions.insert(0, "kinesis:GetRecords")
        esm_extra = '  starting_position      = "LATEST"\n  parallelization_factor = 2\n'
    else:
        src = f"aws_sqs_queue.q_{n}"
        src_block = f'''resource "aws_sqs_queue" "q_{n}" {{
  name                       = "svc-queue-{n}"
  visibility_timeout_seconds = 180
  message_retention_seconds  = 345600
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  }})
  tags = local.tags
}}
'''
        actions = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
        if not defect:
            actions.insert(1, "sqs:DeleteMessage")
        esm_extra = "  scaling_config {\n    maximum_concurrency = 10\n  }\n"
    quoted = ", ".join(f'"{a}"' for a in actions)
    fn = f"svc-fn-{n}"
    return f'''resource "aws_iam_role" "r_{n}" {{
  name                = "{fn}"
  description         = "Execution role for {fn}"
  assume_role_policy  = data.aws_iam_policy_document.lambda_assume.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
  tags                = local.tags
}}

resource "aws_iam_role_policy" "p_{n}" {{
  name = "event-source"
  role = aws_iam_role.r_{n}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid      = "ReadSource"
        Effect   = "Allow"
        Action   = [{quoted}]
        Resource = {src}.arn
      }},
      {{
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:{gs.REGION}:{gs.ACCOUNT}:log-group:/aws/lambda/${{local.fn_names[{i}]}}:*"
      }},
      {{
        Sid      = "Params"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParametersByPath"]
        Resource = "arn:aws:ssm:{gs.REGION}:{gs.ACCOUNT}:parameter/${{var.stage}}/fn-{n}/*"
      }},
    ]
  }})
}}

{src_block}
resource "aws_lambda_function" "f_{n}" {{
  function_name = "{fn}"
  role          = aws_iam_role.r_{n}.arn
  handler       = "app.handler"
  runtime       = var.runtime
  memory_size   = 1024
  timeout       = 30
  architectures = ["arm64"]
  s3_bucket     = var.artifact_bucket
  s3_key        = "${{var.stage}}/fn-{n}/${{var.artifact_version}}.zip"
  environment {{
    variables = {{
      STAGE      = var.stage
      SOURCE_ARN = {src}.arn
    }}
  }}
  tracing_config {{
    mode = "Active"
  }}
  tags = local.tags
}}

resource "aws_lambda_event_source_mapping" "m_{n}" {{
  event_source_arn                   = {src}.arn
  function_name                      = aws_lambda_function.f_{n}.arn
  batch_size                         = {100 if kinesis else 10}
  maximum_batching_window_in_seconds = 5
  function_response_types            = ["ReportBatchItemFailures"]
{esm_extra}}}

'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--gen-scale", default=os.path.join(HERE, "../../shared/tools/gen_scale.py"))
    ap.add_argument("--defect-every", type=int, default=10)
    a = ap.parse_args()
    gs = load_gen_scale(a.gen_scale)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "main.tf"), "w") as f:
        f.write(('''variable "stage" {}
variable "runtime" {}
variable "artifact_bucket" {}
variable "artifact_version" {}
variable "region" {}

locals {
  tags     = { team = "svc", stage = var.stage, managed-by = "terraform" }
  fn_names = [for i in range(%d) : format("svc-fn-%%05d", i)]
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_sqs_queue" "dlq" {
  name = "svc-dlq"
}

''') % a.n)
        for i in range(a.n):
            f.write(group(gs, i, a.defect_every))


if __name__ == "__main__":
    main()
