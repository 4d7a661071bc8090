"""One version-keyed cache, held per app: two apps in one process never share a cached structure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from kampus_content.api import DRAFT, VersionCache, content_store, release_info
from kampus_content.blocks_api import course_tree
from kampus_content.runtime.fragments import load_script, store_script
from kampus_content.testing.contract import COURSE, small_course

PACKAGE = Path(__file__).resolve().parents[1] / "kampus_content"
CACHED_MODULES = ["store/cache.py", "store/sql.py", "release.py", "blocks_api.py", "assets.py", "asset_index.py",
                  "api.py", "block_edits.py", "settings_fields.py", "runtime/fragments.py"]


def test_the_cache_is_a_bounded_lru() -> None:
    cache: VersionCache[str] = VersionCache(size=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # now the most recent
    cache.put("c", "C")
    assert "b" not in cache and cache.get("a") == "A" and len(cache) == 2
    assert cache.get_or_compute("d", lambda: "D") == "D"
    assert cache.get_or_compute("d", lambda: pytest.fail("computed twice")) == "D"
    cache.drop(lambda version, _value: version != "d")
    assert "d" not in cache


def test_two_apps_in_one_process_do_not_share_cached_structures(make_app) -> None:
    first, second = make_app(plugins=["content"]), make_app(plugins=["content"])
    blocks, root = small_course()
    with first.app_context():
        store = content_store()
        store.create_course(COURSE, blocks, root, user_id=None)
        structure = store.get_branch(COURSE, DRAFT)
        assert store.structure_cache.get(structure.version) is structure
        info = release_info(structure)
        assert release_info(structure) is info
        tree = course_tree(structure)
        cached = dict(first.extensions["kampus"].cache)
    with second.app_context():
        other = content_store()
        assert other is not store
        assert other.structure_cache.get(structure.version) is None
        assert release_info(structure) is not info  # computed again, for this app
        assert course_tree(structure) is not tree
        with pytest.raises(Exception, match="no course"):
            other.get_course_index(COURSE)  # its own database, too
    for name, value in cached.items():
        if isinstance(value, VersionCache):
            assert second.extensions["kampus"].cache.get(name) is not value


def test_no_module_level_cache_remains() -> None:
    """No module of the content plugin's store, release, blocks or assets code keeps a mutable module-level
    dict, OrderedDict or cache object (the per-app caches live on the Kampus object or the driver)."""
    offenders = []
    for relative in CACHED_MODULES:
        tree = ast.parse((PACKAGE / relative).read_text())
        for node in tree.body:
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            private = any(isinstance(t, ast.Name) and t.id.startswith("_") for t in targets)
            value = node.value
            called = ast.unparse(value.func).split(".")[-1] if isinstance(value, ast.Call) else ""
            if called in ("StructureCache", "VersionCache", "Lock", "RLock") or (
                    private and (isinstance(value, ast.Dict) or called in ("dict", "OrderedDict"))):
                offenders.append(f"{relative}: {ast.unparse(node)}")
    assert offenders == []


def test_two_apps_in_one_process_keep_their_own_inline_scripts(make_app) -> None:
    first, second = make_app(plugins=["content"]), make_app(plugins=["content"])
    with first.app_context():
        digest = store_script("console.log('only in the first site');")
        assert load_script(digest) == "console.log('only in the first site');"
    with second.app_context():
        assert load_script(digest) is None  # neither in its memory nor in its database
        assert store_script("console.log('only in the first site');") == digest
        assert load_script(digest) is not None
