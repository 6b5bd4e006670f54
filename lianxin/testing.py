"""Helpers that several test modules share. Test code only; the product never imports this."""

import io

import openpyxl


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square with its south-west corner at (lng, lat)."""
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def xlsx_bytes(headers: list[str], rows: list[list]) -> bytes:
    """An .xlsx file with a header row, as a clerk's spreadsheet would be."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Test files that share a package-scoped fixture: the demo's seed (`seeded`, lianxin/demo/tests/conftest.py) is
# built once for the package, so its files go to one worker together.
SHARED_PACKAGES = ("lianxin/demo/tests/",)


def scope_blocks(nodeids: list[str]) -> dict[str, str]:
    """Each test id's block: a run of consecutive tests of one file (of one package of SHARED_PACKAGES). A file
    that comes back later in the collection (pytest-django puts transactional tests after the others, then the
    tests without a database) is a new block, so every block is a consecutive slice of the collection."""
    blocks: dict[str, str] = {}
    runs: dict[str, int] = {}
    previous = None
    for nodeid in nodeids:
        key = nodeid.split("::", 1)[0]
        key = next((package for package in SHARED_PACKAGES if key.startswith(package)), key)
        if key != previous:
            runs[key] = runs.get(key, -1) + 1
            previous = key
        blocks[nodeid] = f"{key}#{runs[key]}"
    return blocks


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pragma: no cover - the dev extra installs pytest-xdist
    LoadScopeScheduling = object  # type: ignore[misc,assignment]


class InOrderByFile(LoadScopeScheduling):
    """pytest-xdist's scheduling for `pytest -n N` (lianxin/conftest.py picks it): whole blocks of scope_blocks,
    handed out in the collection's order as workers free up.

    By block, because module- and package-scoped fixtures (a browser per module, the permission matrices' worlds,
    the demo's seed) are built once per worker that runs a test of theirs. In order, because a transactional test
    ends by emptying every table, the data migrations' rows too (the categories, the holiday calendar): pytest-django
    runs them after every other database test, and since each worker gets consecutive slices of the collection in
    order, each worker's own run keeps that order (xdist's loadfile would sort the files by size)."""

    def schedule(self) -> None:
        if self.collection is None and self.collection_is_completed:
            # xdist's scopes find a test by its id, but schemathesis gives every operation's test the same id: the
            # second and later of one id get a suffix here (the workers run tests by their place in the list).
            for node, collection in self.registered_collections.items():
                seen: dict[str, int] = {}
                unique = []
                for nodeid in collection:
                    seen[nodeid] = seen.get(nodeid, 0) + 1
                    unique.append(nodeid if seen[nodeid] == 1 else f"{nodeid} (#{seen[nodeid]})")
                self.registered_collections[node] = unique
            self._blocks = scope_blocks(list(next(iter(self.registered_collections.values()))))
            self.config.option.loadscopereorder = False
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        return self._blocks[nodeid]
