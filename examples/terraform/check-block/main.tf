# A Terraform `check` block (Terraform 1.5+): the probe runs on every `terraform plan` and
# `terraform apply`, not only when a resource changes, and a failure is a warning that names the
# failing step and code (check blocks never block an apply). The probe runs through the
# `external` data source and mcp_probe_external.py, which turns the report into the flat string
# map that data source needs.
#
#   terraform plan -var 'mcp_url=https://mcp.example.com/mcp'

terraform {
  required_version = ">= 1.5"
  required_providers {
    external = {
      source  = "hashicorp/external"
      version = "~> 2.3"
    }
  }
}

variable "mcp_url" {
  description = "The MCP endpoint as clients reach it"
  type        = string
}

variable "mcp_probe_bin" {
  description = "The mcp-probe binary (on PATH by default)"
  type        = string
  default     = "mcp-probe"
}

check "mcp_server_healthy" {
  # Scoped to the check: if the data source itself fails, Terraform reports a warning too.
  data "external" "mcp_probe" {
    program = ["python3", "${path.module}/mcp_probe_external.py"]
    query = {
      url         = var.mcp_url
      tool        = "add"
      arguments   = "{\"a\":2,\"b\":3}"
      expect_text = "5"
      timeout     = "10s"
      binary      = var.mcp_probe_bin
    }
  }

  assert {
    condition     = data.external.mcp_probe.result.ok == "true"
    error_message = "MCP server ${var.mcp_url} failed at ${data.external.mcp_probe.result.failure_step} (${data.external.mcp_probe.result.failure_code}): ${data.external.mcp_probe.result.message}"
  }
}
