"""HTTP conventions shared by the services (API.md)."""
