this is not a policy
