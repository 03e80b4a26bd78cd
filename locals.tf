locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  # Names AWS caps (IAM roles and Lambda functions at 64, SQS queues and state machines at 80):
  # "<name><suffix>" when it fits, else "<name cut short>-<8 hex of sha256(name)><suffix>", so
  # two long names that share a prefix still get different resource names.
  name_hash = substr(sha256(var.name), 0, 8)
  name_specs = {
    decider_function = { suffix = "-decider", cap = 64 }
    decider_role     = { suffix = "-decider", cap = 64 }
    state_machine    = { suffix = "-recovery", cap = 80 }
    sfn_role         = { suffix = "-recovery-sfn", cap = 64 }
    events_role      = { suffix = "-recovery-events", cap = 64 }
    rule_prefix      = { suffix = "-task-state", cap = 61 } # rules append "-NN" (64 in all)
    dlq              = { suffix = "-events-dlq", cap = 80 }
    lease_table      = { suffix = "-lease", cap = 255 }
    topic            = { suffix = "-notifications", cap = 256 }
  }
  names = {
    for key, spec in local.name_specs : key => (
      length(var.name) + length(spec.suffix) <= spec.cap
      ? "${var.name}${spec.suffix}"
      : "${substr(var.name, 0, spec.cap - length(spec.suffix) - 9)}-${local.name_hash}${spec.suffix}"
    )
  }

  console_domains = {
    "aws"        = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }
  console_domain = lookup(local.console_domains, local.partition, "console.aws.amazon.com")

  lambda_package_path = coalesce(var.lambda_package_path, "${path.module}/dist/lambda.zip")
  asl_template_path   = "${path.module}/asl_templates/rendered/dms_recovery.asl.json.tftpl"

  # The decider's environment (every variable optional in the handler, with the same defaults).
  # NON_RECOVERABLE_PATTERNS is left out when null, so the handler's built-in list applies.
  decider_environment = merge(
    {
      MAX_ATTEMPTS            = tostring(var.max_attempts)
      BACKOFF_BASE_SECONDS    = tostring(var.backoff_base_seconds)
      BACKOFF_MAX_SECONDS     = tostring(var.backoff_max_seconds)
      STABLE_SECONDS          = tostring(var.stable_seconds)
      POLL_SECONDS            = tostring(var.poll_seconds)
      RECOVERY_BUDGET_SECONDS = tostring(var.recovery_budget_minutes * 60)
      MAX_RESTARTS_PER_WINDOW = tostring(var.max_restarts_per_window)
      RESTART_WINDOW_SECONDS  = tostring(var.restart_window_hours * 3600)
      DRY_RUN                 = var.dry_run ? "true" : "false"
    },
    var.non_recoverable_patterns == null ? {} : {
      NON_RECOVERABLE_PATTERNS = jsonencode(var.non_recoverable_patterns)
    }
  )

  # Encryption, always with a customer-managed key: the caller's, else the module's own.
  # Conditionals, not coalesce(), for the same reason as create_sns_topic below.
  create_kms_key = var.create_kms_key != null ? var.create_kms_key : var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? module.kms_key[0].key_arn : var.kms_key_arn
  dns_suffix     = data.aws_partition.current.dns_suffix
  # Log groups the submodules create (names fixed by AWS conventions), for the key policy.
  log_group_arns = [
    for name in ["/aws/lambda/${local.names.decider_function}", "/aws/vendedlogs/states/${local.names.state_machine}"] :
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
  ]

  # A conditional, not coalesce(): with create_sns_topic set, an unknown existing_sns_topic_arn
  # does not make the topic's count unknown.
  create_sns_topic = var.create_sns_topic != null ? var.create_sns_topic : var.existing_sns_topic_arn == null

  tags = merge({ "dms-auto-recovery" = var.name }, var.tags)

  # ARNs of the watched tasks split into their parts, for the account/region/partition checks.
  task_arn_parts = [for arn in var.replication_task_arns : split(":", arn)]
}
