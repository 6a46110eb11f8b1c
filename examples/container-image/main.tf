# A Lambda function in an existing VPC running a container image from ECR.
#
#   terraform init
#   terraform apply -var vpc_id=vpc-... \
#     -var image_uri=123456789012.dkr.ecr.us-east-2.amazonaws.com/app:1.4.2
#
# Lambda pulls the image when the function is created or its image changes
# (not at invocation), so the function needs no ECR endpoint for that; the
# endpoints below are for what the code calls. Pin a tag or a digest
# (…/app@sha256:…): a new value of image_uri deploys the new image.
# Against moto add -var aws_endpoint=http://127.0.0.1:PORT.

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

variable "image_uri" {
  description = "ECR image of the function, by tag or digest."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-2.amazonaws.com/app:1"
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
  function_name      = "image-app"
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = ["12.25.15.0/27", "12.25.15.32/27"]
  endpoint_services  = ["logs", "secretsmanager"]

  # No runtime or handler: the image defines them.
  package_type  = "Image"
  image_uri     = var.image_uri
  architectures = ["arm64"]
  memory_size   = 1024
  timeout       = 30
}

output "arn" { value = lambdavpc_secure_function.app.arn }
