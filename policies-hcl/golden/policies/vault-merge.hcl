# Vault compatibility, point 2: a pattern repeated in ONE policy is merged, exactly as the same
# pattern in several policies is (Vault's NewACL): capabilities unioned; a deny in any wins.

path "merge/both" {
  capabilities = ["read"]
}
path "merge/both" {
  capabilities = ["list"]
}

# One leading "/" is dropped before merging: "/merge/slash" is "merge/slash".
path "merge/slash" {
  capabilities = ["read"]
}
path "/merge/slash" {
  capabilities = ["update"]
}

# A deny in the later stanza wins over what the earlier one grants...
path "merge/deny-later" {
  capabilities = ["read", "update"]
}
path "merge/deny-later" {
  capabilities = ["deny"]
}

# ...and a deny in the earlier one ignores what later ones grant.
path "merge/deny-first/*" {
  capabilities = ["deny"]
}
path "merge/deny-first/*" {
  capabilities = ["read"]
}

# Parameter constraints and wrapping TTLs are parsed and merged (not enforced); the capabilities
# are still unioned.
path "merge/params" {
  capabilities       = ["create"]
  allowed_parameters = { "ttl" = ["1h"] }
  min_wrapping_ttl   = "1m"
}
path "merge/params" {
  capabilities       = ["update"]
  allowed_parameters = { "ttl" = ["2h"] }
  max_wrapping_ttl   = 300
}

# Vault's legacy policy = "read" is read + list, merged like any other grant.
path "merge/legacy" {
  policy = "read"
}
path "merge/legacy" {
  capabilities = ["update"]
}

# "merge/glob" (exact) and "merge/glob*" (prefix) are different patterns: never merged.
path "merge/glob" {
  capabilities = ["read"]
}
path "merge/glob*" {
  capabilities = ["update"]
}

# A stanza without capabilities (Vault accepts it) adds nothing to the merge.
path "merge/empty" {
  comment = "nothing granted here"
}
path "merge/empty" {
  capabilities = ["read"]
}
