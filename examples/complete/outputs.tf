output "state_machine_arn" {
  description = "The recovery state machine."
  value       = module.dms_recovery.state_machine_arn
}

output "event_rule_arns" {
  description = "The EventBridge rules (one per 15 tasks)."
  value       = module.dms_recovery.event_rule_arns
}

output "dlq_url" {
  description = "Events EventBridge could not deliver land here: alarm on its depth."
  value       = module.dms_recovery.dlq_url
}

output "lease_table_name" {
  description = "The lease table."
  value       = module.dms_recovery.lease_table_name
}

output "kms_key_arn" {
  description = "The key encrypting the topic, queue, table and logs."
  value       = module.kms_key.key_arn
}
