"""Equality of case state that also checks types, for the snapshot tests."""

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def assert_same(got: Any, want: Any, path: str = "") -> None:
    """Equal, and of the same types all the way down (a str enum equals its value, and
    datetimes in different zones equal each other: `==` alone would miss both)."""
    assert type(got) is type(want), (path, got, want)
    if isinstance(want, datetime):
        # `fold` tells the two readings of a repeated wall time apart, in real zones only.
        fold = isinstance(want.tzinfo, ZoneInfo)
        assert (got.replace(tzinfo=None), got.tzinfo, fold and got.fold) == (
            want.replace(tzinfo=None), want.tzinfo, fold and want.fold), path  # fmt: skip
    elif dataclasses.is_dataclass(want):
        for f in dataclasses.fields(want):
            assert_same(getattr(got, f.name), getattr(want, f.name), f"{path}.{f.name}")
    elif isinstance(want, dict):
        assert list(got) == list(want), path
        for key in want:
            assert_same(got[key], want[key], f"{path}[{key!r}]")
    elif isinstance(want, list):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, set | frozenset):
        assert got == want, path
        assert {(type(x), x) for x in got} == {(type(x), x) for x in want}, path
    else:
        assert got == want, path


def same_case(got: object, want: object) -> None:
    """The order of a case's own attributes means nothing; that of its parts does."""
    assert_same(dict(sorted(vars(got).items())), dict(sorted(vars(want).items())))
