"""LMS area: course_home."""
