# Vault compatibility, point 3: '*' is a glob only as the LAST character; elsewhere it is literal.

# A literal '*' segment: matches only "star/*/db".
path "star/*/db" {
  capabilities = ["read"]
}

# A literal '*' inside a segment: matches only "star/a*b".
path "star/a*b" {
  capabilities = ["update"]
}

# The glob.
path "star/*" {
  capabilities = ["list"]
}

# A segment pattern whose third segment is a literal '*'.
path "star/x/+/*/y" {
  capabilities = ["delete"]
}
