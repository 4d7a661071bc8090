"""The forums' ``notifications`` area (see :mod:`kampus_forums`)."""
