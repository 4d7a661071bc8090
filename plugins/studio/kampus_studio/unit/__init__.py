"""Studio area `unit` (see :mod:`kampus_studio`)."""
