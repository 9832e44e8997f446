path "secret/data/x" {
  capabilities = ["patch"]
}
