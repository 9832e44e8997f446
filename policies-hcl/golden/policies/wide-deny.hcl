# A broad deny only denies where it is the deciding pattern.
path "wide/*" {
  capabilities = ["deny"]
}
