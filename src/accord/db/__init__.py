"""PostgreSQL access: SQLAlchemy 2 (async, psycopg 3), Alembic migrations, the embedded server."""
