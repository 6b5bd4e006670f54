"""The one boundary between a channel and the closed loop: how any input becomes a case.

Every channel (the public form, the deputy's workbench, the API, Open311, the 12345 import, the back office, the
grid worker's page) only builds a `CaseDraft` (draft.py) from its own input, with what it was told and nothing it
worked out itself; `lianxin.cases.services.case_register(actor=, draft=)` registers it. Everything derived or
checked is here, once:

- `rules.py` — the derivations: the phone number's one spelling, the title from the text, how the person wants
  a reply, clean text, the levels a case may be filed at, where a case is when the input does not say (the
  deputy's district, grid, congress), and whether a point lies in the region (the grids' and the region's own
  outlines).
- `check.py` — `case_check(actor=, draft=)`: every refusal a registration can meet, before anything is written,
  returning the case's fields.
- `queue.py` — API intake: a draft checked at once and queued with one INSERT in its own serialised form
  (`draft.to_payload`), registered by the worker (docs/decisions/0001-asynchronous-api-intake.md).

Nothing in this package imports `services` at module level except `queue`, so that services may import the
rest."""
