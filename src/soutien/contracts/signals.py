"""What the contracts domain tells the layers above it (they listen; the domain imports none)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `organization_id` and `moments` (the start of every entry concerned) after entries'
# overage and allocations were recomputed in bulk (bulk_update, bulk_create, a queryset's
# delete: no save, so no post_save for them), inside the transaction that wrote them.
entries_reallocated = Signal()
