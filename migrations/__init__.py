"""Alembic revisions; every one must run on SQLite and PostgreSQL (tests run both)."""
