output "key_arn" {
  description = "ARN of the key (known after apply)."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the key."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Name of the key's alias (alias/<alias_name>)."
  value       = aws_kms_alias.this.name
}

output "key_policy" {
  description = "The key policy (JSON)."
  value       = local.key_policy
}
