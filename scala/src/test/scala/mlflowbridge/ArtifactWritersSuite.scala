package mlflowbridge

import java.awt.image.BufferedImage
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.Files

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/** The in-memory artifact writers, dataset inputs and model info, from Scala, against a real server. */
class ArtifactWritersSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private lazy val expId = mlflow.experiments.getOrCreate(TestServer.uniqueName("writers"))
  private lazy val run = mlflow.runs.start(expId, "writers")

  private def fetch(file: String): String = TestSpark.read(mlflow.artifacts.download(run.runId, file, TestSpark.tempDir("w")))

  private def bad(f: => Any): String = intercept[BridgeException](f).getMessage

  test("logText and logDict write the bytes Python's log_text and log_dict write") {
    run.logText("grüße\n", "notes/a.txt")
    assert(fetch("notes/a.txt") == "grüße\n")
    val dict = new java.util.LinkedHashMap[String, Object]()
    dict.put("b", java.util.List.of(Long.box(1L), Double.box(2.5), "x/é"))
    dict.put("a", java.util.Map.of("k", java.lang.Boolean.TRUE))
    dict.put("e", new java.util.LinkedHashMap[String, Object]())
    run.logDict(dict, "d/params.json")
    // json.dump(d, f, indent=2) of the same dict
    assert(fetch("d/params.json") == "{\n  \"b\": [\n    1,\n    2.5,\n    \"x/\\u00e9\"\n  ],\n  \"a\": {\n    \"k\": true\n  },\n  \"e\": {}\n}")
    dict.put("b", java.util.List.of(Long.box(1L), Double.box(2.5), "x/y"))
    run.logDict(dict, "d/params.yaml")
    // yaml.dump(d, f, indent=2, default_flow_style=False): keys sorted
    assert(fetch("d/params.yaml") == "a:\n  k: true\nb:\n- 1\n- 2.5\n- x/y\ne: {}\n")
    assert(bad(run.logDict(dict, "d/params.csv")).contains("has the extension '.csv': logDict writes JSON"))
  }

  test("logImage takes PNG/JPEG bytes under a matching name, or a BufferedImage") {
    val img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB)
    img.setRGB(1, 1, 0xff00ff00)
    run.logImage(img, "img/a.png")
    val png = Files.readAllBytes(mlflow.artifacts.download(run.runId, "img/a.png", TestSpark.tempDir("img")))
    val back = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png))
    assert((back.getWidth, back.getHeight, back.getRGB(1, 1)) == ((3, 2, 0xff00ff00)))
    run.logImage(png, "img/figure.png")
    run.logImage(img, "img/a.jpg")
    assert(mlflow.artifacts.list(run.runId, "img").asScala.map(_.path).sorted == Seq("img/a.jpg", "img/a.png", "img/figure.png"))
    assert(bad(run.logImage("GIF89a....".getBytes(UTF_8), "img/x.png")).contains("is neither PNG nor JPEG (its first bytes: 47 49 46 38"))
    assert(bad(run.logImage(png, "img/x.jpg")).contains("the image is png, but 'img/x.jpg' names another format: use .png"))
    assert(bad(run.logImage(img, "img/x.gif")).contains("has the extension '.gif': logImage writes .png, .jpg or .jpeg"))
  }

  test("logTable writes pandas' split JSON, appends, and records the table in mlflow.loggedArtifacts") {
    val df = TestSpark.spark.range(2).selectExpr("id", "CAST(id AS DOUBLE) / 3 AS third", "concat('a/', id) AS s")
    run.logTable(df, "t/preds.json")
    run.logTable(java.util.List.of("s", "extra"), java.util.List.of(java.util.List.of[Object]("z", java.lang.Boolean.TRUE)), "t/preds.json")
    // pandas: pd.concat of both (id becomes float64 with its NaN), to_json(orient="split", index=False)
    assert(
      fetch("t/preds.json") ==
        """{"columns":["id","third","s","extra"],"data":[[0.0,0.0,"a\/0",null],[1.0,0.3333333333,"a\/1",null],[null,null,"z",true]]}"""
    )
    val tag = mlflow.runs.get(run.runId).getData.getTagsList.asScala.find(_.getKey == "mlflow.loggedArtifacts").map(_.getValue)
    assert(tag.contains("""[{"path": "t/preds.json", "type": "table"}]"""))
    assert(bad(run.logTable(df, "t/preds.parquet")).contains("must end in .json"))
    assert(bad(run.logTable(df, "t/x:y.json")).contains("holds the character ':'"))
  }

  test("logInput records the dataset as from_spark + log_input do; info reads MLmodel without the model's data") {
    val df = TestSpark.linearData
    run.logInput(df, DatasetSource.table("db.train"), null, "training")
    val input = mlflow.runs.get(run.runId).getInputs.getDatasetInputs(0)
    val d = input.getDataset
    assert(d.getName == "dataset" && d.getSourceType == "spark" && d.getSource == """{"table_name": "db.train"}""")
    assert(d.getDigest.matches("[0-9a-f]{8}") && d.getDigest == SparkDatasets.digest(df))
    assert(d.getSchema.startsWith("""{"mlflow_colspec": [{"type": "double", "name": "a", "required": true}, """))
    assert(d.getProfile == s"""{"approx_count": ${df.count()}}""")
    assert(input.getTagsList.asScala.map(t => t.getKey -> t.getValue) == Seq("mlflow.data.context" -> "training"))
    assert(bad(DatasetSource.path(" ")).contains("a dataset source's path must not be empty"))

    // A model whose data is missing: info needs only MLmodel and the example; load would fail.
    val full = mlflow.models.log(run.runId, TestSpark.linearModel, "m", df.select("a", "b").limit(2), df.schema)
    val dir = mlflow.artifacts.download(run.runId, "m", TestSpark.tempDir("m"))
    mlflowbridge.store.Transfers.deleteTree(dir.resolve("sparkml"))
    mlflow.artifacts.logArtifacts(run.runId, dir, "no-data")
    val info = mlflow.models.info(s"runs:/${run.runId}/no-data")
    assert(info.copy(modelUri = full.modelUri) == full)
    assert(info.inputExample.startsWith("""{"columns":["a","b"],"data":[["""))
    val example = info.inputExampleFrame(TestSpark.spark)
    assert(example.schema.map(f => f.name -> f.dataType.simpleString) == Seq("a" -> "double", "b" -> "double"))
    assert(example.collect().toSeq == df.select("a", "b").limit(2).collect().toSeq)
    assert(intercept[BridgeException](mlflow.models.info(s"runs:/${run.runId}/notes")).getMessage.contains("has no MLmodel file"))
  }
}
