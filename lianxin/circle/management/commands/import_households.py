from lianxin.circle.imports import households_import
from lianxin.core.tabular import ImportCommand


class Command(ImportCommand):
    help = (
        "导入住户点位（.xlsx 或 .csv，中文表头：地址、人数、纬度、经度、网格编码）。全部无误才写入；"
        "文件涉及的网格原有点位被替换。代表服务圈按住户点位计算这些网格的人口分布。"
    )
    service = staticmethod(households_import)
    noun = "个住户点位"
