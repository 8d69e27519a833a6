"""One routes module per resource; each HTML page has a JSON twin under /api."""
