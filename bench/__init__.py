"""`make bench`: figures measured on the real code against a local stack of its own."""
