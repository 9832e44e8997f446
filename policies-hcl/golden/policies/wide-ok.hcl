path "wide/ok/*" {
  capabilities = ["read"]
}
