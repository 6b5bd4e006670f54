"""The other commands as long jobs (issue 15): the voter roll's import and check, grid assignment with its coverage
report, the router's training and evaluation, the projects' monthly report. Each runs the service its command
runs, as the job's owner, so the service's own permission check applies when the job runs; `JobKind.perm` and
`clean` only decide who sees the kind and refuse a mistake on the form. One module per app; imported (and so registered) by lianxin.ops.apps.

A township's posters are registered by lianxin.portal.jobs: they are drawn by lianxin.portal.posters, in an
interface package that ops may not import (pyproject's [tool.importlinter]), while portal may import ops.
"""

import importlib

# Importing a module registers its kinds (kind_register at import time), and the office lists the kinds in the order
# they were registered: hence this order, not the alphabet's.
for _module in ("elections", "grids", "new_term", "routing", "projects", "suggestions", "duties", "circle"):
    importlib.import_module(f"{__name__}.{_module}")
