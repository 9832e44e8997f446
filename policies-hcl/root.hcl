# root: every capability on every path. The daemon's dev-mode root token holds
# it. Bind it to no production principal.
#
# The daemon treats the policy name "root" as built in, like Vault's root
# policy: a caller holding it is allowed everything before any pattern is
# consulted. This file spells out the same grant so that tools reading the
# policy files (sbctl policy check, CheckAccess explanations) see it.

path "*" {
  capabilities = ["read", "list", "create", "update", "delete", "rotate", "revoke", "audit"]
}
