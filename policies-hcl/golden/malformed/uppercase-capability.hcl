path "secret/data/x" {
  capabilities = ["Read"]
}
