"""The staff workspace kit shared by the three services: OpenID Connect sign-in, the signed
session cookie, CSRF protection, security headers, the staff directory, templates and CSS.

It imports nothing from ``services/``; each service mounts one :class:`Workspace` under its
own path (docs/architecture.md, "Staff workspace").
"""
