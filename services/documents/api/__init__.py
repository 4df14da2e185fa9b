"""HTTP routers of the documents service."""
