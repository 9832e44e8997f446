# Vault's worked example: "secret/*" against "secret/+/+/foo/*" (renamed to
# docs3/ here). The first wildcard is at the same place and both end in "*";
# the second has two "+" segments and the first none, so rule 3 gives the
# second LOWER priority.
path "docs3/*" {
  capabilities = ["read"]
}

path "docs3/+/+/foo/*" {
  capabilities = ["update"]
}
