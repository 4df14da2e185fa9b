"""The LGSP console: staff pages under ``/console`` for LGSP administrators
(docs/architecture.md, "Staff workspace"). Pages call the same use cases as ``api/`` with the
same principal and the same role."""
