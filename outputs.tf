output "state_machine_arn" {
  description = "ARN of the recovery state machine (start it by hand with {\"taskArn\": \"...\"})."
  value       = module.state_machine.state_machine_arn
}

output "state_machine_name" {
  description = "Name of the recovery state machine."
  value       = module.state_machine.state_machine_name
}

output "state_machine_definition" {
  description = "The deployed ASL definition (JSON)."
  value       = module.state_machine.definition
}

output "state_machine_role_arn" {
  description = "ARN of the state machine's IAM role."
  value       = module.state_machine.role_arn
}

output "sns_topic_arn" {
  description = "ARN of the notification topic (created, or existing_sns_topic_arn)."
  value       = module.notifications.topic_arn
}

output "sns_topic_policy_statements" {
  description = "With existing_sns_topic_arn: the topic policy statements (JSON list) to add to that topic so this module's rules (and CloudWatch alarms) may publish to it. null when the module created the topic and its policy."
  value       = module.notifications.topic_created ? null : module.notifications.topic_policy_statements
}

output "event_rule_arns" {
  description = "ARNs of the EventBridge rules (one per shard of up to 15 task ARNs)."
  value       = module.event_rules.rule_arns
}

output "event_rule_names" {
  description = "Names of the EventBridge rules."
  value       = module.event_rules.rule_names
}

output "lambda_function_arn" {
  description = "ARN of the decider Lambda function."
  value       = module.decider_lambda.function_arn
}

output "lambda_function_name" {
  description = "Name of the decider Lambda function."
  value       = module.decider_lambda.function_name
}

output "lease_table_name" {
  description = "Name of the DynamoDB lease table."
  value       = module.lease_table.table_name
}

output "lease_table_arn" {
  description = "ARN of the DynamoDB lease table."
  value       = module.lease_table.table_arn
}

output "dlq_arn" {
  description = "ARN of the SQS dead-letter queue of the EventBridge targets."
  value       = module.event_rules.dlq_arn
}

output "dlq_url" {
  description = "URL of the SQS dead-letter queue of the EventBridge targets."
  value       = module.event_rules.dlq_url
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topic, dead-letter queue, lease table and log groups: the module's own (created) or kms_key_arn."
  value       = local.kms_key_arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms notifying the topic (empty with create_alarms = false)."
  value       = module.monitoring.alarm_names
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null with create_dashboard = false)."
  value       = module.monitoring.dashboard_name
}
