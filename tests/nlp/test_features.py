from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.features import Featuriser, char_grams, word_grams

TRAIN = [
    "孩子白血病住院,报销后欠0万,妈妈没工作",
    "想申请低保,家里没有收入",
    "低保怎么申请,需要什么材料",
    "小区路灯坏了 没人修  ABC",
    "家里没有吃的了,孩子饿了两天",
]
OTHER = ["低保 低保 低保", "", "  ", "完全没见过的字眼", "Ａ 孩子 住院"]


def test_same_features_as_scikit_learn() -> None:
    featuriser = Featuriser.fit(TRAIN)
    words = TfidfVectorizer(analyzer=word_grams, sublinear_tf=True).fit(TRAIN)
    chars = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, min_df=2).fit(TRAIN)
    texts = TRAIN + OTHER
    expected = sparse.hstack([words.transform(texts), chars.transform(texts)]).toarray()
    rows, matrix = featuriser.transform(texts)
    assert np.allclose(matrix.toarray(), expected)
    assert len(rows) == len(texts)
    indices, values = rows[0]
    assert np.allclose(values, expected[0, indices])


def test_rows_product_is_the_sparse_product() -> None:
    featuriser = Featuriser.fit(TRAIN)
    texts = (TRAIN + OTHER) * 30  # more rows than one chunk, empty rows among them
    _, rows = featuriser.rows(texts)
    weights = np.random.default_rng(3).normal(size=(rows.columns, 5))
    assert np.allclose(rows.dot(weights), rows.to_csr() @ weights, rtol=0, atol=1e-12)
    assert np.allclose(rows.to_csr().toarray(), featuriser.transform(texts)[1].toarray())


def test_character_grams_are_scikit_learns() -> None:
    analyse = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).build_analyzer()
    for text in TRAIN + OTHER + ["A  B\n\nc"]:
        assert char_grams(text) == analyse(text)


def test_word_names_follow_columns() -> None:
    featuriser = Featuriser.fit(TRAIN)
    names = featuriser.word_names
    assert all(names[column] == name for name, column in featuriser.word_vocabulary.items())
    assert "低保" in names and "想 申请" in names
