from lianxin.core.tabular import ImportCommand
from lianxin.deputies.imports import deputies_import


class Command(ImportCommand):
    help = (
        "导入人大代表名册（.xlsx 或 .csv，中文表头，每行一个代表资格）。"
        "全部无误才写入；同一身份证号已登记的代表会被更新，重复导入不产生变化。"
    )
    service = staticmethod(deputies_import)
    noun = "名代表"
