"""A problem as the learner sees it: CAPA XML (after scripts ran) turned into accessible HTML.

:func:`render` walks ``problem.tree`` without changing it and writes HTML:

* every input element becomes a widget (:mod:`.inputs`) with a ``<label>``
  (from the response's ``<label>``, the input's ``label`` attribute, or the
  question text before it), ``aria-describedby`` pointing at the question's
  ``<description>`` and the input's status and feedback;
* status (correct, incorrect, partially correct, submitted, unanswered) and
  feedback (the correct map's message: choicehint, optionhint, ...) only when
  correctness may be shown;
* ``<solution>`` becomes an empty, hidden placeholder that Show Answer fills;
  answer data (``<answer>``, scripts, hints, ``<demandhint>``) never reaches the page;
* math stays TeX for MathJax: ``[mathjaxinline]x[/mathjaxinline]`` and ``<math>``
  become ``\\(x\\)``, ``[mathjax]x[/mathjax]`` becomes ``\\[x\\]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from markupsafe import Markup, escape

from kampus_problems.capa.rendering.inputs import INPUT_RENDERERS, InputContext, render_input
from kampus_problems.templating import problem_environment

__all__ = ["RenderOptions", "render", "text_content"]

#: Elements whose content is answer data, scripts or hints: never shown.
HIDDEN_TAGS = frozenset({
    "script", "answer", "demandhint", "hintgroup", "hintpart", "responseparam", "additional_answer",
    "choicehint", "optionhint", "stringequalhint", "correcthint", "regexphint", "numerichint", "compoundhint",
    "stringhint", "formulahint", "hint", "codeparam", "targetedfeedbackset", "targetedfeedback",
    "solutionset", "answer_display", "tolerance", "grader_payload", "schematic_answer", "externalresponse_answer",
})
#: Elements removed while their text and children stay.
UNWRAP_TAGS = frozenset({"startouttext", "endouttext"})
#: Void HTML elements (no closing tag).
VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "source", "track", "wbr", "embed"})
RESPONSE_SUFFIX = "response"


@dataclass
class RenderOptions:
    """What the learner may see now (decided by the block's policies)."""

    correctness: bool = True  # correct/incorrect marks, feedback messages
    staff: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_MATH = [
    (re.compile(r"\[mathjaxinline\](.*?)\[/mathjaxinline\]", re.S), r"\\(\1\\)"),
    (re.compile(r"\[mathjax\](.*?)\[/mathjax\]", re.S), r"\\[\1\\]"),
]


def math_text(text: str | None) -> str:
    """Escaped text with Open edX's ``[mathjax]`` markers turned into MathJax delimiters."""
    if not text:
        return ""
    value = str(escape(text))
    for pattern, replacement in _MATH:
        value = pattern.sub(replacement, value)
    return value


def text_content(element: Any) -> str:
    """The visible text of an element (hidden tags left out), whitespace collapsed."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        if isinstance(el.tag, str) and el.tag not in HIDDEN_TAGS:
            parts.append(el.text or "")
            for child in el:
                walk(child)
        if el is not element:
            parts.append(el.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def attributes(element: Any, skip: tuple[str, ...] = ()) -> str:
    out = []
    for name, value in element.attrib.items():
        if not isinstance(name, str) or name.startswith("{") or name in skip:
            continue
        if name.lower().startswith("on"):  # no inline handlers (the CSP forbids them anyway)
            continue
        out.append(f' {name}="{escape(value)}"')
    return "".join(out)


class Renderer:
    def __init__(self, problem: Any, options: RenderOptions):
        self.problem = problem
        self.options = options
        self.correct_map = getattr(problem, "correct_map", None)
        self.student_answers = getattr(problem, "student_answers", None) or {}
        self.input_state = getattr(problem, "input_state", None) or {}
        responders = getattr(problem, "responders", None) or {}
        self.responder_elements = set(responders.keys()) if isinstance(responders, dict) else set()
        self.fallback_counter = 0
        self.env = problem_environment()  # one environment per rendering (see kampus_problems.templating)
        self.structure = self.env.get_template("problems/capa/structure.html").module

    # helpers -----------------------------------------------------------------

    def is_response(self, element: Any) -> bool:
        if element in self.responder_elements:
            return True
        return element.tag.endswith(RESPONSE_SUFFIX) and element.get("id") is not None

    def inner(self, element: Any, *, skip: frozenset[Any] = frozenset()) -> str:
        out = [math_text(element.text)]
        for child in element:
            if child in skip:
                out.append(math_text(child.tail))
                continue
            out.append(self.node(child))
        return "".join(out)

    def node(self, element: Any) -> str:
        tail = math_text(element.tail)
        if not isinstance(element.tag, str):  # comments, processing instructions
            return tail
        tag = element.tag
        if tag in HIDDEN_TAGS:
            return tail
        if tag in UNWRAP_TAGS:
            return self.inner(element) + tail
        if tag in INPUT_RENDERERS and element.get("id"):
            return self.input(element, None) + tail
        if self.is_response(element):
            return self.response(element) + tail
        if tag == "solution":
            return str(self.structure.solution(element.get("id", ""))) + tail
        if tag == "problem":
            return f'<div class="kampus-capa">{self.inner(element)}</div>{tail}'
        if tag == "text":
            return f"<span>{self.inner(element)}</span>{tail}"
        if tag == "math":
            return f"<span class=\"kampus-math\">\\({escape(element.text or '')}\\)</span>{tail}"
        if tag == "label":  # a label outside a response: question text
            return f'<p class="kampus-question-label">{self.inner(element)}</p>{tail}'
        if tag == "description":
            return f'<p class="kampus-question-description">{self.inner(element)}</p>{tail}'
        if tag in VOID:
            return f"<{tag}{attributes(element)}>{tail}"
        return f"<{tag}{attributes(element)}>{self.inner(element)}</{tag}>{tail}"

    # responses and inputs ---------------------------------------------------------

    def response(self, element: Any) -> str:
        rid = element.get("id", "")
        inputs = [el for el in element.iter() if isinstance(el.tag, str) and el.tag in INPUT_RENDERERS
                  and el.get("id") and el is not element]
        problem_data = getattr(self.problem, "problem_data", None) or {}
        prepared = any(el.get("id") in problem_data for el in inputs)
        labels = [] if prepared else [child for child in element if child.tag == "label"]
        descriptions = [] if prepared else [child for child in element if child.tag == "description"]
        question = self.inner(labels[0]) if labels else ""
        question_text = text_content(labels[0]) if labels else self.preceding_text(element)
        description_html = [(f"description_{rid}_{n}", self.inner(d)) for n, d in enumerate(descriptions, 1)]
        group_ids: list[str] = []
        if element.get("multiinput-group-label-id"):
            group_ids.append(element.get("multiinput-group-label-id"))
            group_ids.extend((element.get("multiinput-group_description_ids") or "").split())
            group = element.find(".//p[@id='" + element.get("multiinput-group-label-id") + "']")
            if group is not None:
                question_text = text_content(group)
        self.pending = {
            "question_html": question,
            "question_text": question_text,
            "descriptions": description_html,
            "count": len(inputs),
            "response_id": rid,
            "response_tag": element.tag,
            "index": 0,
            "group_ids": group_ids,
        }
        if question and len(inputs) > 1:  # the question heads the group (structure.html)
            self.pending["group_ids"] = [f"{rid}-label", *(did for did, _d in description_html)]
        body = self.inner(element, skip=frozenset(labels) | frozenset(descriptions))
        self.pending = None
        return str(self.structure.response(
            rid, element.tag, Markup(question), [(did, Markup(d)) for did, d in description_html], len(inputs),
            Markup(body)))

    pending: dict[str, Any] | None = None

    def preceding_text(self, element: Any) -> str:
        """The question of a response without ``<label>``: the text just before it (old problems)."""
        previous = element.getprevious()
        while previous is not None:
            if isinstance(previous.tag, str) and previous.tag not in HIDDEN_TAGS:
                text = text_content(previous)
                if text:
                    return text[:200]
            previous = previous.getprevious()
        parent = element.getparent()
        if parent is not None and parent.text and parent.text.strip():
            return " ".join(parent.text.split())[:200]
        return ""

    def input(self, element: Any, _unused: Any) -> str:
        iid = element.get("id")
        pending = self.pending or {}
        index = pending.get("index", 0)
        if self.pending is not None:
            self.pending["index"] = index + 1
        count = pending.get("count", 1)
        data = (getattr(self.problem, "problem_data", None) or {}).get(iid) or {}
        own_label = element.get("label") or ""
        descriptions: list[tuple[str, str]] = []
        fallback: dict[str, Any] | None = None
        if data.get("label"):
            label_html = str(data["label"])
            descriptions = list((data.get("descriptions") or {}).items())
        elif count == 1 and pending.get("question_html"):
            label_html = pending["question_html"]
            descriptions = pending.get("descriptions", [])
        elif own_label:
            label_html = str(escape(own_label))
        else:  # no label of its own: the question's text, or "Answer", with "(part n)" (see _parts.html)
            label_html = ""
            fallback = {"question": pending.get("question_text") or data.get("group_label")
                        and text_of(data["group_label"]) or "", "part": index + 1 if count > 1 else None}
        group_ids = list(pending.get("group_ids") or [])
        correctness = None
        msg = ""
        if self.correct_map is not None and iid in self.correct_map:
            correctness = self.correct_map.get_correctness(iid)
            msg = self.correct_map.get_msg(iid) or ""
            hint = self.correct_map.get_hint(iid) if hasattr(self.correct_map, "get_hint") else ""
            if hint:
                msg = f"{msg}{hint}"
            queued = self.correct_map.is_queued(iid) if hasattr(self.correct_map, "is_queued") else False
            if queued:
                correctness = "incomplete"
        value = self.student_answers.get(iid)
        context = InputContext(
            element=element, input_id=iid, value=value, label_html=label_html, descriptions=descriptions,
            group_ids=group_ids, correctness=correctness, msg=msg, options=self.options,
            input_state=self.input_state.get(iid) or {}, renderer=self,
            response_tag=pending.get("response_tag", ""), extra={"label_fallback": fallback} if fallback else {},
        )
        return render_input(context)


def render(problem: Any, options: RenderOptions | None = None, **kwargs: Any) -> str:
    """The learner's HTML of ``problem`` (a ``LoncapaProblem`` after its scripts ran)."""
    if options is None:
        options = RenderOptions(**kwargs)
    renderer = Renderer(problem, options)
    tree = problem.tree
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    html = renderer.node(root)
    overall = ""
    correct_map = renderer.correct_map
    if options.correctness and correct_map is not None and hasattr(correct_map, "get_overall_message"):
        message = correct_map.get_overall_message()
        if message:
            overall = str(renderer.structure.overall_message(Markup(message)))
    return overall + html


def text_of(html: str) -> str:
    """The text of an HTML snippet."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def serialize_inner(element: Any) -> str:
    """The inner XML of an element as a string (author HTML kept as written)."""
    text = escape(element.text or "")
    return str(text) + "".join(etree.tostring(child, encoding="unicode") for child in element)
