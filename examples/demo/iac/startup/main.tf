# Startup account (777777777777): the trail as the platform team manages it now.

provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudtrail" "main" {
  name                          = "fail-startup-trail"
  s3_bucket_name                = "fail-startup-trail-logs-777777777777"
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = "arn:aws:kms:us-east-1:777777777777:key/fail-startup-trail-key"
}
