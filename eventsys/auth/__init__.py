"""Staff accounts (admin, organiser, secretariat), login and password reset."""
