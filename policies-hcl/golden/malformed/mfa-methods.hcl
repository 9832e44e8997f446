path "secret/data/x" {
  capabilities = ["read"]
  mfa_methods  = ["totp"]
}
