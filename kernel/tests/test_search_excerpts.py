"""Excerpts of search results mark what the engine matched: whole words, a prefix term's word as a word's
start; text is escaped; the text to excerpt is the first that holds a word of the query."""

from __future__ import annotations

from kampus.rendering.search_excerpts import excerpt, text_to_excerpt


def test_whole_words_are_marked_not_parts_of_words() -> None:
    assert str(excerpt("Say hello to the other learners", "the")) == "Say hello to <b>the</b> other learners"
    assert str(excerpt("Linear algebra and algebraic maps", "algeb*")) == (
        "Linear <b>algebra</b> and <b>algebraic</b> maps")
    assert str(excerpt("Été et ete", "été")) == "<b>Été</b> et ete"
    phrase = str(excerpt("two words here, words two", '"two words"'))
    assert phrase == "<b>two</b> <b>words</b> here, <b>words</b> <b>two</b>"


def test_text_is_escaped_and_long_text_is_cut_around_the_first_match() -> None:
    assert str(excerpt("<script>x</script> danger", "danger")) == "&lt;script&gt;x&lt;/script&gt; <b>danger</b>"
    text = " ".join(["filler"] * 100) + " needle " + " ".join(["after"] * 100)
    shown = str(excerpt(text, "needle", 80))
    assert "<b>needle</b>" in shown and shown.startswith("\u2026") and shown.endswith("\u2026")


def test_the_text_to_excerpt_is_the_first_holding_a_word() -> None:
    assert text_to_excerpt(["nothing here", "", "the other one"], "other") == "the other one"
    assert text_to_excerpt(["together", "plain other"], "other") == "plain other"  # whole words only
    assert text_to_excerpt(["", "first", "second"], "zebra") == "first"
    assert text_to_excerpt(["", ""], "zebra") == ""
