"""How organisers hear about answers: a mail per answer, a daily digest or none, chosen by each
responsible organiser per session; and what the session page shows of recent answers."""
