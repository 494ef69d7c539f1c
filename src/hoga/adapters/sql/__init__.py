"""SQL storage shared by the SQLite and PostgreSQL adapters (SQLAlchemy Core + Alembic)."""
