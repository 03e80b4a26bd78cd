locals {
  function_arn   = "arn:${var.partition}:lambda:${var.region}:${var.account_id}:function:${var.function_name}"
  log_group_name = "/aws/lambda/${var.function_name}"
  log_group_arn  = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${local.log_group_name}"

  # Only Lambda on behalf of this account (confused-deputy guard). aws:SourceArn is left out:
  # the role is created before the function, and it can do nothing but write the function's logs.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssume"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.account_id }
      }
    }]
  })

  # The decider is a pure function: no AWS calls, so the role grants nothing but its own logs.
  # The log group is created here, so logs:CreateLogGroup is not needed either.
  logs_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "OwnLogStreams"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${local.log_group_arn}:*"]
    }]
  })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.iam_path
  permissions_boundary = var.permissions_boundary
  assume_role_policy   = local.assume_role_policy
  description          = "DMS auto-recovery decider ${var.function_name}: writes its own logs only"
  tags                 = var.tags
}

resource "aws_iam_role_policy" "logs" {
  name   = "logs"
  role   = aws_iam_role.this.id
  policy = local.logs_policy
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:A DLQ only catches asynchronous invocations; Step Functions invokes the decider synchronously and its Catch notifies "the decider failed".
  #checkov:skip=CKV_AWS_117:The decider makes no network calls (a pure function over its input); a VPC would add ENIs and cold starts and protect nothing.
  #checkov:skip=CKV_AWS_115:Reserved concurrency would take capacity from the account and throttle recoveries; only this state machine invokes it, at most one execution per watched task (100 at most).
  #checkov:skip=CKV_AWS_272:The package is built deterministically from this repository's reviewed source and pinned by source_code_hash; code signing needs a signing profile the platform owns.
  #checkov:skip=CKV_AWS_173:The environment holds only recovery settings (waits, limits), no secrets; Lambda encrypts it at rest with its own key.
  #checkov:skip=CKV_AWS_50:The decider calls nothing downstream; the state machine's X-Ray tracing (tracing_enabled) already times each invocation.
  function_name    = var.function_name
  description      = "DMS auto-recovery decider: pure recovery policy, makes no AWS calls"
  role             = aws_iam_role.this.arn
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = "dms_recovery.handler.lambda_handler"
  runtime          = "python3.12"
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout_seconds

  environment {
    variables = var.environment_variables
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.logs]
}
