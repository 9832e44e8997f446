/ not a comment
