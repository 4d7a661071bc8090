"""Publishing one part of a course (a unit, a subsection, a section), as Open edX Studio's "Publish" of a unit,
and discarding one part's unpublished changes (its "Discard changes").

The new published version is the current one with the block's subtree taken from the draft; the
block takes its draft position under its draft parent (removed from any other published parent), and
ancestors that were never published are published with only the path down to it (their other new
children stay drafts). Everything else (other draft changes, settings of published ancestors) stays
unpublished. The draft itself is not changed: it is written again on top of the new published version,
in one store operation (:meth:`ContentStore.replace_course`) with a compare-and-set on the draft
version, so a concurrent edit is never lost (:class:`VersionConflict`, nothing written).
"""

from __future__ import annotations

from kampus_content.block_edits import BlockNotFound, InvalidEdit, apply_edit, draft
from kampus_content.store import PUBLISHED, Block, BlockKey, Structure, VersionConflict, content_store
from kampus_content.store.interface import walk_blocks


def _copy(block: Block) -> Block:
    return Block(block.type, block.id, dict(block.fields), list(block.children), dict(block.meta))


def publish_block(course_id: str, key: BlockKey, *, user_id: int | None,
                  expected_version: str | None = None) -> tuple[str, str]:
    """Publish block ``key`` of the draft with everything below it; returns ``(published, draft)`` versions.

    ``kampus_content_changed`` and ``kampus_content_published`` fire once each. Raises
    :class:`BlockNotFound`, :class:`InvalidEdit` (the course itself: publish the course) or
    :class:`VersionConflict`.
    """
    store = content_store()
    current = draft(course_id, store)
    if expected_version is not None and expected_version != current.version:
        raise VersionConflict(course_id, expected_version, current.version)
    key = tuple(key)  # type: ignore[assignment]
    if key not in current.blocks:
        raise BlockNotFound(f"no block {key[0]}/{key[1]} in {course_id}")
    if key == current.root:
        raise InvalidEdit("publish the whole course to publish its root")
    old = store.get_branch(course_id, PUBLISHED)
    blocks: dict[BlockKey, Block] = {k: _copy(b) for k, b in old.blocks.items()} if old is not None else {}
    if current.root not in blocks:
        root = current.blocks[current.root]
        blocks[current.root] = Block(root.type, root.id, dict(root.fields), [], dict(root.meta))
    for block in walk_blocks(current.blocks, key):
        blocks[block.key] = _copy(block)
    parents = current.parents()
    child = key
    while child != current.root:
        parent_key = parents.get(child)
        if parent_key is None:
            raise InvalidEdit(f"{key[0]}/{key[1]} is not in the course's tree")
        for other_key, other in blocks.items():  # a block has one parent: drop it elsewhere
            if other_key != parent_key and child in other.children:
                other.children.remove(child)
        parent = blocks.get(parent_key)
        source = current.blocks[parent_key]
        if parent is None:
            parent = blocks[parent_key] = Block(source.type, source.id, dict(source.fields), [], dict(source.meta))
        if child not in parent.children:
            # at its draft position among the siblings that are published
            later = source.children[source.children.index(child) + 1:]
            position = next((parent.children.index(c) for c in later if c in parent.children), len(parent.children))
            parent.children.insert(position, child)
        child = parent_key
    reachable = {block.key for block in walk_blocks(blocks, current.root)}
    published = [block for k, block in blocks.items() if k in reachable]
    return store.replace_course(
        course_id, published, current.root, user_id=user_id, draft=current.edit().values(),
        message=f"publish {key[0]}/{key[1]}", draft_message=f"draft after publishing {key[0]}/{key[1]}",
        expected_version=current.version)


def discard_block(course_id: str, key: BlockKey, *, user_id: int | None,
                  expected_version: str | None = None) -> Structure:
    """Make block ``key`` of the draft and everything below it equal to their published version again
    (Open edX's "Discard changes" of a unit, the split modulestore's ``revert_to_published``): one new
    draft version; returns it. The block keeps its draft place; a published child that the draft moved
    elsewhere comes back (and leaves the other parent); components added since the publish are dropped.
    Other draft changes stay. Raises :class:`BlockNotFound`, :class:`InvalidEdit` (the course itself, or
    a block that was never published) or :class:`VersionConflict`.
    """
    key = tuple(key)  # type: ignore[assignment]
    published = content_store().get_branch(course_id, PUBLISHED)

    def edit(blocks: dict[BlockKey, Block], current: Structure) -> None:
        if key not in blocks:
            raise BlockNotFound(f"no block {key[0]}/{key[1]} in {course_id}")
        if key == current.root:
            raise InvalidEdit("discard the whole course's changes to discard its root's")
        if published is None or key not in published.blocks:
            raise InvalidEdit(f"{key[0]}/{key[1]} was never published: there is no published version to go back to")
        for block in list(walk_blocks(blocks, key)):
            del blocks[block.key]
        restored = {block.key: _copy(block) for block in walk_blocks(published.blocks, key)}
        # a block has one parent: a restored descendant leaves any other; the block itself stays where it is
        # in the draft (its parent still lists it)
        moved = restored.keys() - {key}
        for other in blocks.values():
            if any(child in moved for child in other.children):
                other.children[:] = [child for child in other.children if child not in moved]
        blocks.update(restored)

    saved, _ = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                          message=f"discard changes of {key[0]}/{key[1]}")
    return saved
