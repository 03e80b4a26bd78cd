# One module instance per DMS task: the smallest useful block.
provider "aws" {
  region = var.region
}

module "dms_recovery" {
  # In your own repository use a git source pinned to a release tag, e.g.
  # source = "git::https://github.com/<org>/dms-auto-recovery.git?ref=v0.1.0"
  source = "../.."

  name                  = "orders-cdc"
  replication_task_arns = [var.replication_task_arn]
  notification_emails   = var.notification_emails

  # Start with a dry run: the workflow notifies what it would do and restarts nothing.
  dry_run = true
}
