"""Data protection for the people in the directory: what the platform holds about an expert,
as a machine-readable export and a readable PDF (Art. 15 GDPR)."""
