path "secret/data/\400" {
  capabilities = ["read"]
}
