"""The web app: the manifest as a shared, live page, with a JSON API and jobs.

By feature (FastAPI's "bigger applications", Starlette's packages):

- ``app``      create_app: each feature's service and routes, middleware, errors -> HTTP
- ``deps``     what features share: Principal and Who, the Library of stored scenarios, audit_by,
  route ids, error shapes, templates
- ``errors``   the failures in domain words
- ``storage``  db, tables, records, history (scenarios and revisions), audit_log, migrations
- ``scenarios``, ``access``, ``editing``, ``jobs``: one package per feature, each with its
  service, store, schemas, api and pages; a feature imports only storage, errors and deps
  (and the pure ``manifest`` views), never another feature
- ``manifest`` domain objects (Scenario, Timeline, Report) turned into views
- ``settings``, ``limits``, ``server``  configuration, body caps, uvicorn (commands: ``cli.web``)

Nothing here is imported by the rest of mixedcrew: the web dependencies are an
extra (``pip install mixedcrew[web]``), checked when ``mixedcrew serve`` runs.
This module itself imports none of them, so ``mixedcrew.cli.web`` can be loaded
by the CLI without the extra.
"""
