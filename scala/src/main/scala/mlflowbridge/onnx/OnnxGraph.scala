package mlflowbridge
package onnx

import java.io.ByteArrayOutputStream
import java.nio.{ByteBuffer, ByteOrder}

import org.apache.spark.ml.{PipelineModel, Transformer}
import org.apache.spark.ml.classification.LogisticRegressionModel
import org.apache.spark.ml.linalg.Matrix
import org.apache.spark.ml.regression.LinearRegressionModel
import org.mlflow_project.google.protobuf.CodedOutputStream

/**
 * ONNX models made on the JVM. The ONNX protobuf classes are published for Python and C++ only
 * (the onnxruntime jar has none), so the few messages a graph needs are written field by field
 * with the protobuf runtime already on the classpath (mlflow-client's shaded one); field numbers
 * are those of onnx/onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto).
 */
object OnnxGraph {
  private val Double = 11 // TensorProto.DataType.DOUBLE
  private val Int64 = 7 // TensorProto.DataType.INT64
  private val Opset = 13L
  private val IrVersion = 8L

  /**
   * A Spark linear model as ONNX: one input `input` (double, [N, features]); a
   * LinearRegressionModel gives `prediction` ([N, 1]), a LogisticRegressionModel `label` (int64,
   * [N]) and `probability_<k>` per class ([N, 1]): softmax of X·W + b (binomial: the logits
   * [0, z], whose softmax is [1 - sigmoid(z), sigmoid(z)]). One value per row and output is what
   * MLflow's onnx pyfunc turns into DataFrame columns. A PipelineModel must end with such a stage
   * and have no other (the features are the input).
   */
  def linear(model: Transformer): Array[Byte] = model match {
    case p: PipelineModel if p.stages.length == 1 => linear(p.stages.head)
    case lr: LinearRegressionModel =>
      val k = lr.numFeatures
      val w = lr.coefficients.toArray
      graph(
        "spark-linear-regression",
        Seq(node("MatMul", Seq("input", "W"), Seq("xw")), node("Add", Seq("xw", "B"), Seq("prediction"))),
        Seq(tensor("W", Seq(k.toLong, 1L), w), tensor("B", Seq(1L), Array(lr.intercept))),
        Seq(valueInfo("input", Double, Seq(None, Some(k.toLong)))),
        Seq(valueInfo("prediction", Double, Seq(None, Some(1L))))
      )
    case lr: LogisticRegressionModel =>
      val k = lr.numFeatures
      val (classes, w, b) =
        if (lr.numClasses == 2 && !lr.getFamily.equalsIgnoreCase("multinomial") && lr.coefficientMatrix.numRows == 1)
          (2, Array.tabulate(k * 2)(i => if (i % 2 == 0) 0.0 else lr.coefficients(i / 2)), Array(0.0, lr.intercept))
        else (lr.numClasses, transposed(lr.coefficientMatrix), lr.interceptVector.toArray)
      val probs = (0 until classes).map(c => s"probability_$c")
      graph(
        "spark-logistic-regression",
        Seq(
          node("MatMul", Seq("input", "W"), Seq("xw")),
          node("Add", Seq("xw", "B"), Seq("logits")),
          node("Softmax", Seq("logits"), Seq("probabilities"), intAttr("axis", 1)),
          node("ArgMax", Seq("probabilities"), Seq("label"), intAttr("axis", 1), intAttr("keepdims", 0)),
          node("Split", Seq("probabilities"), probs, intAttr("axis", 1))
        ),
        Seq(tensor("W", Seq(k.toLong, classes.toLong), w), tensor("B", Seq(classes.toLong), b)),
        Seq(valueInfo("input", Double, Seq(None, Some(k.toLong)))),
        valueInfo("label", Int64, Seq(None)) +: probs.map(valueInfo(_, Double, Seq(None, Some(1L))))
      )
    case other =>
      throw BridgeException.badInput(
        s"cannot turn ${other.getClass.getSimpleName} into ONNX: only a LinearRegressionModel or LogisticRegressionModel (alone or as a one-stage pipeline)"
      )
  }

  /** W as [features, classes], row-major (Spark's coefficientMatrix is [classes, features]). */
  private def transposed(m: Matrix): Array[Double] = {
    val out = new Array[Double](m.numRows * m.numCols)
    for (c <- 0 until m.numRows; f <- 0 until m.numCols) out(f * m.numRows + c) = m(c, f)
    out
  }

  // --- protobuf messages, by onnx.proto's field numbers ---

  private def message(fields: CodedOutputStream => Unit): Array[Byte] = {
    val buf = new ByteArrayOutputStream()
    val out = CodedOutputStream.newInstance(buf)
    fields(out)
    out.flush()
    buf.toByteArray
  }

  private def graph(name: String, nodes: Seq[Array[Byte]], inits: Seq[Array[Byte]], in: Seq[Array[Byte]], outs: Seq[Array[Byte]]): Array[Byte] = {
    val g = message { o =>
      nodes.foreach(o.writeByteArray(1, _))
      o.writeString(2, name)
      inits.foreach(o.writeByteArray(5, _))
      in.foreach(o.writeByteArray(11, _))
      outs.foreach(o.writeByteArray(12, _))
    }
    message { o =>
      o.writeInt64(1, IrVersion)
      o.writeString(2, "mlflow-bridge")
      o.writeString(3, BuildInfo.version)
      o.writeByteArray(7, g)
      o.writeByteArray(8, message { op => op.writeString(1, ""); op.writeInt64(2, Opset) })
    }
  }

  private def node(op: String, inputs: Seq[String], outputs: Seq[String], attrs: Array[Byte]*): Array[Byte] = message { o =>
    inputs.foreach(o.writeString(1, _))
    outputs.foreach(o.writeString(2, _))
    o.writeString(3, s"${op.toLowerCase}_${outputs.head}")
    o.writeString(4, op)
    attrs.foreach(o.writeByteArray(5, _))
  }

  private def intAttr(name: String, v: Long): Array[Byte] = message { o =>
    o.writeString(1, name)
    o.writeInt64(3, v)
    o.writeEnum(20, 2) // AttributeType.INT
  }

  /** A double initializer, values little-endian in raw_data. */
  private def tensor(name: String, dims: Seq[Long], values: Array[Double]): Array[Byte] = message { o =>
    dims.foreach(o.writeInt64(1, _))
    o.writeInt32(2, Double)
    o.writeString(8, name)
    val raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN)
    values.foreach(raw.putDouble)
    o.writeByteArray(9, raw.array())
  }

  /** A tensor input/output: element type, and each dimension fixed or named (None: the batch, "N"). */
  private def valueInfo(name: String, elemType: Int, dims: Seq[Option[Long]]): Array[Byte] = {
    val shape = message(o => dims.foreach(d => o.writeByteArray(1, message(od => d.fold(od.writeString(2, "N"))(od.writeInt64(1, _))))))
    val tensorType = message { o => o.writeInt32(1, elemType); o.writeByteArray(2, shape) }
    message { o => o.writeString(1, name); o.writeByteArray(2, message(_.writeByteArray(1, tensorType))) }
  }
}
