"""The forums' ``rest`` area (see :mod:`kampus_forums`)."""
