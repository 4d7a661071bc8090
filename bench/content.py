"""Content benchmark: OLX import/export and structure loading, as ratios to bare parsing.

Figures (JSON lines, DESIGN.md section 8):

* ``import_vs_lxml_<course>``: importing a course (read, check, store blocks and
  files, publish) against the least work any import does: lxml's bare parse of the
  same XML files plus reading and hashing (SHA-256, the key of the course file
  blobs) every file the import stores verbatim; target <= 5. ``detail`` also gives
  the ratio to the XML-only parse (``ratio_vs_xml_only``), the earlier baseline,
  which left out the copy of the static files (20 MB in the demo course);
* ``export_vs_lxml_<course>``: exporting it to a ``.tar.gz`` archive, against the XML-only parse
  (``detail`` gives the ratio to parse and hash too);
* ``load_structure_vs_json``: loading a published 10,000-block structure from
  the database (cold cache) against ``json.loads`` of the same document; target <= 3.

Courses: the largest course of ``../shared/corpus/olx`` (when present) and a
synthetic course of about 10,000 blocks. ``--quick`` uses a 2,000-block course
and fewer repetitions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "olx"


def best_of(runs: int, func: Callable[[], object]) -> float:
    """The median of ``runs`` timings of ``func`` (seconds)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_course(folder: Path, blocks: int) -> Path:
    """Write an OLX course of about ``blocks`` blocks: chapters > sequentials > verticals > html and problems."""
    per_vertical = 9
    verticals = max(1, blocks // (per_vertical + 1))
    chapters = max(1, round(verticals ** (1 / 3)))
    sequentials_per_chapter = chapters
    verticals_per_sequential = max(1, verticals // (chapters * sequentials_per_chapter))
    for sub in ("course", "chapter", "sequential", "vertical", "html", "problem"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "course.xml").write_text('<course url_name="2026" org="BenchX" course="Big"/>')
    chapter_refs = []
    for c in range(chapters):
        seq_refs = []
        for s in range(sequentials_per_chapter):
            vert_refs = []
            for v in range(verticals_per_sequential):
                vid = f"v{c}_{s}_{v}"
                leaves = []
                for i in range(per_vertical):
                    if i % 3 == 2:
                        pid = f"p{vid}_{i}"
                        (folder / "problem" / f"{pid}.xml").write_text(
                            f'<problem display_name="Problem {i}" max_attempts="3" weight="1">'
                            f'<numericalresponse answer="{i}.5"><responseparam type="tolerance" default="0.01"/>'
                            f'<formulaequationinput label="Value of item {i}?"/></numericalresponse></problem>')
                        leaves.append(f'<problem url_name="{pid}"/>')
                    else:
                        hid = f"h{vid}_{i}"
                        (folder / "html" / f"{hid}.xml").write_text(
                            f'<html filename="{hid}" display_name="Text {i}"/>')
                        (folder / "html" / f"{hid}.html").write_text(
                            f"<p>Paragraph {i} of unit {vid}: <b>bold</b> and <a href='/static/x.png'>a link</a>.</p>")
                        leaves.append(f'<html url_name="{hid}"/>')
                (folder / "vertical" / f"{vid}.xml").write_text(
                    f'<vertical display_name="Unit {v}">' + "".join(leaves) + "</vertical>")
                vert_refs.append(f'<vertical url_name="{vid}"/>')
            sid = f"s{c}_{s}"
            (folder / "sequential" / f"{sid}.xml").write_text(
                f'<sequential display_name="Lesson {s}" graded="true" format="Homework">' + "".join(vert_refs)
                + "</sequential>")
            seq_refs.append(f'<sequential url_name="{sid}"/>')
        cid = f"c{c}"
        (folder / "chapter" / f"{cid}.xml").write_text(
            f'<chapter display_name="Week {c}">' + "".join(seq_refs) + "</chapter>")
        chapter_refs.append(f'<chapter url_name="{cid}"/>')
    (folder / "course" / "2026.xml").write_text(
        '<course display_name="Big bench course" start="2026-01-01T00:00:00Z">' + "".join(chapter_refs) + "</course>")
    return folder


def lxml_parse_all(folder: Path) -> Callable[[], object]:
    """Bare lxml parse of every XML file of a course folder (files read from disk each time).

    Static files (images, PDFs) are not XML: :func:`read_and_hash` adds their reading and hashing.
    """
    files = sorted(p for p in folder.rglob("*.xml") if "static" not in p.parts)

    def parse() -> int:
        count = 0
        for path in files:
            etree.fromstring(path.read_bytes())
            count += 1
        return count

    return parse


def read_and_hash(paths: list[Path]) -> Callable[[], object]:
    """Read every file of ``paths`` and hash it as the import does to key it in the blob store (SHA-256)."""

    def digest() -> int:
        total = 0
        for path in paths:
            data = path.read_bytes()
            hashlib.sha256(data).hexdigest()
            total += len(data)
        return total

    return digest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, under a minute")
    args = parser.parse_args()
    size = 2_000 if args.quick else 10_000
    runs = 3 if args.quick else 5

    from kampus_content.olx.reader import read_course
    from kampus_content.olx.service import export_path, import_path
    from kampus_content.store.sql import SqlContentStore, StructureRow

    from kampus import create_app
    from kampus.db.migrate import upgrade

    work = Path(tempfile.mkdtemp(prefix="kampus-bench-content-"))
    try:
        app = create_app({"home": str(work / "site"), "secret_key": "bench", "event_sinks": []}, plugins=["content"])
        kampus = app.extensions["kampus"]
        (work / "site").mkdir(parents=True, exist_ok=True)
        upgrade(kampus.db, kampus.pm)
        courses: list[tuple[str, Path]] = []
        if CORPUS.is_dir():
            largest = max((p for p in CORPUS.iterdir() if (p / "course.xml").exists()),
                          key=lambda p: sum(f.stat().st_size for f in p.rglob("*") if f.is_file()))
            courses.append((largest.name, largest))
        else:
            print("# ../shared/corpus/olx is absent: only the synthetic course is measured", file=sys.stderr)
        courses.append((f"synthetic_{size}", synthetic_course(work / "synthetic", size)))
        results = []
        with app.app_context():
            store = SqlContentStore(kampus.settings)
            for name, folder in courses:
                xml_only = best_of(runs, lxml_parse_all(folder))
                # The files the import keeps verbatim (static/, about/, ...), listed once outside the timing.
                kept = sorted(read_course(folder).files.values())
                hash_time = best_of(runs, read_and_hash(kept))
                baseline = xml_only + hash_time
                counter = iter(range(10**6))
                keys: list[str] = []

                def do_import(
                    folder: Path = folder, counter=counter, keys=keys, run: str = name.replace("-", "_")
                ) -> None:
                    result = import_path(folder, store, user_id=None,
                                         course_key=f"course-v1:Bench+C{next(counter)}+{run}")
                    keys.append(result.course_key)

                import_time = best_of(runs, do_import)
                export_counter = iter(range(10**6))

                def do_export(key: str = keys[0], export_counter=export_counter, label: str = name) -> None:
                    # A .tar.gz, as Studio and the export API deliver it.
                    export_path(key, work / f"export-{label}-{next(export_counter)}.tar.gz", store)

                export_time = best_of(runs, do_export)
                blocks = len(store.get_branch(keys[0], "published").blocks)
                detail = {"course": name, "blocks": blocks, "lxml_parse_s": round(xml_only, 4),
                          "read_and_hash_s": round(hash_time, 4), "hashed_files": len(kept),
                          "hashed_bytes": sum(path.stat().st_size for path in kept), "db": kampus.db.dialect}
                results.append({"bench": "content", "figure": f"import_vs_lxml_{name}",
                                "value": round(import_time / baseline, 2), "target": "<= 5",
                                "met": import_time / baseline <= 5,
                                "detail": {**detail, "import_s": round(import_time, 4),
                                           "ratio_vs_parse_and_hash": round(import_time / baseline, 2),
                                           "ratio_vs_xml_only": round(import_time / xml_only, 2)}})
                results.append({"bench": "content", "figure": f"export_vs_lxml_{name}",
                                "value": round(export_time / xml_only, 2), "target": "report",
                                "met": True, "detail": {**detail, "export_s": round(export_time, 4),
                                                        "ratio_vs_xml_only": round(export_time / xml_only, 2),
                                                        "ratio_vs_parse_and_hash": round(export_time / baseline, 2)}})

            # Loading a published structure, cold cache, against json.loads of its stored document.
            key = keys[0]
            version = store.get_course_index(key).published_version
            with store.db.session_scope() as db_session:
                document = db_session.get(StructureRow, version).document

            def load() -> None:
                store.structure_cache.clear()  # cold: the store keeps its structures on itself
                store.get_structure(key, version)

            load_time = best_of(runs * 2, load)
            json_time = best_of(runs * 2, lambda: json.loads(document))
            results.append({"bench": "content", "figure": "load_structure_vs_json",
                            "value": round(load_time / json_time, 2), "target": "<= 3",
                            "met": load_time / json_time <= 3,
                            "detail": {"blocks": blocks, "document_bytes": len(document), "load_s": round(load_time, 4),
                                       "json_loads_s": round(json_time, 4), "db": kampus.db.dialect}})
        for result in results:
            print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
