"""The start page: upcoming and past sessions at a glance."""
