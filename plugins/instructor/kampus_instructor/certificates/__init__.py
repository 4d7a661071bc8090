"""Instructor dashboard area `certificates` (see :mod:`kampus_instructor`)."""
