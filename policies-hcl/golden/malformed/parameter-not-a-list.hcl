path "secret/data/x" {
  capabilities = ["update"]
  allowed_parameters = {
    "ttl" = "1h"
  }
}
