# Post-apply gate: after the instance (or its address) changes, probe the MCP server the way a
# client uses it and fail the apply when it is not healthy. Replaces `sleep 30 && curl … | jq -e`.
#
#   terraform apply -var 'mcp_url=https://mcp.example.com/mcp' -var 'instance_id=i-0123…'
#
# In your configuration, pass the real resources instead of variables:
#   instance_id = aws_instance.mcp.id        public_ip = aws_eip.mcp.public_ip

terraform {
  required_version = ">= 1.5"
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "~> 3.2"
    }
  }
}

variable "mcp_url" {
  description = "The MCP endpoint as clients reach it (through the load balancer and TLS)"
  type        = string
}

variable "instance_id" {
  description = "The instance serving it: a new instance re-runs the probe"
  type        = string
}

variable "public_ip" {
  description = "Its public address: a new address re-runs the probe"
  type        = string
  default     = ""
}

variable "probe_tool" {
  description = "A tool to call after tools/list (its answer must equal probe_expect_text)"
  type        = string
  default     = "add"
}

variable "probe_arguments" {
  description = "The tool's arguments, a JSON object"
  type        = string
  default     = "{\"a\":2,\"b\":3}"
}

variable "probe_expect_text" {
  type    = string
  default = "5"
}

variable "probe_wait" {
  description = "How long the server may take to become healthy after the apply"
  type        = string
  default     = "120s"
}

resource "null_resource" "mcp_probe" {
  # A new instance or address replaces this resource, which runs the provisioner again. A
  # failing provisioner taints it: the apply fails and the next apply probes again.
  triggers = {
    instance_id = var.instance_id
    public_ip   = var.public_ip
    mcp_url     = var.mcp_url
  }

  provisioner "local-exec" {
    # Waits until healthy (backoff up to 5 s between attempts) instead of a fixed sleep; the
    # exit code names the failure family (3 unreachable, 5 TLS, 6 HTTP status, 9 tool …).
    command = "mcp-probe check \"$MCP_URL\" --tool \"$MCP_TOOL\" --args \"$MCP_ARGS\" --expect-text \"$MCP_EXPECT\" --wait-until-ready \"$MCP_WAIT\" --timeout 10s"
    environment = {
      MCP_URL    = var.mcp_url
      MCP_TOOL   = var.probe_tool
      MCP_ARGS   = var.probe_arguments
      MCP_EXPECT = var.probe_expect_text
      MCP_WAIT   = var.probe_wait
    }
  }
}
