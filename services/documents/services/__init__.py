"""Use cases of the documents service."""
