"""The docs stay true: generated pages current, every code and command documented."""

from __future__ import annotations

import re
from pathlib import Path

from ceasefire.agreement.lint import CODES
from ceasefire.docgen import PAGES

DOCS = Path(__file__).resolve().parent.parent / "docs"
README = Path(__file__).resolve().parent.parent / "README.md"


def test_generated_pages_are_current() -> None:
    for name, make in PAGES.items():
        assert (DOCS / name).read_text(encoding="utf-8") == make(), (
            f"docs/{name} is stale: run python -m ceasefire.docgen"
        )


def test_every_lint_code_is_documented_with_its_severity() -> None:
    text = (DOCS / "lint-codes.md").read_text(encoding="utf-8")
    for code, (severity, _) in CODES.items():
        section = re.search(rf"### {code}\n\*\*(\w+)\*\*", text)
        assert section, f"{code} has no section in docs/lint-codes.md"
        assert section.group(1) == severity, code


def test_readme_quickstart_has_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quickstart, re.S)
    assert block
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["./dev demo", "./dev test"]


def test_docs_link_to_files_that_exist() -> None:
    for page in [README, *DOCS.glob("*.md")]:
        for target in re.findall(
            r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")
        ):
            assert (page.parent / target).exists(), (
                f"{page.name} links to missing {target}"
            )
