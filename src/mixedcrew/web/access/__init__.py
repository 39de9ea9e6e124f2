"""Accounts: users, page sessions and API tokens, the login, and the door every request passes."""
