"""Instructor dashboard area `tasks` (see :mod:`kampus_instructor`)."""
