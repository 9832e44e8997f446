# An empty policy (only comments) is valid and grants nothing.
