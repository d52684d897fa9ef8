"""Each import contract of pyproject.toml breaks when the code breaks the rule it states.

`make lint` runs `lint-imports` on the code as it is; here each rule is broken once, in
a copy of the sources, by the kind of import a hurried change would add.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# contract id -> (file under src/, the import that breaks it)
BREAKS = {
    "layers": ("coordination/adapters/store/schema.py", "import coordination.services.cases"),
    "consent-pure": ("consent/vocabulary.py", "import eventsourcing.domain"),
    "domain-pure": ("coordination/domain/errors.py",
                    "from eventsourcing.persistence import Mapper"),
    "no-cycles": ("coordination/adapters/hashing/chain.py",
                  "import coordination.adapters.store.database"),
    "entry-points-apart": ("coordination/entrypoints/api/app.py",
                           "import coordination.entrypoints.cli.main"),
    "api-not-server": ("coordination/entrypoints/api/app.py",
                       "import coordination.entrypoints.server.listening"),
    "settings-at-the-root": ("coordination/services/cases.py", "import coordination.settings"),
}  # fmt: skip


def lint_imports(tree: Path, contract: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract, str(ROOT / "pyproject.toml")],
        cwd=ROOT, env={"PYTHONPATH": f"{tree / 'src'}:{ROOT}"}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return tree


@pytest.mark.parametrize("contract", BREAKS)
def test_the_contract_holds_for_the_code_as_it_is(sources: Path, contract: str) -> None:
    kept = lint_imports(sources, contract)
    assert kept.returncode == 0, kept.stdout


@pytest.mark.parametrize("contract", BREAKS)
def test_the_contract_breaks_when_its_rule_is_broken(
    sources: Path, tmp_path: Path, contract: str
) -> None:
    tree = tmp_path / "broken"
    shutil.copytree(sources, tree)
    path, statement = BREAKS[contract]
    source = tree / "src" / path
    source.write_text(f"{statement}  # noqa\n{source.read_text()}")
    broken = lint_imports(tree, contract)
    assert broken.returncode == 1, broken.stdout
    assert "BROKEN" in broken.stdout
