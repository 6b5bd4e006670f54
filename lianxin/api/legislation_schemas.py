"""Schemas of the legislation API: drafts with their sections and comment counts, and the comments on them.

A comment is shown as the public reads it (the author's name masked, a deputy by name, phone and ID numbers in the
text redacted, never the phone field); the draft's own staff also read the hidden ones, with their reason."""

import datetime

from ninja import Field, Schema

from lianxin.api.schemas import _choices
from lianxin.legislation.models import CommentStatus, DraftKind, DraftStatus, SectionLevel, Stage


class ContactPointRef(Schema):
    id: int
    name: str = Field(..., description="联系点（家站室）名称")
    region_code: str = Field(..., description="所在区划代码")


class DraftOut(Schema):
    id: int
    title: str
    kind: DraftKind = Field(..., description=_choices(DraftKind))
    stage: Stage = Field(..., description=_choices(Stage))
    status: DraftStatus = Field(..., description=_choices(DraftStatus))
    status_label: str
    contact_point: ContactPointRef
    opens_on: datetime.date = Field(..., description="征求意见开始日期")
    closes_on: datetime.date = Field(..., description="征求意见截止日期")
    accepting_comments: bool = Field(..., description="现在是否接收意见")
    comment_count: int = Field(..., description="公开的意见数（工作人员另见 hidden_count）")
    hidden_count: int | None = Field(None, description="已屏蔽的意见数，仅本草案的工作人员可见")
    public_url: str = Field(..., description="公开页面地址")


class SectionOut(Schema):
    id: int
    parent_id: int | None
    level: SectionLevel = Field(..., description=_choices(SectionLevel))
    number: int
    label: str = Field(..., description="如：第十一条")
    heading: str
    text: str
    order: int
    comment_count: int = Field(..., description="本条的公开意见数")


class DraftDetailOut(DraftOut):
    intro: str
    general_comment_count: int = Field(..., description="对草案整体的公开意见数")
    sections: list[SectionOut]


class CommentOut(Schema):
    id: int
    section_id: int | None = Field(..., description="条文 id；null 为总体意见")
    section_label: str
    author: str = Field(..., description="公开署名：代表为“姓名 代表”，群众只显示姓氏，未留名为“匿名群众”")
    is_deputy: bool
    text: str
    quote_text: str = Field(..., description="引用的原文（空为未引用）")
    quote_start: int | None
    quote_end: int | None
    support_count: int
    created_at: datetime.datetime
    status: CommentStatus = Field(CommentStatus.VISIBLE, description=_choices(CommentStatus))
    hidden_reason: str = Field("", description="屏蔽理由，仅工作人员可见")


class CommentIn(Schema):
    section_id: int | None = Field(None, description="条文 id；不填为对草案整体的意见")
    text: str = Field(..., description="意见，1–2000 字")
    quote_start: int | None = Field(None, ge=0, description="引用原文在条文正文中的起始位置（字符）")
    quote_end: int | None = Field(None, ge=0, description="引用原文的结束位置（不含）")


class CommentFilters(Schema):
    section_id: int | None = Field(None, ge=1, description="只列出该条文的意见")
    general: bool = Field(False, description="只列出总体意见")
