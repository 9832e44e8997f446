path "secret/data/x}}" {
  capabilities = ["read"]
}
