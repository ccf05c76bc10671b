"""The model zoo: fitted Spark ML pipelines that together use every family of Spark ML.

Each entry fits on small data (scikit-learn's bundled sets or generated with a fixed seed) and
gives the rows to score, which lack the label. `STAGE_KINDS` lists what the zoo covers (the
docs/scoring.md copies it); a test checks that the fitted pipelines really contain every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, cast

import numpy as np
import pandas as pd
from pyspark.ml import Transformer
from pyspark.ml.param.shared import HasInputCol, HasOutputCol
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable

from bridge.models import data

SEED = 7


@dataclass(frozen=True)
class Entry:
    name: str
    fit: Callable[[Any], tuple[Any, pd.DataFrame, pd.DataFrame]]  # spark -> (model, training, scoring)
    outputs: tuple[str, ...]  # exactly the result columns scoring returns; both directions must agree on them


# -- data ---------------------------------------------------------------------------------------

WORDS = {
    "sport": "match goal team player coach league score win season referee stadium fans".split(),
    "tech": "code server cloud data model network chip software release bug compile cluster".split(),
    "food": "bread cheese recipe oven spice dinner taste salad soup garden fresh market".split(),
}
STOP = "the a of and to in is it on for".split()


def text(n: int = 180) -> pd.DataFrame:
    """Short documents from three topics, with stop words and mixed case; label = topic."""
    rng = np.random.default_rng(SEED)
    topics = list(WORDS)
    rows = []
    for i in range(n):
        topic = topics[i % 3]
        words = [rng.choice(WORDS[topic]) if rng.random() < 0.8 else rng.choice(WORDS[topics[(i + 1) % 3]]) for _ in range(rng.integers(5, 12))]
        words += list(rng.choice(STOP, size=3))
        rng.shuffle(words)
        rows.append((" ".join(w.capitalize() if rng.random() < 0.2 else w for w in words), topic))
    return pd.DataFrame(rows, columns=["text", "label"])


def with_missing(df: pd.DataFrame, columns: list[str], share: float = 0.15) -> pd.DataFrame:
    """NaN in `share` of the rows of each column (Parquet and Spark see nulls)."""
    rng = np.random.default_rng(SEED)
    out = df.copy()
    for c in columns:
        out.loc[rng.random(len(out)) < share, c] = np.nan
    return out


def categorical(n: int = 240) -> pd.DataFrame:
    """Three string columns, two numbers, and a string label that depends on them."""
    rng = np.random.default_rng(SEED)
    color = rng.choice(["red", "green", "blue"], n)
    size = rng.choice(["S", "M", "L", "XL"], n)
    shape = rng.choice(["round", "square"], n)
    weight = rng.normal(10, 3, n).round(3)
    price = rng.gamma(2.0, 5.0, n).round(3)
    score = (color == "red") * 2.0 + (size == "XL") * 1.5 + 0.2 * weight - 0.1 * price + rng.normal(0, 0.5, n)
    label = np.where(score > np.median(score), "buy", "skip")
    return pd.DataFrame({"color": color, "size": size, "shape": shape, "weight": weight, "price": price, "label": label})


def ratings(users: int = 30, items: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    taste = rng.normal(size=(users, 3))
    kind = rng.normal(size=(items, 3))
    rows = [(u, i, float(np.clip(3 + taste[u] @ kind[i], 1, 5).round(1))) for u in range(users) for i in range(items) if rng.random() < 0.5]
    return pd.DataFrame(rows, columns=["user", "item", "rating"]).astype({"user": "int32", "item": "int32"})


def baskets(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    goods = ["bread", "milk", "eggs", "beer", "chips", "salsa", "apples"]
    rows = []
    for _ in range(n):
        basket = set(rng.choice(goods, size=rng.integers(1, 5), replace=False))
        if "chips" in basket and rng.random() < 0.8:
            basket.add("salsa")
        rows.append(sorted(basket))
    return pd.DataFrame({"items": rows})


def survival(n: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    time = np.exp(1.0 + 0.5 * x1 - 0.3 * x2 + rng.gumbel(size=n) * 0.4).round(4)
    return pd.DataFrame({"x1": x1, "x2": x2, "label": time, "censor": (rng.random(n) < 0.8).astype(float)})


def wine() -> pd.DataFrame:
    return data.wine()


def cancer() -> pd.DataFrame:
    return data.breast_cancer()


def diabetes() -> pd.DataFrame:
    return data.diabetes()


def feats(df: pd.DataFrame, k: int | None = None) -> list[str]:
    cols = data.features(df)
    return cols[:k] if k else cols


# -- pipelines ----------------------------------------------------------------------------------
# Each builder returns (fitted PipelineModel, training frame, scoring frame without the label).


def _fit(spark: Any, stages: list[Any], train: pd.DataFrame, score: pd.DataFrame | None = None, drop: tuple[str, ...] = ("label",)):
    from pyspark.ml import Pipeline

    model = Pipeline(stages=stages).fit(spark.createDataFrame(train))
    rows = train if score is None else score
    return model, train, rows.drop(columns=[c for c in drop if c in rows.columns]).reset_index(drop=True)


def _classify(spark: Any, stages: list[Any], classifier: Any, train: pd.DataFrame, score: pd.DataFrame | None = None):
    """StringIndexer on the string label, the stages, the classifier, and IndexToString back to labels."""
    from pyspark.ml import Pipeline, PipelineModel
    from pyspark.ml.feature import IndexToString, StringIndexer

    indexer = StringIndexer(inputCol="label", outputCol="label_idx", stringOrderType="alphabetAsc")
    fitted = Pipeline(stages=[indexer, *stages, classifier.setLabelCol("label_idx")]).fit(spark.createDataFrame(train))
    labels = cast(Any, fitted.stages[0]).labels
    model = PipelineModel([*fitted.stages, IndexToString(inputCol="prediction", outputCol="predicted_label", labels=labels)])
    scoring = (train if score is None else score).drop(columns=["label"])
    return model, train, scoring.reset_index(drop=True)


def text_tfidf_logistic(spark):
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import IDF, CountVectorizer, StopWordsRemover, Tokenizer

    stages = [
        Tokenizer(inputCol="text", outputCol="words"),
        StopWordsRemover(inputCol="words", outputCol="filtered"),
        CountVectorizer(inputCol="filtered", outputCol="tf", minDF=2),
        IDF(inputCol="tf", outputCol="features"),
    ]
    return _classify(spark, stages, LogisticRegression(maxIter=30, regParam=0.01), text())


def text_ngram_hashing_bayes(spark):
    from pyspark.ml.classification import NaiveBayes
    from pyspark.ml.feature import HashingTF, NGram, RegexTokenizer

    stages = [
        RegexTokenizer(inputCol="text", outputCol="words", pattern="\\W+", toLowercase=True),
        NGram(n=2, inputCol="words", outputCol="bigrams"),
        HashingTF(inputCol="bigrams", outputCol="features", numFeatures=256),
    ]
    return _classify(spark, stages, NaiveBayes(smoothing=1.0), text())


def text_word2vec_forest(spark):
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import Tokenizer, Word2Vec

    stages = [
        Tokenizer(inputCol="text", outputCol="words"),
        Word2Vec(inputCol="words", outputCol="features", vectorSize=8, minCount=1, seed=SEED, maxIter=2),
    ]
    return _classify(spark, stages, RandomForestClassifier(numTrees=10, maxDepth=4, seed=SEED), text())


def text_lda_topics(spark):
    from pyspark.ml.clustering import LDA
    from pyspark.ml.feature import CountVectorizer, StopWordsRemover, Tokenizer

    stages = [
        Tokenizer(inputCol="text", outputCol="words"),
        StopWordsRemover(inputCol="words", outputCol="filtered"),
        CountVectorizer(inputCol="filtered", outputCol="features", vocabSize=40),
        LDA(k=3, maxIter=5, seed=SEED, optimizer="online"),
    ]
    return _fit(spark, stages, text())


def imputer_gbt_regressor(spark):
    from pyspark.ml.feature import Imputer, VectorAssembler
    from pyspark.ml.regression import GBTRegressor

    cols = feats(diabetes())
    train = with_missing(diabetes(), ["bmi", "bp", "s1"])
    stages = [
        Imputer(inputCols=["bmi", "bp"], outputCols=["bmi_i", "bp_i"], strategy="mean"),
        Imputer(inputCols=["s1"], outputCols=["s1_i"], strategy="median"),
        VectorAssembler(inputCols=[c for c in cols if c not in ("bmi", "bp", "s1")] + ["bmi_i", "bp_i", "s1_i"], outputCol="features"),
        GBTRegressor(maxIter=10, maxDepth=3, seed=SEED),
    ]
    return _fit(spark, stages, train)


def sql_rformula_glm(spark):
    from pyspark.ml.feature import RFormula, SQLTransformer
    from pyspark.ml.regression import GeneralizedLinearRegression

    train = categorical().assign(label=lambda d: d["weight"] * 2 + d["price"])
    stages = [
        SQLTransformer(statement="SELECT *, weight * price AS wp, UPPER(color) AS colour FROM __THIS__"),
        RFormula(formula="label ~ colour + size + weight + wp"),
        GeneralizedLinearRegression(family="gaussian", link="identity", regParam=0.01),
    ]
    return _fit(spark, stages, train)


def rformula_binomial_glm(spark):
    from pyspark.ml.feature import RFormula
    from pyspark.ml.regression import GeneralizedLinearRegression

    stages = [
        RFormula(formula="label ~ . - shape", labelCol="target", handleInvalid="keep"),
        GeneralizedLinearRegression(family="binomial", link="logit", labelCol="target"),
    ]
    return _fit(spark, stages, categorical(), drop=())  # RFormula's label may be present when scoring


def categorical_onehot_logistic(spark):
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import OneHotEncoder, StringIndexer, VectorAssembler

    stages = [
        StringIndexer(inputCols=["color", "size", "shape"], outputCols=["color_i", "size_i", "shape_i"], handleInvalid="keep"),
        OneHotEncoder(inputCols=["color_i", "size_i", "shape_i"], outputCols=["color_v", "size_v", "shape_v"]),
        VectorAssembler(inputCols=["color_v", "size_v", "shape_v", "weight", "price"], outputCol="features"),
    ]
    score = categorical().head(60).copy()
    score.loc[:4, "color"] = "purple"  # unseen category: handleInvalid="keep"
    return _classify(spark, stages, LogisticRegression(maxIter=30), categorical(), score)


def target_encoder_trees(spark):
    from pyspark.ml.classification import DecisionTreeClassifier
    from pyspark.ml.feature import StringIndexer, TargetEncoder, VectorAssembler

    stages = [
        StringIndexer(inputCols=["color", "size"], outputCols=["color_i", "size_i"]),
        TargetEncoder(inputCols=["color_i", "size_i"], outputCols=["color_t", "size_t"], labelCol="label_idx", targetType="binary"),
        VectorAssembler(inputCols=["color_t", "size_t", "weight", "price"], outputCol="features"),
    ]
    from pyspark.ml.feature import StringIndexer as SI

    label = SI(inputCol="label", outputCol="label_idx", stringOrderType="alphabetAsc")
    return _fit(spark, [label, *stages, DecisionTreeClassifier(labelCol="label_idx", maxDepth=4, seed=SEED)], categorical())


def vector_indexer_tree(spark):
    from pyspark.ml.classification import DecisionTreeClassifier
    from pyspark.ml.feature import StringIndexer, VectorAssembler, VectorIndexer

    stages = [
        StringIndexer(inputCols=["color", "size"], outputCols=["color_i", "size_i"]),
        VectorAssembler(inputCols=["color_i", "size_i", "weight", "price"], outputCol="raw"),
        VectorIndexer(inputCol="raw", outputCol="features", maxCategories=5),
    ]
    return _classify(spark, stages, DecisionTreeClassifier(maxDepth=5, seed=SEED), categorical())


def discretizers_linear(spark):
    from pyspark.ml.feature import Binarizer, Bucketizer, QuantileDiscretizer, VectorAssembler
    from pyspark.ml.regression import LinearRegression

    stages = [
        Bucketizer(inputCol="age", outputCol="age_b", splits=[-float("inf"), -0.05, 0.0, 0.05, float("inf")]),
        QuantileDiscretizer(inputCol="bmi", outputCol="bmi_q", numBuckets=4),
        Binarizer(inputCol="bp", outputCol="bp_high", threshold=0.0),
        VectorAssembler(inputCols=["age_b", "bmi_q", "bp_high", "s1", "s5"], outputCol="features"),
        LinearRegression(regParam=0.1),
    ]
    return _fit(spark, stages, diabetes())


def scalers_svc(spark):
    from pyspark.ml.classification import LinearSVC
    from pyspark.ml.feature import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler, VectorAssembler

    stages = [
        VectorAssembler(inputCols=feats(cancer(), 10), outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="std", withMean=True),
        MinMaxScaler(inputCol="std", outputCol="mm"),
        MaxAbsScaler(inputCol="mm", outputCol="ma"),
        RobustScaler(inputCol="ma", outputCol="features"),
    ]
    return _classify(spark, stages, LinearSVC(maxIter=20, regParam=0.1), cancer())


def pca_kmeans(spark):
    from pyspark.ml.clustering import KMeans
    from pyspark.ml.feature import PCA, StandardScaler, VectorAssembler

    stages = [
        VectorAssembler(inputCols=feats(wine()), outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="scaled"),
        PCA(k=3, inputCol="scaled", outputCol="features"),
        KMeans(k=3, seed=SEED),
    ]
    return _fit(spark, stages, wine())


def bisecting_kmeans(spark):
    from pyspark.ml.clustering import BisectingKMeans
    from pyspark.ml.feature import Normalizer, VectorAssembler

    stages = [
        VectorAssembler(inputCols=feats(wine(), 6), outputCol="raw"),
        Normalizer(inputCol="raw", outputCol="features", p=2.0),
        BisectingKMeans(k=4, seed=SEED),
    ]
    return _fit(spark, stages, wine())


def gaussian_mixture(spark):
    from pyspark.ml.clustering import GaussianMixture
    from pyspark.ml.feature import StandardScaler, VectorAssembler

    stages = [
        VectorAssembler(inputCols=feats(wine(), 4), outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        GaussianMixture(k=3, seed=SEED, maxIter=20),
    ]
    return _fit(spark, stages, wine())


def poly_interaction_elementwise(spark):
    from pyspark.ml.feature import ElementwiseProduct, Interaction, PolynomialExpansion, VectorAssembler
    from pyspark.ml.linalg import Vectors
    from pyspark.ml.regression import LinearRegression

    stages = [
        VectorAssembler(inputCols=["age", "bmi", "bp"], outputCol="base"),
        PolynomialExpansion(degree=2, inputCol="base", outputCol="poly"),
        Interaction(inputCols=["sex", "base"], outputCol="inter"),
        ElementwiseProduct(scalingVec=Vectors.dense([2.0, 0.5, 1.0]), inputCol="base", outputCol="scaled"),
        VectorAssembler(inputCols=["poly", "inter", "scaled", "s5"], outputCol="features"),
        LinearRegression(regParam=0.05),
    ]
    return _fit(spark, stages, diabetes())


def hasher_dct_fm_regressor(spark):
    from pyspark.ml.feature import DCT, FeatureHasher
    from pyspark.ml.regression import FMRegressor

    train = categorical().assign(label=lambda d: d["weight"] + (d["color"] == "red") * 3.0)
    stages = [
        FeatureHasher(inputCols=["color", "size", "weight", "price"], outputCol="hashed", numFeatures=32),
        DCT(inputCol="hashed", outputCol="features"),
        FMRegressor(factorSize=2, maxIter=20, stepSize=0.05, seed=SEED),
    ]
    return _fit(spark, stages, train)


def size_hint_slicer_tree(spark):
    from pyspark.ml.feature import VectorAssembler, VectorSizeHint, VectorSlicer
    from pyspark.ml.regression import DecisionTreeRegressor

    cols = feats(diabetes())
    stages = [
        VectorAssembler(inputCols=cols, outputCol="raw"),
        VectorSizeHint(inputCol="raw", size=len(cols), handleInvalid="error"),
        VectorSlicer(inputCol="raw", outputCol="features", indices=[0, 2, 3, 8]),
        DecisionTreeRegressor(maxDepth=4, seed=SEED),
    ]
    return _fit(spark, stages, diabetes())


def selectors_logistic(spark):
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import ChiSqSelector, QuantileDiscretizer, UnivariateFeatureSelector, VarianceThresholdSelector, VectorAssembler

    cols = feats(wine(), 8)
    stages = [
        QuantileDiscretizer(inputCols=cols, outputCols=[f"{c}_q" for c in cols], numBuckets=4),
        VectorAssembler(inputCols=[f"{c}_q" for c in cols], outputCol="q"),
        VarianceThresholdSelector(featuresCol="q", outputCol="var", varianceThreshold=0.1),
        ChiSqSelector(featuresCol="var", outputCol="chi", numTopFeatures=6, labelCol="label_idx"),
        UnivariateFeatureSelector(featuresCol="chi", outputCol="features", labelCol="label_idx", selectionMode="numTopFeatures")
        .setFeatureType("categorical")
        .setLabelType("categorical")
        .setSelectionThreshold(4),
    ]
    return _classify(spark, stages, LogisticRegression(maxIter=30), wine())


def multilayer_perceptron(spark):
    from pyspark.ml.classification import MultilayerPerceptronClassifier
    from pyspark.ml.feature import StandardScaler, VectorAssembler

    stages = [VectorAssembler(inputCols=feats(wine()), outputCol="raw"), StandardScaler(inputCol="raw", outputCol="features")]
    return _classify(spark, stages, MultilayerPerceptronClassifier(layers=[13, 6, 3], maxIter=50, seed=SEED), wine())


def gbt_classifier(spark):
    from pyspark.ml.classification import GBTClassifier
    from pyspark.ml.feature import VectorAssembler

    return _classify(
        spark, [VectorAssembler(inputCols=feats(cancer(), 12), outputCol="features")], GBTClassifier(maxIter=10, maxDepth=3, seed=SEED), cancer()
    )


def fm_classifier(spark):
    from pyspark.ml.classification import FMClassifier
    from pyspark.ml.feature import MinMaxScaler, VectorAssembler

    stages = [VectorAssembler(inputCols=feats(cancer(), 8), outputCol="raw"), MinMaxScaler(inputCol="raw", outputCol="features")]
    return _classify(spark, stages, FMClassifier(factorSize=2, maxIter=30, stepSize=0.1, seed=SEED), cancer())


def random_forest_regressor(spark):
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import RandomForestRegressor

    return _fit(
        spark,
        [VectorAssembler(inputCols=feats(diabetes()), outputCol="features"), RandomForestRegressor(numTrees=12, maxDepth=4, seed=SEED)],
        diabetes(),
    )


def aft_survival(spark):
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import AFTSurvivalRegression

    aft = AFTSurvivalRegression(quantileProbabilities=[0.25, 0.5, 0.75], quantilesCol="quantiles")
    return _fit(spark, [VectorAssembler(inputCols=["x1", "x2"], outputCol="features"), aft], survival(), drop=("label", "censor"))


def isotonic(spark):
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import IsotonicRegression

    return _fit(spark, [VectorAssembler(inputCols=["bmi"], outputCol="features"), IsotonicRegression()], diabetes())


def als_cold_start(spark):
    from pyspark.ml.recommendation import ALS

    train = ratings()
    score = pd.concat([train.head(40), pd.DataFrame({"user": [0, 999, 5, 998], "item": [777, 1, 2, 776], "rating": [0.0] * 4})])
    score = score.astype({"user": "int32", "item": "int32"}).reset_index(drop=True)
    als = ALS(userCol="user", itemCol="item", ratingCol="rating", rank=4, maxIter=5, regParam=0.1, seed=SEED, coldStartStrategy="nan")
    return _fit(spark, [als], train, score, drop=("rating",))


def fpgrowth(spark):
    from pyspark.ml.fpm import FPGrowth

    return _fit(spark, [FPGrowth(itemsCol="items", minSupport=0.1, minConfidence=0.5)], baskets(), drop=())


def one_vs_rest(spark):
    from pyspark.ml.classification import LogisticRegression, OneVsRest
    from pyspark.ml.feature import VectorAssembler

    ovr = OneVsRest(classifier=LogisticRegression(maxIter=20, regParam=0.01))
    return _classify(spark, [VectorAssembler(inputCols=feats(wine()), outputCol="features")], ovr, wine())


def cross_validated_logistic(spark):
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator
    from pyspark.ml.feature import StringIndexer, VectorAssembler
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    lr = LogisticRegression(featuresCol="features", labelCol="label_idx", maxIter=20)
    inner = Pipeline(stages=[VectorAssembler(inputCols=feats(wine()), outputCol="features"), lr])
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.01, 0.1]).build()
    cv = CrossValidator(
        estimator=inner, estimatorParamMaps=grid, evaluator=MulticlassClassificationEvaluator(labelCol="label_idx"), numFolds=2, seed=SEED
    )
    return _fit(spark, [StringIndexer(inputCol="label", outputCol="label_idx"), cv], wine())


def train_validation_split_linear(spark):
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression
    from pyspark.ml.tuning import ParamGridBuilder, TrainValidationSplit

    lr = LinearRegression()
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.3]).addGrid(lr.elasticNetParam, [0.0, 0.5]).build()
    tvs = TrainValidationSplit(estimator=lr, estimatorParamMaps=grid, evaluator=RegressionEvaluator(), trainRatio=0.75, seed=SEED)
    return _fit(spark, [VectorAssembler(inputCols=feats(diabetes()), outputCol="features"), tvs], diabetes())


def nested_pipelines(spark):
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import StandardScaler, VectorAssembler

    prep = Pipeline(
        stages=[Pipeline(stages=[VectorAssembler(inputCols=feats(wine()), outputCol="raw")]), StandardScaler(inputCol="raw", outputCol="features")]
    )
    return _classify(spark, [prep], LogisticRegression(maxIter=30), wine())


def lsh_hashes(spark):
    from pyspark.ml.feature import BucketedRandomProjectionLSH, MinHashLSH, VectorAssembler

    stages = [
        VectorAssembler(inputCols=feats(wine(), 5), outputCol="features"),
        BucketedRandomProjectionLSH(inputCol="features", outputCol="brp", bucketLength=20.0, numHashTables=2, seed=SEED),
        MinHashLSH(inputCol="features", outputCol="minhash", numHashTables=2, seed=SEED),
    ]
    return _fit(spark, stages, wine())


class PlusOne(Transformer, HasInputCol, HasOutputCol, DefaultParamsReadable, DefaultParamsWritable):
    """A pure-Python stage: outputCol = inputCol + 1. It has no JVM twin."""

    def __init__(self, inputCol: str = "prediction", outputCol: str = "plus_one"):
        super().__init__()
        self._set(inputCol=inputCol, outputCol=outputCol)

    def _transform(self, df):
        from pyspark.sql import functions as F

        return df.withColumn(self.getOutputCol(), F.col(self.getInputCol()) + 1.0)


def with_python_stage(spark):
    """A linear pipeline with a pure-Python stage on top: the JVM cannot load it."""
    from pyspark.ml import PipelineModel

    model, train, rows = _fit(spark, _linear_stages(), diabetes())
    return PipelineModel([*model.stages, PlusOne()]), train, rows


def _linear_stages():
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression

    return [VectorAssembler(inputCols=feats(diabetes()), outputCol="features"), LinearRegression(regParam=0.1)]


ENTRIES = [
    Entry("text_tfidf_logistic", text_tfidf_logistic, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("text_ngram_hashing_bayes", text_ngram_hashing_bayes, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("text_word2vec_forest", text_word2vec_forest, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("text_lda_topics", text_lda_topics, ("topicDistribution",)),
    Entry("imputer_gbt_regressor", imputer_gbt_regressor, ("prediction",)),
    Entry("sql_rformula_glm", sql_rformula_glm, ("prediction",)),
    Entry("rformula_binomial_glm", rformula_binomial_glm, ("target", "prediction")),
    Entry("categorical_onehot_logistic", categorical_onehot_logistic, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("target_encoder_trees", target_encoder_trees, ("prediction", "rawPrediction", "probability")),
    Entry("vector_indexer_tree", vector_indexer_tree, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("discretizers_linear", discretizers_linear, ("prediction",)),
    Entry("scalers_svc", scalers_svc, ("prediction", "rawPrediction", "predicted_label")),
    Entry("pca_kmeans", pca_kmeans, ("prediction",)),
    Entry("bisecting_kmeans", bisecting_kmeans, ("prediction",)),
    Entry("gaussian_mixture", gaussian_mixture, ("prediction", "probability")),
    Entry("poly_interaction_elementwise", poly_interaction_elementwise, ("prediction",)),
    Entry("hasher_dct_fm_regressor", hasher_dct_fm_regressor, ("prediction",)),
    Entry("size_hint_slicer_tree", size_hint_slicer_tree, ("prediction",)),
    Entry("selectors_logistic", selectors_logistic, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("multilayer_perceptron", multilayer_perceptron, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("gbt_classifier", gbt_classifier, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("fm_classifier", fm_classifier, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("random_forest_regressor", random_forest_regressor, ("prediction",)),
    Entry("aft_survival", aft_survival, ("prediction", "quantiles")),
    Entry("isotonic", isotonic, ("prediction",)),
    Entry("als_cold_start", als_cold_start, ("prediction",)),
    Entry("fpgrowth", fpgrowth, ("prediction",)),
    Entry("one_vs_rest", one_vs_rest, ("prediction", "rawPrediction", "predicted_label")),
    Entry("cross_validated_logistic", cross_validated_logistic, ("prediction", "rawPrediction", "probability")),
    Entry("train_validation_split_linear", train_validation_split_linear, ("prediction",)),
    Entry("nested_pipelines", nested_pipelines, ("prediction", "rawPrediction", "probability", "predicted_label")),
    Entry("lsh_hashes", lsh_hashes, ("brp", "minhash")),
]
BY_NAME = {e.name: e for e in ENTRIES}

# Spark ML stage kinds the zoo covers (class names of the fitted stages, nested ones included).
STAGE_KINDS = {
    "text": ["Tokenizer", "RegexTokenizer", "StopWordsRemover", "NGram", "HashingTF", "CountVectorizerModel", "IDFModel", "Word2VecModel"],
    "categorical": ["StringIndexerModel", "OneHotEncoderModel", "IndexToString", "VectorIndexerModel", "TargetEncoderModel", "FeatureHasher"],
    "numeric": [
        "ImputerModel",
        "Bucketizer",
        "Binarizer",
        "StandardScalerModel",
        "MinMaxScalerModel",
        "MaxAbsScalerModel",
        "RobustScalerModel",
        "Normalizer",
        "PCAModel",
        "PolynomialExpansion",
        "Interaction",
        "ElementwiseProduct",
        "DCT",
        "VectorAssembler",
        "VectorSizeHint",
        "VectorSlicer",
        "BucketedRandomProjectionLSHModel",
        "MinHashLSHModel",
    ],
    "selectors": ["ChiSqSelectorModel", "UnivariateFeatureSelectorModel", "VarianceThresholdSelectorModel"],
    "sql and formulas": ["SQLTransformer", "RFormulaModel"],
    "classifiers": [
        "LogisticRegressionModel",
        "DecisionTreeClassificationModel",
        "RandomForestClassificationModel",
        "GBTClassificationModel",
        "NaiveBayesModel",
        "LinearSVCModel",
        "MultilayerPerceptronClassificationModel",
        "FMClassificationModel",
    ],
    "regressors": [
        "LinearRegressionModel",
        "GeneralizedLinearRegressionModel",
        "DecisionTreeRegressionModel",
        "RandomForestRegressionModel",
        "GBTRegressionModel",
        "AFTSurvivalRegressionModel",
        "IsotonicRegressionModel",
        "FMRegressionModel",
    ],
    "clustering": ["KMeansModel", "BisectingKMeansModel", "GaussianMixtureModel", "LocalLDAModel"],
    "recommendation and patterns": ["ALSModel", "FPGrowthModel"],
    "meta and tuning": ["OneVsRestModel", "CrossValidatorModel", "TrainValidationSplitModel", "PipelineModel"],
}


def stage_classes(model: Any) -> set[str]:
    """Class names of every stage in a fitted model, nested pipelines and tuning models included."""
    from pyspark.ml import PipelineModel
    from pyspark.ml.classification import OneVsRestModel
    from pyspark.ml.tuning import CrossValidatorModel, TrainValidationSplitModel

    out = {type(model).__name__}
    if isinstance(model, PipelineModel):
        for s in model.stages:
            out |= stage_classes(s)
    elif isinstance(model, (CrossValidatorModel, TrainValidationSplitModel)):
        out |= stage_classes(model.bestModel)
    elif isinstance(model, OneVsRestModel):
        for m in model.models:
            out |= stage_classes(m)
    return out
