"""The categories and deadline limits a new installation starts with (editable in the back office)."""

# (code, name, description, keywords) — the first-level categories of citizens' messages to local government.
CATEGORIES = [
    (
        "urban-construction",
        "城乡建设",
        "住房、物业、小区设施、市政道路、拆迁",
        ["小区", "物业", "房", "拆迁", "路灯", "停车"],
    ),
    ("transport", "交通运输", "公交、道路交通、出租车、交通安全", ["公交", "道路", "红绿灯", "出租车", "交通"]),
    ("environment", "环境保护", "噪音、油烟、河道、垃圾、污染", ["噪音", "油烟", "垃圾", "污染", "河道", "臭"]),
    ("agriculture", "农业农村", "农田水利、农村道路、合作社、乡村振兴", ["农田", "水利", "种植", "养殖", "村道"]),
    ("labour", "劳动和社会保障", "工资、社保、医保、就业、养老金", ["工资", "社保", "医保", "就业", "养老"]),
    ("education", "教育文体", "学校、入学、培训、文化体育设施", ["学校", "入学", "老师", "幼儿园", "体育"]),
    ("health", "卫生健康", "医院、诊所、计生、公共卫生", ["医院", "医生", "卫生", "疫苗", "药"]),
    ("civil-affairs", "民政与社会救助", "低保、养老服务、残疾人、救助", ["低保", "救助", "残疾", "养老院"]),
    ("commerce", "商贸旅游", "市场、消费、旅游、民宿", ["市场", "商家", "旅游", "民宿", "价格"]),
    ("public-safety", "平安法治", "治安、矛盾纠纷、消防、法律援助", ["治安", "纠纷", "消防", "诈骗", "法律"]),
    ("other", "其他", "以上类别之外的意见建议", []),
]

# urgency → (accept, transfer, reply, feedback, remind-before) in working days.
DEADLINES = {"normal": (0, 0, 15, 1, 2), "urgent": (0, 0, 5, 1, 1)}
