package mlflowbridge
package onnx

import mlflowbridge.model.{ColSpec, PipelineColumns}

import java.nio.{DoubleBuffer, FloatBuffer, IntBuffer, LongBuffer}
import java.security.MessageDigest
import java.util.concurrent.ConcurrentHashMap

import scala.jdk.CollectionConverters._

import ai.onnxruntime._
import org.apache.commons.lang3.exception.ExceptionUtils
import org.apache.spark.sql.{DataFrame, Dataset, Encoders, Row}
import org.apache.spark.sql.functions.col
import org.apache.spark.sql.types._

/**
 * An ONNX model loaded by `models.loadOnnx`: scores single rows here and Spark DataFrames inside
 * the executors, with ONNX Runtime's Java API. Inputs come from columns: an ONNX input of shape
 * [N, k] takes k columns (the signature's, in order, or the data's when there is no signature);
 * several inputs, or one named like a column, take the column of their name. Each ONNX output
 * becomes a column of its name: a tensor with one value per row a scalar, a wider one an array,
 * a sequence of maps (skl2onnx's ZipMap probabilities) an array of the map's values by key.
 *
 * What travels to the executors is the model's bytes and this plan; each executor JVM opens one
 * session per model ([[OnnxModel.session]]) and reuses it across tasks (sessions are thread-safe).
 */
final class OnnxModel private[mlflowbridge] (
    val modelUri: String,
    bytes: Array[Byte],
    feeds: Seq[OnnxModel.Feed],
    outs: Seq[OnnxModel.Out],
    private[mlflowbridge] val signature: Option[Seq[ColSpec]]
) extends Serializable {
  private val key = OnnxModel.digest(bytes)

  /** The columns the model reads, in feed order. */
  def inputColumns: java.util.List[String] = feeds.flatMap(_.columns).distinct.asJava

  /** The columns it adds (the ONNX outputs' names). */
  def outputColumns: java.util.List[String] = outs.map(_.name).asJava

  /** The output columns' Spark types. */
  def outputSchema: StructType = StructType(outs.map(o => StructField(o.name, o.sparkType)))

  /** Scores one row (column -> value); returns output -> value (arrays as java.util.List). */
  def predict(row: java.util.Map[String, Object]): java.util.Map[String, Object] = predict(java.util.List.of(row)).get(0)

  /** Scores rows in one ONNX Runtime call; each result maps the output names to values. */
  def predict(rows: java.util.List[java.util.Map[String, Object]]): java.util.List[java.util.Map[String, Object]] = {
    if (rows == null || rows.isEmpty) throw BridgeException.badInput("no rows to score")
    val names = inputColumns.asScala.toIndexedSeq
    rows.asScala.zipWithIndex.foreach { case (r, i) =>
      val missing = names.filterNot(r.containsKey)
      if (missing.nonEmpty)
        throw BridgeException.badInput(
          s"row $i has no column(s) ${missing.mkString("'", "', '", "'")}; the ONNX model of $modelUri reads ${names.mkString("'", "', '", "'")}"
        )
    }
    val asRows = rows.asScala.toIndexedSeq.map(m => Row.fromSeq(names.map(m.get)))
    run(asRows, names.zipWithIndex.toMap).map { values =>
      val m = new java.util.LinkedHashMap[String, Object]()
      outs.zip(values).foreach { case (o, v) => m.put(o.name, OnnxModel.toJava(v)) }
      m: java.util.Map[String, Object]
    }.asJava
  }

  /**
   * `df` plus one column per ONNX output, computed inside the executors in batches of
   * `OnnxModel.BatchRows`. Input columns are checked and cast to the ONNX element types first.
   */
  def transform(df: Dataset[Row]): DataFrame = {
    val have = df.schema.fields.map(f => f.name -> f.dataType).toMap
    val names = inputColumns.asScala.toIndexedSeq
    val missing = names.filterNot(have.contains)
    if (missing.nonEmpty)
      throw BridgeException.badInput(
        s"input is missing column(s) ${missing.mkString("'", "', '", "'")} that the ONNX model of $modelUri reads (${feedsText}); the input has ${df.columns
            .mkString("'", "', '", "'")}"
      )
    val clash = outs.map(_.name).filter(have.contains)
    if (clash.nonEmpty)
      throw BridgeException.badInput(s"input already has column(s) ${clash.mkString("'", "', '", "'")}, which the ONNX model of $modelUri outputs")
    for (f <- feeds; c <- f.columns if !OnnxModel.castable(have(c), f.elem))
      throw BridgeException.badInput(
        s"input column '$c' is ${have(c).simpleString}, which cannot feed ONNX input '${f.input}' (${OnnxModel.typeName(f.elem)})"
      )
    // The fed columns, cast to the ONNX element type, go after the input's own: one read per row.
    val fed = names.map(c => col(PipelineColumns.quote(c)).cast(OnnxModel.sparkElem(feedOf(c).elem)).as(s"__onnx_in_$c"))
    val prepared = df.select(col("*") +: fed: _*)
    val width = df.schema.size
    val index = names.zipWithIndex.map { case (c, i) => c -> (width + i) }.toMap
    val schema = StructType(df.schema.fields ++ outputSchema.fields)
    val self = this
    prepared.mapPartitions { rows =>
      rows.grouped(OnnxModel.BatchRows).flatMap { batch =>
        val in = batch.toIndexedSeq
        in.zip(self.run(in, index)).map { case (r, out) => Row.fromSeq(r.toSeq.take(width) ++ out) }
      }
    }(Encoders.row(schema))
  }

  /** A failed Spark job as the bridge error an executor raised (a null, a refused value), else as it is. */
  private[mlflowbridge] def explain(e: Throwable): Throwable =
    ExceptionUtils.getThrowableList(e).asScala.collectFirst { case b: BridgeException => b }.getOrElse(e)

  private def feedOf(column: String): OnnxModel.Feed = feeds.find(_.columns.contains(column)).get

  private def feedsText: String = feeds.map(f => s"input '${f.input}' <- ${f.columns.mkString(", ")}").mkString("; ")

  /** One ONNX Runtime call for `rows`; `index` gives each input column's position in a row. */
  private def run(rows: IndexedSeq[Row], index: Map[String, Int]): IndexedSeq[Seq[Any]] = {
    val env = OnnxModel.environment
    val tensors = feeds.map(f => f.input -> OnnxModel.tensor(env, f, rows, index))
    try {
      val result = OnnxModel.session(key, bytes).run(tensors.toMap.asJava)
      try {
        val columns = outs.map(o => OnnxModel.values(o, result.get(o.name).get(), rows.size))
        rows.indices.map(i => columns.map(_(i)))
      } finally result.close()
    } catch {
      case e: OrtException => throw BridgeException.badInput(s"ONNX Runtime could not score rows with the model of $modelUri: ${e.getMessage}")
    } finally tensors.foreach(_._2.close())
  }
}

object OnnxModel {
  private[mlflowbridge] val BatchRows = 4096

  /** Columns feeding one ONNX input: several make an [N, k] tensor, one an [N] or [N, 1] tensor. */
  private[mlflowbridge] final case class Feed(input: String, columns: Seq[String], elem: OnnxJavaType, shape: Seq[Long])

  /** One ONNX output: `kind` is "scalar" (one value per row), "array" (several) or "zipmap". */
  private[mlflowbridge] final case class Out(name: String, elem: OnnxJavaType, kind: String) {
    def sparkType: DataType = if (kind == "scalar") sparkElem(elem) else ArrayType(sparkElem(elem), containsNull = false)
  }

  /**
   * Opens `bytes` once to read its inputs and outputs and plans the feeds from `signature`
   * (column names in order) or, without one, `dataColumns` (what scoring sees).
   */
  private[mlflowbridge] def plan(modelUri: String, bytes: Array[Byte], signature: Option[Seq[ColSpec]]): OnnxModel = {
    val s = session(digest(bytes), bytes, modelUri)
    val inputs = s.getInputInfo.asScala.toSeq.map { case (name, info) =>
      info.getInfo match {
        case t: TensorInfo if supported(t.`type`) => (name, t.`type`, t.getShape.toSeq)
        case t: TensorInfo =>
          throw BridgeException.badInput(s"ONNX input '$name' of $modelUri is a ${t.onnxType} tensor, which the bridge does not feed")
        case other => throw BridgeException.badInput(s"ONNX input '$name' of $modelUri is not a tensor ($other); the bridge feeds tensors only")
      }
    }
    val columns = signature.map(_.map(_.name).filter(_.nonEmpty))
    val feeds = inputs match {
      case Seq((name, elem, shape)) if shape.length == 2 && shape(1) != 1 && !columns.exists(_ == Seq(name)) =>
        val cols = columns.getOrElse(
          throw BridgeException.badInput(
            s"ONNX input '$name' of $modelUri takes ${width(shape)} values per row, and the model has no column signature to name them: log it with a signature"
          )
        )
        if (shape(1) > 0 && shape(1) != cols.size)
          throw BridgeException.badInput(
            s"ONNX input '$name' of $modelUri takes ${shape(1)} values per row, but the signature names ${cols.size} column(s): ${cols.mkString(", ")}"
          )
        Seq(Feed(name, cols, elem, shape))
      case many =>
        many.map { case (name, elem, shape) =>
          if (shape.length > 2 || (shape.length == 2 && shape(1) != 1))
            throw BridgeException.badInput(
              s"ONNX input '$name' of $modelUri has shape ${shape.mkString("[", ", ", "]")}; with several inputs each must take one column ([N] or [N, 1])"
            )
          Feed(name, Seq(name), elem, shape)
        }
    }
    val outs = s.getOutputInfo.asScala.toSeq.map { case (name, info) =>
      info.getInfo match {
        case t: TensorInfo if supported(t.`type`) =>
          val shape = t.getShape.toSeq
          Out(name, t.`type`, if (shape.length <= 1 || (shape.length == 2 && shape(1) == 1)) "scalar" else "array")
        case q: SequenceInfo if q.sequenceOfMaps && supported(q.mapInfo.valueType) => Out(name, q.mapInfo.valueType, "zipmap")
        case other => throw BridgeException.badInput(s"ONNX output '$name' of $modelUri is $other, which the bridge cannot turn into a column")
      }
    }
    new OnnxModel(modelUri, bytes, feeds, outs, signature)
  }

  private def width(shape: Seq[Long]): String = if (shape(1) > 0) shape(1).toString else "several"

  private val Supported = Set(OnnxJavaType.FLOAT, OnnxJavaType.DOUBLE, OnnxJavaType.INT64, OnnxJavaType.INT32, OnnxJavaType.STRING)
  private def supported(t: OnnxJavaType): Boolean = Supported(t)

  private[onnx] def typeName(t: OnnxJavaType): String = t.toString.toLowerCase

  private[onnx] def sparkElem(t: OnnxJavaType): DataType = t match {
    case OnnxJavaType.FLOAT  => FloatType
    case OnnxJavaType.DOUBLE => DoubleType
    case OnnxJavaType.INT64  => LongType
    case OnnxJavaType.INT32  => IntegerType
    case _                   => StringType
  }

  /** Whether a Spark column of type `dt` can feed an ONNX element type (numbers to numbers, strings to strings). */
  private[onnx] def castable(dt: DataType, t: OnnxJavaType): Boolean = (dt, t) match {
    case (StringType, OnnxJavaType.STRING)                                                                 => true
    case (_: NumericType, OnnxJavaType.STRING)                                                             => false
    case (_: NumericType, _)                                                                               => true
    case (BooleanType, OnnxJavaType.INT64 | OnnxJavaType.INT32 | OnnxJavaType.FLOAT | OnnxJavaType.DOUBLE) => true
    case _                                                                                                 => false
  }

  private[onnx] def digest(bytes: Array[Byte]): String =
    MessageDigest.getInstance("SHA-256").digest(bytes).map("%02x".format(_)).mkString

  /**
   * ONNX Runtime's environment, its native library loaded on a thread with a large stack: the
   * library's static initialisation overflows a default 1 MB thread stack in some JVMs (pyspark's
   * driver: a silent SIGSEGV), so it is never left to whichever thread asks first.
   */
  private[mlflowbridge] lazy val environment: OrtEnvironment = onBigStack(OrtEnvironment.getEnvironment())

  /** `f` on a thread with a 64 MB stack; its result or its exception. */
  private[onnx] def onBigStack[T](f: => T): T = {
    var result: Either[Throwable, T] = null
    val t = new Thread(
      null,
      () =>
        result =
          try Right(f)
          catch { case e: Throwable => Left(e) },
      "mlflowbridge-onnxruntime",
      64L << 20
    )
    t.start()
    t.join()
    result.fold(e => throw e, identity)
  }

  // One session per model and JVM (the driver, each executor): opened on first use, kept for the JVM's life.
  private val sessions = new ConcurrentHashMap[String, OrtSession]()

  private[onnx] def session(key: String, bytes: Array[Byte], where: String = "an ONNX model"): OrtSession =
    sessions.computeIfAbsent(
      key,
      _ => {
        val env = environment
        val opts = new OrtSession.SessionOptions()
        // Spark runs one task per core; each call then uses one thread (no oversubscription).
        opts.setIntraOpNumThreads(1)
        opts.setInterOpNumThreads(1)
        try env.createSession(bytes, opts)
        catch { case e: OrtException => throw loadError(where, e, env.getVersion) }
        finally opts.close()
      }
    )

  /** ONNX Runtime's refusal as one sentence: an unknown operator named, otherwise its own words. */
  private def loadError(where: String, e: OrtException, version: String): BridgeException = {
    val msg = Option(e.getMessage).getOrElse(e.toString)
    val op = """No Op registered for (\S+) with domain_version of (\d+)""".r
      .findFirstMatchIn(msg)
      .map(m => s"${m.group(1)} (opset ${m.group(2)})")
      .orElse("""Could not find an implementation for (\S+)\((\d+)\)""".r.findFirstMatchIn(msg).map(m => s"${m.group(1)} (version ${m.group(2)})"))
    op match {
      case Some(o) => BridgeException.badInput(s"ONNX Runtime $version cannot load $where: it does not support the operator $o")
      case None    => BridgeException.badInput(s"ONNX Runtime $version cannot load $where: ${msg.linesIterator.take(3).mkString(" ")}")
    }
  }

  /** One input tensor from the batch's rows. */
  private def tensor(env: OrtEnvironment, f: Feed, rows: IndexedSeq[Row], index: Map[String, Int]): OnnxTensor = {
    val n = rows.size
    val k = f.columns.size
    val shape: Array[Long] = if (f.shape.length == 1) Array(n.toLong) else Array(n.toLong, k.toLong)
    val idx = f.columns.map(index).toArray
    def value(r: Row, j: Int): Any = {
      val v = r.get(idx(j))
      if (v == null) throw BridgeException.badInput(s"column '${f.columns(j)}' has a null; ONNX input '${f.input}' takes no missing values")
      v
    }
    def number(r: Row, j: Int): Number = value(r, j) match {
      case x: Number            => x
      case b: java.lang.Boolean => if (b) 1 else 0
      case other => throw BridgeException.badInput(s"column '${f.columns(j)}' holds '$other', not a number, for ONNX input '${f.input}'")
    }
    f.elem match {
      case OnnxJavaType.FLOAT =>
        val b = FloatBuffer.allocate(n * k); rows.foreach(r => (0 until k).foreach(j => b.put(number(r, j).floatValue))); b.rewind()
        OnnxTensor.createTensor(env, b, shape)
      case OnnxJavaType.DOUBLE =>
        val b = DoubleBuffer.allocate(n * k); rows.foreach(r => (0 until k).foreach(j => b.put(number(r, j).doubleValue))); b.rewind()
        OnnxTensor.createTensor(env, b, shape)
      case OnnxJavaType.INT64 =>
        val b = LongBuffer.allocate(n * k); rows.foreach(r => (0 until k).foreach(j => b.put(number(r, j).longValue))); b.rewind()
        OnnxTensor.createTensor(env, b, shape)
      case OnnxJavaType.INT32 =>
        val b = IntBuffer.allocate(n * k); rows.foreach(r => (0 until k).foreach(j => b.put(number(r, j).intValue))); b.rewind()
        OnnxTensor.createTensor(env, b, shape)
      case _ =>
        OnnxTensor.createTensor(env, rows.flatMap(r => (0 until k).map(j => value(r, j).toString)).toArray, shape)
    }
  }

  /** An output's value for each of `n` rows, as Spark holds it (arrays as Seq). */
  private def values(o: Out, v: OnnxValue, n: Int): IndexedSeq[Any] = (o.kind, v) match {
    case ("zipmap", s: OnnxSequence) =>
      s.getValue.asScala.toIndexedSeq.map {
        case m: OnnxMap =>
          val entries = m.getValue.asScala.toSeq
          val byKey =
            if (entries.forall(_._1.isInstanceOf[java.lang.Long])) entries.sortBy(_._1.asInstanceOf[java.lang.Long].longValue)
            else entries.sortBy(_._1.toString)
          byKey.map(_._2)
        case other => throw new IllegalStateException(s"ONNX output '${o.name}': expected maps, got $other")
      }
    case (_, t: OnnxTensor) =>
      val arr = t.getValue
      (0 until n).map { i =>
        val row = java.lang.reflect.Array.get(arr, i)
        if (!row.getClass.isArray) row
        else if (o.kind == "scalar") java.lang.reflect.Array.get(row, 0)
        else (0 until java.lang.reflect.Array.getLength(row)).map(java.lang.reflect.Array.get(row, _))
      }
    case (_, other) => throw new IllegalStateException(s"ONNX output '${o.name}': unexpected value $other")
  }

  private def toJava(v: Any): Object = v match {
    case s: Seq[_] => s.map(toJava).asJava
    case x         => x.asInstanceOf[Object]
  }
}
