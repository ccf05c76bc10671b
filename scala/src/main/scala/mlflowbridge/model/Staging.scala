package mlflowbridge
package model

import java.nio.file.Path

import org.apache.hadoop.fs.{Path => HPath}
import org.apache.spark.sql.SparkSession

/**
 * Where Spark reads a downloaded model from. Loading a Spark ML model runs Spark jobs whose
 * tasks read its files, so on a cluster the files must be where every worker can read them, not
 * in the driver's temp folder: the model is fetched once on the driver and copied (Hadoop's
 * FileSystem) under `spark.mlflowbridge.stagingDir`, a folder every worker reads (HDFS, S3A, a
 * shared mount), or else under Hadoop's default file system when that is not the local one (as
 * stock mlflow's `dfs_tmpdir`). Under a local master the download itself is read.
 */
private[mlflowbridge] object Staging {
  val Conf = "spark.mlflowbridge.stagingDir"

  def isLocal(spark: SparkSession): Boolean = spark.sparkContext.master.startsWith("local")

  /** Where to read the saved model at `local` (a driver folder) from: None for itself, else a copy, removed when the JVM exits. */
  def stage(spark: SparkSession, local: Path): Option[String] =
    if (isLocal(spark)) None
    else
      Some {
        val hconf = spark.sparkContext.hadoopConfiguration
        val root = spark.conf.getOption(Conf).filter(_.nonEmpty).orElse(sharedDefaultFs(spark)).getOrElse {
          throw BridgeException.badInput(
            s"Spark runs on ${spark.sparkContext.master}, whose workers may not see this driver's files: set $Conf " +
              "(mlflow-bridge score --staging-dir) to a folder every worker can read (hdfs://, s3a://, or a path mounted on every machine)"
          )
        }
        val dst = new HPath(root, s"mlflow-bridge-${java.util.UUID.randomUUID().toString.take(12)}")
        val fs = dst.getFileSystem(hconf)
        try fs.copyFromLocalFile(false, true, new HPath(local.toUri), dst)
        catch {
          case e: java.io.IOException =>
            throw BridgeException.badInput(s"cannot copy the model into the staging folder $root ($Conf): ${e.getMessage}")
        }
        fs.deleteOnExit(dst)
        fs.makeQualified(dst).toString
      }

  /** [[stage]] for Python (py4j): the folder to read, itself under a local master. */
  def stagedPath(spark: SparkSession, local: String): String = stage(spark, java.nio.file.Paths.get(local)).getOrElse(local)

  private def sharedDefaultFs(spark: SparkSession): Option[String] = {
    val fs = org.apache.hadoop.fs.FileSystem.getDefaultUri(spark.sparkContext.hadoopConfiguration)
    Option(fs.getScheme).filter(_ != "file").map(_ => new HPath(fs.toString, "/tmp/mlflow-bridge").toString)
  }
}
