"""The documentation lives in the repository: its links resolve, and nothing points outside."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_resolves(document):
    targets = [t for t in LINK.findall(document.read_text()) if "://" not in t]
    assert [t for t in targets if not (document.parent / t).exists()] == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_nothing_points_outside_the_repository(document):
    assert "../shared" not in document.read_text()


def test_the_design_sections_the_code_cites_exist():
    cited = set()
    for source in [
        *REPO.glob("aviator/**/*.py"),
        *REPO.glob("coach/**/*.py"),
        *REPO.glob("handoff/**/*.py"),
    ]:
        cited |= set(re.findall(r"DESIGN\.md §(\d+)", source.read_text()))
    design = (REPO / "docs" / "DESIGN.md").read_text()
    assert {section for section in cited if f"\n## {section}. " not in design} == set()
