output "state_machine_arn" {
  description = "Start an execution with {\"taskArn\": \"...\"} to try the recovery by hand."
  value       = module.dms_recovery.state_machine_arn
}

output "sns_topic_arn" {
  description = "Topic the recovery reports to."
  value       = module.dms_recovery.sns_topic_arn
}
