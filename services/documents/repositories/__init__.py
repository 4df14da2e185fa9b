"""MongoDB access of the documents service: one module per collection."""
