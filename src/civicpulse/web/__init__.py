"""The web dashboard: server-rendered pages in Vietnamese and English, each with a JSON twin under /api."""
