from lianxin.core.tabular import ImportCommand
from lianxin.deputies.imports import grid_workers_import


class Command(ImportCommand):
    help = "导入网格员名册（.xlsx 或 .csv，中文表头），并按“结对代表身份证号”列建立代表与网格员结对。全部无误才写入。"
    service = staticmethod(grid_workers_import)
    noun = "名网格员"
