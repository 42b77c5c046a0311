"""JSON pointers (RFC 6901): escaping round-trips, and the RFC's own examples."""

from __future__ import annotations

import pytest

from eventdesign.pointer import escape_token, pointer_of, unescape_token


@pytest.mark.parametrize(
    ("key", "token"),
    [("a/b", "a~1b"), ("m~n", "m~0n"), ("~1", "~01"), ("", ""), (3, "3"), ("c%d", "c%d")],
)
def test_tokens_escape_as_rfc_6901_says(key: object, token: str) -> None:
    assert escape_token(key) == token
    assert unescape_token(token) == str(key)


def test_unescaping_turns_tilde_one_into_a_slash_before_tilde_zero_into_a_tilde() -> None:
    # RFC 6901 section 4: '~01' is '~1', never '/'.
    assert unescape_token("~01") == "~1"


def test_a_path_becomes_a_pointer_and_the_root_is_empty() -> None:
    assert pointer_of(()) == ""
    assert pointer_of(("channels", "orders/v1", 0, "a~b")) == "/channels/orders~1v1/0/a~0b"
