"""LMS area: certificates."""
