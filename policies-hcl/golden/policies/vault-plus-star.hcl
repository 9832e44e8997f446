# "+" against "*" by Vault's priority rules, and a deny that decides only where it is the
# highest-priority pattern.

# First wildcard at 3 for all three below; rule 2: no trailing '*' beats a trailing '*'.
path "ps/+/config" {
  capabilities = ["read"]
}
path "ps/*" {
  capabilities = ["deny"]
}

# Glob at 8: rule 1 makes it beat both above wherever it matches.
path "ps/team/*" {
  capabilities = ["update"]
}

# Same first wildcard (3), both without '*': rule 3, fewer '+' wins.
path "ps/+/+/leaf" {
  capabilities = ["create"]
}
path "ps/+/mid/leaf" {
  capabilities = ["delete"]
}
