"""Changes to a scenario in domain words: seats, proposals and their consent, and the audit log."""
