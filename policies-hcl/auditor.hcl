# auditor: reviews who accessed what. Reads the audit log and secret metadata,
# never a secret value: nothing here matches secret/data/, and policies deny
# by default.

# Query and verify the audit log, access summaries (every AuditService call).
path "sys/audit" {
  capabilities = ["audit"]
}

# List names and describe secrets (versions, stages, rotation), no values.
path "secret/metadata/*" {
  capabilities = ["list", "read"]
}
