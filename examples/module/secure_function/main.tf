# A thin module around lambdavpc_secure_function: the organisation's
# defaults (runtime, handler, timeout, tags) in one place, the per-function
# inputs as variables.

terraform {
  required_providers {
    lambdavpc = {
      source = "lambdavpc/lambdavpc"
    }
  }
}

variable "function_name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_cidr_blocks" {
  type = list(string)
}

variable "endpoint_services" {
  type    = list(string)
  default = ["logs"]
}

variable "memory_size" {
  type    = number
  default = 128
}

variable "zip_path" {
  description = "A zip holding handler.py (see examples/basic/make_zip.py)."
  type        = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "lambdavpc_secure_function" "this" {
  function_name      = var.function_name
  vpc_id             = var.vpc_id
  subnet_cidr_blocks = var.subnet_cidr_blocks
  endpoint_services  = var.endpoint_services

  runtime          = "python3.12"
  handler          = "handler.lambda_handler"
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  memory_size      = var.memory_size
  timeout          = 10
  environment      = { FUNCTION = var.function_name }
  tags             = merge({ ManagedBy = "examples/module" }, var.tags)
}

output "summary" {
  value = {
    arn                        = lambdavpc_secure_function.this.arn
    role_name                  = lambdavpc_secure_function.this.role_name
    subnet_ids                 = lambdavpc_secure_function.this.subnet_ids
    route_table_id             = lambdavpc_secure_function.this.route_table_id
    lambda_security_group_id   = lambdavpc_secure_function.this.lambda_security_group_id
    endpoint_security_group_id = lambdavpc_secure_function.this.endpoint_security_group_id
    vpc_endpoint_ids           = lambdavpc_secure_function.this.vpc_endpoint_ids
  }
}
