# From Vault's policy documentation: a broad grant with one explicit deny.
path "secret/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Even though secret/* is allowed, this denies secret/super-secret.
path "secret/super-secret" {
  capabilities = ["deny"]
}
