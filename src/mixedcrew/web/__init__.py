"""The web app: the manifest as a shared, live page, with a JSON API and jobs.

Layers, each its own module:

- ``tables``   storage (SQLAlchemy rows) and ``migrations`` (Alembic, run on start)
- ``store``    the only module that reads and writes those rows
- ``schemas``  what the JSON API accepts and returns (pydantic)
- ``manifest`` domain objects (Scenario, Timeline, Report) turned into views
- ``api`` and ``pages``  the routes; ``app.create_app`` puts them together

Nothing here is imported by the rest of mixedcrew: the web dependencies are an
extra (``pip install mixedcrew[web]``), checked when ``mixedcrew serve`` runs.
This module itself imports none of them, so ``web.commands`` can be loaded
by the CLI without the extra.
"""
