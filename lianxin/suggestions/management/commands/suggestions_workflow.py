from django.core.management.base import BaseCommand

from lianxin.suggestions.models import Status
from lianxin.suggestions.workflow import SETTLED_TARGETS, TRANSITIONS, Action


def _who(transition) -> str:
    return (transition.permission.__doc__ or transition.permission.__name__).strip().splitlines()[0]


def suggestions_workflow_markdown() -> str:
    lines = [
        "# Deputies' suggestions and bills: states and actions",
        "",
        "Generated from `lianxin/suggestions/workflow.py` (TRANSITIONS) by `make docs` (`lianxin suggestions_workflow`);",
        "do not edit by hand. docs/suggestions.md explains the work; docs/permissions.md has the role × state table",
        "that a test checks cell by cell.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        "    [*] --> draft: 撰写",
    ]
    for action, transition in TRANSITIONS.items():
        targets = SETTLED_TARGETS.get(action) or ((transition.target,) if transition.target else ())
        for source in sorted(transition.sources):
            for target in targets:
                if target != source:
                    lines.append(f"    {source} --> {target}: {Action(action).label}")
    lines += ["    closed --> [*]", "    on_agenda --> [*]", "    not_accepted --> [*]", "    withdrawn --> [*]", "```"]
    lines += ["", "| state | 状态 |", "| --- | --- |"]
    lines += [f"| `{status.value}` | {status.label} |" for status in Status]
    lines += [
        "",
        "An action without a target leaves the status as it is; `reply` and `rate` settle it from the lead units' parts.",
        "",
        "| action | 操作 | from | to | unit's part | who |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for action, transition in TRANSITIONS.items():
        sources = ", ".join(f"`{s}`" for s in sorted(transition.sources))
        settled = SETTLED_TARGETS.get(action)
        to = (
            " / ".join(f"`{t}`" for t in settled) if settled else f"`{transition.target}`" if transition.target else "—"
        )
        part = "yes" if transition.on_unit else ""
        lines.append(f"| `{action}` | {Action(action).label} | {sources} | {to} | {part} | {_who(transition)} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "打印代表建议办理流程的状态图（Markdown + Mermaid），即 docs/suggestions-workflow.md 的内容。"

    def handle(self, *args, **options):
        self.stdout.write(suggestions_workflow_markdown(), ending="")
