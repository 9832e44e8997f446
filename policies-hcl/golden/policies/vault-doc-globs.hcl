// From Vault's policy documentation: exact paths, globs and "+" segments.

// Only "secret/foo": not "secret/food", not "secret/foo/bar".
path "secret/foo" {
  capabilities = ["read"]
}

/* Everything under "secret/bar/": "secret/bar/zip", "secret/bar/zip/zap",
   but not "secret/bars/zip". */
path "secret/bar/*" {
  capabilities = ["read"]
}

// Everything starting with "secret/zip-": "secret/zip-zap", "secret/zip-zap/zong",
// but not "secret/zip/zap".
path "secret/zip-*" {
  capabilities = ["read"]
}

// "teamb" under any one top-level segment below secret/.
path "secret/+/teamb" {
  capabilities = ["read"]
}

// "teamb" under any two segments below secret/.
path "secret/+/+/teamb" {
  capabilities = ["read"]
}
