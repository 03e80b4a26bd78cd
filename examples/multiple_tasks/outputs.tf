output "state_machine_arns" {
  description = "Recovery state machine of each task, by short name."
  value       = { for k, m in module.dms_recovery : k => m.state_machine_arn }
}

output "sns_topic_arn" {
  description = "The shared notification topic."
  value       = aws_sns_topic.shared.arn
}
