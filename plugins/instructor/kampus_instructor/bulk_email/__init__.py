"""Instructor dashboard area `bulk_email` (see :mod:`kampus_instructor`)."""
