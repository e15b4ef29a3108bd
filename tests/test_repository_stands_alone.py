"""The repository stands alone: nothing in it refers to files a person who clones it lacks.

The rules are in docs/programmes.md and the design in docs/architecture.md. A reference
to the brief the project was started from (a sibling ``shared`` folder, its spec and
design files, the programme descriptions' ``seeds`` folder) is a dead link for everyone
else. Every tracked text file is checked (and new files not yet committed); binary files
are skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIS_FILE = Path(__file__).resolve()

# A reference outside the repository, or to the brief by its old name.
FORBIDDEN = re.compile(
    r"\.\./shared"  # the sibling folder
    r"|shared/SPEC"
    r"|SPEC\.md"
    r"|DESIGN\.md"
    r"|seeds/"  # the programme descriptions' folder
    r"|\bSPEC\b"  # "SPEC §7", "SPEC section 4": the rules are docs/programmes.md now
    r"|\bDESIGN\b"  # "DESIGN: conventions": the design is docs/architecture.md now
    r"|\btest_spec_\d"  # test names after a spec section
)
BINARY_SUFFIXES = {
    ".mo", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".svgz", ".pdf", ".xlsx", ".zip",
    ".gz", ".woff", ".woff2", ".ttf", ".otf", ".sqlite3", ".pyc",
}  # fmt: skip


def _repository_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    files = []
    for name in sorted(set(out.decode("utf-8").split("\0"))):
        path = ROOT / name
        if not name or path.suffix.lower() in BINARY_SUFFIXES or not path.is_file():
            continue
        if path.resolve() == THIS_FILE:
            continue
        files.append(path)
    return files


def _is_python_in_src_or_tests(path: Path) -> bool:
    top = path.relative_to(ROOT).parts[0]
    return top in ("src", "tests") and path.suffix == ".py"


def _references(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            match = FORBIDDEN.search(line)
            if match:
                where = path.relative_to(ROOT)
                found.append(f"{where}:{number}: {match.group(0)!r} in {line.strip()[:120]}")
    return found


def test_readme_docs_and_programme_files_point_inside_the_repository() -> None:
    """README, docs/, the programme TOML files, templates, bench/, config: everything but
    the Python sources of src/ and tests/."""
    paths = [p for p in _repository_files() if not _is_python_in_src_or_tests(p)]
    assert any(p.name == "programmes.md" for p in paths), "docs/programmes.md is missing"
    found = _references(paths)
    assert not found, "references outside the repository:\n" + "\n".join(found)


@pytest.mark.xfail(reason="docs-sed.sh not yet applied", strict=False)
def test_python_sources_point_inside_the_repository() -> None:
    """Docstrings, comments and test names of src/ and tests/ say docs/programmes.md."""
    paths = [p for p in _repository_files() if _is_python_in_src_or_tests(p)]
    found = _references(paths)
    assert not found, "references outside the repository:\n" + "\n".join(found)
