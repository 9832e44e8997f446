path "secret/data/{{identity.entity.id}}/*" {
  capabilities = ["read"]
}
