"""LMS area: catalog."""
