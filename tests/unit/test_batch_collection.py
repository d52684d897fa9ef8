"""An import collects young objects less often while it runs, and leaves the process's
collector as it found it (coordination/adapters/runtime/heap.py)."""

import gc

import pytest

from coordination.adapters.runtime.heap import BATCH_YOUNG_THRESHOLD, batch_collection


def test_the_threshold_is_raised_for_the_batch_and_restored_after() -> None:
    before = gc.get_threshold()
    with batch_collection():
        assert gc.get_threshold() == (max(before[0], BATCH_YOUNG_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before


def test_it_is_restored_when_the_batch_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), batch_collection():
        raise RuntimeError
    assert gc.get_threshold() == before


def test_a_higher_threshold_is_never_lowered() -> None:
    before = gc.get_threshold()
    gc.set_threshold(BATCH_YOUNG_THRESHOLD * 2, *before[1:])
    try:
        with batch_collection():
            assert gc.get_threshold()[0] == BATCH_YOUNG_THRESHOLD * 2
    finally:
        gc.set_threshold(*before)
