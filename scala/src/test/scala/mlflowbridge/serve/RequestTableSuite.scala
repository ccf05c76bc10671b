package mlflowbridge
package serve

import java.nio.charset.StandardCharsets.UTF_8

import org.scalatest.funsuite.AnyFunSuite

/** MLflow's scoring protocol bodies, every form to the same table; bad bodies to MLflow's status codes. */
class RequestTableSuite extends AnyFunSuite {
  private def parse(body: String, contentType: String = "application/json") = RequestTable.parse(contentType, body.getBytes(UTF_8))
  private def cells(t: RequestTable) = t.rows.map(_.map(n => if (n.isNull) null else n.asText()).toSeq)
  private def status(body: String, contentType: String = "application/json") = intercept[RequestError](parse(body, contentType)).status

  private val want = Seq(Seq("1.5", "x"), Seq("2", "y"))

  test("dataframe_split, dataframe_records, instances, inputs and CSV give the same table") {
    val forms = Seq(
      parse("""{"dataframe_split": {"columns": ["a", "b"], "data": [[1.5, "x"], [2, "y"]]}}"""),
      parse("""{"dataframe_records": [{"a": 1.5, "b": "x"}, {"a": 2, "b": "y"}]}"""),
      parse("""{"instances": [{"a": 1.5, "b": "x"}, {"a": 2, "b": "y"}]}"""),
      parse("""{"inputs": {"a": [1.5, 2], "b": ["x", "y"]}}"""),
      parse("a,b\n1.5,x\n2,y\n", "text/csv; charset=utf-8")
    )
    forms.foreach { t =>
      assert(t.columns == Seq("a", "b"))
      assert(cells(t) == want)
    }
    assert(forms.last.fromCsv && !forms.head.fromCsv)
  }

  test("a key missing from a record, and an empty CSV cell, are nulls") {
    assert(cells(parse("""{"dataframe_records": [{"a": 1}, {"b": "y"}]}""")) == Seq(Seq("1", null), Seq(null, "y")))
    assert(cells(parse("a,b\n,y\n", "text/csv")) == Seq(Seq(null, "y")))
  }

  test("malformed JSON, no or two format keys, ragged rows are 400 with MLflow's words") {
    val e = intercept[RequestError](parse("{not json"))
    assert(e.status == 400 && e.code == "BAD_REQUEST" && e.getMessage.contains("valid JSON"))
    assert(status("""{"columns": ["a"]}""") == 400)
    assert(status("""{"inputs": {"a": [1]}, "instances": [{"a": 1}]}""") == 400)
    assert(status("""[1, 2]""") == 400)
    assert(status("""{"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}}""") == 400)
    assert(status("""{"inputs": {"a": [1, 2], "b": [1]}}""") == 400)
  }

  test("other content types, charsets and parameters are 415") {
    assert(status("x", "text/plain") == 415)
    assert(status("x", null) == 415)
    assert(status("{}", "application/json; charset=latin-1") == 415)
    assert(status("{}", "application/json; format=pandas-split") == 415)
  }

  test("content types as stock compares them: type and parameter names as written, the charset in any case") {
    val body = """{"inputs": {"a": [1]}}"""
    assert(parse(body, "  application/json ; charset=UTF-8").columns == Seq("a"))
    assert(status(body, "Application/JSON") == 415) // stock compares the type as written
    assert(status(body, "application/json;") == 415) // an empty parameter is an unknown one
    assert(status(body, "application/json; Charset=utf-8") == 415)
    assert(status(body, "application/x-parquet") == 415)
  }

  test("JSON as Python reads it: NaN and Infinity; nothing after the value; LLM and unknown split keys refused") {
    assert(parse("""{"inputs": {"a": [NaN, Infinity, -Infinity]}}""").rows.map(_(0).asDouble()).count(_.isNaN) == 1)
    assert(status("""{"inputs": {"a": [1]}} x""") == 400)
    assert(status("""{"inputs": {"a": [1]}, "prompt": "hi"}""") == 400)
    assert(status("""{"dataframe_split": {"columns": ["a"], "data": [[1]], "dtype": "x"}}""") == 400)
    assert(status("""{"dataframe_split": {"columns": ["a", "a"], "data": [[1, 2]]}}""") == 400) // regression: was a 500 (Spark's AMBIGUOUS_REFERENCE)
    assert(parse("""{"dataframe_records": [{"a": 1}], "params": {"k": 1}}""").params.exists(_.has("k")))
  }

  test("CSV as pandas reads it: an index when the first row is longer, repeated and empty names renamed, UTF-8 strictly") {
    val t = parse("a,b\n0,1.5,x\n1,2,y\n", "text/csv")
    assert(t.columns == Seq("a", "b") && cells(t) == want)
    assert(parse("a,a,\n1,2,3\n", "text/csv").columns == Seq("a", "a.1", "Unnamed: 2"))
    assert(status("a,b\n0,1,2\n1,2,3,4\n", "text/csv") == 400)
    assert(intercept[RequestError](RequestTable.parse("text/csv", "a\n\u00e9".getBytes("ISO-8859-1"))).getMessage.contains("UTF-8"))
  }
}
