"""Common problems (普遍问题 / 热点): many messages about the same problem in the same place and period.

No Django here: `find_hotspots` works on plain items, from a CSV (the `find_hotspots` command) or from open
cases (lianxin.routing.selectors.hotspot_candidates).

Grouping. Titles (cleaned of "A市", "关于", "投诉" …) become TF-IDF vectors of character 2-3-grams; rare
n-grams — an estate's or a road's name — weigh most, common complaint words little. Two messages are linked
when their titles' cosine is at least LINK and either it is at least SURE or the openings of the letters
(BODY_CHARS characters, same kind of vector) agree to at least BODY_LINK — so "same problem, other estate" and
"same estate, other problem" stay apart — and they were written within WINDOW_DAYS of each other. Each connected
component of three or more is split by average-linkage clustering of the titles at SPLIT, so that a chain of
pairwise-alike letters cannot glue different problems together.

Heat index (documented in docs/routing.md):
    heat = (people + 0.5 · (messages − people) + 2 · ln(1 + likes)) · (0.5 + 0.5 · 2^(−age_days / 30))
`people` counts distinct authors (one person writing five times is not five people), `likes` sums the
support others gave, and `age_days` is how long before the reference time (the newest message, or now) the
group's latest message came: a problem still being written about keeps its full weight, an old one half.
"""

import datetime
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

LINK = 0.3
BODY_LINK = 0.15
SURE = 0.5
SPLIT = 0.15
WINDOW_DAYS = 120
HALF_LIFE_DAYS = 30
BODY_CHARS = 300

_PREFIX = re.compile(
    r"^(?:[\u200b\s]|关于|反映|投诉|举报|咨询|请求|建议|请问|强烈|要求|希望|西地省|A市|A\d+[区县市]|[，,。：:！!])+"
)
_NOISE = re.compile(r"[\u200b\s？?！!。，,：:“”\"'（）()【】\[\]]+")
_PLACE = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{2,14}?(?:小区|花园|家园|公寓|苑|府|城|广场|村|社区|镇|街道|大道|路|街|学校|中学|小学|"
    r"幼儿园|医院|市场|半岛|公馆|大厦|中心|项目|湖|湾|园))"
)
_GENERIC = re.compile(r"^(?:小区|请|问|地省|加快|关于)|A市|西地省")
_PLACE_LONG = re.compile(_PLACE.pattern.replace("{2,14}?", "{2,14}"))


@dataclass
class Item:
    id: str
    title: str
    body: str
    author: str = ""
    time: datetime.datetime | None = None
    likes: int = 0


@dataclass
class Hotspot:
    name: str
    place: str
    problem: str
    period: tuple[str, str]
    heat: float
    messages: int
    people: int
    likes: int
    ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "place": self.place,
            "problem": self.problem,
            "period": list(self.period),
            "heat": self.heat,
            "messages": self.messages,
            "people": self.people,
            "likes": self.likes,
            "message_ids": self.ids,
        }


def parse_time(value: str) -> datetime.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def clean_title(title: str) -> str:
    return _NOISE.sub("", _PREFIX.sub("", title.strip()))


def group(
    items: Sequence[Item],
    *,
    link: float = LINK,
    body_link: float = BODY_LINK,
    sure: float = SURE,
    split: float = SPLIT,
    window_days: int = WINDOW_DAYS,
) -> list[list[int]]:
    """Indexes of items grouped into the same problem (groups of one included)."""
    if not items:
        return []
    small = len(items) < 50
    titles = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(
        [clean_title(i.title) * 2 for i in items]
    )
    bodies = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=1 if small else 2)
    body_vectors = bodies.fit_transform([i.body[:BODY_CHARS] or i.title for i in items])
    similar = (titles @ titles.T).tocsr()
    similar.data[similar.data < link] = 0
    similar.eliminate_zeros()
    coo = similar.tocoo()
    rows, cols, data = coo.row, coo.col, coo.data.copy()
    # Titles alike but not alike enough to be sure: the letters' openings must agree too (same place, same
    # problem), or two estates' parking complaints — or one estate's parking and its leaking roofs — would join.
    unsure = np.flatnonzero((data < sure) & (rows != cols))
    if len(unsure):
        agree = np.asarray(body_vectors[rows[unsure]].multiply(body_vectors[cols[unsure]]).sum(axis=1)).ravel()
        data[unsure[agree < body_link]] = 0
    if window_days:
        times = [i.time for i in items]
        for k, (a, b) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            ta, tb = times[a], times[b]
            if data[k] and ta and tb and abs((ta - tb).days) > window_days:
                data[k] = 0
    similar = csr_matrix((data, (rows, cols)), shape=similar.shape)
    similar.eliminate_zeros()
    _, component = connected_components(similar, directed=False)
    members: dict[int, list[int]] = {}
    for index, c in enumerate(component.tolist()):
        members.setdefault(c, []).append(index)
    groups = []
    for indexes in members.values():
        if len(indexes) <= 2:
            groups.append(indexes)
            continue
        block = (titles[indexes] @ titles[indexes].T).toarray()
        np.fill_diagonal(block, 1.0)
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1 - split
        ).fit_predict(1 - block)
        parts: dict[int, list[int]] = {}
        for index, label in zip(indexes, labels.tolist(), strict=True):
            parts.setdefault(label, []).append(index)
        groups.extend(parts.values())
    return groups


def heat_index(
    *, messages: int, people: int, likes: int, latest: datetime.datetime | None, reference: datetime.datetime | None
) -> float:
    age = max(0.0, (reference - latest).total_seconds() / 86400) if latest and reference else 0.0
    base = people + 0.5 * (messages - people) + 2 * math.log1p(max(likes, 0))
    return round(base * (0.5 + 0.5 * 2 ** (-age / HALF_LIFE_DAYS)), 2)


def _common_substring(titles: list[str]) -> str:
    """The longest run of characters (≥ 2) that most titles share: usually the estate's or the road's name."""
    if len(titles) < 2:
        return ""
    counts: Counter[str] = Counter()
    for title in titles:
        seen = {title[i:j] for i in range(len(title)) for j in range(i + 2, min(len(title), i + 16) + 1)}
        counts.update(seen)
    need = max(2, math.ceil(len(titles) * 0.5))
    shared = [s for s, n in counts.items() if n >= need]
    return max(shared, key=lambda s: (len(s), counts[s]), default="")


def _place(titles: list[str], shared: str) -> str:
    """The place most titles name: among the place-like phrases (ending in 小区, 路, 村, 苑 …, found both the
    shortest and the longest way), the longest one that nearly as many titles contain as the most common one."""
    found: set[str] = set()
    for title in titles:
        for pattern in (_PLACE, _PLACE_LONG):
            found.update(p.lstrip("的在对与和") for p in pattern.findall(title))
    found = {p for p in found if len(p) >= 2 and not _GENERIC.search(p)}
    if not found:
        return shared if len(shared) >= 3 else ""
    coverage = {p: sum(p in t for t in titles) for p in found}
    best = max(coverage.values())
    if best * 2 <= len(titles):
        # No place that most letters name: the same problem in several places (秀水公寓 and 五龙小区 both short of
        # parking). Naming one of them would mislabel the others.
        return ""
    return max((p for p, n in coverage.items() if n >= 0.8 * best), key=lambda p: (len(p) <= 12, len(p), coverage[p]))


def _without_place(title: str) -> str:
    """The title without the place it opens with (the longest place-like phrase at its start)."""
    found = [p for pattern in (_PLACE, _PLACE_LONG) for p in pattern.findall(title) if title.startswith(p)]
    return title[len(max(found, key=len)) :] if found else title


def describe(items: Sequence[Item], indexes: list[int], reference: datetime.datetime | None) -> Hotspot:
    chosen = [items[i] for i in indexes]
    titles = [clean_title(i.title) for i in chosen]
    shared = _common_substring(titles)
    place = _place(titles, shared)
    # The problem: the most supported title that names the place, without the place (a title that names
    # another place would be glued to this one: "秀水公寓小区" + "五龙小区停车位紧张").
    naming = [i for i in chosen if place and place in clean_title(i.title)] or chosen
    lead = max(naming, key=lambda i: (i.likes, len(i.body)))
    title = clean_title(lead.title)
    problem = title.replace(place, "", 1).strip("的，,、 ") if place else _without_place(title).strip("的，,、 ")
    problem = problem[:24] or title[:24]
    times = sorted(t for t in (i.time for i in chosen) if t)
    people = len({i.author or f"#{i.id}" for i in chosen})
    likes = sum(max(i.likes, 0) for i in chosen)
    return Hotspot(
        name=f"{place}{problem}" if place and not problem.startswith(place) else problem,
        place=place,
        problem=problem,
        period=(times[0].date().isoformat(), times[-1].date().isoformat()) if times else ("", ""),
        heat=heat_index(
            messages=len(chosen), people=people, likes=likes, latest=times[-1] if times else None, reference=reference
        ),
        messages=len(chosen),
        people=people,
        likes=likes,
        ids=[i.id for i in sorted(chosen, key=lambda i: (i.time or datetime.datetime.min, i.id))],
    )


def find_hotspots(
    items: Sequence[Item], *, top: int = 10, reference: datetime.datetime | None = None, min_messages: int = 2
) -> list[Hotspot]:
    """The `top` candidate common problems by heat (groups of at least `min_messages`)."""
    if reference is None:
        reference = max((i.time for i in items if i.time), default=None)
    found = [describe(items, g, reference) for g in group(items) if len(g) >= min_messages]
    found.sort(key=lambda h: (-h.heat, h.ids[0] if h.ids else ""))
    return found[:top]
