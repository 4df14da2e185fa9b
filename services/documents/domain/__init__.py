"""Pure rules of official documents: no I/O, no framework."""
