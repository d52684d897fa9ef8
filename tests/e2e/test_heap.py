"""`serve` freezes what a started worker holds (adapters/runtime/heap.py); tests do not."""

import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.support import ServedApp, migrated


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # what a test freezes must be collectable again afterwards


def served(tmp_path: Path, freeze: bool) -> int:
    """How many objects are frozen while the app serves."""
    url = migrated(f"sqlite:///{tmp_path / 'heap.db'}")
    settings = Settings(database_url=url, log_level="WARNING", run_projections=False,
                        freeze_heap=freeze)  # fmt: skip
    with ServedApp(create_app(settings)) as base_url:
        assert httpx.get(f"{base_url}/healthz").status_code == 200
        return gc.get_freeze_count()


def test_a_started_worker_freezes_its_heap_when_asked(tmp_path: Path, unfrozen: None) -> None:
    assert served(tmp_path, freeze=True) > 10_000  # the libraries and the application


def test_the_default_freezes_nothing(tmp_path: Path, unfrozen: None) -> None:
    assert served(tmp_path, freeze=False) == 0
