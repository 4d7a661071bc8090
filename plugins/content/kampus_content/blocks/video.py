"""The video block: a YouTube video or video files, transcripts, start and end times, speeds, download.

Open edX's attributes: ``youtube_id_1_0`` or ``youtube="1.00:ID"``, ``html5_sources``
(a JSON list), ``start_time``/``end_time`` (``HH:MM:SS``), ``download_video``,
``source`` (download URL), ``sub`` (the English transcript ``subs_<sub>.srt.sjson``),
``transcripts`` (``{"lang": "file.srt"}``). The OLX element's children
(``<source src>``, ``<transcript language src>``, ``<track src>``) are in ``data``.
Transcripts are served by the ``transcript`` handler as WebVTT (SRT and
Open edX's SJSON are converted).
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree
from markupsafe import escape
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, List, Scope, String

SPEEDS = ("0.75", "1.0", "1.25", "1.5", "2.0")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_TIMESTAMP = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{1,3})")


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


def _format_vtt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def srt_to_vtt(text: str) -> str:
    """WebVTT of an SRT transcript (timestamps ``00:00:01,000`` become ``00:00:01.000``)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("WEBVTT"):
        return text
    cues = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = chunk.split("\n")
        if lines and lines[0].strip().isdigit() and len(lines) > 1:
            lines = lines[1:]
        if not lines or "-->" not in lines[0]:
            continue
        lines[0] = _TIMESTAMP.sub(lambda m: f"{int(m[1]):02d}:{m[2]}:{m[3]}.{m[4].ljust(3, '0')}", lines[0])
        cues.append("\n".join(lines))
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def sjson_to_vtt(text: str) -> str:
    """WebVTT of Open edX's SJSON transcript (``{"start": [ms], "end": [ms], "text": [...]}``)."""
    data = json.loads(text)
    cues = [
        f"{_format_vtt_time(start / 1000)} --> {_format_vtt_time(end / 1000)}\n{line}"
        for start, end, line in zip(data.get("start", []), data.get("end", []), data.get("text", []), strict=False)
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


class VideoBlock(XBlock):
    """A video with transcripts."""

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
        """Transcript file name by language."""
        files: dict[str, str] = {}
        if self.sub:
            files["en"] = f"subs_{self.sub}.srt.sjson"
        files.update({lang: name for lang, name in (self.transcripts or {}).items() if name})
        for child in self._children_xml():
            if child.tag == "transcript" and child.get("language") and child.get("src"):
                files[child.get("language")] = child.get("src")
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
        rewrite = self._rewrite
        sources = [rewrite(src) for src in self.sources()]
        video_id = youtube_id(self.youtube_id_1_0, self.youtube)
        title = escape(self.display_name or "Video")
        parts = [f'<h3 class="h5">{title}</h3>']
        if sources or not video_id:
            media = self._media_fragment()
            tags = "".join(f'<source src="{escape(src + media)}">' for src in sources)
            if self.show_captions:
                for position, lang in enumerate(sorted(self.transcript_files())):
                    url = self.runtime.handler_url(self, "transcript", lang)
                    default = " default" if position == 0 else ""
                    tags += (f'<track kind="captions" src="{escape(url)}" srclang="{escape(lang)}"'
                             f' label="{escape(lang)}"{default}>')
            parts.append(
                f'<video class="kampus-video-player w-100" controls preload="metadata" playsinline '
                f'data-speed="{self.global_speed:g}" data-end="{parse_time(self.end_time):g}">{tags}'
                "Your browser cannot play this video.</video>"
            )
            options = "".join(
                f'<option value="{speed}"{" selected" if float(speed) == self.global_speed else ""}>'
                f"{float(speed):g}×</option>"
                for speed in SPEEDS
            )
            parts.append(
                '<div class="d-flex gap-2 align-items-center mt-2"><label class="form-label mb-0 small" '
                f'for="speed-{escape(self.scope_ids.usage_id.block_id)}">Speed</label>'
                f'<select class="form-select form-select-sm w-auto kampus-video-speed" '
                f'id="speed-{escape(self.scope_ids.usage_id.block_id)}" '
                f'data-save-url="{escape(self.runtime.handler_url(self, "save_user_state"))}">{options}</select></div>'
            )
        else:
            params = []
            if parse_time(self.start_time):
                params.append(f"start={int(parse_time(self.start_time))}")
            if parse_time(self.end_time):
                params.append(f"end={int(parse_time(self.end_time))}")
            query = ("?" + "&".join(params)) if params else ""
            parts.append(
                '<div class="ratio ratio-16x9"><iframe class="kampus-video-youtube" '
                f'src="https://www.youtube-nocookie.com/embed/{escape(video_id)}{escape(query)}" title="{title}" '
                'allow="encrypted-media; picture-in-picture" allowfullscreen loading="lazy"></iframe></div>'
            )
        download = self.source or (sources[0] if sources else "")
        if self.download_video and download:
            parts.append(f'<p class="mt-2"><a href="{escape(self._rewrite(download))}" download>Download video</a></p>')
        links = []
        for lang in sorted(self.transcript_files()):
            links.append(f'<a href="{escape(self.runtime.handler_url(self, "transcript", lang))}">{escape(lang)}</a>')
        if links:
            parts.append(f'<p class="small">Transcripts: {", ".join(links)}</p>')
        frag = Fragment(f'<div class="kampus-video">{"".join(parts)}</div>')
        frag.add_javascript_url(self.runtime.resource_url("video.js"))
        frag.initialize_js("KampusVideo")
        return frag

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)

    def _rewrite(self, url: str) -> str:
        if url.startswith("/static/"):
            return f"/assets/{self.scope_ids.usage_id.course_key}/{url[len('/static/'):]}"
        return url

    # handlers ------------------------------------------------------------------

    @XBlock.handler
    def transcript(self, request: Any, suffix: str = "") -> Response:
        """The transcript of language ``suffix`` (``en`` or ``en.vtt``) as WebVTT."""
        lang = suffix.strip("/").split("/")[-1].removesuffix(".vtt") or "en"
        name = self.transcript_files().get(lang)
        reader = getattr(self.runtime, "read_course_file", None)
        raw = reader(name) if (name and reader) else None
        if raw is None:
            return Response("No transcript in this language.", status=404, content_type="text/plain", charset="utf-8")
        text = raw.decode("utf-8-sig", errors="replace")
        try:
            vtt = sjson_to_vtt(text) if name.endswith(".sjson") else srt_to_vtt(text)
        except (ValueError, TypeError, AttributeError):
            return Response("The transcript is not readable.", status=404, content_type="text/plain", charset="utf-8")
        response = Response(vtt, content_type="text/vtt", charset="utf-8")
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
