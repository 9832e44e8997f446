path "secret/data/\xff" {
  capabilities = ["read"]
}
