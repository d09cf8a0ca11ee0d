"""Register: Options.prescribed_hang writes "hằng" (every) before a unit of time, the
form administrative writing prescribes, where the corpus mostly writes "hàng"."""

from __future__ import annotations

import pytest

from vnrestore import Options, Restorer
from vnrestore.orthography import strip_accents


@pytest.fixture(scope="module")
def prescribed():
    return Restorer(options=Options(mode="plain", prescribed_hang=True))


@pytest.mark.parametrize("gold", [
    "Chi bộ họp định kỳ hằng tháng.",
    "Đất trồng cây hằng năm được chuyển đổi.",
])
def test_every_is_hang_with_the_option(prescribed, gold):
    assert prescribed.restore(strip_accents(gold)) == gold
    assert Restorer(options=Options(mode="plain")).restore(strip_accents(gold)) != gold  # off by default


def test_a_stretch_of_time_stays_hang(prescribed):
    assert "hàng năm trời" in prescribed.restore("Ong cho hang nam troi.")


def test_the_option_is_a_bool():
    with pytest.raises(TypeError, match="prescribed_hang"):
        Options(prescribed_hang="yes")
