"""The forums' ``search`` area (see :mod:`kampus_forums`)."""
