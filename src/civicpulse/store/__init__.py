"""The store: one interface over SQLite (default) and PostgreSQL, same schema via Alembic."""

from civicpulse.store.engine import migrate, open_engine
from civicpulse.store.store import Store, open_store

__all__ = ["Store", "migrate", "open_engine", "open_store"]
