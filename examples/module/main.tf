# Three functions in one VPC through one small module, with for_each.
# Each function gets its own subnets, security groups and role; the endpoint
# services differ per function so that no two interface endpoints with
# private DNS for the same service are created in the VPC at the same time
# (AWS allows only one per service; reuse_existing_endpoints adopts an
# existing one, but three concurrent creates would race).
#
#   python3 ../basic/make_zip.py .     # lambda.zip next to this file
#   terraform init
#   terraform apply -var vpc_id=vpc-... [-var aws_endpoint=http://127.0.0.1:PORT]

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
  description = "The existing VPC (10.77.0.0/16 or any VPC containing the CIDRs below)."
  type        = string
}

variable "name_prefix" {
  type    = string
  default = "lambdavpc-mod"
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

locals {
  functions = {
    api = {
      cidrs    = ["10.77.1.0/28", "10.77.1.16/28"]
      services = ["logs", "ssm"]
      memory   = 256
    }
    worker = {
      cidrs    = ["10.77.2.0/28", "10.77.2.16/28"]
      services = ["sqs"]
      memory   = 512
    }
    report = {
      cidrs    = ["10.77.3.0/28", "10.77.3.16/28"]
      services = ["s3"] # a gateway endpoint on the private route table
      memory   = 128
    }
  }
}

module "fn" {
  source   = "./secure_function"
  for_each = local.functions

  function_name      = "${var.name_prefix}-${each.key}"
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = each.value.cidrs
  endpoint_services  = each.value.services
  memory_size        = each.value.memory
  zip_path           = "${path.module}/lambda.zip"
  tags               = { Function = each.key }
}

output "functions" {
  value = { for k, m in module.fn : k => m.summary }
}
