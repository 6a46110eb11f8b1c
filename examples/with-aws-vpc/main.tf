# hashicorp/aws creates the VPC, lambdavpc puts a function inside it, in one
# configuration. lambdavpc needs nothing but the VPC's id; the VPC needs DNS
# support and DNS host names for the interface endpoints' private DNS.
#
#   python3 ../basic/make_zip.py .      # lambda.zip from examples/basic/handler.py
#   terraform init
#   terraform apply
#
# Against moto add -var aws_endpoint=http://127.0.0.1:PORT and dummy
# credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
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

provider "aws" {
  region                      = var.region
  skip_credentials_validation = var.aws_endpoint != null
  skip_requesting_account_id  = var.aws_endpoint != null

  endpoints {
    ec2 = var.aws_endpoint
    iam = var.aws_endpoint
    sts = var.aws_endpoint
  }

  default_tags {
    tags = { Project = "with-aws-vpc" }
  }
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

  # The same tags hashicorp/aws puts on its objects.
  default_tags {
    tags = { Project = "with-aws-vpc" }
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}

resource "lambdavpc_secure_function" "app" {
  function_name = "with-aws-vpc"
  vpc_id        = aws_vpc.main.id
  # Carved out of the VPC's block; keep them clear of any subnet you add
  # with aws_subnet.
  subnet_cidr_blocks = [
    cidrsubnet(aws_vpc.main.cidr_block, 11, 0),
    cidrsubnet(aws_vpc.main.cidr_block, 11, 1),
  ]
  endpoint_services = ["logs", "dynamodb"]

  runtime          = "python3.12"
  handler          = "handler.lambda_handler"
  filename         = "${path.module}/lambda.zip"
  source_code_hash = filebase64sha256("${path.module}/lambda.zip")

  # The function may also reach a database subnet hashicorp/aws manages.
  egress_rules = [{
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = [aws_subnet.db.cidr_block]
  }]
}

resource "aws_subnet" "db" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 100)
  availability_zone = "${var.region}a"
}

output "vpc_id" { value = aws_vpc.main.id }
output "function_arn" { value = lambdavpc_secure_function.app.arn }
output "subnet_ids" { value = lambdavpc_secure_function.app.subnet_ids }
