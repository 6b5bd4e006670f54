from lianxin.cases.hotline import hotline_import
from lianxin.core.tabular import ImportCommand


class Command(ImportCommand):
    help = (
        "导入12345热线工单（.xlsx 或 .csv，中文表头：工单编号、来电时间、来电人、联系电话、诉求标题、诉求内容、"
        "问题类别、所在乡镇/村社区、地址、紧急程度、是否需要回复）。全部无误才写入；已导入的工单不会重复登记。"
    )
    service = staticmethod(hotline_import)
    noun = "件工单"
