# operator: runs the broker day to day. Writes, deletes, rotates and revokes
# secrets and manages tokens, but cannot read secret values: there is no
# "read" on secret/data/*. Give a person both operator and an application
# policy only if they truly need to read that application's values.

# Write (create a new secret, update an existing one), delete, rotate, set
# rotation policies and revoke versions of any secret.
path "secret/data/*" {
  capabilities = ["create", "update", "delete", "rotate", "revoke"]
}

# List every name (ListSecrets, ListDueRotations, ListRevocations) and
# describe any secret (DescribeSecret, GetRotationStatus): metadata only.
path "secret/metadata/*" {
  capabilities = ["list", "read"]
}

# Create, revoke and list tokens.
path "sys/tokens" {
  capabilities = ["create", "delete", "list"]
}

# Explain policy decisions (CheckAccess).
path "sys/policy" {
  capabilities = ["read"]
}
