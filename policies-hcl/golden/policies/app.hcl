# Exact patterns win outright, whatever the globs grant.
path "app/*" {
  capabilities = ["read", "update"]
}

# Exact: read only. The broader "app/*" does not add "update" here.
path "app/config" {
  capabilities = ["read"]
}

# Exact deny.
path "app/locked" {
  capabilities = ["deny"]
}

# Exact with no capabilities: decides, and grants nothing.
path "app/nothing" {
  capabilities = []
}

# A leading "/" is dropped, as in Vault: this is "lead/x".
path "/lead/x" {
  capabilities = ["read",]   # trailing comma
}

# "+" takes any characters up to the next "/", even none (as in Vault).
path "seg/+/z" {
  capabilities = ["read"]
}
