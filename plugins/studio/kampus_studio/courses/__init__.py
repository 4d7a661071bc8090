"""Studio area `courses` (see :mod:`kampus_studio`)."""
