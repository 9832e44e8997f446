path "secret/data/x" {
  policy = "admin"
}
