"""Search for staff across minutes, charter texts and comments (see `services.search`)."""
