output "state_machine_arn" {
  description = "ARN of the recovery state machine (known at plan time)."
  value       = local.state_machine_arn
  depends_on  = [aws_sfn_state_machine.this]
}

output "state_machine_name" {
  description = "Name of the recovery state machine."
  value       = var.name
  depends_on  = [aws_sfn_state_machine.this]
}

output "definition" {
  description = "The deployed ASL definition (the rendered template with its placeholders filled)."
  value       = local.definition
}

output "role_arn" {
  description = "ARN of the state machine's IAM role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the state machine's IAM role."
  value       = aws_iam_role.this.name
}

output "role_policies" {
  description = "Inline policies of the state machine role, by name (JSON documents)."
  value       = local.policies
}

output "role_policies_size" {
  description = "Total characters of the role's inline policies (IAM's limit is 10,240)."
  value       = local.policies_size
}

output "log_group_name" {
  description = "Name of the state machine's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}
