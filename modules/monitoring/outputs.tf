output "alarm_arns" {
  description = "ARNs of the alarms (empty without create_alarms; known at plan time)."
  value       = local.alarm_arns
}

output "alarm_names" {
  description = "Names of the alarms (empty without create_alarms)."
  value       = var.create_alarms ? local.alarm_names : []
}

output "dashboard_name" {
  description = "Name of the dashboard (null without create_dashboard)."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}
