# The module against a local AWS endpoint (a moto server): what `make demo` and the end-to-end
# test apply. Nothing here reaches a real AWS account: every service the module uses is pointed
# at var.endpoint and the credentials are dummies.
provider "aws" {
  region                      = var.region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    cloudwatch     = var.endpoint
    cloudwatchlogs = var.endpoint
    dynamodb       = var.endpoint
    events         = var.endpoint
    iam            = var.endpoint
    kms            = var.endpoint
    lambda         = var.endpoint
    sfn            = var.endpoint
    sns            = var.endpoint
    sqs            = var.endpoint
    sts            = var.endpoint
  }
}

module "dms_recovery" {
  source = "../.."

  name                  = var.name
  replication_task_arns = [var.replication_task_arn]

  # Short waits, so a recovery takes a few virtual minutes (the demo also runs a virtual clock).
  max_attempts            = 3
  backoff_base_seconds    = 30
  backoff_max_seconds     = 120
  stable_seconds          = 60
  poll_seconds            = 10
  recovery_budget_minutes = 30
  max_restarts_per_window = 5
  restart_window_hours    = 1
  log_retention_days      = 1

  tags = { "dms-auto-recovery-example" = "local" }
}
