# Same pattern as union-a: capabilities are unioned.
path "shared/*" {
  capabilities = ["update"]
}

# A broader pattern: never adds to union-a's "specific/app/*".
path "specific/*" {
  capabilities = ["update", "delete"]
}
