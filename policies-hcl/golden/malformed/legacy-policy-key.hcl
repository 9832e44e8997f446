path "secret/data/x" {
  policy = "read"
}
