# the list is never closed
path "secret/data/x" {
  capabilities = ["read"
}
