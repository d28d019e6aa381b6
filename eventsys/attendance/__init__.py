"""Who came to a session: prefilled from the answers, marked on the day, guests added."""
