# "*" alone matches every path, with the lowest priority of all globs.
path "*" {
  capabilities = ["list"]
}
