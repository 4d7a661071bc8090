"""Video transcripts: SRT, Open edX's SJSON and WebVTT read into cues, served as WebVTT or SJSON.

A cue's text is plain text. Open edX's tools leave HTML character references in
transcript files (an SRT exported by Studio holds ``we&#39;re``, because Open edX's
player inserts caption text as HTML); they are decoded exactly once when a file is
read. Each output then escapes for its own context, once: WebVTT escapes ``&``,
``<`` and ``>`` (its only special characters, so ``we're`` stays ``we're``), SJSON
is JSON, and a page shows the text through a Jinja template (autoescape). Markup
in a transcript (``<b>``) is shown as written, never interpreted.

A WebVTT file is served unchanged as WebVTT (its cue settings and tags kept).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

_SRT_TIME = r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_VTT_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})\.(\d{1,3})"
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}")
_VTT_TIMING = re.compile(rf"^\s*{_VTT_TIME}\s*-->\s*{_VTT_TIME}")
_BLANK_LINES = re.compile(r"\n\s*\n")


class TranscriptError(ValueError):
    """A transcript file that cannot be read (not SRT, SJSON or WebVTT as its name says)."""


@dataclass(frozen=True)
class Cue:
    """One caption: start and end in milliseconds, and its plain text (lines joined by ``\\n``)."""

    start: int
    end: int
    text: str


def _millis(hours: str | None, minutes: str, seconds: str, fraction: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(fraction.ljust(3, "0"))


def _normalise(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _plain(lines: list[str]) -> str:
    """Cue text as plain text: the file's character references (``&#39;``, ``&amp;``) decoded once."""
    return html.unescape("\n".join(line.strip() for line in lines)).strip()


def _timed_blocks(text: str, timing: re.Pattern[str]) -> list[Cue]:
    cues = []
    for chunk in _BLANK_LINES.split(text.strip()):
        lines = chunk.split("\n")
        for position, line in enumerate(lines[:2]):  # an optional cue number or identifier, then the timing
            match = timing.match(line)
            if match:
                start = _millis(*match.groups()[:4])
                end = _millis(*match.groups()[4:])
                cues.append(Cue(start, end, _plain(lines[position + 1:])))
                break
    return cues


def parse_srt(text: str) -> list[Cue]:
    """The cues of an SRT file (numbered blocks of ``00:00:01,000 --> 00:00:02,500`` and text)."""
    return _timed_blocks(_normalise(text), _SRT_TIMING)


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file (its header, notes and styles skipped)."""
    text = _normalise(text)
    if not text.startswith("WEBVTT"):
        raise TranscriptError("A WebVTT file starts with WEBVTT.")
    return _timed_blocks(text, _VTT_TIMING)


def parse_sjson(text: str) -> list[Cue]:
    """The cues of Open edX's SJSON transcript (``{"start": [ms], "end": [ms], "text": [...]}``)."""
    try:
        data = json.loads(_normalise(text))
    except ValueError as exc:
        raise TranscriptError(f"The SJSON transcript is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise TranscriptError("An SJSON transcript is a JSON object with start, end and text lists.")
    starts, ends, texts = data.get("start"), data.get("end"), data.get("text")
    if not all(isinstance(values, list) for values in (starts, ends, texts)):
        raise TranscriptError("An SJSON transcript is a JSON object with start, end and text lists.")
    try:
        return [Cue(int(start), int(end), _plain([str(line)]))
                for start, end, line in zip(starts, ends, texts, strict=False)]  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TranscriptError(f"An SJSON transcript's times are milliseconds: {exc}") from exc


def parse_transcript(name: str, text: str) -> list[Cue]:
    """The cues of transcript file ``name`` (its format from its name: ``.sjson``, ``.vtt``, else SRT)."""
    if name.endswith(".sjson"):
        return parse_sjson(text)
    if name.endswith(".vtt") or _normalise(text).startswith("WEBVTT"):
        return parse_vtt(text)
    return parse_srt(text)


def _vtt_time(millis: int) -> str:
    hours, millis = divmod(max(millis, 0), 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    seconds, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_escape(text: str) -> str:
    # WebVTT cue text: & and < start references and tags; > is escaped too, as the spec's writers do.
    # A blank line would end the cue, so empty lines are dropped.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(line for line in escaped.split("\n") if line.strip())


def cues_to_vtt(cues: list[Cue]) -> str:
    """A WebVTT file of ``cues``."""
    blocks = [f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}\n{_vtt_escape(cue.text)}" for cue in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def cues_to_sjson(cues: list[Cue]) -> dict[str, Any]:
    """Open edX's SJSON of ``cues`` (what its ``transcript/translation/<lang>`` handler answers)."""
    return {"start": [cue.start for cue in cues], "end": [cue.end for cue in cues], "text": [cue.text for cue in cues]}


def transcript_as_vtt(name: str, text: str) -> str:
    """Transcript file ``name`` as WebVTT: a WebVTT file unchanged, SRT and SJSON converted."""
    if name.endswith(".vtt") or _normalise(text).startswith("WEBVTT"):
        text = _normalise(text)
        if not text.startswith("WEBVTT"):
            raise TranscriptError("A WebVTT file starts with WEBVTT.")
        return text
    return cues_to_vtt(parse_transcript(name, text))


def srt_to_vtt(text: str) -> str:
    """WebVTT of an SRT transcript (a WebVTT text is returned unchanged)."""
    return transcript_as_vtt("transcript.srt", text)


def sjson_to_vtt(text: str) -> str:
    """WebVTT of Open edX's SJSON transcript."""
    return transcript_as_vtt("transcript.sjson", text)
