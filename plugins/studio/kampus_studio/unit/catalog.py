"""What "Add component" offers: the installed block types, grouped as Open edX's Studio groups them,
and the problem templates of each response type (Open edX's ``xmodule/templates/problem/*.yaml``).

Groups: HTML, Problem, Video, Discussion, then Advanced: every other installed XBlock (an
``xblock.v1`` entry point the runtime can load), the types the course's ``advanced_modules``
policy names first. Containers (course, chapter, sequential, vertical) are not components.
Problem templates written in the simple editor keep their Markdown, from which the XML is made
(:func:`kampus_problems.api.markdown_to_xml`), as Open edX stores both; advanced templates are XML.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_content.api import CONTAINERS, load_block_class

#: Types that are never offered as components (containers, libraries, Open edX's course-level blocks).
NOT_COMPONENTS = frozenset({*CONTAINERS, "course", "chapter", "sequential", "vertical", "library",
                            "library_content", "split_test", "conditional", "about", "course_info", "static_tab",
                            "error", "hidden", "wrapper", "unit"})
#: Open edX's component groups with their own button, in order.
BASIC_GROUPS: tuple[tuple[str, Any], ...] = (
    ("html", _l("Text")), ("problem", _l("Problem")), ("video", _l("Video")), ("discussion", _l("Discussion")))

_PROMPT = ">>Add the question text, or prompt, here. This text is required.||You can add an optional tip or note " \
          "related to the prompt like this.<<"


def _guide(kind: str) -> str:
    return (f"You can use this template as a guide to the simple editor markdown and OLX markup to use for {kind} "
            "problems. Edit this component to replace this template with your own assessment.")


@dataclass(frozen=True)
class ProblemTemplate:
    """One entry of the problem menu: a display name and Markdown (simple editor) or XML (advanced)."""

    id: str
    display_name: Any  #: a lazy_gettext string
    markdown: str | None = None
    data: str | None = None
    advanced: bool = False
    hinted: bool = False


PROBLEM_TEMPLATES: tuple[ProblemTemplate, ...] = (
    ProblemTemplate("blank", _l("Blank Problem"), markdown="", data="<problem></problem>"),
    ProblemTemplate("multiple_choice", _l("Multiple Choice"), markdown=f"""{_guide('multiple choice')}

{_PROMPT}

( ) an incorrect answer
(x) the correct answer
( ) an incorrect answer
"""),
    ProblemTemplate("checkboxes", _l("Checkboxes"), markdown=f"""{_guide('checkboxes')}

{_PROMPT}

[x] a correct answer
[ ] an incorrect answer
[ ] an incorrect answer
[x] a correct answer
"""),
    ProblemTemplate("dropdown", _l("Dropdown"), markdown=f"""{_guide('dropdown')}

{_PROMPT}

[[
an incorrect answer
(the correct answer)
an incorrect answer
]]
"""),
    ProblemTemplate("numerical_input", _l("Numerical Input"), markdown=f"""{_guide('numerical input')}

{_PROMPT}

= 100 +-5
"""),
    ProblemTemplate("text_input", _l("Text Input"), markdown=f"""{_guide('text input')}

{_PROMPT}

= the correct answer
or= optional acceptable variant of the correct answer
"""),
    ProblemTemplate("multiple_choice_hints", _l("Multiple Choice with Hints and Feedback"), hinted=True,
                    markdown="\n".join((
                        _guide("multiple choice"), "", _PROMPT, "",
                        "( ) an incorrect answer {{You can specify optional feedback like this, which appears after "
                        "this answer is submitted.}}",
                        "(x) the correct answer",
                        "( ) an incorrect answer {{You can specify optional feedback for none, a subset, or all of "
                        "the answers.}}", "",
                        "|| You can add an optional hint like this. Problems that have a hint include a hint button, "
                        "and this text appears the first time learners select the button. ||",
                        "|| If you add more than one hint, a different hint appears each time learners select the "
                        "hint button. ||", ""))),
    ProblemTemplate("math_expression", _l("Math Expression Input"), advanced=True, data="""<problem>
  <formularesponse type="ci" samples="x,y@1,2:3,4#10" answer="x^2+2*x*y">
    <p>In math expression input problems, learners enter a mathematical expression; it is compared with the
      answer at random sample values of its variables.</p>
    <label>Write an expression equal to x^2 + 2xy.</label>
    <responseparam type="tolerance" default="0.00001"/>
    <formulaequationinput size="40"/>
  </formularesponse>
</problem>
"""),
    ProblemTemplate("custom_python", _l("Custom Python-Evaluated Input"), advanced=True, data="""<problem>
  <p>In custom Python-evaluated input problems, a Python script you write grades the learner's answer.</p>
  <customresponse cfn="test_add_to_ten">
    <script type="loncapa/python">
def test_add_to_ten(expect, ans):
    try:
        return int(ans[0]) + int(ans[1]) == 10
    except ValueError:
        return False
    </script>
    <label>Enter two integers that sum to 10.</label>
    <textline size="40" correct_answer="3" label="Enter first number"/><br/>
    <textline size="40" correct_answer="7" label="Enter second number"/>
  </customresponse>
</problem>
"""),
    ProblemTemplate("blank_advanced", _l("Blank Advanced Problem"), advanced=True, data="<problem>\n</problem>\n"),
)

TEMPLATES_BY_ID = {template.id: template for template in PROBLEM_TEMPLATES}


@lru_cache(maxsize=1)
def _entry_point_names() -> tuple[str, ...]:
    # What the process's installed packages declare: the same for every app in the process (as XBlock's
    # own PLUGIN_CACHE); reading every package's metadata on each request would cost tens of milliseconds.
    return tuple(sorted({ep.name for ep in entry_points(group="xblock.v1")}))


def installed_block_types() -> list[str]:
    """The block types of every installed ``xblock.v1`` entry point, sorted."""
    return list(_entry_point_names())


def advanced_types(advanced_modules: list[str] | None = None) -> list[str]:
    """Installed component types outside the basic groups: the course's ``advanced_modules`` first."""
    basic = {name for name, _label in BASIC_GROUPS}
    installed = [name for name in installed_block_types() if name not in NOT_COMPONENTS and name not in basic]
    wanted = [name for name in (advanced_modules or []) if name in installed]
    return wanted + [name for name in installed if name not in wanted]


def type_display_name(block_type: str) -> str:
    """A block type's human name: its class's ``display_name`` default, else the type."""
    cls = load_block_class(block_type)
    field = getattr(cls, "fields", {}).get("display_name")
    default = getattr(field, "default", None)
    return str(default) if isinstance(default, str) and default else block_type


def component_menu(advanced_modules: list[str] | None = None) -> list[dict[str, Any]]:
    """The "Add component" menu: ``[{"type", "label", "templates": [{"id", "display_name", "advanced"}]}]``
    for each basic group, then ``{"type": "advanced", "templates": [{"id": block type, ...}]}``."""
    installed = set(installed_block_types())
    menu: list[dict[str, Any]] = []
    for name, label in BASIC_GROUPS:
        if name not in installed:
            continue
        templates: list[dict[str, Any]] = []
        if name == "problem":
            templates = [{"id": t.id, "display_name": str(t.display_name), "advanced": t.advanced}
                         for t in PROBLEM_TEMPLATES]
        menu.append({"type": name, "label": str(label), "templates": templates})
    advanced = [{"id": name, "display_name": type_display_name(name), "advanced": True}
                for name in advanced_types(advanced_modules)]
    if advanced:
        menu.append({"type": "advanced", "label": str(_l("Advanced")), "templates": advanced})
    return menu
