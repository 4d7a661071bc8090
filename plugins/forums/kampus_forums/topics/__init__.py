"""The forums' ``topics`` area (see :mod:`kampus_forums`)."""
