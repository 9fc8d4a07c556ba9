from gongjian.matching import text as tx


def test_normalise_folds_script_width_case_and_spaces():
    assert tx.normalise("兒童 齲齒檢查") == "儿童龋齿检查"
    assert tx.normalise("ＡＢＣ１２３") == "abc123"


def test_colloquial_and_formal_texts_share_concepts():
    a = tx.analyzer()
    colloquial = set(a.tokens_of("孩子牙疼"))
    formal = set(a.tokens_of("兒童齲齒檢查"))
    assert {"@儿童", "@口腔"} <= colloquial & formal
    assert "@老人" in a.tokens_of("娃他爷爷腿脚不便，长者")


def test_tokens_are_words_bigrams_and_concepts_without_stop_words():
    tokens = tx.analyzer().tokens_of("需要志愿者打扫楼道")
    assert "志愿者" in tokens and "~楼道" in tokens and "@清洁" in tokens
    assert "需要" not in tokens  # a stop word
    assert all(len(t) >= 2 for t in tokens)


def test_run_by_run_cutting_equals_cutting_the_whole_text():
    a = tx.analyzer()
    text = tx.normalise("王家垅社区需要20名志愿者，周末帮忙打扫楼道卫生；老人多。")
    whole = [
        w for w in a._jieba.cut(text, False) if len(w) >= 2 and w not in a._stop and tx._WORDLIKE.search(w)
    ]
    assert a.words(text) == whole


def test_categories_in_either_script_and_unknown_kept():
    assert tx.category_code("醫療") == tx.category_code("health") == tx.category_code("医疗健康") == "health"
    assert tx.category_name("health") == "医疗健康"
    assert tx.category_code("") == ""
    assert tx.category_code("奇怪的类") == "奇怪的类"
