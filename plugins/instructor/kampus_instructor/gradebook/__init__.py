"""Instructor dashboard area `gradebook` (see :mod:`kampus_instructor`)."""
