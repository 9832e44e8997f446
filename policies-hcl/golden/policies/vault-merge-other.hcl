# The same patterns as vault-merge, in another policy: merged across policies too.
path "merge/both" {
  capabilities = ["update"]
}

path "merge/deny-first/*" {
  capabilities = ["list"]
}

path "merge/slash" {
  capabilities = ["deny"]
}
