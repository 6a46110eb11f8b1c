# The seed scenario: one Lambda function inside an existing VPC, the secure
# way (private subnets + route table, two tight security groups, VPC
# endpoints for logs and ssm with private DNS, an execution role).
#
#   python3 make_zip.py                 # builds lambda.zip from handler.py
#   terraform init
#   terraform apply -var vpc_id=vpc-...
#
# Against moto (what `make demo` and the e2e tests do) also pass
#   -var aws_endpoint=http://127.0.0.1:PORT
# and dummy credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

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
  description = "The existing VPC; it needs DNS support and DNS hostnames for private DNS."
  type        = string
}

variable "function_name" {
  type    = string
  default = "lambdavpc-basic"
}

variable "subnet_cidr_blocks" {
  type    = list(string)
  default = ["12.25.15.0/27", "12.25.15.32/27", "12.25.15.64/27"]
}

variable "endpoint_services" {
  type    = list(string)
  default = ["logs", "ssm"]
}

variable "memory_size" {
  type    = number
  default = 256
}

variable "environment" {
  type    = map(string)
  default = { STAGE = "dev" }
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
  function_name      = var.function_name
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = var.subnet_cidr_blocks
  endpoint_services  = var.endpoint_services

  runtime          = "python3.12"
  handler          = "handler.lambda_handler"
  filename         = "${path.module}/lambda.zip"
  source_code_hash = filebase64sha256("${path.module}/lambda.zip")
  memory_size      = var.memory_size
  timeout          = 10
  environment      = var.environment
  tags             = { Team = "payments" }
}

output "id" { value = lambdavpc_secure_function.app.id }
output "arn" { value = lambdavpc_secure_function.app.arn }
output "invoke_arn" { value = lambdavpc_secure_function.app.invoke_arn }
output "qualified_arn" { value = lambdavpc_secure_function.app.qualified_arn }
output "version" { value = lambdavpc_secure_function.app.version }
output "last_modified" { value = lambdavpc_secure_function.app.last_modified }
output "code_sha256" { value = lambdavpc_secure_function.app.code_sha256 }
output "role_arn" { value = lambdavpc_secure_function.app.role_arn }
output "role_name" { value = lambdavpc_secure_function.app.role_name }
output "subnet_ids" { value = lambdavpc_secure_function.app.subnet_ids }
output "route_table_id" { value = lambdavpc_secure_function.app.route_table_id }
output "lambda_security_group_id" { value = lambdavpc_secure_function.app.lambda_security_group_id }
output "endpoint_security_group_id" { value = lambdavpc_secure_function.app.endpoint_security_group_id }
output "vpc_endpoint_ids" { value = lambdavpc_secure_function.app.vpc_endpoint_ids }
output "tags_all" { value = lambdavpc_secure_function.app.tags_all }
