path "secret/data/x" {
  capabilities = ["read"]
  min_wrapping_ttl = "soon"
}
