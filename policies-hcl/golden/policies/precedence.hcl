# One pair of patterns per priority rule. In each pair, the rule named decides.

# Rule 1: the first wildcard later in the pattern wins.
# "prec/a/b*" (glob at 8) beats "prec/a/+" (wildcard at 7) for "prec/a/bc".
path "prec/a/+" {
  capabilities = ["read"]
}
path "prec/a/b*" {
  capabilities = ["update"]
}
# "prec/x/+/y" (wildcard at 7) beats "prec/+/z/y" (wildcard at 5) for "prec/x/z/y".
path "prec/x/+/y" {
  capabilities = ["read"]
}
path "prec/+/z/y" {
  capabilities = ["update"]
}

# Rule 2: no trailing "*" beats a trailing "*".
path "prec/r2/+" {
  capabilities = ["read"]
}
path "prec/r2/*" {
  capabilities = ["update"]
}
path "prec/r2b/+/q" {
  capabilities = ["read"]
}
path "prec/r2b/+/*" {
  capabilities = ["update"]
}

# Rule 3: fewer "+" segments win.
path "prec/r3/+/+/end" {
  capabilities = ["read"]
}
path "prec/r3/+/mid/end" {
  capabilities = ["update"]
}

# Rule 4: the longer pattern wins.
path "prec/r4/+/bar/ba*" {
  capabilities = ["read"]
}
path "prec/r4/+/bar/b*" {
  capabilities = ["update"]
}

# Rule 5: the lexicographically larger pattern wins ('x' sorts after '+').
path "prec/r5/+/x/+" {
  capabilities = ["read"]
}
path "prec/r5/+/+/y" {
  capabilities = ["update"]
}
