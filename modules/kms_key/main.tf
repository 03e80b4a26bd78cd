locals {
  service_domain = "${var.region}.${var.dns_suffix}"
  account_root   = "arn:${var.partition}:iam::${var.account_id}:root"

  # The key policy: the account administers the key; nobody uses it directly. Principals of this
  # account (whose IAM policy allows it, e.g. the state machine role) use it only through SNS, SQS
  # and DynamoDB; the services that publish without a role (EventBridge, CloudWatch alarms) only
  # for this account's rules and alarms; CloudWatch Logs only for this module's log groups.
  key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Administration by the account (IAM policies decide who): without it the key could
        # become unmanageable. Usage (Encrypt, Decrypt, GenerateDataKey) is not included.
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action = [
          "kms:CancelKeyDeletion",
          "kms:Create*",
          "kms:Delete*",
          "kms:Describe*",
          "kms:Disable*",
          "kms:Enable*",
          "kms:Get*",
          "kms:List*",
          "kms:Put*",
          "kms:Revoke*",
          "kms:RotateKeyOnDemand",
          "kms:ScheduleKeyDeletion",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:Update*",
        ]
        Resource = "*"
      },
      {
        # The state machine publishing to the encrypted topic and writing the encrypted lease
        # table, Terraform creating them: principals of this account, only through these services.
        Sid       = "UseThroughSnsSqsDynamoDB"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action = [
          "kms:CreateGrant",
          "kms:Decrypt",
          "kms:DescribeKey",
          "kms:Encrypt",
          "kms:GenerateDataKey*",
          "kms:ReEncrypt*",
        ]
        Resource = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount" = var.account_id
            "kms:ViaService" = [
              "dynamodb.${local.service_domain}",
              "sns.${local.service_domain}",
              "sqs.${local.service_domain}",
            ]
          }
        }
      },
      {
        # DynamoDB reads the key's metadata (state, rotation) for the table it encrypts.
        Sid       = "DynamoDBDescribesKey"
        Effect    = "Allow"
        Principal = { Service = "dynamodb.amazonaws.com" }
        Action    = ["kms:Describe*", "kms:Get*", "kms:List*"]
        Resource  = "*"
      },
      {
        # EventBridge publishes the readable alert to the topic and dead letters to the queue
        # with its service principal: only for this module's rules.
        Sid       = "EventBridgeRules"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = var.account_id }
          ArnLike      = { "aws:SourceArn" = var.event_rule_arn_pattern }
        }
      },
      {
        # CloudWatch alarms of this account publish to the topic with their service principal.
        Sid       = "CloudWatchAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = var.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:${var.partition}:cloudwatch:${var.region}:${var.account_id}:alarm:*" }
        }
      },
      {
        # CloudWatch Logs (regional principal) encrypts this module's log groups only.
        Sid       = "CloudWatchLogsGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.service_domain}" }
        Action = [
          "kms:Decrypt*",
          "kms:Describe*",
          "kms:Encrypt*",
          "kms:GenerateDataKey*",
          "kms:ReEncrypt*",
        ]
        Resource = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = var.log_group_arns }
        }
      },
    ]
  })
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = local.key_policy
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias_name}"
  target_key_id = aws_kms_key.this.key_id
}
