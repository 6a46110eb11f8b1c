# The seed scenario written by hand with hashicorp/aws: the 16 resources that
# one lambdavpc_secure_function replaces. Used only by tools/bench.sh to
# compare plan/apply wall time on the same moto.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "aws_endpoint" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "function_name" {
  type    = string
  default = "bench-aws-peer"
}

provider "aws" {
  region                      = "us-east-2"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true

  endpoints {
    ec2    = var.aws_endpoint
    iam    = var.aws_endpoint
    lambda = var.aws_endpoint
    sts    = var.aws_endpoint
  }
}

locals {
  cidrs = {
    a = { cidr = "12.25.15.0/27", az = "us-east-2a" }
    b = { cidr = "12.25.15.32/27", az = "us-east-2b" }
    c = { cidr = "12.25.15.64/27", az = "us-east-2c" }
  }
  tags = { Team = "payments", "lambdavpc:function" = var.function_name }
}

# 1-3
resource "aws_subnet" "private" {
  for_each          = local.cidrs
  vpc_id            = var.vpc_id
  cidr_block        = each.value.cidr
  availability_zone = each.value.az
  tags              = local.tags
}

# 4
resource "aws_route_table" "private" {
  vpc_id = var.vpc_id
  tags   = local.tags
}

# 5-7
resource "aws_route_table_association" "private" {
  for_each       = aws_subnet.private
  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

# 8
resource "aws_security_group" "lambda" {
  name        = "${var.function_name}-lambda"
  description = "Lambda ENIs: egress to the VPC endpoints only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

# 9
resource "aws_security_group" "endpoint" {
  name        = "${var.function_name}-endpoints"
  description = "VPC interface endpoints: https from the function only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

# 10
resource "aws_vpc_security_group_egress_rule" "lambda_to_endpoints" {
  security_group_id            = aws_security_group.lambda.id
  referenced_security_group_id = aws_security_group.endpoint.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

# 11
resource "aws_vpc_security_group_ingress_rule" "endpoints_from_lambda" {
  security_group_id            = aws_security_group.endpoint.id
  referenced_security_group_id = aws_security_group.lambda.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

# 12-13
resource "aws_vpc_endpoint" "svc" {
  for_each            = toset(["logs", "ssm"])
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.us-east-2.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for s in aws_subnet.private : s.id]
  security_group_ids  = [aws_security_group.endpoint.id]
  tags                = local.tags
}

# 14
resource "aws_iam_role" "exec" {
  name = "${var.function_name}-exec"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = local.tags
}

# 15
resource "aws_iam_role_policy_attachment" "vpc_access" {
  role       = aws_iam_role.exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# 16
resource "aws_lambda_function" "app" {
  function_name    = var.function_name
  role             = aws_iam_role.exec.arn
  runtime          = "python3.12"
  handler          = "handler.lambda_handler"
  filename         = "${path.module}/lambda.zip"
  source_code_hash = filebase64sha256("${path.module}/lambda.zip")
  memory_size      = 256
  timeout          = 10
  environment {
    variables = { STAGE = "dev" }
  }
  vpc_config {
    subnet_ids         = [for s in aws_subnet.private : s.id]
    security_group_ids = [aws_security_group.lambda.id]
  }
  tags       = local.tags
  depends_on = [aws_iam_role_policy_attachment.vpc_access, aws_vpc_endpoint.svc]
}

# The same outputs as examples/basic, so the two deployments can be compared.
output "arn" { value = aws_lambda_function.app.arn }
output "role_arn" { value = aws_iam_role.exec.arn }
output "role_name" { value = aws_iam_role.exec.name }
output "subnet_ids" { value = [for k in sort(keys(aws_subnet.private)) : aws_subnet.private[k].id] }
output "route_table_id" { value = aws_route_table.private.id }
output "lambda_security_group_id" { value = aws_security_group.lambda.id }
output "endpoint_security_group_id" { value = aws_security_group.endpoint.id }
output "vpc_endpoint_ids" { value = { for k, e in aws_vpc_endpoint.svc : k => e.id } }
