package mlflowbridge.autolog

import scala.collection.mutable
import scala.jdk.CollectionConverters._

import org.apache.spark.ml.{Pipeline, PipelineStage}
import org.apache.spark.ml.classification.OneVsRest
import org.apache.spark.ml.param.{ParamMap, Params}
import org.apache.spark.ml.tuning.{CrossValidator, TrainValidationSplit}

/**
 * What `mlflow/pyspark/ml/__init__.py` computes from an estimator, computed from the JVM object:
 * indexed stage names (`_get_uid_to_indexed_name_map`), the flattened param map
 * (`_get_instance_param_map_recursively`), the hierarchy of `estimator_info.json`, and Python's
 * `str()` of each value (what `log_params` sends).
 */
private[autolog] object PyNames {

  /** `_traverse_stage`: depth first, a Pipeline's stages, else every defined param whose value is a Params. */
  def traverse(stage: Params): Seq[Params] = stage +: (stage match {
    case p: Pipeline => p.getStages.toSeq.flatMap(traverse)
    case _           => stageParams(stage).map(_._2).flatMap(traverse(_))
  })

  /** `_get_stage_type_params`: the defined params whose value is itself a Params (estimator, evaluator, classifier). */
  def stageParams(p: Params): Seq[(String, Params)] =
    p.params.toSeq.filter(p.isDefined).flatMap(pp => p.getOrDefault(pp) match { case v: Params => Some(pp.name -> v); case _ => None })

  /** `_get_uid_to_indexed_name_map`: `Class` when the class occurs once, else `Class_1`, `Class_2` in traversal order. */
  def indexedNames(root: Params): Map[String, String] = {
    val all = traverse(root)
    val counts = all.groupBy(_.getClass.getSimpleName).view.mapValues(_.size).toMap
    val seen = mutable.Map.empty[String, Int].withDefaultValue(0)
    all.foldLeft(Map.empty[String, String]) { (m, s) =>
      val c = s.getClass.getSimpleName
      seen(c) += 1
      m + (s.uid -> (if (counts(c) > 1) s"${c}_${seen(c)}" else c))
    }
  }

  def isTuning(p: Params): Boolean = p.isInstanceOf[CrossValidator] || p.isInstanceOf[TrainValidationSplit]

  /** `_should_log_hierarchy`. */
  def hasHierarchy(p: Params): Boolean = p.isInstanceOf[Pipeline] || p.isInstanceOf[OneVsRest] || isTuning(p) || stageParams(p).nonEmpty

  /** `_get_instance_param_map_recursively`: values as JSON-able Java objects (lists, numbers, strings, booleans). */
  def paramMap(p: Params, level: Int, names: Map[String, String]): Seq[(String, Any)] = {
    val prefix = if (level == 0) "" else names(p.uid) + "."
    p.params.toSeq.filter(p.isDefined).flatMap { param =>
      val key = prefix + param.name
      (p, param.name, p.getOrDefault(param)) match {
        case (pipe: Pipeline, "stages", _) =>
          (key -> pipe.getStages.toSeq.map(s => names(s.uid)).asJava) +: pipe.getStages.toSeq.flatMap(paramMap(_, level + 1, names))
        case (t, "estimator", v: Params) if isTuning(t)  => Seq(key -> names(v.uid))
        case (t, "estimatorParamMaps", _) if isTuning(t) => Nil
        case (_, _, v: Params)                           => (key -> names(v.uid)) +: paramMap(v, level + 1, names)
        case (_, _, v)                                   => Seq(key -> jsonable(v))
      }
    }
  }

  /** `_gen_stage_hierarchy_recursively`. */
  def hierarchy(p: Params, names: Map[String, String]): java.util.Map[String, Any] = {
    val m = new java.util.LinkedHashMap[String, Any]()
    m.put("name", names(p.uid))
    p match {
      case pipe: Pipeline => m.put("stages", pipe.getStages.toSeq.map(hierarchy(_, names)).asJava)
      case o: OneVsRest   => m.put("classifier", hierarchy(o.getClassifier, names))
      case t if isTuning(t) =>
        val (est, ev): (Params, Params) = t match {
          case cv: CrossValidator       => (cv.getEstimator, cv.getEvaluator)
          case tv: TrainValidationSplit => (tv.getEstimator, tv.getEvaluator)
        }
        m.put("evaluator", hierarchy(ev, names))
        m.put("tuned_estimator", hierarchy(est, names))
      case other if stageParams(other).nonEmpty =>
        val sub = new java.util.LinkedHashMap[String, Any]()
        stageParams(other).foreach { case (n, v) => sub.put(n, hierarchy(v, names)) }
        m.put("params", sub)
      case _ =>
    }
    m
  }

  /** `_get_tuning_param_maps`: each param map keyed `{indexed name}.{param}`. */
  def tuningParamMaps(maps: Array[ParamMap], names: Map[String, String]): Seq[Seq[(String, Any)]] =
    maps.toSeq.map(_.toSeq.map { pair =>
      val owner = names.getOrElse(
        pair.param.parent,
        throw new IllegalArgumentException(s"a tuning param map sets ${pair.param}, which the tuned estimator does not own")
      )
      s"$owner.${pair.param.name}" -> jsonable(pair.value)
    })

  /** A param value as the JSON-able object pyspark holds for it (arrays as lists). */
  def jsonable(v: Any): Any = v match {
    case a: Array[_]      => a.toSeq.map(jsonable).asJava
    case s: PipelineStage => s.uid
    case null             => null
    case other            => other
  }

  /** Python's `str(value)` of a JSON-able value: lists with reprs inside, True/False, float repr. */
  def str(v: Any): String = v match {
    case s: String => s
    case other     => repr(other)
  }

  def repr(v: Any): String = v match {
    case null                   => "None"
    case s: String              => "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    case b: java.lang.Boolean   => if (b) "True" else "False"
    case d: java.lang.Double    => float(d)
    case f: java.lang.Float     => float(f.toDouble)
    case l: java.util.List[_]   => l.asScala.map(repr).mkString("[", ", ", "]")
    case m: java.util.Map[_, _] => m.asScala.map { case (k, x) => s"${repr(k)}: ${repr(x)}" }.mkString("{", ", ", "}")
    case other                  => other.toString
  }

  /** Python's float repr: shortest digits, positional for exponents -4..15, else `1e-06` style. */
  def float(d: Double): String =
    if (d.isNaN) "nan"
    else if (d.isInfinite) (if (d > 0) "inf" else "-inf")
    else if (d == 0) (if (1 / d < 0) "-0.0" else "0.0")
    else {
      val bd = new java.math.BigDecimal(java.lang.Double.toString(d)).stripTrailingZeros()
      val digits = bd.unscaledValue.abs.toString
      val exp = digits.length - bd.scale - 1
      val sign = if (d < 0) "-" else ""
      if (exp >= -4 && exp < 16) {
        val plain = bd.abs.toPlainString
        sign + (if (plain.contains(".")) plain else plain + ".0")
      } else {
        val mant = if (digits.length == 1) digits else s"${digits.head}.${digits.tail}"
        sign + mant + "e" + (if (exp < 0) "-" else "+") + f"${math.abs(exp)}%02d"
      }
    }
}
