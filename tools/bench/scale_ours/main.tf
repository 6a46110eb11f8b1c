# Scale bench (tools/bench/scale.py): N lambdavpc_secure_function in one VPC,
# every one asking for the same endpoint services, so the interface
# endpoints are shared (created by the first, reused by the others).
# Function i gets three /28 subnets in 10.77.i.0/24.

terraform {
  required_providers {
    lambdavpc = {
      source  = "lambdavpc/lambdavpc"
      version = "0.1.0"
    }
  }
}

variable "aws_endpoint" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "n" {
  type = number
}

variable "prefix" {
  type = string
}

provider "lambdavpc" {
  region                      = "us-east-2"
  skip_credentials_validation = true

  endpoints {
    ec2    = var.aws_endpoint
    iam    = var.aws_endpoint
    lambda = var.aws_endpoint
    sts    = var.aws_endpoint
  }
}

locals {
  functions = { for i in range(var.n) : format("f%03d", i) => i }
}

resource "lambdavpc_secure_function" "fn" {
  for_each           = local.functions
  function_name      = "${var.prefix}-${each.key}"
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = [for k in range(3) : "10.77.${each.value}.${k * 16}/28"]
  endpoint_services  = ["logs", "ssm"]
  runtime            = "python3.12"
  handler            = "handler.lambda_handler"
  filename           = "${path.module}/lambda.zip"
  source_code_hash   = filebase64sha256("${path.module}/lambda.zip")
  memory_size        = 256
  timeout            = 10
  environment        = { STAGE = "dev" }
  tags               = { Team = "payments" }
}
