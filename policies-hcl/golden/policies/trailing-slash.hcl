# Trailing slashes are significant.

# Exact "ts/dir/": not "ts/dir".
path "ts/dir/" {
  capabilities = ["list"]
}

# Everything below "ts/glob/", including "ts/glob/" itself, but not "ts/glob".
path "ts/glob/*" {
  capabilities = ["read"]
}
