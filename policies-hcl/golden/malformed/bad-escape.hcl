path "secret\q" {
  capabilities = ["read"]
}
