pth "secret/data/x" {
  capabilities = ["read"]
}
