"""Symbolic math (symbolicresponse): sympy equality through Open edX's ``symmath_check`` (no author code)."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from kampus_problems.capa.errors import ResponseError
from kampus_problems.capa.responses.custom import CustomResponse, clean_message_html


class SymbolicResponse(CustomResponse):
    """``expect`` compared symbolically (matrices, ``options="matrix,imaginary"``) with the answer."""

    tag = "symbolicresponse"
    human_name = "Symbolic Math Input"
    max_inputfields = 1
    needs_python = False

    def setup_response(self) -> None:
        self.xml.set("cfn", "symmath_check")
        super().setup_response()

    def execute_check_function(self, idset: list[str], submission: list[Any], dynamath: list[Any],
                               student_answers: dict[str, Any], state: dict[str, Any]) -> None:
        # Imported on use: symmath pulls in sympy, heavy, and only symbolicresponse needs it.
        from symmath import symmath_check

        try:
            # symmath prints its diagnostics; keep them off stdout (the CLI's JSON goes there)
            with contextlib.redirect_stdout(io.StringIO()):
                ret = symmath_check(self.expect, submission[0], dynamath=dynamath, options=self.xml.get("options"),
                                    debug=False)
        except Exception as err:
            raise ResponseError(f"An error occurred with SymbolicResponse. The error was: {err}") from err
        state["messages"][0] = clean_message_html(ret["msg"])
        state["correct"] = ["correct" if ret["ok"] else "incorrect"] * len(idset)
