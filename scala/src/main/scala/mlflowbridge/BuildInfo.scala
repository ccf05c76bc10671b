package mlflowbridge

object BuildInfo {

  /** Read from the jar manifest when packaged; "dev" when run from classes. */
  val version: String = Option(getClass.getPackage).flatMap(p => Option(p.getImplementationVersion)).getOrElse("dev")
}
