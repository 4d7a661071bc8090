"""CorrectMap: the graded result of every input of a problem (upstream capa's format)."""

from __future__ import annotations

from typing import Any

FIELDS = ("correctness", "npoints", "msg", "hint", "hintmode", "queuestate", "answervariable")


class CorrectMap:
    """Maps input id -> {correctness, npoints, msg, hint, hintmode, queuestate, answervariable}.

    correctness is 'correct', 'incorrect', 'partially-correct' or 'incomplete' (queued).
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self.cmap: dict[str, dict[str, Any]] = {}
        self.overall_message = ""
        self.set(*args, **kwargs)

    def __getitem__(self, answer_id: str) -> dict[str, Any]:
        return self.cmap[answer_id]

    def __iter__(self):
        return iter(self.cmap)

    def __contains__(self, answer_id: object) -> bool:
        return answer_id in self.cmap

    def __len__(self) -> int:
        return len(self.cmap)

    def __repr__(self) -> str:
        return f"CorrectMap({self.cmap!r})"

    def keys(self):
        return self.cmap.keys()

    def items(self):
        return self.cmap.items()

    def set(self, answer_id: str | None = None, correctness: str | None = None, npoints: float | None = None,
            msg: str = "", hint: str = "", hintmode: str | None = None, queuestate: dict | None = None,
            answervariable: str | None = None, **_ignored: Any) -> None:
        if answer_id is not None:
            self.cmap[answer_id] = {
                "correctness": correctness, "npoints": npoints, "msg": msg, "hint": hint,
                "hintmode": hintmode, "queuestate": queuestate, "answervariable": answervariable,
            }

    def get_dict(self) -> dict[str, dict[str, Any]]:
        return self.cmap

    def set_dict(self, correct_map: dict[str, Any] | None) -> None:
        """Load a stored dict; old one-level maps ({id: correctness}) are migrated; unknown keys dropped."""
        self.__init__()
        if not correct_map:
            return
        if not isinstance(next(iter(correct_map.values())), dict):
            for key, value in correct_map.items():
                self.set(key, correctness=value)
        else:
            for key, value in correct_map.items():
                self.set(key, **value)

    def update(self, other: CorrectMap) -> None:
        if not isinstance(other, CorrectMap):
            raise TypeError(f"CorrectMap.update called with {other!r}")
        self.cmap.update(other.get_dict())
        self.set_overall_message(other.get_overall_message())

    def is_correct(self, answer_id: str) -> bool | None:
        """True for correct or partially correct answers."""
        if answer_id in self.cmap:
            return self.cmap[answer_id]["correctness"] in ("correct", "partially-correct")
        return None

    def is_partially_correct(self, answer_id: str) -> bool | None:
        if answer_id in self.cmap:
            return self.cmap[answer_id]["correctness"] == "partially-correct"
        return None

    def is_queued(self, answer_id: str) -> bool:
        return answer_id in self.cmap and self.cmap[answer_id].get("queuestate") is not None

    def is_right_queuekey(self, answer_id: str, key: str) -> bool:
        return self.is_queued(answer_id) and self.cmap[answer_id]["queuestate"]["key"] == key

    def get_queuetime_str(self, answer_id: str) -> str | None:
        state = self.cmap[answer_id].get("queuestate")
        return state["time"] if state else None

    def get_npoints(self, answer_id: str) -> float:
        npoints = self.get_property(answer_id, "npoints")
        if npoints is not None:
            return npoints
        if self.is_correct(answer_id):
            return 1
        return 0

    def set_property(self, answer_id: str, prop: str, value: Any) -> None:
        if answer_id in self.cmap:
            self.cmap[answer_id][prop] = value
        else:
            self.cmap[answer_id] = {prop: value}

    def get_property(self, answer_id: str, prop: str, default: Any = None) -> Any:
        if answer_id in self.cmap:
            return self.cmap[answer_id].get(prop, default)
        return default

    def get_correctness(self, answer_id: str) -> str | None:
        return self.get_property(answer_id, "correctness")

    def get_msg(self, answer_id: str) -> str:
        return self.get_property(answer_id, "msg", "")

    def get_hint(self, answer_id: str) -> str:
        return self.get_property(answer_id, "hint", "")

    def get_hintmode(self, answer_id: str) -> str | None:
        return self.get_property(answer_id, "hintmode", None)

    def set_hint_and_mode(self, answer_id: str, hint: str, hintmode: str | None) -> None:
        self.set_property(answer_id, "hint", hint)
        self.set_property(answer_id, "hintmode", hintmode)

    def set_overall_message(self, message: object) -> None:
        self.overall_message = str(message) if message else ""

    def get_overall_message(self) -> str:
        return self.overall_message
