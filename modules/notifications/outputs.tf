output "topic_arn" {
  description = "ARN of the notification topic, created or existing (known at plan time)."
  value       = local.topic_arn
  depends_on  = [aws_sns_topic.this]
}

output "topic_created" {
  description = "Whether this module created the topic."
  value       = local.create_topic
}

output "topic_policy" {
  description = "The topic policy (JSON) this module applies to a topic it creates."
  value       = local.topic_policy
}

output "topic_policy_statements" {
  description = "Topic policy statements (JSON list) to add to an existing topic's policy so EventBridge and CloudWatch alarms may publish to it."
  value       = jsonencode(local.policy_statements)
}

output "subscription_arns" {
  description = "ARNs of the e-mail subscriptions, by address (pending until confirmed)."
  value       = { for k, s in aws_sns_topic_subscription.email : k => s.arn }
}
