"""Studio area `files` (see :mod:`kampus_studio`)."""
