"""Storage shared by every feature: the database, its rows, migrations and plain records."""
