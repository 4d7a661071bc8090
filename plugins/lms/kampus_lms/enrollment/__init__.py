"""LMS area: enrollment."""
