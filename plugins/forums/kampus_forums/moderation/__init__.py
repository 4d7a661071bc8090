"""The forums' ``moderation`` area (see :mod:`kampus_forums`)."""
