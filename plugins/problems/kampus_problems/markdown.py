"""The simple editor's Markdown-like problem syntax, converted to CAPA XML.

A port of the rules of Open edX's Studio problem editor (``markdownToXml`` in
``xmodule/js/src/problem/edit.js``) to Python, so that Studio can store the same
XML as Open edX does for the same text:

* ``Header`` over a line of ``====`` -> ``<h3 class="hd hd-2 problem-header">``;
* ``>>question||description<<`` -> ``<label>`` and ``<description>``;
* ``|| hint ||`` lines -> demand hints (``<demandhint><hint>``);
* ``[[a, (b), c]]`` or one option a line -> ``<optionresponse>`` (``{{hint}}`` -> ``<optionhint>``);
* ``( ) a`` / ``(x) b`` lines -> ``<multiplechoiceresponse>`` (``@`` fixed, ``!`` shuffle, ``<choicehint>``);
* ``[ ] a`` / ``[x] b`` lines -> ``<choiceresponse>`` (``{{s: ...}}``, ``{{u: ...}}``, ``{{((A B)) ...}}``);
* ``= answer`` with ``or=``/``not=`` lines -> ``<numericalresponse>`` (numbers, ``+-`` tolerance,
  ranges) or ``<stringresponse>`` (``|`` for a regular expression);
* ``[explanation] ... [explanation]`` -> ``<solution>``; ``[code] ... [code]`` -> ``<pre><code>``;
* other lines become paragraphs; ``---`` on a line of its own separates questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kampus_content.api import safe_xml_parser
from lxml import etree

__all__ = ["MarkdownError", "markdown_to_xml"]

RESPONSE_TYPES = ("optionresponse", "multiplechoiceresponse", "stringresponse", "numericalresponse", "choiceresponse")
BLANK_OPTION = "An answer option has been left blank. Please review and edit the component."


class MarkdownError(ValueError):
    """The text cannot be converted (an answer option left blank)."""


@dataclass
class Hint:
    nothint: str
    hint: str = ""
    label: str = ""
    parens: bool = False

    @property
    def labelassign(self) -> str:
        return f' label="{self.label}"' if self.label else ""


def extract_hint(text: str, detect_parens: bool = False) -> Hint:
    """``text {{ label:: hint }}`` -> the text, the hint and its label (and whether the text was in parens)."""
    result = Hint(text)
    curly = re.search(r"\s*\{\{(.*?)\}\}", text)
    if curly:
        text = text.replace(curly.group(0), "", 1)
        hint = curly.group(1).strip()
        labelmatch = re.match(r"(.*?)::", hint)
        if labelmatch:
            hint = hint.replace(labelmatch.group(0), "", 1).strip()
            result.label = labelmatch.group(1).strip()
        result.hint = hint
    if detect_parens and len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        text = text[1:-1]
        result.parens = True
    result.nothint = text
    return result


_JS_FLOAT = re.compile(r"\s*[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


def js_parse_float_ok(text: str) -> bool:
    """Whether JavaScript's ``parseFloat(text)`` is a number (it reads a numeric prefix)."""
    return _JS_FLOAT.match(text) is not None


def _is_range(answer: str) -> bool:
    return bool(answer) and answer[0] in "[(" and answer[-1] in "])"


def _is_numeric(value: str) -> bool:
    if "{{" in value and "}}" in value:
        value = re.sub(r"\{\{[\s\S]*?\}\}", "", value).strip()
    if re.search(r"[a-df-z]", value, re.I):
        return False
    return js_parse_float_ok(value)


def _numerical(values: list[str]) -> str | None:
    first = re.sub(r"^=\s*", "", values[0], count=1)
    if not _is_numeric(first) and not _is_range(first):
        return None
    hint = extract_hint(first)
    hint_line = ""
    if hint.hint:
        first = hint.nothint
        hint_line = f"  <correcthint{hint.labelassign}>{hint.hint}</correcthint>\n"
    if _is_range(first):
        out = f'<numericalresponse answer="{first}">\n'
    else:
        params = re.match(r"(.*?)\+-\s*(.*?)$", first)
        if params:
            answer = re.sub(r"\s+", "", params.group(1))
            out = f'<numericalresponse answer="{answer}">\n'
            if params.group(2):
                out += f'  <responseparam type="tolerance" default="{params.group(2)}" />\n'
        else:
            answer = re.sub(r"\s+", "", first)
            out = f'<numericalresponse answer="{answer}">\n'
    additional = ""
    for value in values[1:]:
        extra = extract_hint(value)
        or_match = re.match(r"or=\s*(.*)", extra.nothint)
        if not or_match:
            continue
        answer = or_match.group(1)
        if not js_parse_float_ok(answer) or _is_range(answer) or re.match(r"(.*?)\+-\s*(.*?)$", answer):
            continue
        extra_hint = f"<correcthint{extra.labelassign}>{extra.hint}</correcthint>" if extra.hint else ""
        additional += f'  <additional_answer answer="{answer}">{extra_hint}</additional_answer>\n'
    out += additional
    out += "  <formulaequationinput />\n"
    out += hint_line
    out += "</numericalresponse>\n\n"
    return out


def _string(values: list[str]) -> str:
    first = re.sub(r"^s?=\s*", "", values[0], count=1)
    hint = extract_hint(first)
    first = hint.nothint
    kind = ' type="ci"'
    if first.startswith("|"):
        kind = ' type="ci regexp"'
        first = first[1:].strip()
    out = f'<stringresponse answer="{first}"{kind} >\n'
    if hint.hint:
        out += f"  <correcthint{hint.labelassign}>{hint.hint}</correcthint>\n"
    for value in values[1:]:
        extra = extract_hint(value)
        not_match = re.match(r"not=\s*(.*)", extra.nothint)
        if not_match:
            out += (f'  <stringequalhint answer="{not_match.group(1)}"{extra.labelassign}>'
                    f"{extra.hint}</stringequalhint>\n")
            continue
        or_match = re.match(r"or=\s*(.*)", extra.nothint)
        if or_match:
            out += f'  <additional_answer answer="{or_match.group(1)}">'
            if extra.hint:
                out += f"<correcthint{extra.labelassign}>{extra.hint}</correcthint>"
            out += "</additional_answer>\n"
    out += '  <textline size="20"/>\n</stringresponse>\n\n'
    return out


def _options(match: re.Match[str]) -> str:
    group = match.group(1)
    if "\n" not in match.group(0):  # [[a, (b), c]] on one line
        options = re.split(r",\s*", group)
        tag = '  <optioninput options="('
        tag += ",".join(
            "'" + re.sub(r"(?:^|,)\s*\((.*?)\)\s*(?:$|,)", r"\1", option) + "'" for option in options
        )
        tag += ')" correct="'
        correct = re.search(r"(?:^|,)\s*\((.*?)\)\s*(?:$|,)", group)
        if correct:
            tag += correct.group(1)
        tag += '">'
        return f"\n<optionresponse>\n{tag}</optioninput>\n</optionresponse>\n\n"
    lines = ""
    for raw in group.split("\n"):
        line = raw.strip()
        if not line:
            continue
        hint = extract_hint(line, detect_parens=True)
        if not hint.nothint:
            raise MarkdownError(BLANK_OPTION)
        hint_text = f" <optionhint{hint.labelassign}>{hint.hint}</optionhint>" if hint.hint else ""
        lines += f'    <option correct="{"True" if hint.parens else "False"}">{hint.nothint}{hint_text}</option>\n'
    return f"\n<optionresponse>\n  <optioninput>\n{lines}  </optioninput>\n</optionresponse>\n\n"


def _multiple_choice(match: re.Match[str]) -> str:
    choices = ""
    shuffle = False
    for raw in match.group(0).split("\n"):
        option = raw.strip()
        if not option:
            continue
        parts = re.split(r"^\s*\(.{0,3}\)\s*", option, maxsplit=1)
        value = parts[1] if len(parts) > 1 else ""
        if not value:
            raise MarkdownError(BLANK_OPTION)
        inparens = re.match(r"^\s*\((.{0,3})\)\s*", option).group(1)  # type: ignore[union-attr]
        correct = "true" if re.search("x", inparens, re.I) else "false"
        fixed = ' fixed="true"' if "@" in inparens else ""
        if "!" in inparens:
            shuffle = True
        hint = extract_hint(value)
        if hint.hint:
            value = f"{hint.nothint} <choicehint{hint.labelassign}>{hint.hint}</choicehint>"
        choices += f'    <choice correct="{correct}"{fixed}>{value}</choice>\n'
    group = '  <choicegroup type="MultipleChoice" shuffle="true">\n' if shuffle else (
        '  <choicegroup type="MultipleChoice">\n')
    return f"<multiplechoiceresponse>\n{group}{choices}  </choicegroup>\n</multiplechoiceresponse>\n\n"


def _checkboxes(match: re.Match[str]) -> str:
    out = "<choiceresponse>\n  <checkboxgroup>\n"
    end_hints = ""
    for option in match.group(0).split("\n"):
        if not option.strip():
            continue
        compound = re.match(r"^\s*\{\{\s*\(\((.*?)\)\)(.*?)\}\}", option)
        if compound:
            body = compound.group(2).replace("&lf;", "\n", 1).strip()
            end_hints += f'    <compoundhint value="{compound.group(1).strip()}">{body}</compoundhint>\n'
            continue
        parts = re.split(r"^\s*\[.?\]\s*", option, maxsplit=1)
        value = parts[1] if len(parts) > 1 else ""
        if not value:
            raise MarkdownError(BLANK_OPTION)
        correct = "true" if re.match(r"^\s*\[x\]", option, re.I) else "false"
        hints = ""
        hint = extract_hint(value)
        if hint.hint:
            inner = "{" + hint.hint + "}"
            selected = re.search(r"\{\s*(s|selected):([\s\S]*?)\}", inner, re.I)
            if selected:
                hints += f'\n      <choicehint selected="true">{selected.group(2).strip()}</choicehint>'
            unselected = re.search(r"\{\s*(u|unselected):([\s\S]*?)\}", inner, re.I)
            if unselected:
                hints += f'\n      <choicehint selected="false">{unselected.group(2).strip()}</choicehint>'
            if hints:
                value = hint.nothint
        out += f'    <choice correct="{correct}">{value}{hints}</choice>\n'
    return out + end_hints + "  </checkboxgroup>\n</choiceresponse>\n\n"


def _answers(match: re.Match[str]) -> str:
    values = match.group(1).split("\n")
    return _numerical(values) or _string(values)


def _question(match: re.Match[str]) -> str:
    parts = match.group(1).split("||")
    label = f"<label>{parts[0]}</label>\n"
    if len(parts) == 1 or not parts[1]:
        return label
    return f"{label}<description>{parts[1]}</description>\n"


def _one_response_type(xml: str) -> str:
    """With a single response type, the question text moves inside it (as upstream does)."""
    try:
        root = etree.fromstring(f"<prob>{xml}</prob>", safe_xml_parser())
    except etree.XMLSyntaxError:
        return xml
    found = list(root.iter(*RESPONSE_TYPES))
    if len(found) != 1 or found[0].getparent() is not root:
        # A response inside a question (``>>( ) a<<``) cannot take in the element holding it.
        return xml
    response = found[0]
    inputs = [child for child in response if isinstance(child.tag, str)]
    first_input = inputs[0] if inputs else None
    before = True
    for child in list(root):
        if not isinstance(child.tag, str):
            continue
        if child.tag == response.tag:
            before = False
            continue
        child.tail = None
        if before and first_input is not None:
            response.insert(response.index(first_input), child)
        else:
            response.append(child)
    xml = etree.tostring(response, encoding="unicode", with_tail=False)
    return re.sub(r"(</.*?>)(<.*?>)", r"\1\n\2", xml)


def _to_xml(markdown: str, demand_hints: list[str]) -> str:
    xml = markdown.replace("\r\n", "\n")
    xml = re.sub(r"(^.*?$)(?=\n==+$)", r'<h3 class="hd hd-2 problem-header">\1</h3>', xml, flags=re.M)
    xml = re.sub(r"\n^==+$", "", xml, flags=re.M)
    xml = re.sub(r">>([\s\S]+?)<<", _question, xml)

    hints: list[str] = []

    def pull_hints(match: re.Match[str]) -> str:
        for line in match.group(0).split("\n"):
            inner = re.search(r"\s*\|\|(.*?)\|\|", line)
            if inner:
                hints.append(f"  <hint>{inner.group(1).strip()}</hint>\n")
        return ""

    xml = re.sub(r"(^\s*\|\|.*?\|\|\s*$\n?)+", pull_hints, xml, flags=re.M)
    xml = re.sub(r"\{\{[\s\S]*?\}\}", lambda m: re.sub(r"\r?\n[ \t]*", " ", m.group(0)), xml)
    xml = re.sub(r"\[\[([\s\S]+?)\]\]", _options, xml)
    xml = re.sub(r"(^\s*\(.{0,3}\).*?$\n*)+", _multiple_choice, xml, flags=re.M)
    xml = re.sub(r"(^\s*((\[.?\])|(\{\{.*?\}\})).*?$\n*)+", _checkboxes, xml, flags=re.M)
    xml = re.sub(r"(^s?=\s*(.*?$)(\n*(or|not)=\s*(.*?$))*)+", _answers, xml, flags=re.M)
    xml = re.sub(
        r"\[explanation\]\n?([^\]]*)\[/?explanation\]",
        lambda m: f'<solution>\n<div class="detailed-solution">\nExplanation\n\n{m.group(1)}\n</div>\n</solution>',
        xml, flags=re.I | re.M,
    )
    xml = re.sub(r"\[code\]\n?([^\]]*)\[/?code\]", lambda m: f"<pre><code>{m.group(1)}</code></pre>", xml,
                 flags=re.I | re.M)

    splits = re.split(r"(</?(?:script|pre|label|description).*?>)", xml)
    make_paragraph = True
    for i, part in enumerate(splits):
        if re.search(r"<(script|pre|label|description)", part):
            make_paragraph = False
        if make_paragraph:
            splits[i] = re.sub(r"(^(?!\s*<|$).*$)", r"<p>\1</p>", part, flags=re.M)
        if re.search(r"</(script|pre|label|description)", part):
            make_paragraph = True
    xml = "".join(splits)
    xml = xml.replace("\n\n\n", "\n")
    if hints:
        demand_hints.append("".join(hints))
    xml = _one_response_type(xml)
    return re.sub(r"\sclass='qtitle'", "", xml, flags=re.I)


def markdown_to_xml(markdown: str) -> str:
    """The CAPA ``<problem>`` XML of simple-editor ``markdown`` (raises :class:`MarkdownError`)."""
    demand_hints: list[str] = []
    parts = [_to_xml(part, demand_hints) for part in re.split(r"\n\s*---\s*\n", markdown) if part.strip()]
    final_hints = f"\n<demandhint>\n{''.join(demand_hints)}</demandhint>" if demand_hints else ""
    body = "\n\n".join(parts)
    return f"<problem>\n{body}{final_hints}\n</problem>"
