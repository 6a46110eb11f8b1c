# The seed scenario written by hand with hashicorp/aws, for N functions in
# one VPC (tools/bench.sh, tools/bench/scale.py): what N
# lambdavpc_secure_function replace. Every function has its own subnets,
# route table, security group, rules, role and function (13 resources); the
# two interface endpoints and their security group exist once per VPC, in
# the first function's subnets, as a user must share them (AWS allows one
# private-DNS endpoint per service and VPC). N = 1 is the 16-resource seed
# scenario. Function i uses 10.77.i.0/24.

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

variable "n" {
  type    = number
  default = 1
}

variable "prefix" {
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
  azs       = ["us-east-2a", "us-east-2b", "us-east-2c"]
  functions = { for i in range(var.n) : format("f%03d", i) => i }
  subnets = merge([for f, i in local.functions : {
    for k in range(3) : "${f}-${k}" => { fn = f, cidr = "10.77.${i}.${k * 16}/28", az = local.azs[k] }
  }]...)
  tags = { Team = "payments" }
}

resource "aws_subnet" "private" {
  for_each          = local.subnets
  vpc_id            = var.vpc_id
  cidr_block        = each.value.cidr
  availability_zone = each.value.az
  tags              = merge(local.tags, { Function = each.value.fn })
}

resource "aws_route_table" "private" {
  for_each = local.functions
  vpc_id   = var.vpc_id
  tags     = merge(local.tags, { Function = each.key })
}

resource "aws_route_table_association" "private" {
  for_each       = local.subnets
  subnet_id      = aws_subnet.private[each.key].id
  route_table_id = aws_route_table.private[each.value.fn].id
}

resource "aws_security_group" "lambda" {
  for_each    = local.functions
  name        = "${var.prefix}-${each.key}-lambda"
  description = "Lambda ENIs: egress to the VPC endpoints only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_egress_rule" "lambda_to_endpoints" {
  for_each                     = local.functions
  security_group_id            = aws_security_group.lambda[each.key].id
  referenced_security_group_id = aws_security_group.endpoint.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_lambda" {
  for_each                     = local.functions
  security_group_id            = aws_security_group.endpoint.id
  referenced_security_group_id = aws_security_group.lambda[each.key].id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

resource "aws_iam_role" "exec" {
  for_each = local.functions
  name     = "${var.prefix}-${each.key}-exec"
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

resource "aws_iam_role_policy_attachment" "vpc_access" {
  for_each   = local.functions
  role       = aws_iam_role.exec[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_lambda_function" "app" {
  for_each         = local.functions
  function_name    = "${var.prefix}-${each.key}"
  role             = aws_iam_role.exec[each.key].arn
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
    subnet_ids         = [for k in range(3) : aws_subnet.private["${each.key}-${k}"].id]
    security_group_ids = [aws_security_group.lambda[each.key].id]
  }
  tags       = local.tags
  depends_on = [aws_iam_role_policy_attachment.vpc_access, aws_vpc_endpoint.svc]
}

# --- shared once per VPC ---

resource "aws_security_group" "endpoint" {
  name        = "${var.prefix}-endpoints"
  description = "VPC interface endpoints: https from the functions only"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_endpoint" "svc" {
  for_each            = toset(["logs", "ssm"])
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.us-east-2.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [for k in range(3) : aws_subnet.private["f000-${k}"].id]
  security_group_ids  = [aws_security_group.endpoint.id]
  tags                = local.tags
}
