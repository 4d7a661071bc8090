"""LMS area: grades."""
