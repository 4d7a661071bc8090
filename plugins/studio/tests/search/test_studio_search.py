"""Studio's content search: every block of a course's draft is indexed after each edit, and an author finds
blocks of the courses they edit by words, block type and problem type (Open edX's Studio search)."""

from __future__ import annotations

from click.testing import CliRunner
from kampus_content.api import DRAFT, Block, content_store, get_structure, update_fields
from kampus_content.testing.xblocks import publish_course
from kampus_studio.search import api
from kampus_studio.search import cli as search_cli
from kampus_studio.search.documents import STUDIO_INDEX, studio_documents
from kampus_studio.search.tasks import RECORDS_KEPT, TASK

from kampus.tasks.api import course_records, submit

COURSE = "course-v1:KampusX+Find+1"
OTHER = "course-v1:KampusX+Other+1"
API = "/api/studio/v1/search/"
CHOICE = """<problem><multiplechoiceresponse>
<label>Which gas do plants take in for photosynthesis?</label>
<choicegroup type="MultipleChoice"><choice correct="true">Carbon dioxide</choice>
<choice correct="false">Helium</choice></choicegroup>
<solution><p>Chlorophyll needs carbon dioxide.</p></solution>
</multiplechoiceresponse></problem>"""
NUMBER = """<problem><numericalresponse answer="42">
<label>How many legs have seven spiders and a photosynthesis fly?</label>
<formulaequationinput/></numericalresponse></problem>"""


def _course(app, course_id: str = COURSE) -> dict[str, str]:
    return publish_course(app, course_id, {
        "leaves": [Block("html", "intro", {"display_name": "Photosynthesis basics",
                                           "data": "<p>Plants turn <b>light</b> into sugar.</p><script>x()</script>"}),
                   Block("problem", "gas", {"display_name": "Gas question", "data": CHOICE}),
                   Block("problem", "legs", {"display_name": "Counting", "data": NUMBER})],
        "empty": [],
    }, course_fields={"display_name": "Botany"})


def _search(client, **params):
    response = client.get(API, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_documents_have_open_edx_fields_and_breadcrumbs(app) -> None:
    ids = _course(app)
    with app.app_context():
        documents = {d["block_id"]: d for d in studio_documents(COURSE, get_structure(COURSE, DRAFT))}
    assert set(documents) == {"week1", "lesson1", "leaves", "empty", "intro", "gas", "legs"}  # the root left out
    gas = documents["gas"]
    assert gas["id"] == gas["usage_key"] == ids["gas"]
    assert (gas["type"], gas["block_type"], gas["context_key"], gas["org"]) == (
        "course_block", "problem", COURSE, "KampusX")
    assert [crumb["display_name"] for crumb in gas["breadcrumbs"]] == ["Botany", "Week 1", "Lesson 1", "Leaves"]
    assert gas["breadcrumbs"][0] == {"display_name": "Botany"} and gas["breadcrumbs"][3]["usage_key"] == ids["leaves"]
    assert gas["problem_types"] == ["multiplechoiceresponse"]
    assert "carbon dioxide" in gas["content"]["capa_content"].lower()
    assert "Chlorophyll" in gas["content"]["capa_content"]  # authors find their solutions too
    intro = documents["intro"]["content"]
    assert intro == {"display_name": "Photosynthesis basics", "html_content": "Plants turn light into sugar."}
    assert documents["intro"]["unit"] == ids["leaves"] and documents["leaves"]["unit"] == ids["leaves"]
    assert documents["week1"]["unit"] is None and documents["lesson1"]["section"] == ids["week1"]


def test_filter_by_block_type_returns_only_that_type(app, client_as) -> None:
    """openedx-features.md 1.17: given filter type=problem, only problems returned."""
    _course(app)
    author = client_as("staff", course_id=COURSE)
    found = _search(author, q="photosynthesis", course_id=COURSE, block_type="problem")
    assert {hit["block_type"] for hit in found["results"]} == {"problem"}
    assert {hit["block_id"] for hit in found["results"]} == {"gas", "legs"} and found["count"] == 2
    # The type facet still offers the other types the words find; the problem-type facet follows the filter.
    assert found["facets"]["block_type"] == {"problem": 2, "html": 1}
    assert found["facets"]["problem_types"] == {"multiplechoiceresponse": 1, "numericalresponse": 1}
    numeric = _search(author, q="photosynthesis", block_type="problem", problem_type="numericalresponse")
    assert [hit["block_id"] for hit in numeric["results"]] == ["legs"]
    assert _search(author, q="photosynthesis", block_type="html,video")["count"] == 1
    everything = _search(author, course_id=COURSE)
    assert everything["count"] == 7
    assert everything["facets"]["block_type"] == {"chapter": 1, "sequential": 1, "vertical": 2, "html": 1,
                                                  "problem": 2}


def test_hit_links_to_the_page_that_edits_the_block(app, client_as) -> None:
    ids = _course(app)
    author = client_as("staff", course_id=COURSE)
    hits = {hit["block_id"]: hit for hit in _search(author, course_id=COURSE)["results"]}
    assert hits["gas"]["url"] == f"/studio/course/{COURSE}/unit/{ids['leaves']}"
    assert hits["leaves"]["url"] == f"/studio/course/{COURSE}/unit/{ids['leaves']}"
    assert hits["lesson1"]["url"] == hits["week1"]["url"] == f"/studio/course/{COURSE}/"
    assert author.get(hits["gas"]["url"]).status_code == 200
    light = _search(author, q="light")["results"][0]
    assert light["block_id"] == "intro" and "<b>light</b>" in light["excerpt"] and "x()" not in light["excerpt"]


def test_an_author_finds_only_the_courses_they_edit(app, client_as) -> None:
    _course(app)
    _course(app, OTHER)
    author = client_as("staff", course_id=COURSE)
    found = _search(author, q="photosynthesis")
    assert {hit["context_key"] for hit in found["results"]} == {COURSE}
    refused = author.get(API, query_string={"course_id": OTHER})
    assert refused.status_code == 403 and refused.get_json()["developer_message"]
    assert author.get(f"/studio/course/{OTHER}/search").status_code == 403
    learner = client_as("user")
    assert _search(learner, q="photosynthesis")["count"] == 0
    staff = client_as("global_staff")
    assert {hit["context_key"] for hit in _search(staff, q="photosynthesis")["results"]} == {COURSE, OTHER}
    assert client_as("anonymous").get(API).status_code == 401


def test_bad_parameters_get_a_400(app, client_as) -> None:
    _course(app)
    author = client_as("staff", course_id=COURSE)
    for params in ({"page": 0}, {"page_size": 101}, {"page": "x"}, {"course_id": "not a key"},
                   {"page": 10_001}, {"page": 10 ** 19}):
        response = author.get(API, query_string=params)
        assert response.status_code == 400, params
        assert response.get_json()["developer_message"]
    assert author.get("/studio/search?page=0").status_code == 400
    assert author.get("/studio/search?page=999999999999999999").status_code == 400
    # A control character in a filter matches nothing (no block type holds one); it is no server error.
    assert _search(author, block_type="\x00,problem")["count"] == 2
    assert author.get("/studio/search", query_string={"block_type": "\x00"}).status_code == 200
    # Query strings are never an error.
    assert _search(author, q='"unclosed AND (( * -x')["count"] >= 0


def test_each_edit_reindexes_the_draft_and_old_task_records_are_pruned(app, client_as) -> None:
    ids = _course(app)
    author = client_as("staff", course_id=COURSE)
    assert _search(author, q="mitochondria")["count"] == 0
    with app.app_context():
        for n in range(RECORDS_KEPT + 2):
            update_fields(COURSE, ("html", "intro"), {"data": f"<p>Mitochondria, edit {n}</p>"}, user_id=author.user.id,
                          expected_version=get_structure(COURSE, DRAFT).version)
    found = _search(author, q="mitochondria")
    assert [hit["usage_key"] for hit in found["results"]] == [ids["intro"]]
    assert "edit 6" in found["results"][0]["excerpt"]
    with app.app_context():
        records = [record for record in course_records(COURSE) if record.name == TASK]
        assert len(records) == RECORDS_KEPT


def test_a_task_for_an_older_draft_does_nothing(app) -> None:
    _course(app)
    with app.app_context():
        old = get_structure(COURSE, DRAFT).version
        search = app.extensions["kampus"].search
        search.remove_matching(STUDIO_INDEX, {"context_key": COURSE})
        update_fields(COURSE, ("html", "intro"), {"display_name": "Renamed"}, user_id=None, expected_version=old)
        search.remove_matching(STUDIO_INDEX, {"context_key": COURSE})
        record = submit(TASK, course_id=COURSE, version=old)
        assert record.id
        assert search.search(STUDIO_INDEX, None, field_dictionary={"context_key": COURSE})["total"] == 0
        submit(TASK, course_id=COURSE, version=get_structure(COURSE, DRAFT).version)
        assert search.search(STUDIO_INDEX, "Renamed", field_dictionary={"context_key": COURSE})["total"] == 1


def test_deleting_a_course_removes_its_documents(app) -> None:
    _course(app)
    with app.app_context():
        search = app.extensions["kampus"].search
        assert search.search(STUDIO_INDEX, None, field_dictionary={"context_key": COURSE})["total"] == 7
        content_store().delete_course(COURSE)
        assert search.search(STUDIO_INDEX, None, field_dictionary={"context_key": COURSE})["total"] == 0


def test_search_pages_show_results_filters_and_pages(app, client_as) -> None:
    _course(app)
    author = client_as("staff", course_id=COURSE)
    home = author.get("/studio/").get_data(as_text=True)
    assert 'id="studio-home-search"' in home
    page = author.get("/studio/search", query_string={"q": "photosynthesis", "block_type": "problem"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2 blocks found" in html
    assert "Gas question" in html and "Counting" in html and "Photosynthesis basics" not in html
    assert 'value="problem"' in html and "checked" in html and "Multiple choice" in html
    assert "Botany" in html and "Lesson 1" in html  # breadcrumbs
    course_page = author.get(f"/studio/course/{COURSE}/search", query_string={"q": "sugar"}).get_data(as_text=True)
    assert "1 block found" in course_page and 'aria-current="page">Search' in course_page.replace("\n", "")
    paged = author.get(f"/studio/course/{COURSE}/search").get_data(as_text=True)
    assert "7 blocks found" in paged
    none = author.get("/studio/search", query_string={"q": "zebra"}).get_data(as_text=True)
    assert "No block matches" in none
    assert client_as("anonymous").get("/studio/search").status_code in (302, 401)


def test_search_results_are_escaped(app, client_as) -> None:
    danger = "<p>&lt;script&gt;alert(2)&lt;/script&gt; danger</p>"
    publish_course(app, COURSE, {"u": [Block("html", "x", {"display_name": "<img src=x onerror=alert(1)>",
                                                          "data": danger})]})
    author = client_as("staff", course_id=COURSE)
    html = author.get("/studio/search", query_string={"q": "danger"}).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)" not in html


def test_the_reindex_studio_command_rebuilds_every_course(app, monkeypatch) -> None:
    _course(app)
    _course(app, OTHER)
    with app.app_context():
        search = app.extensions["kampus"].search
        search.remove_matching(STUDIO_INDEX, {"context_key": COURSE})
        assert search.search(STUDIO_INDEX, None, size=0)["total"] == 7
    monkeypatch.setattr(search_cli, "load_app", lambda: app)
    result = CliRunner().invoke(search_cli.reindex_studio_command, [])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 course(s), 14 blocks" in result.output
    with app.app_context():
        assert search.search(STUDIO_INDEX, None, field_dictionary={"type": "course_block"}, size=0)["total"] == 14
        assert api.all_course_ids() == sorted([COURSE, OTHER])
    result = CliRunner().invoke(search_cli.reindex_studio_command, ["course-v1:No+Such+Course"])
    assert "no such course, removed" in result.output
    commands = [command.name for answer in app.extensions["kampus"].hook.kampus_cli_commands() for command in answer]
    assert "reindex-studio" in commands


def test_pages_of_results(app, client_as) -> None:
    _course(app)
    author = client_as("staff", course_id=COURSE)
    pages = [_search(author, course_id=COURSE, page_size=3, page=n) for n in (1, 2, 3, 4)]
    assert [len(page["results"]) for page in pages] == [3, 3, 1, 0]
    assert {page["num_pages"] for page in pages} == {3} and pages[1]["current_page"] == 2
    seen = [hit["id"] for page in pages for hit in page["results"]]
    assert len(seen) == len(set(seen)) == 7


def test_an_edit_rewrites_only_the_documents_it_changed(app, monkeypatch) -> None:
    ids = _course(app)
    with app.app_context():
        search = app.extensions["kampus"].search
        written: list[list[str]] = []
        removed: list[set[str]] = []
        index, remove = search.index, search.remove
        monkeypatch.setattr(search, "index", lambda name, docs: written.append([d["id"] for d in docs]) or index(
            name, docs))
        monkeypatch.setattr(search, "remove", lambda name, doc_ids: removed.append(set(doc_ids)) or remove(
            name, doc_ids))
        update_fields(COURSE, ("html", "intro"), {"data": "<p>Chloroplasts</p>"}, user_id=None,
                      expected_version=get_structure(COURSE, DRAFT).version)
        assert written == [[ids["intro"]]] and removed == []
        # Renaming a section changes the breadcrumbs of everything in it.
        written.clear()
        update_fields(COURSE, ("chapter", "week1"), {"display_name": "Week one"}, user_id=None,
                      expected_version=get_structure(COURSE, DRAFT).version)
        assert len(written[0]) == 7
        from kampus_content.api import delete_block
        written.clear()
        delete_block(COURSE, ("vertical", "leaves"), user_id=None,
                     expected_version=get_structure(COURSE, DRAFT).version)
        assert removed == [{ids["leaves"], ids["intro"], ids["gas"], ids["legs"]}]
        assert set(api.indexed_documents(COURSE)) == {ids[name] for name in ("week1", "lesson1", "empty")}
    lesson = search.search(STUDIO_INDEX, None, field_dictionary={"block_id": "lesson1"})["results"][0]["data"]
    assert [crumb["display_name"] for crumb in lesson["breadcrumbs"]] == ["Botany", "Week one"]


def test_an_index_left_behind_by_another_run_is_brought_back_to_the_draft(app) -> None:
    """Whatever a stale or interrupted run left (documents of a block that is back, an older text), the next run
    compares with what the index holds and writes the differences."""
    ids = _course(app)
    with app.app_context():
        search = app.extensions["kampus"].search
        search.remove(STUDIO_INDEX, [ids["gas"], ids["leaves"]])
        stale = dict(search.search(STUDIO_INDEX, None, field_dictionary={"block_id": "intro"})["results"][0]["data"])
        stale["content"] = {"display_name": "Old name", "html_content": "old"}
        search.index(STUDIO_INDEX, [stale, {**stale, "id": "block-v1:KampusX+Find+1+type@html+block@gone",
                                             "usage_key": "block-v1:KampusX+Find+1+type@html+block@gone"}])
        assert api.reindex_course(COURSE) == 7
        with app.test_request_context():
            expected = {d["id"]: d for d in studio_documents(COURSE, get_structure(COURSE, DRAFT))}
        assert api.indexed_documents(COURSE) == expected
