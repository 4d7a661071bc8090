"""The video block: a YouTube video or video files, transcripts, start and end times, speeds, download.

Open edX's attributes: ``youtube_id_1_0`` or ``youtube="1.00:ID"``, ``html5_sources``
(a JSON list), ``start_time``/``end_time`` (``HH:MM:SS``), ``download_video``,
``source`` (download URL), ``sub`` (the English transcript ``subs_<sub>.srt.sjson``),
``transcripts`` (``{"lang": "file.srt"}``). The OLX element's children
(``<source src>``, ``<transcript language src>``, ``<track src>``) are in ``data``.
Transcripts are served by the ``transcript`` handler as WebVTT (SRT and
Open edX's SJSON are converted) or, at ``transcript/translation/<lang>``, as SJSON;
the page shows the first language's transcript as text below the player
(:mod:`kampus_content.blocks.transcripts` says how its text is escaped).

The player (``static/content/video.js``) sends Open edX's video events to the
tracking log: ``load_video``, ``play_video``, ``pause_video``, ``stop_video``,
``seek_video``, ``speed_change_video``, ``show_transcript``/``hide_transcript``,
each with ``id`` (the block id) and ``code`` (``"html5"``, or the YouTube id).
A YouTube embed plays in YouTube's own frame, which sends no events here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from lxml import etree
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, List, Scope, String

from kampus_content.blocks.rendering import render_block_template
from kampus_content.blocks.transcripts import (
    Cue,
    TranscriptError,
    cues_to_sjson,
    parse_transcript,
    transcript_as_vtt,
)
from kampus_content.progress.completion import completion_from_browser

SPEEDS = ("0.75", "1.0", "1.25", "1.5", "2.0")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def parse_time(value: Any) -> float:
    """Seconds of ``"HH:MM:SS"``, ``"MM:SS"`` or a number; 0 when unset or unreadable."""
    if value in (None, ""):
        return 0.0
    if isinstance(value, int | float):
        return max(float(value), 0.0)
    text = str(value).strip().strip('"')
    try:
        parts = [float(part) for part in text.split(":")]
    except ValueError:
        return 0.0
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return max(seconds, 0.0)


def youtube_id(youtube_id_1_0: str, youtube: str) -> str:
    if youtube_id_1_0:
        return youtube_id_1_0.strip()
    for pair in (youtube or "").split(","):
        speed, _, video_id = pair.partition(":")
        if video_id and speed.strip() in ("1.0", "1.00", "1"):
            return video_id.strip()
    return ""


class VideoBlock(XBlock):
    """A video with transcripts."""

    # Complete when watched (the player posts publish_completion near the end), as Open edX's video.
    has_custom_completion = True
    completion_mode = XBlockCompletionMode.COMPLETABLE

    display_name = String(scope=Scope.settings, default="Video")
    youtube_id_1_0 = String(scope=Scope.settings, default="", help="YouTube id of the video at normal speed")
    youtube = String(scope=Scope.settings, default="", help='Open edX\'s list of speeds and ids: "1.00:ID"')
    html5_sources = List(scope=Scope.settings, default=[], help="URLs of video files")
    source = String(scope=Scope.settings, default="", help="URL learners download the video from")
    download_video = Boolean(scope=Scope.settings, default=False, help="Show a download link")
    start_time = String(scope=Scope.settings, default="", help="Start playing at (HH:MM:SS)")
    end_time = String(scope=Scope.settings, default="", help="Stop playing at (HH:MM:SS)")
    sub = String(scope=Scope.settings, default="", help="Id of the English transcript (subs_<id>.srt.sjson)")
    transcripts = Dict(scope=Scope.settings, default={}, help="Transcript file of each language")
    show_captions = Boolean(scope=Scope.settings, default=True)
    data = String(scope=Scope.content, default="", help="The OLX element's children")
    global_speed = Float(scope=Scope.preferences, default=1.0, help="The learner's playback speed")

    # the OLX children --------------------------------------------------------

    def _children_xml(self) -> list[Any]:
        if not self.data or not self.data.strip():
            return []
        try:
            root = etree.fromstring(self.data.encode("utf-8"), _PARSER)
        except etree.XMLSyntaxError:
            return []
        return [child for child in root if isinstance(child.tag, str)]

    def sources(self) -> list[str]:
        found = [src for src in self.html5_sources or [] if src]
        for child in self._children_xml():
            if child.tag == "source" and child.get("src") and child.get("src") not in found:
                found.append(child.get("src"))
        return found

    def transcript_files(self) -> dict[str, str]:
        """Transcript file name by language: the ``transcripts`` field (what Studio's upload sets) over the
        OLX element's ``<transcript language src>`` children, over ``sub`` (English)."""
        files: dict[str, str] = {}
        if self.sub:
            files["en"] = f"subs_{self.sub}.srt.sjson"
        for child in self._children_xml():
            if child.tag == "transcript" and child.get("language") and child.get("src"):
                files[child.get("language")] = child.get("src")
        files.update({lang: name for lang, name in (self.transcripts or {}).items() if name})
        return files

    def tracks(self) -> list[str]:
        return [child.get("src") for child in self._children_xml() if child.tag == "track" and child.get("src")]

    # views ---------------------------------------------------------------------

    def _media_fragment(self) -> str:
        start, end = parse_time(self.start_time), parse_time(self.end_time)
        if not start and not end:
            return ""
        return f"#t={start:g}" + (f",{end:g}" if end else "")

    @XBlock.supports("multi_device")
    def student_view(self, context: Any = None) -> Fragment:
        sources = [self._rewrite(src) for src in self.sources()]
        video_id = youtube_id(self.youtube_id_1_0, self.youtube)
        languages = sorted(self.transcript_files())
        transcripts = [{"lang": lang, "url": self.runtime.handler_url(self, "transcript", lang)} for lang in languages]
        download = self.source or (sources[0] if sources else "")
        youtube_src = ""
        if video_id and not sources:
            params = {name: int(parse_time(value)) for name, value in (("start", self.start_time),
                                                                       ("end", self.end_time)) if parse_time(value)}
            youtube_src = f"https://www.youtube-nocookie.com/embed/{quote(video_id, safe='')}"
            if params:
                youtube_src += "?" + urlencode(params)
        media = self._media_fragment()
        frag = Fragment(render_block_template(
            "video.html",
            cues=self._cues(languages[0]) if languages and self.show_captions else [],
            title=self.display_name,
            block_id=self.scope_ids.usage_id.block_id,
            code="html5" if sources else video_id,  # the "code" of Open edX's video events
            youtube_src=youtube_src,
            sources=[src + media for src in sources],
            tracks=transcripts if self.show_captions else [],
            speed=f"{self.global_speed:g}",
            end=f"{parse_time(self.end_time):g}",
            speeds=[{"value": speed, "label": f"{float(speed):g}", "selected": float(speed) == self.global_speed}
                    for speed in SPEEDS],
            save_url=self.runtime.handler_url(self, "save_user_state"),
            download_url=self._rewrite(download) if self.download_video and download else "",
            transcripts=transcripts,
        ))
        frag.add_javascript_url(self.runtime.resource_url("video.js"))
        frag.initialize_js("KampusVideo")
        return frag

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)

    def _read_transcript(self, lang: str) -> tuple[str, str] | None:
        """The file name and text of the transcript in ``lang`` (``None`` when there is none)."""
        name = self.transcript_files().get(lang)
        reader = getattr(self.runtime, "read_course_file", None)
        raw = reader(name) if (name and reader) else None
        if name is None or raw is None:
            return None
        return name, raw.decode("utf-8-sig", errors="replace")

    def _cues(self, lang: str) -> list[Cue]:
        """The cues of the transcript in ``lang`` for the page (none when it is missing or unreadable)."""
        found = self._read_transcript(lang)
        if found is None:
            return []
        try:
            return parse_transcript(*found)
        except TranscriptError:
            return []

    def _rewrite(self, url: str) -> str:
        if url.startswith("/static/"):
            return f"/assets/{self.scope_ids.usage_id.course_key}/{url[len('/static/'):]}"
        return url

    # handlers ------------------------------------------------------------------

    @XBlock.handler
    def transcript(self, request: Any, suffix: str = "") -> Response:
        """The transcript of language ``suffix``: ``en`` or ``en.vtt`` as WebVTT; ``translation/en`` as
        Open edX's SJSON (JSON), as its video handler answers it."""
        parts = suffix.strip("/").split("/")
        as_sjson = len(parts) == 2 and parts[0] == "translation"
        lang = parts[-1].removesuffix(".vtt") or "en"
        found = self._read_transcript(lang)
        if found is None:
            return Response("No transcript in this language.", status=404, content_type="text/plain", charset="utf-8")
        name, text = found
        try:
            if as_sjson:
                response = Response(json.dumps(cues_to_sjson(parse_transcript(name, text))),
                                    content_type="application/json", charset="utf-8")
            else:
                response = Response(transcript_as_vtt(name, text), content_type="text/vtt", charset="utf-8")
        except TranscriptError:
            return Response("The transcript is not readable.", status=404, content_type="text/plain", charset="utf-8")
        response.cache_control.private = True
        response.cache_control.max_age = 300
        return response

    @XBlock.json_handler
    def save_user_state(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Remember the learner's playback speed (for every video)."""
        try:
            speed = float(data.get("speed", 1.0))
        except (TypeError, ValueError):
            return {"success": False}
        if 0.25 <= speed <= 4:
            self.global_speed = speed
        return {"success": True, "speed": self.global_speed}

    @XBlock.json_handler
    def publish_completion(self, data: Any, suffix: str = "") -> dict[str, str]:
        """The player's report that the learner watched the video: ``{"completion": 0.0..1.0}``."""
        return completion_from_browser(self, data)
