output "function_arn" {
  description = "ARN of the decider function (unqualified; known at plan time)."
  value       = local.function_arn
  depends_on  = [aws_lambda_function.this]
}

output "function_name" {
  description = "Name of the decider function."
  value       = var.function_name
  depends_on  = [aws_lambda_function.this]
}

output "role_arn" {
  description = "ARN of the decider's execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the decider's execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the decider's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "role_policies" {
  description = "Inline policies of the execution role, by name (JSON documents)."
  value       = { logs = local.logs_policy }
}
