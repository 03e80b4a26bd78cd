output "table_name" {
  description = "Name of the lease table."
  value       = var.table_name
  depends_on  = [aws_dynamodb_table.this]
}

output "table_arn" {
  description = "ARN of the lease table (known at plan time)."
  value       = "arn:${var.partition}:dynamodb:${var.region}:${var.account_id}:table/${var.table_name}"
  depends_on  = [aws_dynamodb_table.this]
}

output "hash_key" {
  description = "Hash key attribute of a lease item (the task ARN, type S)."
  value       = aws_dynamodb_table.this.hash_key
}

output "ttl_attribute" {
  description = "TTL attribute of a lease item (epoch seconds of the lease expiry)."
  value       = "expires_at"
}
