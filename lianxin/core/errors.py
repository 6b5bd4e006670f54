"""Domain errors: a stable machine code for programs and a Chinese message for people.

Services raise these; the API maps them to HTTP once (lianxin.api.errors), the back office shows the
message. Never build an error message in a view.
"""

from dataclasses import dataclass


class DomainError(Exception):
    """A request that the domain refuses. `code` is stable; `message` is for people and names the field."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Does not exist, or exists outside the user's region: the two answer the same so nothing leaks."""

    status = 404

    def __init__(self, message: str = "未找到该对象，或不在您的管辖范围内") -> None:
        super().__init__("not_found", message)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "您没有执行此操作的权限") -> None:
        super().__init__("permission_denied", message)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of an imported sheet. `row` is the spreadsheet's own row number."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}: {self.message}"


class ImportRejected(DomainError):
    """The whole file is refused; nothing was written. Every bad cell is listed, not just the first."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "；".join(str(e) for e in errors[:20])
        more = f"；另有{len(errors) - 20}处错误" if len(errors) > 20 else ""
        super().__init__("import_rejected", f"文件未导入，共{len(errors)}处错误：{shown}{more}")
