"""The web app: the manifest as a shared, live page, with a JSON API and jobs.

Layers, each its own module:

- ``tables``   storage (SQLAlchemy rows) and ``migrations`` (Alembic, run on start)
- ``store`` and ``store_access``  the only modules that read and write those rows
- ``schemas`` and ``schemas_access``  what the JSON API accepts and returns (pydantic)
- ``manifest`` domain objects (Scenario, Timeline, Report) turned into views
- ``seats`` and ``changes``  who owns which seat; changes, their consent and keys (pure)
- ``auth``, ``access``, ``guard``  credentials, accounts, the door every request passes
- ``service`` and ``editing``  what a request may do, in domain words; proposals and audit
- ``api``, ``api_access``, ``pages``, ``pages_access``  the routes; ``app.create_app`` puts them together
- ``drill``    the load drill (benchmarks/web_load.py, tests)

Nothing here is imported by the rest of mixedcrew: the web dependencies are an
extra (``pip install mixedcrew[web]``), checked when ``mixedcrew serve`` runs.
This module itself imports none of them, so ``mixedcrew.cli.web`` can be loaded
by the CLI without the extra.
"""
