path "secret/data/x" {
  capabilities = ["read"]
}

path "/secret/data/x" {
  capabilities = ["list"]
}
