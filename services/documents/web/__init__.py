"""The documents workspace: staff pages under ``/workspace`` (docs/architecture.md, "Staff
workspace"). Pages call the same use cases as ``api/`` with the same principal."""
