"""Events in the Open edX tracking-log shape: :func:`emit` builds them, sinks store them."""

from kampus.events.emit import emit, emit_with

__all__ = ["emit", "emit_with"]
