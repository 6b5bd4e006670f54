from django.core.management.base import BaseCommand

from lianxin.cases.models import Status
from lianxin.cases.workflow import TRANSITIONS, Action


def workflow_markdown() -> str:
    lines = [
        "# The closed loop: states and actions",
        "",
        "Generated from `lianxin/cases/workflow.py` (TRANSITIONS) by `make docs` (`lianxin workflow_diagram`);",
        "do not edit by hand. A test walks every (state, action) pair of this table.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        "    [*] --> registered: 登记",
    ]
    for action, transition in TRANSITIONS.items():
        for source in sorted(transition.sources):
            lines.append(f"    {source} --> {transition.target}: {Action(action).label}")
    lines += ["    published --> [*]", "```", "", "| state | 状态 |", "| --- | --- |"]
    lines += [f"| `{status.value}` | {status.label} |" for status in Status]
    lines += ["", "| action | 操作 | from | to | who |", "| --- | --- | --- | --- | --- |"]
    for action, transition in TRANSITIONS.items():
        sources = ", ".join(f"`{s}`" for s in sorted(transition.sources))
        who = (transition.permission.__doc__ or transition.permission.__name__).strip().splitlines()[0]
        lines.append(f"| `{action}` | {Action(action).label} | {sources} | `{transition.target}` | {who} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "打印意见建议办理流程的状态图（Markdown + Mermaid），即 docs/workflow.md 的内容。"

    def handle(self, *args, **options):
        self.stdout.write(workflow_markdown(), ending="")
