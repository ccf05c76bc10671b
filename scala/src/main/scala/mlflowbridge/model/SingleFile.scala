package mlflowbridge
package model

import java.nio.file.{Files, Path, StandardCopyOption}

import scala.jdk.CollectionConverters._

import org.apache.commons.io.FileUtils
import org.apache.parquet.column.ParquetProperties
import org.apache.parquet.hadoop.{ParquetFileReader, ParquetFileWriter}
import org.apache.parquet.io.{LocalInputFile, LocalOutputFile}
import org.apache.spark.sql.{DataFrame, Row}

/**
 * One output file from a parallel Spark write: the parts are written side by side (no
 * `coalesce(1)`, which would make the whole scoring one task), then joined in partition order.
 * Parquet parts are appended row group by row group (no decoding); CSV parts carry no header and
 * get the one Spark writes for an empty frame of the same schema; JSON lines are concatenated.
 */
private[mlflowbridge] object SingleFile {

  def write(df: DataFrame, target: Path, format: String): Unit = {
    Option(target.getParent).foreach(Files.createDirectories(_))
    val tmp = target.resolveSibling(s".${target.getFileName}.tmp-${java.util.UUID.randomUUID().toString.take(8)}")
    try {
      val writer = df.write.mode("overwrite")
      format match {
        case "csv"     => writer.option("header", "false").csv(tmp.resolve("parts").toString)
        case "parquet" => writer.parquet(tmp.resolve("parts").toString)
        case "json"    => writer.json(tmp.resolve("parts").toString)
      }
      val parts = partFiles(tmp.resolve("parts"))
      val joined = tmp.resolve("joined")
      format match {
        case "parquet" => joinParquet(parts, joined)
        case "csv"     => concat(header(df, tmp.resolve("header")) +: parts, joined)
        case "json"    => concat(parts, joined)
      }
      Files.move(joined, target, StandardCopyOption.REPLACE_EXISTING)
    } finally FileUtils.deleteQuietly(tmp.toFile)
  }

  private def partFiles(dir: Path): Seq[Path] = {
    val s = Files.list(dir)
    try s.iterator().asScala.filter(_.getFileName.toString.startsWith("part-")).toSeq.sortBy(_.getFileName.toString)
    finally s.close()
  }

  /** The header line(s) exactly as Spark's CSV writer makes them (quoting, escapes). */
  private def header(df: DataFrame, dir: Path): Path = {
    val empty = df.sparkSession.createDataFrame(java.util.List.of[Row](), df.schema)
    empty.coalesce(1).write.mode("overwrite").option("header", "true").csv(dir.toString)
    partFiles(dir).headOption.getOrElse(throw new IllegalStateException(s"Spark wrote no CSV header to $dir"))
  }

  private def concat(parts: Seq[Path], target: Path): Unit = {
    val out = Files.newOutputStream(target)
    try parts.foreach(p => Files.copy(p, out))
    finally out.close()
  }

  private def joinParquet(parts: Seq[Path], target: Path): Unit = parts match {
    case Seq()       => throw new IllegalStateException("Spark wrote no Parquet part")
    case Seq(single) => Files.move(single, target)
    case _ =>
      val inputs = parts.map(new LocalInputFile(_))
      val first = ParquetFileReader.open(inputs.head)
      val meta =
        try first.getFooter.getFileMetaData
        finally first.close()
      // The parts' row groups as they are, and Spark's schema in the footer (Spark reads types back from it).
      val writer = new ParquetFileWriter(
        new LocalOutputFile(target),
        meta.getSchema,
        ParquetFileWriter.Mode.CREATE,
        128L << 20,
        0,
        null,
        ParquetProperties.builder().build()
      )
      writer.start()
      inputs.foreach(writer.appendFile)
      writer.end(meta.getKeyValueMetaData)
  }
}
