package mlflowbridge

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths}
import java.util.Properties

import scala.jdk.CollectionConverters._

/**
 * The version pins the jar was built with (bridge/versions.properties, copied in by build.sbt),
 * and the Python that MLmodel files name. Written into MLmodel and requirements.txt so that a
 * JVM-logged model asks for the same mlflow/pyspark as a Python-logged one.
 */
object Pins {
  private lazy val props: Properties = {
    val p = new Properties()
    val in = getClass.getResourceAsStream("/mlflowbridge/versions.properties")
    if (in == null) throw new IllegalStateException("mlflowbridge/versions.properties is missing from the classpath; rebuild with `make jars`")
    try p.load(in)
    finally in.close()
    p
  }
  private def get(key: String): String =
    Option(props.getProperty(key)).map(_.trim).getOrElse(throw new IllegalStateException(s"versions.properties has no '$key'"))

  lazy val mlflowPython: String = get("mlflow.python")
  lazy val spark: String = get("spark")
  lazy val onnx: String = get("onnx")
  lazy val onnxRuntime: String = get("onnxruntime")

  /**
   * The Python version MLmodel records. Read from the venv's pyvenv.cfg next to
   * MLFLOW_PYTHON_EXECUTABLE (no fork), else from a versioned path such as
   * .../versions/3.11.7/bin/python, else "3.11" (what setup.py targets).
   */
  lazy val pythonVersion: String = sys.env.get("MLFLOW_PYTHON_EXECUTABLE").flatMap(pythonVersionOf).getOrElse("3.11")

  def pythonVersionOf(executable: String): Option[String] = {
    val exe = Paths.get(executable).toAbsolutePath
    def fromCfg(bin: Path): Option[String] = Option(bin.getParent).map(_.resolve("pyvenv.cfg")).filter(Files.isRegularFile(_)).flatMap { cfg =>
      Files.readAllLines(cfg, UTF_8).asScala.map(_.split("=", 2)).collectFirst {
        case Array(k, v) if k.trim == "version" || k.trim == "version_info" => v.trim
      }
    }
    val real = scala.util.Try(exe.toRealPath().toString).toOption
    Option(exe.getParent)
      .flatMap(fromCfg)
      .orElse(real.flatMap(p => """\d+\.\d+\.\d+""".r.findFirstIn(p)))
      .orElse(real.flatMap(p => """python(\d+\.\d+)$""".r.findFirstMatchIn(p).map(_.group(1))))
  }
}
