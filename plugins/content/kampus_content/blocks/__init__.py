"""Kampus's core XBlocks (entry points ``xblock.v1``): course, chapter, sequential, vertical, html,
video, discussion; and the placeholder for blocks that cannot run."""
