"""Instructor dashboard area `reports` (see :mod:`kampus_instructor`)."""
