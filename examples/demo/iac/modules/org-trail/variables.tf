variable "trail_name" {
  type = string
}

variable "bucket_name" {
  type = string
}

variable "log_group_name" {
  type = string
}

variable "kms_alias" {
  type    = string
  default = "alias/cloudtrail"
}

variable "alarm_topic" {
  type = string
}

variable "retention_days" {
  type    = number
  default = 400
}
