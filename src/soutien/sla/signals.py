"""What the SLA domain tells the layers above it (they listen; the domain imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `ids` (the requests' ids) after a bulk recomputation rewrote their due times in SQL,
# inside the transaction that wrote them: no save, so no post_save for them.
due_times_changed = Signal()
