from pathlib import Path

from lianxin.suggestions.management.commands.suggestions_workflow import suggestions_workflow_markdown

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_generated_workflow_document_is_up_to_date():
    text = (DOCS / "suggestions-workflow.md").read_text(encoding="utf-8")
    assert text == suggestions_workflow_markdown(), "run `make docs` and commit docs/suggestions-workflow.md"


def test_every_action_of_the_table_is_in_the_diagram():
    from lianxin.suggestions.workflow import TRANSITIONS, Action

    text = suggestions_workflow_markdown()
    for action in TRANSITIONS:
        assert f"| `{action}` | {Action(action).label} |" in text
