"""Instructor dashboard area `membership` (see :mod:`kampus_instructor`)."""
