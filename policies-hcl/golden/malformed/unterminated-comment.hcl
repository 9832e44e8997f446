/* a comment
that never ends
path "a" {
