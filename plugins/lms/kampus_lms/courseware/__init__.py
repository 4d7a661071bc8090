"""LMS area: courseware."""
