"""People's history: what an expert took part in across the features (invitations, attendance,
comments, action items, mail), read from the features above the directory."""
