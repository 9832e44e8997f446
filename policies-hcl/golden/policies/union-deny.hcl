# Same pattern as union-a and union-b, with deny: deny wins on this pattern.
path "shared/*" {
  capabilities = ["deny", "read"]
}
