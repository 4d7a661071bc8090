"""Kampus on MongoDB: the ``mongo`` content-store driver (split-modulestore layout)."""
