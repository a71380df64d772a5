"""Backups of a ward's instance and its move to PostgreSQL: `flask backup`, `flask restore`,
`flask move-to-postgresql` (commands in cli.py, plain functions in services.py and postgresql.py)."""
