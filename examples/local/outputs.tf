output "state_machine_arn" {
  description = "ARN of the recovery state machine."
  value       = module.dms_recovery.state_machine_arn
}

output "event_rule_names" {
  description = "Names of the EventBridge rules that match the task's events."
  value       = module.dms_recovery.event_rule_names
}

output "sns_topic_arn" {
  description = "Topic the recovery reports to."
  value       = module.dms_recovery.sns_topic_arn
}

output "lambda_function_name" {
  description = "Name of the decider Lambda function."
  value       = module.dms_recovery.lambda_function_name
}

output "lease_table_name" {
  description = "Name of the DynamoDB lease table."
  value       = module.dms_recovery.lease_table_name
}
