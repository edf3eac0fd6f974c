"""The ordered line behind positions: ranks agree with a plainly sorted list, whatever the changes."""

from __future__ import annotations

from bisect import bisect_left, insort

from hypothesis import given, settings
from hypothesis import strategies as st

from holdless.routing.lines import LineKey, OrderedLine

# (deadline, place, enqueued_at, contact id), with many ties to exercise the later fields
keys = st.tuples(
    st.integers(0, 3000).map(float),
    st.integers(-3, 0).map(float),
    st.just(0.0),
    st.text("abc", max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(changes=st.lists(st.tuples(st.booleans(), keys), max_size=2500), probes=st.lists(keys, max_size=20))
def test_rank_matches_a_sorted_list_through_inserts_and_removals(
    changes: list[tuple[bool, LineKey]], probes: list[LineKey]
) -> None:
    line = OrderedLine()
    expected: list[LineKey] = []
    for add, key in changes:
        if add and key not in expected:
            line.add(key)
            insort(expected, key)
        elif not add and key in expected:
            line.remove(key)
            expected.remove(key)
    assert list(line) == expected
    assert len(line) == len(expected)
    for key in probes + expected[::97]:
        assert line.rank(key) == bisect_left(expected, key)
        # the at-risk prefix: every key whose deadline is at or before the probe's
        assert line.count_due(key[0]) == sum(1 for k in expected if k[0] <= key[0])
