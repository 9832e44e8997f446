path "secret/data/x" {
  capabilities = ["read"]
  comment = <<EOT
  never closed
