# market-data: feed handlers read their vendor credentials.

# Read every secret under market-data/.
path "secret/data/market-data/*" {
  capabilities = ["read"]
}

# List and describe them (no values).
path "secret/metadata/market-data/*" {
  capabilities = ["list", "read"]
}
