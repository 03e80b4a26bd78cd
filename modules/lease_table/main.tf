# One item per watched DMS task: {task_arn (hash key), owner, expires_at (TTL), recent restarts}.
# The state machine takes and releases the lease with conditional writes; TTL only tidies up
# (its deletion is lazy, so the write condition, not TTL, decides who holds a lease).
resource "aws_dynamodb_table" "this" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "task_arn"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "task_arn"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  # Without a customer-managed key the table is still encrypted at rest with an AWS owned key.
  server_side_encryption {
    enabled     = var.kms_key_arn != null
    kms_key_arn = var.kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  tags = var.tags
}
