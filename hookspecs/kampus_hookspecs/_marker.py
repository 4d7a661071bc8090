"""The hookspec marker, in a module of its own so spec modules can import it."""

import pluggy

PROJECT_NAME = "kampus"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
