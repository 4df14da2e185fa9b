"""HTTP: JSON routers under /api/v1 and the public HTML site."""
