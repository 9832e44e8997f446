# Vault compatibility, point 4: LIST on a path ending in "/".
# Vault PR #5197: an exact rule on the path without the trailing slash also decides a LIST.
# Vault PR #23874: for a LIST on "foo/", the non-exact (glob and "+") rules are FIRST tried on
# "foo"; only when none matches "foo" are they tried on "foo/".

path "lsa/+/keys" {
  capabilities = ["list"]
}

path "lsb/exact" {
  capabilities = ["list", "read"]
}

# For a LIST on "lsc/q/", "lsc/+" matches "lsc/q" and decides before "lsc/q/*" is tried.
path "lsc/+" {
  capabilities = ["deny"]
}
path "lsc/q/*" {
  capabilities = ["list", "read"]
}
