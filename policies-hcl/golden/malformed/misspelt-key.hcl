path "secret/data/x" {
  capabilites = ["read"]
}
