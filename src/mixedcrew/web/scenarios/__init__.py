"""Stored scenarios: uploads, revisions, the manifest views and exports of each."""
