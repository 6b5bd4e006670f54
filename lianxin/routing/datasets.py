"""Reading CSVs shaped like the shared govmsg files, with errors that name the file, row and column."""

import csv
from dataclasses import dataclass
from pathlib import Path

from lianxin.core.errors import DomainError

TITLE, BODY, LABEL = "留言主题", "留言详情", "一级标签"


@dataclass
class Message:
    id: str
    user: str
    title: str
    body: str
    time: str
    label: str = ""
    likes: int = 0
    dislikes: int = 0


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def read_messages(path: Path, *, labelled: bool) -> list[Message]:
    """Rows of messages.csv (labelled) or hot_issues.csv. Rows with neither title nor text are skipped."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DomainError("file_unreadable", f"无法读取文件 {path}: {exc.strerror}", field="input") from exc
    with handle:
        reader = csv.DictReader(handle)
        need = [TITLE, BODY] + ([LABEL] if labelled else [])
        missing = [c for c in need if c not in (reader.fieldnames or [])]
        if missing:
            raise DomainError("columns_missing", f"{path.name} 缺少列：{'、'.join(missing)}", field="input")
        out = []
        for number, row in enumerate(reader, start=2):
            title, body = (row.get(TITLE) or "").strip(), (row.get(BODY) or "").strip()
            if not title and not body:
                continue
            label = (row.get(LABEL) or "").strip()
            if labelled and not label:
                raise DomainError("label_missing", f"{path.name} 第 {number} 行：一级标签为空", field="input")
            out.append(
                Message(
                    id=(row.get("留言编号") or "").strip() or f"row{number}",
                    user=(row.get("留言用户") or "").strip(),
                    title=title,
                    body=body,
                    time=(row.get("留言时间") or "").strip(),
                    label=label,
                    likes=_int(row.get("点赞数")),
                    dislikes=_int(row.get("反对数")),
                )
            )
    return out
