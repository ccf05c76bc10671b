package mlflowbridge
package serve

import org.scalatest.funsuite.AnyFunSuite

/** `params` as stock's pyfunc checks them (each case was sent to stock `mlflow models serve` too: the same answer). */
class RequestParamsSuite extends AnyFunSuite {
  private val schema = RequestParams.of(
    Some(
      """[{"name": "alpha", "type": "double", "default": 0.5, "shape": null},
        | {"name": "mode", "type": "string", "default": "fast", "shape": null},
        | {"name": "ks", "type": "long", "default": [1, 2], "shape": [-1]}]""".stripMargin
    )
  )
  private def params(json: String) = Some(rest.Json.mapper.readTree(json))

  test("without a params schema any params are ignored") {
    Seq("""{"alpha": "high"}""", "[1, 2]", "\"alpha\"", "null").foreach(p => RequestParams.ignored.check(params(p)))
    RequestParams.of(None).check(params("[1]"))
  }

  test("with one: known params of their type (int widens to double), nulls, unknown keys and 1-D lists pass") {
    Seq("""{"alpha": 1.0}""", """{"alpha": 1}""", """{"zzz": [1, 2]}""", "null", "{}", """{"ks": [3, 4]}""", """{"ks": []}""", """{"mode": null}""")
      .foreach(p => schema.check(params(p)))
    schema.check(None)
  }

  test("with one: not a dictionary, a wrong type or a wrong shape is 400 INVALID_PARAMETER_VALUE naming the param") {
    Seq(
      """{"alpha": "high"}""" -> "alpha",
      "[1, 2]" -> "dictionary",
      "\"alpha\"" -> "dictionary",
      """{"ks": 3}""" -> "ks",
      """{"ks": [3.5]}""" -> "ks",
      """{"ks": [[3]]}""" -> "ks",
      """{"mode": ["a"]}""" -> "mode",
      """{"mode": true}""" -> "mode"
    ).foreach { case (p, word) =>
      val e = intercept[RequestError](schema.check(params(p)))
      assert(e.status == 400 && e.code == "INVALID_PARAMETER_VALUE" && e.getMessage.contains(word), p)
    }
  }
}
