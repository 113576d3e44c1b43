output "kms_key_arn" {
  value = aws_kms_key.trail.arn
}

output "trail_arn" {
  value = aws_cloudtrail.org.arn
}
