import java.nio.file.Paths;
import mlflowbridge.Mlflow;

/** Uploads one local file to a run and downloads it again, through mlflowbridge only. Args: runId file artifactPath dstDir. */
public final class LargeArtifact {
  public static void main(String[] args) {
    String runId = args[0], file = args[1], artifactPath = args[2], dst = args[3];
    try (Mlflow mlflow = Mlflow.fromEnv()) {
      mlflow.artifacts().logArtifacts(runId, file, artifactPath);
      String name = Paths.get(file).getFileName().toString();
      System.out.println("downloaded=" + mlflow.artifacts().download(runId, artifactPath + "/" + name, dst));
      System.out.println("max_heap_bytes=" + Runtime.getRuntime().maxMemory());
    }
  }
}
