"""The `egov` command: one entry point for operators and developers."""
