# A staging trail that was planned but never applied: no account of the organization has it.

provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudtrail" "staging" {
  name                       = "acme-staging-trail"
  s3_bucket_name             = "acme-org-cloudtrail-logs"
  enable_log_file_validation = true
}
