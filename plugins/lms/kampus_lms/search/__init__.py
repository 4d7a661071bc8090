"""LMS area: search."""
