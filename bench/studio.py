"""Studio benchmark: the authoring pages of a 10,000-block course and publishing, as ratios to baselines
measured in the same run.

A site in a temporary KAMPUS_HOME (``kampus init``, every first-party plugin, SQLite) gets a synthetic
course of 10 sections x 10 subsections x 10 units x 9 blocks (8 HTML blocks and 1 problem per unit:
10,111 blocks), published, and a global-staff author enrolled in it. Figures (JSON lines, DESIGN.md
section 8):

* ``outline_page_vs_lms_unit``: requests/s of the Studio outline page of the course, against the LMS
  unit page of its first unit (the same user, the same site, ``kampus serve --workers 2``, the same
  load); target >= 0.5;
* ``unit_editor_page_vs_lms_unit``: the same for the Studio unit editor page of that unit (reported
  "not measured" when the unit editor's route does not exist); target >= 0.5;
* ``publish_vs_structure_copy``: publishing the course after a one-field edit (``kampus_content.api.publish``,
  in-process, the life-cycle hooks included: the LMS's catalog, search, grades and certificates
  reactions), against copying the 10,111-block structure document (``json.loads(json.dumps(doc))``);
  target <= 10. ``detail`` gives the milliseconds and the ratio to ``copy.deepcopy`` of the document.
* ``content_search_vs_bare_query``: Studio's content search of the course (``search_blocks``: words and the
  block-type filter, with its two facets, as the search page asks), against the bare full-text query it
  issues (the site's search engine, the same words and filters, one page, no facets); no target (reported
  for issue 21's search rows; the forums' search target is <= 3). ``detail`` also gives the time to index the
  course's draft whole and again after a one-field edit (only the changed documents are written).

    python bench/studio.py [--quick] [--duration S] [--connections N] [--load wrk|python]

``--quick``: a 4 x 5 x 5 x 9 course (1,025 blocks), 2 s of load per page and fewer repetitions.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kernel_overhead as live
from content import best_of  # the median of timed runs
from kampus_content.api import DRAFT, content_store, get_structure, publish, update_fields
from lms import course_blocks, resolved, usage  # the LMS bench's synthetic course and helpers

from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.testing import login

KAMPUS = live.KAMPUS
PASSWORD = live.PASSWORD
USERNAME = live.USERNAME
COURSE = "course-v1:BenchX+Studio+2026"
TARGET_PAGES = 0.5
TARGET_PUBLISH = 10.0


def build(app: Any, size: tuple[int, int, int]) -> dict[str, Any]:
    """The course (published), the author (global staff, enrolled) and the URLs to load."""
    from kampus_lms.api import enroll

    sections, subsections, units = size
    with app.app_context():
        blocks = course_blocks(sections, subsections, units, 8, 1)
        store = content_store()
        store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
        with app.extensions["kampus"].db.session_scope() as db_session:
            user = create_user(db_session, USERNAME, f"{USERNAME}@example.com", PASSWORD, confirmed=True,
                               is_staff=True)
            db_session.flush()
            db_session.expunge(user)
        enroll(user, COURSE, check_access=False)
        unit_editor = "studio_unit.unit_page" in app.view_functions
    first_unit = usage(COURSE, "v0_0_0")
    return {
        "user": user, "blocks": len(blocks),
        "lms_unit": f"/courses/{COURSE}/jump_to/{first_unit}",
        "outline": f"/studio/course/{COURSE}/",
        "unit_editor": f"/studio/course/{COURSE}/unit/{first_unit}" if unit_editor else None,
    }


def publish_figures(app: Any, runs: int) -> dict[str, float]:
    """Milliseconds of publishing after a one-field edit, and of copying the structure document."""
    with app.test_request_context():
        structure = get_structure(COURSE, DRAFT)
        document = structure.to_document()
        json_s = best_of(runs * 3, lambda: json.loads(json.dumps(document)))
        deep_s = best_of(runs, lambda: copy.deepcopy(document))
        times = []
        for n in range(runs):
            draft = get_structure(COURSE, DRAFT)
            update_fields(COURSE, ("html", "h0_0_0_0"), {"display_name": f"Edit {n}"}, user_id=None,
                          expected_version=draft.version)
            started = time.perf_counter()
            publish(COURSE, user_id=None)
            times.append(time.perf_counter() - started)
        times.sort()
        publish_s = times[len(times) // 2]
    return {"publish_ms": publish_s * 1000, "json_copy_ms": json_s * 1000, "deepcopy_ms": deep_s * 1000}


def search_figures(app: Any, user: Any, runs: int) -> dict[str, float]:
    """Milliseconds of Studio's content search and of the bare query, and of indexing the course."""
    from kampus_studio.search.api import reindex_course, search_blocks
    from kampus_studio.search.documents import STUDIO_INDEX

    with app.test_request_context():
        full_s = best_of(1, lambda: reindex_course(COURSE, full=True))
        edits = []
        for n in range(runs):
            update_fields(COURSE, ("html", "h0_0_0_1"), {"display_name": f"Indexed edit {n}"}, user_id=None,
                          expected_version=get_structure(COURSE, DRAFT).version)
            started = time.perf_counter()
            reindex_course(COURSE)
            edits.append(time.perf_counter() - started)
        edits.sort()
        search = app.extensions["kampus"].search
        filters = {"type": "course_block", "block_type": ("problem",)}
        bare_s = best_of(runs * 3, lambda: search.search(STUDIO_INDEX, "problem", field_dictionary=filters, size=20))
        kampus_s = best_of(runs * 3, lambda: search_blocks(user, "problem", block_types=("problem",)))
    return {"search_ms": kampus_s * 1000, "bare_query_ms": bare_s * 1000, "full_index_ms": full_s * 1000,
            "edit_index_ms": edits[len(edits) // 2] * 1000}


def check_pages(app: Any, urls: dict[str, Any]) -> dict[str, str]:
    """Every page answers 200 in-process (and the unit page's final address, after jump_to)."""
    client = login(app.test_client(), urls["user"])
    paths = {"lms_unit": resolved(client, urls["lms_unit"]), "outline": resolved(client, urls["outline"])}
    if urls["unit_editor"]:
        paths["unit_editor"] = resolved(client, urls["unit_editor"])
    return paths


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    size = (4, 5, 5) if args.quick else (10, 10, 10)
    duration = args.duration or (2 if args.quick else 10)
    runs = 5 if args.quick else 11
    tool = args.load or ("wrk" if shutil.which("wrk") else "python")
    with tempfile.TemporaryDirectory(prefix="kampus-bench-studio-") as tmp:
        home = Path(tmp) / "site"
        env = live.init_site(home)
        app = create_app()
        started = time.perf_counter()
        urls = build(app, size)
        setup_s = time.perf_counter() - started
        paths = check_pages(app, urls)
        figures = publish_figures(app, runs)
        searched = search_figures(app, urls["user"], runs)
        app.extensions["kampus"].db.engine.dispose()

        port = live.free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = live.subprocess.Popen(
            [KAMPUS, "serve", "--port", str(port), "--workers", "2", "--no-worker"],
            env=env, stdout=live.subprocess.DEVNULL, stderr=live.subprocess.DEVNULL, start_new_session=True)
        rps: dict[str, dict[str, Any]] = {}
        try:
            live.wait_for(base_url + "/", server)
            cookie, _html = live.log_in(base_url)
            for name, path in paths.items():
                rps[name] = live.measure(base_url + path, cookie, duration, args.connections, tool)
        finally:
            live.stop(server)

    base = {"blocks": urls["blocks"], "course": "x".join(map(str, size)) + "x9", "quick": args.quick, "load": tool,
            "duration_s": duration, "connections": args.connections, "cpus": os.cpu_count(),
            "setup_s": round(setup_s, 1), "db": "sqlite"}
    out = []
    lms_rps = rps["lms_unit"]["rps"]
    for name, figure in (("outline", "outline_page_vs_lms_unit"), ("unit_editor", "unit_editor_page_vs_lms_unit")):
        if name not in rps:
            out.append({"bench": "studio", "figure": figure, "value": None, "target": f">= {TARGET_PAGES}",
                        "met": None, "detail": {"reason": "not measured: the unit editor page does not exist",
                                                **base}})
            continue
        ratio = rps[name]["rps"] / lms_rps if lms_rps else 0.0
        out.append({"bench": "studio", "figure": figure, "value": round(ratio, 3), "target": f">= {TARGET_PAGES}",
                    "met": ratio >= TARGET_PAGES and rps[name]["non_2xx"] == 0 and rps["lms_unit"]["non_2xx"] == 0,
                    "detail": {"page_rps": rps[name]["rps"], "lms_unit_rps": lms_rps,
                               "page_errors": rps[name]["non_2xx"], "page_p50": rps[name]["p50"],
                               "lms_unit_p50": rps["lms_unit"]["p50"], **base}})
    ratio = figures["publish_ms"] / figures["json_copy_ms"] if figures["json_copy_ms"] else 0.0
    out.append({"bench": "studio", "figure": "publish_vs_structure_copy", "value": round(ratio, 2),
                "target": f"<= {TARGET_PUBLISH:g}", "met": ratio <= TARGET_PUBLISH,
                "detail": {"publish_ms": round(figures["publish_ms"], 2),
                           "json_copy_ms": round(figures["json_copy_ms"], 2),
                           "deepcopy_ms": round(figures["deepcopy_ms"], 2),
                           "ratio_vs_deepcopy": round(figures["publish_ms"] / figures["deepcopy_ms"], 2)
                           if figures["deepcopy_ms"] else None, **base}})
    ratio = searched["search_ms"] / searched["bare_query_ms"] if searched["bare_query_ms"] else 0.0
    out.append({"bench": "studio", "figure": "content_search_vs_bare_query", "value": round(ratio, 2),
                "target": None, "met": None,
                "detail": {name: round(value, 2) for name, value in searched.items()} | base})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller course and short load (smoke run)")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--load", choices=["wrk", "python"], default=None)
    args = parser.parse_args()
    for line in run(args):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
