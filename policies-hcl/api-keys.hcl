# api-keys: services that call third-party APIs read their keys.

# Read every secret under api-keys/.
path "secret/data/api-keys/*" {
  capabilities = ["read"]
}

# List and describe them (no values).
path "secret/metadata/api-keys/*" {
  capabilities = ["list", "read"]
}
