path "*" {
  capabilities = ["read", "root"]
}
