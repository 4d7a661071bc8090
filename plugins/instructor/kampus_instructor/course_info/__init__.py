"""Instructor dashboard area `course_info` (see :mod:`kampus_instructor`)."""
