import mlflowbridge.ActiveRun;
import mlflowbridge.Mlflow;

/**
 * A JVM program that starts a run and a child run through the bridge, as a team's JVM training job
 * would; run by bridge/parity/systags.py as `java -cp <bridge jars> JvmTagProbe.java <experiment id>`
 * (MLFLOW_TRACKING_URI set). Prints "JVMTAGPROBE <run id> <child run id>".
 */
public class JvmTagProbe {
  public static void main(String[] args) {
    try (Mlflow mlflow = Mlflow.fromEnv()) {
      ActiveRun run = mlflow.runs().start(args[0], "tag-probe");
      ActiveRun child = run.startChild("tag-probe-child");
      child.end();
      run.end();
      System.out.println("JVMTAGPROBE " + run.runId() + " " + child.runId());
    }
  }
}
