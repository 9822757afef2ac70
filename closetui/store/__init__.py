"""The cache on disk (SQLite) and the private files it lives in."""
