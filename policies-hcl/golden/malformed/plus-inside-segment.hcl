path "secret/data/a+b" {
  capabilities = ["read"]
}
