using System.Net;
using System.Text.Json;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using static Makemore.Service.Tests.ServiceHost;

namespace Makemore.Service.Tests;

/// <summary>Every endpoint of the running service over real HTTP on loopback, good and bad requests.</summary>
[TestClass]
public sealed class EndpointTests
{
    [TestMethod]
    public async Task ThePageIsServedAndCallsTheEndpoints()
    {
        var response = await Client.GetAsync("/");
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        string html = await response.Content.ReadAsStringAsync();
        foreach (string call in new[] { "'/score'", "'/generate?'", "'/model'" })
            StringAssert.Contains(html, call);
    }

    [TestMethod]
    public async Task ScoreAnswersWhatTheModelSaysForEachName()
    {
        var response = await PostScore("""{"names": ["anna", "xqzv"]}""");
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var answers = (await Json(response)).EnumerateArray().ToList();
        Assert.HasCount(2, answers);
        var scorer = new NameScorer(Served.Model);
        foreach (var (answer, name) in answers.Zip(new[] { "anna", "xqzv" }))
        {
            var expected = scorer.Score(name);
            Assert.AreEqual(name, answer.GetProperty("name").GetString());
            Assert.AreEqual(expected.LogLikelihood, answer.GetProperty("log_likelihood").GetDouble(), 0.0); // doubles round-trip exactly
            Assert.AreEqual(expected.NllPerCharacter, answer.GetProperty("nll_per_char").GetDouble(), 0.0);
            Assert.AreEqual(name.Length + 1, answer.GetProperty("count").GetInt32());
            var surprisal = answer.GetProperty("surprisal").EnumerateArray().ToList();
            Assert.AreEqual(name + ".", string.Concat(surprisal.Select(s => s.GetProperty("character").GetString())));
            Assert.AreEqual(-expected.LogLikelihood, surprisal.Sum(s => s.GetProperty("surprisal").GetDouble()), 1e-9);
        }
        Assert.IsTrue(answers[1].GetProperty("nll_per_char").GetDouble() > answers[0].GetProperty("nll_per_char").GetDouble() + 1,
            "a keyboard mash is far less likely per character than a common name");
    }

    [TestMethod]
    public async Task GenerateGivesTheGeneratorsNamesForTheSameOptions()
    {
        var response = await Client.GetAsync("/generate?count=7&seed=42&temperature=0.8&top-k=10&prefix=ma&max-length=12&rng=torch");
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        var json = await Json(response);
        var names = json.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToList();
        var expected = new NameGenerator(Served.Model).Generate(7, new SamplingOptions
        {
            Seed = 42, Temperature = 0.8, TopK = 10, Prefix = "ma", MaxLength = 12, Rng = SamplerRng.Torch,
        });
        CollectionAssert.AreEqual(expected.ToList(), names);
        Assert.IsTrue(names.All(n => n.StartsWith("ma", StringComparison.Ordinal) && n.Length <= 12));
        Assert.AreEqual(42, json.GetProperty("seed").GetInt64());
    }

    [TestMethod]
    public async Task GenerateWithTheDefaultsGivesTheLecturesFirstNames()
    {
        var names = (await Json(await Client.GetAsync("/generate?count=3"))).GetProperty("names").EnumerateArray().Select(n => n.GetString()).ToList();
        CollectionAssert.AreEqual(new NameGenerator(Served.Model).Generate(3).ToList(), names);
    }

    [TestMethod]
    public async Task CompleteListsTheLikelyNextCharactersAndCompletionsOfThePrefix()
    {
        var json = await Json(await Client.GetAsync("/complete?prefix=em&top=27&count=4&seed=5"));
        var next = json.GetProperty("next").EnumerateArray().ToList();
        var p = new double[Served.Model.Vocabulary.Size];
        SequenceScorer.NextProbabilities(Served.Model, Served.Model.Vocabulary.Encode("em"), p);
        Assert.AreEqual(p.Length, next.Count);
        Assert.AreEqual(1.0, next.Sum(n => n.GetProperty("probability").GetDouble()), 1e-9);
        Assert.AreEqual(p.Max(), next[0].GetProperty("probability").GetDouble(), 0.0);
        var probabilities = next.Select(n => n.GetProperty("probability").GetDouble()).ToList();
        CollectionAssert.AreEqual(probabilities.OrderByDescending(x => x).ToList(), probabilities);
        var completions = json.GetProperty("completions").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.HasCount(4, completions);
        Assert.IsTrue(completions.All(c => c.StartsWith("em", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task ModelDescribesWhatIsServedAndItsLimits()
    {
        var json = await Json(await Client.GetAsync("/model"));
        Assert.AreEqual(Served.Model.ToString(), json.GetProperty("model").GetString());
        Assert.AreEqual(NameServiceOptions.Defaults.MaxBatch, json.GetProperty("limits").GetProperty("max_batch").GetInt32());
    }

    [TestMethod]
    [DataRow("""{"names": ["an""", "not valid JSON at line 1", DisplayName = "truncated JSON")]
    [DataRow("""{"names": "anna"}""", "not valid JSON", DisplayName = "names not an array")]
    [DataRow("""{"nombres": ["anna"]}""", "'names' array", DisplayName = "no names")]
    [DataRow("""{"names": []}""", "'names' is empty", DisplayName = "empty batch")]
    [DataRow("""{"names": ["anna", null]}""", "names[1] is missing", DisplayName = "null name")]
    [DataRow("""{"names": ["anna", ""]}""", "names[1] is empty", DisplayName = "empty name")]
    [DataRow("""{"names": ["an.na"]}""", "'.' at position 3", DisplayName = "boundary in a name")]
    [DataRow("""{"names": ["jörg"]}""", "'ö' (U+00F6) at position 2", DisplayName = "unknown character")]
    [DataRow("", "The body is empty", DisplayName = "empty body")]
    public async Task ABadScoreRequestIsA400ThatSaysWhatIsWrong(string body, string message)
    {
        var response = await PostScore(body);
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains((await Json(response)).GetProperty("error").GetString(), message);
    }

    [TestMethod]
    public async Task ScoreRefusesTooManyNamesTooLongANameAndTooLargeABody()
    {
        string many = JsonSerializer.Serialize(new { names = Enumerable.Repeat("anna", NameServiceOptions.Defaults.MaxBatch + 1) });
        await AssertBadRequest(PostScore(many), $"at most {NameServiceOptions.Defaults.MaxBatch:N0} per request");
        string longName = JsonSerializer.Serialize(new { names = new[] { new string('a', NameServiceOptions.Defaults.MaxNameLength + 1) } });
        await AssertBadRequest(PostScore(longName), $"at most {NameServiceOptions.Defaults.MaxNameLength}");
        string huge = JsonSerializer.Serialize(new { names = new[] { new string('a', NameServiceOptions.Defaults.MaxBodyBytes) } });
        await AssertBadRequest(PostScore(huge), "at most");
        await AssertBadRequest(PostScore("names=anna", "application/x-www-form-urlencoded"), "Send JSON");
    }

    [TestMethod]
    [DataRow("/generate?count=0", "'count' must be a whole number from 1 to 1,000 (got '0')")]
    [DataRow("/generate?count=abc", "(got 'abc')")]
    [DataRow("/generate?count=1001", "from 1 to 1,000")]
    [DataRow("/generate?temperature=0", "'temperature' must be a number above 0")]
    [DataRow("/generate?temperature=nan", "'temperature'")]
    [DataRow("/generate?seed=-1", "'seed'")]
    [DataRow("/generate?rng=numpy", "'rng' must be one of lecture, torch")]
    [DataRow("/generate?prefix=x.y", "'.' at position 2")]
    [DataRow("/generate?count=2&count=3", "'count' is given 2 times")]
    [DataRow("/generate?max-length=65", "'max-length'")]
    [DataRow("/complete", "'prefix' is missing")]
    [DataRow("/complete?prefix=%C3%B6", "'ö' (U+00F6) at position 1")]
    [DataRow("/complete?prefix=em&top=0", "'top'")]
    public async Task ABadQueryIsA400ThatNamesTheParameter(string url, string message) =>
        await AssertBadRequest(Client.GetAsync(url), message);

    private static async Task AssertBadRequest(Task<HttpResponseMessage> request, string message)
    {
        var response = await request;
        string body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, body);
        StringAssert.Contains(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), message);
    }
}
