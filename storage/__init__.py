"""SQLAlchemy models, the unit of work, repositories, migrations and seed data."""
