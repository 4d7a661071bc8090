"""The forums' ``threads`` area (see :mod:`kampus_forums`)."""
