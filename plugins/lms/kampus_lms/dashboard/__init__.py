"""LMS area: dashboard."""
