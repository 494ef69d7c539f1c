"""Alembic migrations of the SQL storage (run by ``hoga.adapters.sql.storage.migrate``).

Shipped inside the package (they are Python modules, so setuptools includes them). Write each new
revision by hand as ``versions/NNNN_<what>.py`` with ``down_revision`` set to the previous one,
and update ``hoga/adapters/sql/schema.py`` to match; never edit an applied revision.
"""
