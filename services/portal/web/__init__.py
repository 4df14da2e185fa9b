"""The portal's news editor: staff pages under ``/editor`` (docs/architecture.md, "Staff
workspace"). Pages call the same use cases as ``api/news.py`` with the same principal."""
