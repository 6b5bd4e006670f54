import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lianxin.routing.classifier import TextRouter, evaluate
from lianxin.routing.segment import Segmenter
from lianxin.routing.similarity import near_duplicate_groups
from lianxin.routing.tests.conftest import write_csv


def split(rows):
    train = [r for i, r in enumerate(rows) if i % 5]
    test = [r for i, r in enumerate(rows) if not i % 5]
    return train, test


def fit(rows, **kwargs):
    return TextRouter(**kwargs).fit(
        [r["留言主题"] for r in rows], [r["留言详情"] for r in rows], [r["一级标签"] for r in rows]
    )


def test_train_router_and_evaluate_router_work_on_a_tiny_csv(tiny_messages, tmp_path):
    train, test = split(tiny_messages)
    out = StringIO()
    call_command("train_router", input=write_csv(tmp_path / "train.csv", train), out=tmp_path / "model", stdout=out)
    trained = json.loads(out.getvalue())
    assert trained["samples"] == len(train)
    assert sorted(trained["classes"]) == ["交通运输", "教育文体", "环境保护"]
    assert (tmp_path / "model" / "router.joblib").exists()

    out = StringIO()
    call_command("evaluate_router", model=tmp_path / "model", input=write_csv(tmp_path / "test.csv", test), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert {"macro_f1", "accuracy", "per_class", "messages_per_second", "coverage", "accuracy_when_confident"} <= set(
        report
    )
    assert set(report["per_class"]["交通运输"]) == {"precision", "recall", "f1", "support"}
    assert report["messages"] == len(test)
    assert report["accuracy"] >= 0.6  # 60 letters of three far-apart categories are enough to beat chance clearly


def test_the_router_abstains_below_its_threshold(tiny_messages):
    train, test = split(tiny_messages)
    router = fit(train, threshold=1.01)
    predictions = router.predict([r["留言主题"] for r in test], [r["留言详情"] for r in test])
    assert all(p.abstain for p in predictions)
    assert all(0 <= p.confidence <= 1 for p in predictions)
    report = evaluate(
        router, [r["留言主题"] for r in test], [r["留言详情"] for r in test], [r["一级标签"] for r in test]
    )
    assert report["coverage"] == 0 and report["accuracy_when_confident"] is None

    router.threshold = 0.0
    assert not any(p.abstain for p in router.predict(["公交车站"], ["公交车站太远"]))


def test_a_saved_model_loads_and_predicts_the_same(tiny_messages, tmp_path):
    router = fit(tiny_messages)
    router.save(tmp_path)
    again = TextRouter.load(tmp_path)
    texts = ([r["留言主题"] for r in tiny_messages[:5]], [r["留言详情"] for r in tiny_messages[:5]])
    assert [(p.label, round(p.confidence, 6)) for p in again.predict(*texts)] == [
        (p.label, round(p.confidence, 6)) for p in router.predict(*texts)
    ]


def test_a_csv_without_the_label_column_is_refused_by_name(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("留言主题,留言详情\n标题,内容\n", encoding="utf-8")
    with pytest.raises(CommandError, match="一级标签"):
        call_command("train_router", input=path, out=tmp_path / "m")


def test_near_identical_letters_fall_in_one_group():
    texts = ["小区门口垃圾堆积无人清理，臭气熏天", "小区门口垃圾堆积无人清理，臭气熏天！", "学校食堂饭菜价格太贵"]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] != groups[2]


def test_a_router_of_two_categories_ranks_both_with_probabilities_that_sum_to_one(tiny_messages):
    rows = [r for r in tiny_messages if r["一级标签"] in ("交通运输", "教育文体")]
    router = fit(rows)
    assert sorted(router.classes_) == ["交通运输", "教育文体"]
    prediction = router.predict(["公交车站"], ["公交车站太远，等车要一个小时"])[0]
    assert {label for label, _ in prediction.ranking} == {"交通运输", "教育文体"}
    assert sum(p for _, p in prediction.ranking) == pytest.approx(1.0)


def words_of(segmenter, text):
    at, length, _, _ = segmenter.cut([text])
    lowered = text.lower()
    return [lowered[a : a + n] for a, n in zip(at.tolist(), length.tolist(), strict=True)]


def test_the_segmenter_cuts_chinese_as_jieba_does_without_its_hmm():
    text = "我们这里什么时候能用上天然气，A3区小区业主反映物业管理混乱。2019年学校食堂饭菜价格太贵"
    jieba = pytest.importorskip("jieba")
    segmenter = Segmenter().fit([text])
    assert words_of(segmenter, text) == [w.lower() for w in jieba.lcut(text, HMM=False) if w.strip()]
    assert "天然气" in words_of(segmenter, text)  # not 上天 / 然 / 气, as a longest-match-first cut gives


def test_the_segmenter_keeps_only_the_dictionary_words_seen_in_training():
    segmenter = Segmenter().fit(["小区停车难"])
    assert words_of(segmenter, "小区停车难") == ["小区", "停车难"]
    assert words_of(segmenter, "天然气 A3区") == ["天", "然", "气", "a3", "区"]  # unseen: single characters


def test_the_router_sees_the_words_of_the_whole_letter(tiny_messages):
    router = fit(tiny_messages)
    assert router.meta["format"] == 3
    one = router.letter_words.transform(["标题。正文里说到天然气管道"])
    assert one.nnz > 0 and router.letter_words.vocabulary.size > router.title_words.vocabulary.size


def test_a_model_saved_by_the_title_words_router_of_format_2_still_loads_and_predicts(tiny_messages):
    # Fitted with the format-2 router (jieba's words of the title only) on tiny_messages, before format 3.
    old = TextRouter.loads((Path(__file__).parent / "data" / "router_format2.joblib").read_bytes())
    assert old.meta["format"] == 2
    first = tiny_messages[0]
    predictions = old.predict([first["留言主题"], "公交车站"], [first["留言详情"], "公交车站太远，等车要一个小时"])
    assert [(p.label, round(p.confidence, 3)) for p in predictions] == [("交通运输", 0.998), ("交通运输", 0.964)]
