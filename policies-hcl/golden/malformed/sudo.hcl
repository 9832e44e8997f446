path "sys/audit" {
  capabilities = ["audit", "sudo"]
}
