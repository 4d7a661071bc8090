"""The forums' ``interactions`` area (see :mod:`kampus_forums`)."""
