"""Sessions (plenaries, workshops, working-group meetings) and their agendas."""
