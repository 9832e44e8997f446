path "secret/data/x" {
  capabilities = ["read"]
  capabilities = ["list"]
}
