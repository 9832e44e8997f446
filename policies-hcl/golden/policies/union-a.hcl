path "shared/*" {
  capabilities = ["read"]
}

path "specific/app/*" {
  capabilities = ["read"]
}
