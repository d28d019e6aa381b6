"""Charters: chapters, the pool of recommendations from approved minutes, frozen versions,
consultation, diffs and provenance."""
