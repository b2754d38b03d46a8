"""Django database backend for the embedded PostgreSQL (used when DATABASE_URL is unset)."""
