"""The benchmarks' bulk generator keeps up with the schema: a column added without a database
default must be filled by its raw SQL, or every `bench/run` fails before measuring anything."""

import sys
from pathlib import Path

import pytest

from soutien.contracts.models import TimeEntry
from soutien.ticketing.models import Kind, Message, Ticket

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bench_generator_fills_every_column_the_models_require():
    from datagen import Shape, generate

    generate(Shape(40, messages_per_request=3), quiet=True)

    assert Ticket.objects.count() == 40
    # Every row loads through the ORM with the values the models would have given it.
    assert set(Ticket.objects.values_list("kind", flat=True)) == {Kind.SUPPORT}
    assert Message.objects.filter(ticket__in=Ticket.objects.all()).count() >= 40
    assert TimeEntry.objects.exists()
    assert set(TimeEntry.objects.values_list("service", flat=True)) == {""}
