# A Lambda function in an existing VPC whose code is a zip in S3.
#
#   terraform init
#   terraform apply -var vpc_id=vpc-... -var s3_bucket=my-artifacts \
#     -var s3_key=app/lambda.zip -var "code_sha256=$(openssl dgst -sha256 -binary lambda.zip | base64)"
#
# A new upload under the same key is deployed when code_sha256 changes
# (source_code_hash); for a versioned bucket pass s3_object_version instead
# or as well. Against moto add -var aws_endpoint=http://127.0.0.1:PORT (the
# object must then exist in moto's S3).

terraform {
  required_providers {
    lambdavpc = {
      source  = "lambdavpc/lambdavpc"
      version = "0.1.0"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-2"
}

variable "aws_endpoint" {
  description = "One URL for every AWS API (moto), or null for real AWS."
  type        = string
  default     = null
}

variable "vpc_id" {
  type = string
}

variable "s3_bucket" {
  description = "Bucket holding the zip, in the provider's region."
  type        = string
}

variable "s3_key" {
  type = string
}

variable "s3_object_version" {
  description = "Object version for a versioned bucket, or null."
  type        = string
  default     = null
}

variable "code_sha256" {
  description = "Base64 SHA-256 of the zip; a new value deploys the code again."
  type        = string
  default     = null
}

provider "lambdavpc" {
  region                      = var.region
  skip_credentials_validation = var.aws_endpoint != null

  endpoints {
    ec2    = var.aws_endpoint
    iam    = var.aws_endpoint
    lambda = var.aws_endpoint
    sts    = var.aws_endpoint
  }
}

resource "lambdavpc_secure_function" "app" {
  function_name      = "s3-code-app"
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = ["12.25.15.0/27", "12.25.15.32/27"]
  # s3 gets a gateway endpoint on the private route table, so the function
  # can also read from S3 at run time.
  endpoint_services = ["logs", "s3"]

  runtime           = "python3.12"
  handler           = "handler.lambda_handler"
  s3_bucket         = var.s3_bucket
  s3_key            = var.s3_key
  s3_object_version = var.s3_object_version
  source_code_hash  = var.code_sha256
}

output "arn" { value = lambdavpc_secure_function.app.arn }
output "vpc_endpoint_ids" { value = lambdavpc_secure_function.app.vpc_endpoint_ids }
