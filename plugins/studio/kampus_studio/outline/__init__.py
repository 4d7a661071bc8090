"""Studio area `outline` (see :mod:`kampus_studio`)."""
