path "secret/data/a" "secret/data/b" {
  capabilities = ["read"]
}
