# trading: what the trading services may do.
# Bind it to their principals in the daemon config, e.g.
#   policy-bindings: { "spiffe://prod/trading/*": [trading] }

# Read every secret under trading/ (GetSecret, BatchGetSecrets, WatchSecrets),
# e.g. trading/db-password, trading/fix/session-key.
path "secret/data/trading/*" {
  capabilities = ["read"]
}

# List names under trading/ and describe them (ListSecrets, DescribeSecret,
# GetRotationStatus). Metadata only: never a value.
path "secret/metadata/trading/*" {
  capabilities = ["list", "read"]
}
