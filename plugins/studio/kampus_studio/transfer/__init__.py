"""Studio area `transfer` (see :mod:`kampus_studio`)."""
