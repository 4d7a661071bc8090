"""Identity: accounts, sessions, CSRF, roles and permissions, API tokens."""
