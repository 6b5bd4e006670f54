from lianxin.core.tabular import ImportCommand
from lianxin.venues.imports import places_import


class Command(ImportCommand):
    help = "导入家站室（代表之家、代表工作站、代表联络室等；.xlsx 或 .csv，中文表头）。全部无误才写入。"
    service = staticmethod(places_import)
    noun = "个家站室"
