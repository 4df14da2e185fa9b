"""The lgsp service."""
