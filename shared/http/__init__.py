"""HTTP conventions shared by the services (docs/architecture.md §12)."""
