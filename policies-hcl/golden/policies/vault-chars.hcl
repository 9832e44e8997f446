# Vault compatibility, point 1: a pattern is any string (Vault checks only '+*' and templates),
# decoded with Go's escapes as Vault's HCL 1 library decodes it. Every character here is literal.
path "chars/report(2024)" {
  capabilities = ["read"]
}

path "chars/with space" {
  capabilities = ["read"]
}

path "chars/at@sign:colon;semi,comma" {
  capabilities = ["read"]
}

# \u00e9 is "é"; \x41 and \102 (octal) are the bytes of "A" and "B"; \" is a quote.
path "chars/caf\u00e9" {
  capabilities = ["read"]
}
path "chars/\x41\102C" {
  capabilities = ["read"]
}
path "chars/quote\"d" {
  capabilities = ["read"]
}

# An empty segment is literal too: this matches "chars/a//b" only.
path "chars/a//b" {
  capabilities = ["read"]
}

# HCL 1's interpolation syntax is kept as written; Vault never evaluates it.
path "chars/${var}" {
  capabilities = ["read"]
}

# '+' inside a segment is literal (a wildcard only as a whole segment).
path "chars/a+b" {
  capabilities = ["read"]
}

# A bare word is a valid pattern in HCL 1 (an identifier: letters, digits, '_', '-', '.').
path chars-bare.word {
  capabilities = ["read"]
}

# The empty pattern matches only the empty path.
path "" {
  capabilities = ["list"]
}
