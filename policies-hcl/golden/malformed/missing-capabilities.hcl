path "secret/data/x" {
  comment = "no capabilities here"
}
