path "secret/data/x" {
  capabilities = ["create"]
  allowed_parameters = {
    "foo" = []
  }
}
