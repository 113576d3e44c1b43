# Management account (111111111111): the organization trail and CloudTrail Lake.

provider "aws" {
  region = "us-east-1"
}

module "org_trail" {
  source = "../modules/org-trail"

  trail_name     = "acme-org-trail"
  bucket_name    = "acme-org-cloudtrail-logs"
  log_group_name = "aws-cloudtrail-logs-acme-org"
  kms_alias      = "alias/acme-org-trail"
  alarm_topic    = "acme-security-alerts"
}

resource "aws_cloudtrail_event_data_store" "org" {
  name                           = "pass-org-event-store"
  multi_region_enabled           = true
  organization_enabled           = true
  retention_period               = 2557
  termination_protection_enabled = true
  kms_key_id                     = module.org_trail.kms_key_arn
}
