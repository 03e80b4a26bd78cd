output "rule_arns" {
  description = "ARNs of the rules (one per shard of task ARNs; known at plan time)."
  value       = local.rule_arns
  depends_on  = [aws_cloudwatch_event_rule.this]
}

output "rule_names" {
  description = "Names of the rules."
  value       = local.rule_names
  depends_on  = [aws_cloudwatch_event_rule.this]
}

output "event_patterns" {
  description = "Event pattern (JSON) of each rule, in rule order."
  value       = local.patterns
}

output "role_arn" {
  description = "ARN of the role EventBridge uses to start executions."
  value       = aws_iam_role.this.arn
}

output "role_policies" {
  description = "Inline policies of the EventBridge role, by name (JSON documents)."
  value       = { "start-execution" = local.start_execution_policy }
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue (known at plan time)."
  value       = local.dlq_arn
  depends_on  = [aws_sqs_queue.dlq]
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.url
}

output "alert_input_template" {
  description = "Input template of the readable alert target."
  value       = local.alert_input_template
}
