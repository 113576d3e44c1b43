# Payments account (333333333333): a local trail set up by hand years ago, imported as is.

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "team" {
  type    = string
  default = "payments"
}

locals {
  trail_name  = "fail-${var.team}-local-trail"
  bucket_name = "fail-${var.team}-trail-logs"
}

resource "aws_cloudtrail" "local" {
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.trail_logs.id
  is_multi_region_trail         = false
  include_global_service_events = false
  enable_log_file_validation    = false
}

resource "aws_s3_bucket" "trail_logs" {
  bucket = local.bucket_name
}

resource "aws_s3_bucket_versioning" "trail_logs" {
  bucket = aws_s3_bucket.trail_logs.id

  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_acl" "trail_logs" {
  bucket = aws_s3_bucket.trail_logs.id
  acl    = "public-read"
}

resource "aws_s3_bucket_lifecycle_configuration" "trail_logs" {
  bucket = aws_s3_bucket.trail_logs.id

  rule {
    id     = "expire-old-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = 30
    }
  }
}

resource "aws_s3_bucket_policy" "trail_logs" {
  bucket = aws_s3_bucket.trail_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AWSCloudTrailWrite"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.trail_logs.arn}/AWSLogs/*"
      },
      {
        Sid       = "LegacyReadAccess"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:DeleteObject"]
        Resource  = "${aws_s3_bucket.trail_logs.arn}/*"
      },
    ]
  })
}
