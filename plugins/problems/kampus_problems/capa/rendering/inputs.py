"""The widgets of CAPA input types, as accessible HTML from Jinja templates.

Each input type has a template in ``templates/problems/inputs/`` (shared pieces in ``_parts.html``);
the functions here only prepare what the template shows. Form names follow Open edX
(``input_<id>``; ``input_<id>[]`` for lists, ``input_<id>{}`` for JSON dicts), so the handlers read
answers as upstream's ``make_dict_of_responses`` does. Every visible control has a label; the
question's descriptions, the status and the feedback are tied to it with ``aria-describedby``.
Author markup (labels, choices, feedback) arrives as safe markup; everything else is escaped by
the templates, and every fixed string is translated there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from kampus_problems.capa.inputs import parse_options
from kampus_problems.capa.submission import unanswered_option
from kampus_problems.templating import render

# "incomplete" (queued): a clock face (U+25F7), which the page's fonts have; the hourglass (U+231B) is missing
STATUS_MARK = {"correct": "\u2714", "incorrect": "\u2718", "partially-correct": "\u25d1", "incomplete": "\u25f7"}


@dataclass
class InputContext:
    """What an input's template needs: the element, the learner's value, the label and the status."""

    element: Any
    input_id: str
    value: Any
    label_html: str
    descriptions: list[tuple[str, str]]
    group_ids: list[str]
    correctness: str | None
    msg: str
    options: Any
    input_state: dict[str, Any]
    renderer: Any
    response_tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Label, descriptions and feedback are author or engine markup, prepared (escaped) upstream of here.
        self.label_html = Markup(self.label_html)
        self.descriptions = [(did, Markup(text)) for did, text in self.descriptions]
        self.msg = Markup(self.msg)

    @property
    def status(self) -> str:
        """correct, incorrect, partially-correct, incomplete, submitted, unsubmitted or unanswered."""
        if self.correctness:
            return self.correctness if self.options.correctness else "submitted"
        return "unsubmitted" if self.value not in (None, "", [], {}) else "unanswered"

    @property
    def mark(self) -> str:
        """The sign shown beside a graded input (hidden from screen readers, which read the status text)."""
        return STATUS_MARK.get(self.status, "")

    @property
    def described_by(self) -> str:
        """The ids ``aria-describedby`` lists: group label, descriptions, status and feedback."""
        ids = list(self.group_ids)
        ids.extend(did for did, _html in self.descriptions)
        ids.append(f"status_{self.input_id}")
        if self.shows_feedback:
            ids.append(f"feedback_{self.input_id}")
        return " ".join(ids)

    @property
    def shows_feedback(self) -> bool:
        return bool(self.msg) and bool(self.options.correctness)


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _template(ctx: InputContext, template: str, /, **context: Any) -> str:
    return render(f"problems/inputs/{template}.html", ctx.renderer.env, ctx=ctx, **context)


# text inputs -----------------------------------------------------------------------

def text_input(ctx: InputContext, kind: str = "textline", note: str = "") -> str:
    """A one-line answer; ``note`` names the help shown under legacy inputs (chemical, drag_and_drop, text)."""
    el = ctx.element
    size = el.get("size")
    return _template(
        ctx, "textline", kind=kind, note=note, hidden=bool(el.get("hidden")), value=_value_text(ctx.value),
        size=size if size and size.isdigit() else "", trailing=el.get("trailing_text") or "",
        preview=kind == "formulaequationinput" or bool(el.get("math")),
    )


def textbox(ctx: InputContext, note: str = "") -> str:
    el = ctx.element
    value = ctx.value if ctx.value is not None else (el.text or "")
    return _template(
        ctx, "textbox", note=note, value=_value_text(value), rows=el.get("rows") or "10", cols=el.get("cols") or "80",
        code=el.tag in ("codeinput", "textbox", "matlabinput") and el.get("mode") != "text",
    )


def schematic(ctx: InputContext) -> str:
    return textbox(ctx, "schematic")


def legacy_text(note: str) -> Callable[[InputContext], str]:
    """A renderer for the old applet inputs, answered as text with a ``note`` (see ``textline.html``)."""

    def render_legacy(ctx: InputContext) -> str:
        return text_input(ctx, ctx.element.tag, note)

    return render_legacy


# choices -----------------------------------------------------------------------------

def choicegroup(ctx: InputContext) -> str:
    el = ctx.element
    if el.tag == "checkboxgroup" or (el.tag == "choicegroup" and el.get("type") == "TrueFalse"):
        kind, name = "checkbox", f"input_{ctx.input_id}[]"
    else:
        kind, name = "radio", f"input_{ctx.input_id}"
    chosen = ctx.value if isinstance(ctx.value, list) else ([ctx.value] if ctx.value not in (None, "") else [])
    chosen = [str(c) for c in chosen]
    choices = []
    for index, choice in enumerate(c for c in el if isinstance(c.tag, str) and c.tag == "choice"):
        cname = choice.get("name") or f"choice_{index}"
        selected = cname in chosen
        classes = "kampus-choice"
        if selected:
            classes += " kampus-choice-selected"
            if ctx.correctness and ctx.options.correctness and kind == "radio":
                classes += f" choice-{ctx.correctness}"
        choices.append({"name": cname, "id": f"input_{ctx.input_id}_{cname}", "selected": selected,
                        "classes": classes, "label_html": Markup(ctx.renderer.inner(choice))})
    return _template(ctx, "choicegroup", kind=kind, name=name, choices=choices)


def optioninput(ctx: InputContext) -> str:
    el = ctx.element
    options: list[tuple[str, Markup]] = []
    if el.get("options"):
        options = [(option, escape(option)) for option in parse_options(el.get("options"))]
    else:
        for option in el:
            if isinstance(option.tag, str) and option.tag == "option":
                text = " ".join((option.text or "").split())
                options.append((text, Markup(ctx.renderer.inner(option).strip()) or escape(text)))
    return _template(ctx, "optioninput", options=options, current=_value_text(ctx.value),
                     unanswered=unanswered_option(ctx.input_id))


def choicetextgroup(ctx: InputContext) -> str:
    el = ctx.element
    kind = "checkbox" if el.tag == "checkboxtextgroup" else "radio"
    value = ctx.value if isinstance(ctx.value, dict) else {}
    if isinstance(ctx.value, str):
        try:
            parsed = json.loads(ctx.value)
            value = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            value = {}
    choices = []
    for index, choice in enumerate(c for c in el if isinstance(c.tag, str) and c.tag == "choice"):
        name = choice.get("name") or ""
        prefix = f"{ctx.input_id}_"
        if name.startswith(prefix) and name.endswith("bc"):  # the engine's names: <id>_choiceinput_<n>bc
            box_id, cname = name, name[len(prefix):-2]
        else:
            cname = name or f"choiceinput_{index}"
            box_id = f"{ctx.input_id}_{cname}bc"
        parts: list[dict[str, Any]] = [{"html": escape(choice.text or "").strip()}]
        counters = {"numtolerance_input": 0, "decoy_input": 0}
        for child in choice:
            if isinstance(child.tag, str) and child.tag in counters:
                sub_id = child.get("name") or child.get("id") or \
                    f"{ctx.input_id}_{cname}_{child.tag}_{counters[child.tag]}"
                counters[child.tag] += 1
                parts.append({"field": sub_id, "value": _value_text(value.get(sub_id, ""))})
            elif isinstance(child.tag, str):
                parts.append({"html": Markup(ctx.renderer.node(child))})
                continue
            parts.append({"html": escape(child.tail or "")})
        choices.append({"box_id": box_id, "name": cname, "selected": value.get(box_id) == cname,
                        "number": index + 1, "parts": parts})
    return _template(ctx, "choicetextgroup", kind=kind, choices=choices, value_json=json.dumps(value))


# images, iframes, annotations, files ----------------------------------------------------------

def imageinput(ctx: InputContext) -> str:
    el = ctx.element
    return _template(ctx, "imageinput", src=el.get("src") or "", width=el.get("width") or "",
                     height=el.get("height") or "", value=_value_text(ctx.value))


def _frame_src(src: str) -> str:
    """A course file (``/static/...``) gets ``frame=1``: the asset view then serves the page inline, sandboxed
    with scripts allowed, also to browsers that send no ``Sec-Fetch-Dest`` (see kampus_content.assets)."""
    if not src.startswith(("/static/", "/assets/")) or "frame=1" in src:
        return src
    path, hash_mark, fragment = src.partition("#")
    return f"{path}{'&' if '?' in path else '?'}frame=1{hash_mark}{fragment}"


def jsinput(ctx: InputContext) -> str:
    el = ctx.element
    data = [
        ("gradefn", el.get("gradefn") or ""),
        ("get-statefn", el.get("get_statefn") or ""),
        ("set-statefn", el.get("set_statefn") or ""),
        ("initial-state", el.get("initial_state") or ""),
        ("sop", el.get("sop") or ""),
        ("width", el.get("width") or "400"),
        ("height", el.get("height") or "300"),
    ]
    return _template(ctx, "jsinput", data=data, title=el.get("title") or "", src=_frame_src(el.get("html_file") or ""),
                     width=dict(data)["width"], height=dict(data)["height"], value=_value_text(ctx.value))


def annotationinput(ctx: InputContext) -> str:
    el = ctx.element

    def child_html(tag: str) -> Markup:
        found = el.find(tag)
        return Markup(ctx.renderer.inner(found)) if found is not None else Markup("")

    value: dict[str, Any] = {}
    if isinstance(ctx.value, str) and ctx.value:
        try:
            loaded = json.loads(ctx.value)
            value = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            value = {}
    elif isinstance(ctx.value, dict):
        value = ctx.value
    chosen = value.get("options") or []
    options = [{"id": f"input_{ctx.input_id}_option_{index}", "index": index, "checked": index in chosen,
                "label_html": Markup(ctx.renderer.inner(option))} for index, option in enumerate(el.iter("option"))]
    return _template(ctx, "annotationinput", title_html=child_html("title"), text_html=child_html("text"),
                     comment_prompt_html=child_html("comment_prompt"), tag_prompt_html=child_html("tag_prompt"),
                     comment=value.get("comment", ""), options=options, value_json=json.dumps(value) if value else "")


def filesubmission(ctx: InputContext) -> str:
    allowed = ctx.element.get("allowed_files") or ""
    return _template(ctx, "filesubmission", accept=",".join(name.strip() for name in allowed.split() if name.strip()))


INPUT_RENDERERS: dict[str, Callable[[InputContext], str]] = {
    "textline": text_input,
    "formulaequationinput": lambda ctx: text_input(ctx, "formulaequationinput"),
    "textbox": textbox,
    "textarea": textbox,
    "codeinput": textbox,
    "matlabinput": textbox,
    "choicegroup": choicegroup,
    "radiogroup": choicegroup,
    "checkboxgroup": choicegroup,
    "optioninput": optioninput,
    "choicetextgroup": choicetextgroup,
    "radiotextgroup": choicetextgroup,
    "checkboxtextgroup": choicetextgroup,
    "imageinput": imageinput,
    "jsinput": jsinput,
    "annotationinput": annotationinput,
    "filesubmission": filesubmission,
    "schematic": schematic,
    "chemicalequationinput": legacy_text("chemical"),
    "javascriptinput": legacy_text("text"),
    "crystallography": legacy_text("text"),
    "vsepr_input": legacy_text("text"),
    "drag_and_drop_input": legacy_text("drag_and_drop"),
    "editamolecule": legacy_text("text"),
    "designprotein2dinput": legacy_text("text"),
    "editageneinput": legacy_text("text"),
}


def render_input(ctx: InputContext) -> str:
    """The HTML of one input (its type's template)."""
    return INPUT_RENDERERS[ctx.element.tag](ctx)
