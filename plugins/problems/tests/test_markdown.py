"""The simple editor's syntax converted to CAPA XML, as Open edX's Studio converts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from kampus_problems.markdown import MarkdownError, markdown_to_xml
from lxml import etree

DEMO = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "olx" / "openedx-demo-course" / "problem"


def xml(markdown: str) -> etree._Element:
    return etree.fromstring(markdown_to_xml(markdown))


def test_multiple_choice_with_question_description_hints_and_explanation():
    root = xml(""">>Which planet is largest?||Pick one.<<
( ) Mars {{Too small.}}
(x) Jupiter {{ Right:: A gas giant. }}

[explanation]
Jupiter is the largest.
[explanation]
|| Think big. ||
|| Starts with J. ||
""")
    response = root.find("multiplechoiceresponse")
    assert response.find("label").text == "Which planet is largest?"
    assert response.find("description").text == "Pick one."
    choices = response.findall("choicegroup/choice")
    assert [c.get("correct") for c in choices] == ["false", "true"]
    assert choices[0].find("choicehint").text == "Too small."
    assert choices[1].find("choicehint").get("label") == "Right"
    assert "Jupiter is the largest." in etree.tostring(response.find("solution"), encoding="unicode")
    assert [h.text for h in root.findall("demandhint/hint")] == ["Think big.", "Starts with J."]


def test_upstream_example_markdown_to_multiple_choice():
    # the example of the feature list: "( ) a (x) b" -> multiplechoiceresponse with b correct
    root = xml("( ) a\n(x) b\n")
    choices = root.findall(".//multiplechoiceresponse/choicegroup/choice")
    assert [(c.text, c.get("correct")) for c in choices] == [("a", "false"), ("b", "true")]


def test_fixed_and_shuffle_markers():
    root = xml("(!x@) a\n( ) b\n")
    group = root.find(".//choicegroup")
    assert group.get("shuffle") == "true"
    assert group.find("choice").get("fixed") == "true"


def test_checkboxes_with_selected_unselected_and_compound_hints():
    root = xml("""[x] apple {{ selected: Yes, a fruit. }, { unselected: Apples are fruit. }}
[ ] carrot
{{ ((A B)) Both. }}
""")
    group = root.find("choiceresponse/checkboxgroup")
    choices = group.findall("choice")
    assert [c.get("correct") for c in choices] == ["true", "false"]
    hints = choices[0].findall("choicehint")
    assert [(h.get("selected"), h.text) for h in hints] == [("true", "Yes, a fruit."), ("false", "Apples are fruit.")]
    assert group.find("compoundhint").get("value") == "A B"


def test_dropdowns_one_line_and_multi_line():
    one = xml("[[a, (b), c]]").find(".//optioninput")
    assert one.get("options") == "('a','b','c')" and one.get("correct") == "b"
    multi = xml("[[\n  red {{ No. }}\n  (blue) {{ Yes:: Right. }}\n]]").find(".//optioninput")
    options = multi.findall("option")
    assert [(o.text.strip(), o.get("correct")) for o in options] == [("red", "False"), ("blue", "True")]
    assert options[1].find("optionhint").get("label") == "Yes"


def test_numerical_answers():
    root = xml("= 4500 +- 5%\nor= 4000\n")
    response = root.find("numericalresponse")
    assert response.get("answer") == "4500"
    assert response.find("responseparam").get("default") == "5%"
    assert response.find("additional_answer").get("answer") == "4000"
    assert response.find("formulaequationinput") is not None
    assert xml("= [5, 7)").find("numericalresponse").get("answer") == "[5, 7)"


def test_text_answers():
    root = xml("= Paris {{ Right. }}\nor= paris, france\nnot= London {{ No:: That is England. }}\n")
    response = root.find("stringresponse")
    assert response.get("answer") == "Paris" and response.get("type") == "ci"
    assert response.find("correcthint").text == "Right."
    assert response.find("additional_answer").get("answer") == "paris, france"
    hint = response.find("stringequalhint")
    assert (hint.get("answer"), hint.get("label"), hint.text) == ("London", "No", "That is England.")
    assert xml("s= | ^ab+c$").find("stringresponse").get("type") == "ci regexp"


def test_headers_paragraphs_code_and_several_questions():
    out = markdown_to_xml("Title\n=====\nSome text.\n[code]\nx = 1\n[code]\n= 5\n---\n( ) a\n(x) b\n")
    root = etree.fromstring(out)
    # with one response type per question, the text moves inside the response (as upstream does)
    header = root.find(".//h3")
    assert header.text == "Title" and header.get("class") == "hd hd-2 problem-header"
    assert root.find("numericalresponse/p").text == "Some text."
    assert root.find(".//pre/code").text.strip() == "x = 1"
    assert root.find("numericalresponse") is not None and root.find("multiplechoiceresponse") is not None


def test_blank_option_is_an_error():
    with pytest.raises(MarkdownError):
        markdown_to_xml("( ) a\n(x)\n")


def _shape(element):
    skip = {"markdown", "display_name", "show_reset_button", "max_attempts", "weight", "showanswer", "rerandomize"}
    return [(e.tag, sorted((k, v) for k, v in e.attrib.items() if k not in skip),
             " ".join((e.text or "").split()), " ".join((e.tail or "").split()))
            for e in element.iter() if isinstance(e.tag, str)]


@pytest.mark.skipif(not DEMO.is_dir(), reason="../shared/corpus is not here")
def test_demo_course_markdown_gives_the_same_xml_as_studio():
    """Every demo problem written in the simple editor converts to the XML Studio stored."""
    compared = 0
    for path in sorted(DEMO.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        markdown = root.get("markdown")
        if not markdown or markdown == "null":
            continue
        mine = etree.fromstring(markdown_to_xml(markdown))
        assert _shape(mine) == _shape(root), path.name
        compared += 1
    assert compared >= 9
