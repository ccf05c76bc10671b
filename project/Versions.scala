import java.io.FileInputStream
import java.util.Properties

/** Reads bridge/versions.properties: the one version source shared with Python. */
object Versions {
  private val props = {
    val p = new Properties()
    val in = new FileInputStream(new java.io.File("bridge/versions.properties"))
    try p.load(in)
    finally in.close()
    p
  }
  private def get(key: String): String =
    Option(props.getProperty(key)).map(_.trim).getOrElse(sys.error(s"versions.properties has no '$key'"))

  val spark: String = get("spark")
  val scala: String = get("scala")
  val mlflowJava: String = get("mlflow.java")
  val scalatest: String = get("scalatest")
  val awsSdk: String = get("awssdk")
  val opentelemetry: String = get("opentelemetry")
  val onnxRuntime: String = get("onnxruntime")
}
