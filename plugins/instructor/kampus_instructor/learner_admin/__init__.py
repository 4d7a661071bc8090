"""Instructor dashboard area `learner_admin` (see :mod:`kampus_instructor`)."""
