"""Pure rules of the LGSP: partners, grants, routing, backoff, signing. No I/O."""
