terraform {
  # 1.3: optional() object attributes. Nothing newer is used by the module itself; the native
  # tests (tests/*.tftest.hcl) need Terraform >= 1.11 for mock_provider and override_during.
  required_version = ">= 1.3"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30, < 7.0"
    }
  }
}
