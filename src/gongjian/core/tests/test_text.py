from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gongjian.core.text import initials, is_initials_query, same_word, search_key


def test_both_scripts_give_one_key():
    assert search_key("長沙市開福區") == search_key("长沙市开福区") == "长沙市开福区"
    assert same_word("岳麓區", "岳麓区")
    assert same_word("嶽麓區", "岳麓区")
    assert same_word(" 王家壠 社區 ", "王家垅社区")


def test_pinyin_initials():
    assert initials("王家垅社区") == "wjlsq"
    assert initials("長沙市") == "css"
    assert initials("芯城科技园2号") == "xckjy2h"
    assert is_initials_query("WJL")
    assert not is_initials_query("王家")


@given(st.text(alphabet="长沙長開开福區区王家垅壠社區 ", max_size=12))
def test_search_key_is_idempotent_and_script_blind(text):
    key = search_key(text)
    assert search_key(key) == key
    assert " " not in key
