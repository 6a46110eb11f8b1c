# Three functions in one VPC through one small module, with for_each, all
# using the same endpoint services as a user would write it. Each function
# gets its own subnets, route table, security group and role; the interface
# endpoints (one per service) and their two security groups are shared by
# every lambdavpc function of the VPC: created by the first user, deleted by
# the last one out, whatever the parallelism.
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
      services = ["logs", "ssm"]
      memory   = 512
    }
    report = {
      cidrs    = ["10.77.3.0/28", "10.77.3.16/28"]
      services = ["logs", "ssm"]
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
