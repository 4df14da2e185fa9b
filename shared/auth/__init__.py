"""Authentication and authorisation shared by the three services (DESIGN.md §6)."""
