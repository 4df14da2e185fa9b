"""Authentication and authorisation shared by the three services (docs/architecture.md §6)."""
