"""``first_positions`` answers as ``tuple.index`` does, repeats included."""

from hypothesis import given
from hypothesis import strategies as st

from evidence.positions import first_positions


def test_hand_made() -> None:
    assert first_positions(["3030", "2511", "3030", "2110"]) == {"3030": 0, "2511": 1, "2110": 3}
    assert first_positions([]) == {}


@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=30))
def test_same_as_tuple_index(items: list[str]) -> None:
    got = first_positions(items)
    assert got == {item: tuple(items).index(item) for item in set(items)}
