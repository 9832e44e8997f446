path "" {
  capabilities = ["read"]
}
