"""The forums' ``web`` area (see :mod:`kampus_forums`)."""
