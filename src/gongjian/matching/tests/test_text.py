import pytest

from gongjian.matching import text as tx


def test_normalise_folds_script_width_case_and_spaces():
    assert tx.normalise("兒童 齲齒檢查") == "儿童龋齿检查"
    assert tx.normalise("ＡＢＣ１２３") == "abc123"


def test_colloquial_and_formal_texts_share_concepts():
    a = tx.analyzer()
    colloquial = set(a.tokens_of("孩子牙疼"))
    formal = set(a.tokens_of("兒童齲齒檢查"))
    assert {"%儿童", "@口腔"} <= colloquial & formal  # who (儿童) and the need (口腔)
    assert "%老人" in a.tokens_of("娃他爷爷腿脚不便，长者")


def test_tokens_are_words_bigrams_and_concepts_without_stop_words():
    tokens = tx.analyzer().tokens_of("需要志愿者打扫楼道")
    assert "志愿者" in tokens and "~楼道" in tokens and "@楼道清洁" in tokens and "%志愿者" in tokens
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


def test_the_lexicon_is_large_and_every_concept_has_categories_that_exist():
    concepts = tx.lexicon()
    needs = [c for c in concepts.values() if c.need]
    assert len(concepts) >= 300 and len(needs) >= 280
    known = {
        line.split("\t")[0] for line in (tx.DATA / "categories.tsv").read_text(encoding="utf-8").splitlines()
    }
    assert all(c.categories and set(c.categories) <= known for c in needs)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("看心臟病要跑大醫院", "@心血管专科"),
        ("我爸心口疼，老是胸闷", "@心血管专科"),
        ("血壓一直降不下來", "@高血压"),
        ("孩子不想上學", "@厌学"),
        ("娃沉迷手機遊戲", "@厌学"),
        ("開會沒地方", "@会议室"),
        ("業委會找不到會議室", "@会议室"),
        ("老人耳背", "@听力"),
        ("老闆拖欠工資", "@欠薪维权"),
    ],
)
def test_colloquial_forms_in_either_script_name_their_concept(text, concept):
    assert concept in tx.analyzer().tokens_of(text)


def test_a_form_inside_a_longer_form_or_a_place_name_does_not_count():
    a = tx.analyzer()
    # 智能手机 is the training's need; 手机 alone (as in 沉迷手机) is not read into it
    assert "@厌学" not in a.tokens_of("老年人智能手机培训")
    assert "@智能手机" in a.tokens_of("老年人智能手机培训")
    # 清水塘 is a community, not a pond (防溺水)
    assert not [t for t in a.tokens_of("清水塘社区八十岁以上老人的津贴") if t == "@防溺水"]
    assert "@养老政策" in a.tokens_of("清水塘社区八十岁以上老人的津贴")
