locals {
  create_topic = var.create_topic
  topic_arn    = local.create_topic ? "arn:${var.partition}:sns:${var.region}:${var.account_id}:${var.topic_name}" : var.existing_topic_arn

  # Only the service principals that publish without a role of their own: EventBridge (this
  # module's rules, for the optional readable alert) and CloudWatch alarms of this account. The
  # state machine publishes with its role's IAM permission and needs no statement here.
  policy_statements = concat(
    length(var.event_rule_arns) == 0 ? [] : [{
      Sid       = "AllowEventBridgeRules"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = local.topic_arn
      Condition = {
        ArnEquals    = { "aws:SourceArn" = var.event_rule_arns }
        StringEquals = { "aws:SourceAccount" = var.account_id }
      }
    }],
    var.allow_cloudwatch_alarms ? [{
      Sid       = "AllowCloudWatchAlarms"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = local.topic_arn
      Condition = {
        ArnLike      = { "aws:SourceArn" = "arn:${var.partition}:cloudwatch:${var.region}:${var.account_id}:alarm:*" }
        StringEquals = { "aws:SourceAccount" = var.account_id }
      }
    }] : []
  )

  topic_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })
}

resource "aws_sns_topic" "this" {
  count = local.create_topic ? 1 : 0

  name = var.topic_name
  # Never the AWS-managed aws/sns key: EventBridge and CloudWatch cannot publish to a topic
  # encrypted with it. A customer-managed key must admit those services in its key policy.
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "this" {
  count = local.create_topic && length(local.policy_statements) > 0 ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = local.topic_policy
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_addresses)

  topic_arn = local.create_topic ? aws_sns_topic.this[0].arn : var.existing_topic_arn
  protocol  = "email"
  endpoint  = each.value
}
