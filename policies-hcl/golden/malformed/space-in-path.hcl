path "secret/data/my app" {
  capabilities = ["read"]
}
