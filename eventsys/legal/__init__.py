"""The pages a public body must have: the privacy notice (Art. 13 GDPR), the accessibility
statement (BITV 2.0, § 12b BGG) and the imprint, in German and English, edited by admins."""
