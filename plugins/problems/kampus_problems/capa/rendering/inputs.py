"""The widgets of CAPA input types, as accessible HTML.

Form names follow Open edX (``input_<id>``; ``input_<id>[]`` for lists,
``input_<id>{}`` for JSON dicts), so the handlers read answers as upstream's
``make_dict_of_responses`` does. Every visible control has a label; the
question's descriptions, the status and the feedback are tied to it with
``aria-describedby``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

STATUS_TEXT = {
    "correct": "correct",
    "incorrect": "incorrect",
    "partially-correct": "partially correct",
    "incomplete": "queued for grading",
    "submitted": "submitted",
    "unsubmitted": "not submitted",
    "unanswered": "unanswered",
}
STATUS_MARK = {"correct": "\u2714", "incorrect": "\u2718", "partially-correct": "\u25d1", "incomplete": "\u231b"}


@dataclass
class InputContext:
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

    @property
    def iid(self) -> str:
        return str(escape(self.input_id))

    @property
    def status(self) -> str:
        """correct, incorrect, partially-correct, incomplete, submitted, unsubmitted or unanswered."""
        if self.correctness:
            return self.correctness if self.options.correctness else "submitted"
        return "unsubmitted" if self.value not in (None, "", [], {}) else "unanswered"

    def described_by(self) -> str:
        ids = list(self.group_ids)
        ids.extend(did for did, _html in self.descriptions)
        ids.append(f"status_{self.input_id}")
        if self.shows_feedback:
            ids.append(f"feedback_{self.input_id}")
        return str(escape(" ".join(ids)))

    @property
    def shows_feedback(self) -> bool:
        return bool(self.msg) and bool(self.options.correctness)

    def descriptions_html(self) -> str:
        return "".join(
            f'<p class="kampus-question-description" id="{escape(did)}">{text}</p>' for did, text in self.descriptions
        )

    def after(self) -> str:
        """Status, feedback and the (hidden) answer area of the input."""
        status = self.status
        mark = STATUS_MARK.get(status, "") if status in ("correct", "incorrect", "partially-correct", "incomplete") \
            else ""
        text = STATUS_TEXT.get(status, status)
        shown = "" if status in ("unanswered", "unsubmitted") else f'<span aria-hidden="true">{mark}</span>'
        html = (f'<span class="kampus-status status-{escape(status)}" id="status_{self.iid}" '
                f'data-status="{escape(status)}">{shown}'
                f'<span class="visually-hidden">{escape(text)}</span></span>')
        if self.shows_feedback:
            html += f'<div class="kampus-feedback" id="feedback_{self.iid}">{self.msg}</div>'
        html += f'<div class="kampus-answer" id="answer_{self.iid}" hidden></div>'
        return html


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _wrap(ctx: InputContext, kind: str, body: str) -> str:
    return (f'<div class="kampus-input kampus-input-{kind} status-{escape(ctx.status)}" id="inputtype_{ctx.iid}" '
            f'data-input-id="{ctx.iid}">{body}</div>')


def _label(ctx: InputContext, target: str | None = None) -> str:
    target = target or f"input_{ctx.input_id}"
    return f'<label class="kampus-label" id="label_{ctx.iid}" for="{escape(target)}">{ctx.label_html}</label>'


# text inputs -----------------------------------------------------------------------

def text_input(ctx: InputContext, kind: str = "textline", note: str = "") -> str:
    el = ctx.element
    size = el.get("size")
    hidden = el.get("hidden")
    value = escape(_value_text(ctx.value))
    if hidden:
        return (f'<input type="hidden" name="input_{ctx.iid}" id="input_{ctx.iid}" value="{value}">'
                f'{ctx.after()}')
    size_attr = f' size="{escape(size)}"' if size and size.isdigit() else ""
    trailing = el.get("trailing_text") or ""
    trailing_html = f'<span class="kampus-trailing-text">{escape(trailing)}</span>' if trailing else ""
    preview = ""
    if kind == "formulaequationinput" or el.get("math"):
        preview = f'<div class="kampus-formula-preview" id="preview_{ctx.iid}" aria-hidden="true"></div>'
    body = (
        f"{_label(ctx)}{ctx.descriptions_html()}"
        f'<div class="kampus-input-row"><input type="text" class="form-control kampus-text" '
        f'name="input_{ctx.iid}" id="input_{ctx.iid}" value="{value}"{size_attr} '
        f'aria-describedby="{ctx.described_by()}" autocomplete="off" spellcheck="false">{trailing_html}'
        f"{ctx.after()}</div>{preview}"
    )
    if note:
        body += f'<p class="kampus-input-note small text-muted">{escape(note)}</p>'
    return _wrap(ctx, kind, body)


def textbox(ctx: InputContext) -> str:
    el = ctx.element
    rows = el.get("rows") or "10"
    cols = el.get("cols") or "80"
    code = ctx.element.tag in ("codeinput", "textbox", "matlabinput") and el.get("mode") != "text"
    value = ctx.value if ctx.value is not None else (el.text or "")
    classes = "form-control kampus-textbox" + (" font-monospace" if code else "")
    body = (
        f"{_label(ctx)}{ctx.descriptions_html()}"
        f'<textarea class="{classes}" name="input_{ctx.iid}" id="input_{ctx.iid}" '
        f'rows="{escape(rows)}" cols="{escape(cols)}" spellcheck="false" '
        f'aria-describedby="{ctx.described_by()}">{escape(_value_text(value))}</textarea>{ctx.after()}'
    )
    return _wrap(ctx, "textbox", body)


# choices -----------------------------------------------------------------------------

def _choice_inner(ctx: InputContext, choice: Any) -> str:
    return ctx.renderer.inner(choice)


def choicegroup(ctx: InputContext) -> str:
    el = ctx.element
    tag = el.tag
    if tag == "checkboxgroup" or (tag == "choicegroup" and el.get("type") == "TrueFalse"):
        kind, name = "checkbox", f"input_{ctx.input_id}[]"
    else:
        kind, name = "radio", f"input_{ctx.input_id}"
    chosen = ctx.value if isinstance(ctx.value, list) else ([ctx.value] if ctx.value not in (None, "") else [])
    chosen = [str(c) for c in chosen]
    rows = []
    choices = [c for c in el if isinstance(c.tag, str) and c.tag == "choice"]
    for index, choice in enumerate(choices):
        cname = choice.get("name") or f"choice_{index}"
        cid = f"input_{ctx.input_id}_{cname}"
        selected = cname in chosen
        marker = ""
        classes = "kampus-choice"
        if selected:
            classes += " kampus-choice-selected"
            if ctx.correctness and ctx.options.correctness and kind == "radio":
                classes += f" choice-{escape(ctx.correctness)}"
        rows.append(
            f'<div class="{classes}" data-choice="{escape(cname)}">'
            f'<input type="{kind}" name="{escape(name)}" id="{escape(cid)}" value="{escape(cname)}"'
            f'{" checked" if selected else ""}>'
            f'<label for="{escape(cid)}">{_choice_inner(ctx, choice)}</label>{marker}'
            f'<span class="kampus-choice-answer" hidden> <span class="badge text-bg-success">correct answer</span>'
            f"</span></div>"
        )
    body = (
        f'<fieldset class="kampus-choicegroup" id="input_{ctx.iid}" aria-describedby="{ctx.described_by()}">'
        f'<legend class="kampus-label" id="label_{ctx.iid}">{ctx.label_html}</legend>'
        f"{ctx.descriptions_html()}{''.join(rows)}</fieldset>{ctx.after()}"
    )
    return _wrap(ctx, "choicegroup", body)


_QUOTED = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


def parse_options(text: str) -> list[str]:
    """``('a','b')`` -> ['a', 'b'] (Open edX's optioninput ``options`` attribute)."""
    inner = text.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    found = [(a if a else b).replace("\\'", "'").replace('\\"', '"') for a, b in _QUOTED.findall(inner)]
    if not found and inner:
        found = [part.strip() for part in inner.split(",") if part.strip()]
    return found


def optioninput(ctx: InputContext) -> str:
    el = ctx.element
    options: list[tuple[str, str]] = []
    if el.get("options"):
        options = [(option, option) for option in parse_options(el.get("options"))]
    else:
        for option in el:
            if isinstance(option.tag, str) and option.tag == "option":
                text = " ".join((option.text or "").split())
                options.append((text, ctx.renderer.inner(option).strip() or str(escape(text))))
    current = _value_text(ctx.value)
    rows = [f'<option value="option_{ctx.iid}_dummy_default">Select an option</option>']
    for value, label in options:
        selected = " selected" if value == current else ""
        rows.append(f'<option value="{escape(value)}"{selected}>{label}</option>')
    body = (
        f"{_label(ctx)}{ctx.descriptions_html()}"
        f'<div class="kampus-input-row"><select class="form-select kampus-select" name="input_{ctx.iid}" '
        f'id="input_{ctx.iid}" aria-describedby="{ctx.described_by()}">{"".join(rows)}</select>'
        f"{ctx.after()}</div>"
    )
    return _wrap(ctx, "optioninput", body)


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
    rows = []
    choices = [c for c in el if isinstance(c.tag, str) and c.tag == "choice"]
    for index, choice in enumerate(choices):
        name = choice.get("name") or ""
        prefix = f"{ctx.input_id}_"
        if name.startswith(prefix) and name.endswith("bc"):  # the engine's names: <id>_choiceinput_<n>bc
            box_id, cname = name, name[len(prefix):-2]
        else:
            cname = name or f"choiceinput_{index}"
            box_id = f"{ctx.input_id}_{cname}bc"
        selected = value.get(box_id) == cname
        parts = [str(escape(choice.text or "")).strip()]
        counters = {"numtolerance_input": 0, "decoy_input": 0}
        for child in choice:
            if isinstance(child.tag, str) and child.tag in counters:
                sub_id = child.get("name") or child.get("id") or \
                    f"{ctx.input_id}_{cname}_{child.tag}_{counters[child.tag]}"
                counters[child.tag] += 1
                current = value.get(sub_id, "")
                parts.append(
                    f'<input type="text" class="form-control form-control-sm d-inline-block w-auto kampus-ct-text" '
                    f'id="{escape(sub_id)}" data-key="{escape(sub_id)}" value="{escape(_value_text(current))}" '
                    f'size="8" aria-label="Value for choice {index + 1}">'
                )
            elif isinstance(child.tag, str):
                parts.append(ctx.renderer.node(child))
                continue
            parts.append(str(escape(child.tail or "")))
        rows.append(
            f'<div class="kampus-choice" data-choice="{escape(box_id)}">'
            f'<input type="{kind}" class="kampus-ct-choice" name="choicetext_{ctx.iid}" id="{escape(box_id)}" '
            f'data-key="{escape(box_id)}" value="{escape(cname)}"{" checked" if selected else ""} '
            f'aria-labelledby="{escape(box_id)}-text">'
            f'<span id="{escape(box_id)}-text">{" ".join(parts)}</span>'
            f'<span class="kampus-choice-answer" hidden> <span class="badge text-bg-success">correct answer</span>'
            f"</span></div>"
        )
    body = (
        f'<fieldset class="kampus-choicetext" data-kind="{kind}" aria-describedby="{ctx.described_by()}">'
        f'<legend class="kampus-label" id="label_{ctx.iid}">{ctx.label_html}</legend>'
        f"{ctx.descriptions_html()}{''.join(rows)}</fieldset>"
        f'<input type="hidden" class="kampus-ct-value" name="input_{ctx.iid}{{}}" id="input_{ctx.iid}" '
        f'value="{escape(json.dumps(value))}">{ctx.after()}'
    )
    return _wrap(ctx, "choicetextgroup", body)


# images, iframes, annotations -------------------------------------------------------------

def imageinput(ctx: InputContext) -> str:
    el = ctx.element
    src = el.get("src") or ""
    width = el.get("width") or ""
    height = el.get("height") or ""
    value = _value_text(ctx.value)
    size = (f' width="{escape(width)}"' if width else "") + (f' height="{escape(height)}"' if height else "")
    body = (
        f"{ctx.descriptions_html()}"
        f'<div class="kampus-imageinput-frame" style="position:relative;display:inline-block">'
        f'<img class="kampus-imageinput-image" src="{escape(src)}" alt="{escape(ctx.label_html and "")}"'
        f'{size} data-input="input_{ctx.iid}">'
        f'<span class="kampus-imageinput-marker" aria-hidden="true" hidden></span></div>'
        f"{_label(ctx)}"
        f'<div class="kampus-input-row"><input type="text" class="form-control kampus-text" name="input_{ctx.iid}" '
        f'id="input_{ctx.iid}" value="{escape(value)}" placeholder="[x,y]" '
        f'aria-describedby="{ctx.described_by()} hint_{ctx.iid}">{ctx.after()}</div>'
        f'<p class="small text-muted" id="hint_{ctx.iid}">Click the image, or type the point as [x,y] in pixels '
        f"from the top left corner.</p>"
    )
    return _wrap(ctx, "imageinput", body)


def _frame_src(src: str) -> str:
    """A course file (``/static/...``) gets ``frame=1``: the asset view then serves the page inline, sandboxed
    with scripts allowed, also to browsers that send no ``Sec-Fetch-Dest`` (see kampus_content.assets)."""
    if not src.startswith(("/static/", "/assets/")) or "frame=1" in src:
        return src
    path, hash_mark, fragment = src.partition("#")
    return f"{path}{'&' if '?' in path else '?'}frame=1{hash_mark}{fragment}"


def jsinput(ctx: InputContext) -> str:
    el = ctx.element
    data = {
        "gradefn": el.get("gradefn") or "",
        "get-statefn": el.get("get_statefn") or "",
        "set-statefn": el.get("set_statefn") or "",
        "initial-state": el.get("initial_state") or "",
        "sop": el.get("sop") or "",
        "width": el.get("width") or "400",
        "height": el.get("height") or "300",
    }
    attrs = "".join(f' data-{name}="{escape(value)}"' for name, value in data.items())
    title = el.get("title") or "Interactive problem"
    src = _frame_src(el.get("html_file") or "")
    value = _value_text(ctx.value)
    body = (
        f'<p class="kampus-label" id="label_{ctx.iid}">{ctx.label_html}</p>{ctx.descriptions_html()}'
        f'<div class="kampus-jsinput" id="jsinput_{ctx.iid}"{attrs}>'
        f'<iframe class="kampus-jsinput-frame" name="iframe_{ctx.iid}" id="iframe_{ctx.iid}" src="{escape(src)}" '
        f'title="{escape(title)}" width="{escape(data["width"])}" height="{escape(data["height"])}" '
        f'aria-describedby="label_{ctx.iid}"></iframe>'
        f'<input type="hidden" class="kampus-jsinput-value" name="input_{ctx.iid}" id="input_{ctx.iid}" '
        f'value="{escape(value)}"></div>{ctx.after()}'
    )
    return _wrap(ctx, "jsinput", body)


def annotationinput(ctx: InputContext) -> str:
    el = ctx.element

    def child_text(tag: str) -> str:
        found = el.find(tag)
        return ctx.renderer.inner(found) if found is not None else ""

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
    options = []
    for index, option in enumerate(el.iter("option")):
        oid = f"input_{ctx.input_id}_option_{index}"
        checked = " checked" if index in chosen else ""
        options.append(
            f'<div class="form-check"><input class="form-check-input kampus-annotation-option" type="checkbox" '
            f'id="{escape(oid)}" value="{index}"{checked}>'
            f'<label class="form-check-label" for="{escape(oid)}">{ctx.renderer.inner(option)}</label></div>'
        )
    comment = value.get("comment", "")
    body = (
        f'<p class="kampus-label fw-bold" id="label_{ctx.iid}">{child_text("title") or ctx.label_html}</p>'
        f'<div class="kampus-annotation-text">{child_text("text")}</div>'
        f'<label class="form-label" for="comment_{ctx.iid}">{child_text("comment_prompt") or "Your comment"}</label>'
        f'<textarea class="form-control kampus-annotation-comment" id="comment_{ctx.iid}" rows="3">'
        f"{escape(comment)}</textarea>"
        f'<fieldset class="kampus-annotation-options" aria-describedby="{ctx.described_by()}">'
        f'<legend class="fs-6">{child_text("tag_prompt") or "Tags"}</legend>{"".join(options)}</fieldset>'
        f'<input type="hidden" class="kampus-annotation-value" name="input_{ctx.iid}" id="input_{ctx.iid}" '
        f'value="{escape(json.dumps(value) if value else "")}">{ctx.after()}'
    )
    return _wrap(ctx, "annotationinput", body)


def filesubmission(ctx: InputContext) -> str:
    el = ctx.element
    allowed = el.get("allowed_files") or ""
    accept = ",".join(name.strip() for name in allowed.split() if name.strip())
    body = (
        f"{_label(ctx)}{ctx.descriptions_html()}"
        f'<input type="file" class="form-control" name="input_{ctx.iid}" id="input_{ctx.iid}" multiple'
        f'{f" accept={escape(accept)!s}" if accept else ""} aria-describedby="{ctx.described_by()}">'
        f"{ctx.after()}"
    )
    return _wrap(ctx, "filesubmission", body)


def schematic(ctx: InputContext) -> str:
    return textbox_with_note(ctx, "Describe the circuit in the schematic editor's JSON format.")


def textbox_with_note(ctx: InputContext, note: str) -> str:
    html = textbox(ctx)
    return html[:-6] + f'<p class="small text-muted">{escape(note)}</p></div>'


def legacy_text(note: str) -> Callable[[InputContext], str]:
    def render(ctx: InputContext) -> str:
        return text_input(ctx, ctx.element.tag, note)

    return render


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
    "chemicalequationinput": legacy_text("Enter the chemical equation, e.g. H2 + O2 -> H2O."),
    "javascriptinput": legacy_text("Enter the answer as text."),
    "crystallography": legacy_text("Enter the answer as text."),
    "vsepr_input": legacy_text("Enter the answer as text."),
    "drag_and_drop_input": legacy_text("Enter the answer in the drag-and-drop JSON format."),
    "editamolecule": legacy_text("Enter the answer as text."),
    "designprotein2dinput": legacy_text("Enter the answer as text."),
    "editageneinput": legacy_text("Enter the answer as text."),
}


def render_input(ctx: InputContext) -> str:
    return INPUT_RENDERERS[ctx.element.tag](ctx)
