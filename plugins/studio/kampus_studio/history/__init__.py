"""Studio area `history` (see :mod:`kampus_studio`)."""
