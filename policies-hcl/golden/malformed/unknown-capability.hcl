path "secret/data/x" {
  capabilities = ["list", "raed"]
}
