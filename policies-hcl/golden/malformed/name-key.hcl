name = "trading"
