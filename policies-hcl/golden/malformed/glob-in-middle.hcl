path "secret/*/db" {
  capabilities = ["read"]
}
