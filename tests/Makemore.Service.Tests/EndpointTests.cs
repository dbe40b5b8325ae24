using System.Net;
using System.Text.Json;
using Microsoft.ML;
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
        foreach (string call in new[] { "call('score'", "call('generate?'", "call('model')" }) // relative: the page works under a group prefix too
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
        var names = Names(json);
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
        var names = Names(await Json(await Client.GetAsync("/generate?count=3")));
        CollectionAssert.AreEqual(new NameGenerator(Served.Model).Generate(3).ToList(), names);
    }

    [TestMethod]
    public async Task GeneratedNamesCarryTheirNoveltyAndTheCounts()
    {
        var json = await Json(await Client.GetAsync("/generate?count=200&seed=3"));
        var train = Split.Train.ToHashSet();
        var heldOut = Split.Dev.Concat(Split.Test).ToHashSet();
        foreach (var n in json.GetProperty("names").EnumerateArray())
        {
            string name = n.GetProperty("name").GetString()!;
            string expected = train.Contains(name) ? "in train" : heldOut.Contains(name) ? "in dev/test" : "new";
            Assert.AreEqual(expected, n.GetProperty("novelty").GetString(), name);
        }
        var novelty = json.GetProperty("novelty");
        Assert.AreEqual(200, novelty.GetProperty("in_train").GetInt32() + novelty.GetProperty("in_dev_test").GetInt32() + novelty.GetProperty("new").GetInt32());
        Assert.IsTrue(novelty.GetProperty("in_train").GetInt32() > 0 && novelty.GetProperty("new").GetInt32() > 0, "a trigram both repeats and invents names");
    }

    [TestMethod]
    public async Task ConstraintsFromTheQueryHoldInEveryName()
    {
        var json = await Json(await Client.GetAsync("/generate?count=300&seed=9&starts-with=a&ends-with=na&contains=ri&exclude=xqz&min-length=6&max-length=10"));
        var names = Names(json);
        Assert.HasCount(300, names);
        foreach (string n in names)
            Assert.IsTrue(n.StartsWith('a') && n.EndsWith("na", StringComparison.Ordinal) && n.Contains("ri", StringComparison.Ordinal)
                && !n.Any(c => "xqz".Contains(c)) && n.Length is >= 6 and <= 10, n);
        var regex = Names(await Json(await Client.GetAsync("/generate?count=20&regex=%5Ee.*y%24")));
        Assert.IsTrue(regex.All(n => n.StartsWith('e') && n.EndsWith('y')), string.Join(",", regex));
        var greedy = Names(await Json(await Client.GetAsync("/generate?count=3&greedy")));
        Assert.AreEqual(1, greedy.Distinct().Count(), "greedy decoding draws nothing: the same name every time");
    }

    [TestMethod]
    public async Task OnlyNewGivesDistinctNamesInNoPartOfTheData()
    {
        var json = await Json(await Client.GetAsync("/generate?count=100&only-new=true&seed=4"));
        var names = Names(json);
        Assert.HasCount(100, names);
        Assert.AreEqual(100, names.Distinct().Count());
        var all = Split.Train.Concat(Split.Dev).Concat(Split.Test).ToHashSet();
        Assert.IsFalse(names.Any(all.Contains));
        Assert.AreEqual(100, json.GetProperty("novelty").GetProperty("new").GetInt32());
    }

    [TestMethod]
    public async Task BeamSearchListsTheMostLikelyNamesWithTheirLikelihoods()
    {
        var json = await Json(await Client.GetAsync("/generate?count=5&beam=2000&starts-with=k"));
        var expected = new NameSearch(Served.Model).MostLikely(5, new NameSearchOptions { BeamWidth = 2000, Constraints = new NameConstraints { StartsWith = "k" } });
        CollectionAssert.AreEqual(expected.Names.Select(n => n.Name).ToList(), Names(json));
        var likelihoods = json.GetProperty("names").EnumerateArray().Select(n => n.GetProperty("log_likelihood").GetDouble()).ToList();
        CollectionAssert.AreEqual(likelihoods.OrderByDescending(x => x).ToList(), likelihoods, "most likely first");
        Assert.AreEqual(expected.IsExact, json.GetProperty("exact").GetBoolean());
    }

    [TestMethod]
    public async Task ScoresCarryThePlausibilityPercentileAndFoldCaseOnRequest()
    {
        var answers = (await Json(await PostScore("""{"names": ["emma", "zxqvbk"]}"""))).EnumerateArray().ToList();
        double common = answers[0].GetProperty("percentile").GetDouble(), mash = answers[1].GetProperty("percentile").GetDouble();
        var table = PlausibilityTable.From(new MLContext().Makemore().Load(SavedModelPath, out _))!;
        Assert.AreEqual(table.Percentile(answers[0].GetProperty("nll_per_char").GetDouble()), common, 1e-12);
        Assert.IsTrue(common > 50 && mash < 1, $"emma {common}, zxqvbk {mash}");
        await AssertBadRequest(PostScore("""{"names": ["Emma"]}"""), "'E' (U+0045) at position 1");
        var folded = (await Json(await PostScore("""{"names": ["Emma"], "fold_case": true}"""))).EnumerateArray().Single();
        Assert.AreEqual("emma", folded.GetProperty("scored_as").GetString());
        Assert.AreEqual(answers[0].GetProperty("log_likelihood").GetDouble(), folded.GetProperty("log_likelihood").GetDouble(), 0.0);
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
    [DataRow("""{"names": "anna"}""", "'names' must be an array of strings, got a string", DisplayName = "names not an array")]
    [DataRow("""{"names": ["anna", 7]}""", "names[1] must be a string, got a number", DisplayName = "a name that is a number")]
    [DataRow("""{"names": ["anna"], "fold_case": "yes"}""", "'fold_case' must be true or false, got a string", DisplayName = "fold_case not a boolean")]
    [DataRow("""{"names": ["Anna"], "foldCase": true}""", "'foldCase' is not a property of the body; did you mean 'fold_case'?", DisplayName = "a misspelt property")]
    [DataRow("""["anna"]""", "The body must be a JSON object", DisplayName = "an array, not an object")]
    [DataRow("""{"names": ["a😀"]}""", "'😀' (U+1F600) at position 2", DisplayName = "an emoji is one character")]
    [DataRow("""{"names": ["Emma"]}""", "Send \"fold_case\": true to score it as 'emma'", DisplayName = "upper case: fold_case is the way")]
    [DataRow("""{"nombres": ["anna"]}""", "'nombres' is not a property of the body: send {\"names\": [\"anna\", …]}", DisplayName = "no names")]
    [DataRow("""{"fold_case": true}""", "'names' array", DisplayName = "no names at all")]
    [DataRow("""{"names": []}""", "'names' is empty", DisplayName = "empty batch")]
    [DataRow("""{"names": ["anna", null]}""", "names[1] is missing", DisplayName = "null name")]
    [DataRow("""{"names": ["anna", ""]}""", "names[1] is empty", DisplayName = "empty name")]
    [DataRow("""{"names": ["an.na"]}""", "'.' (U+002E) at position 3, which the model has never seen", DisplayName = "a '.' the model never saw")]
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
    [DataRow("/generate?prefix=a.y", "'.' (U+002E) at position 2")]
    [DataRow("/generate?count=2&count=3", "'count' is given 2 times")]
    [DataRow("/generate?max-length=65", "'max-length'")]
    [DataRow("/generate?top-p=0", "'top-p' must be a number above 0")]
    [DataRow("/generate?top-p=1.5", "'top-p'")]
    [DataRow("/generate?min-length=9&max-length=4", "'min-length' 9 is greater than 'max-length' 4")]
    [DataRow("/generate?starts-with=ax&exclude=x", "'exclude'")]
    [DataRow("/generate?regex=%5B", "'regex'")]
    [DataRow("/generate?regex=%5E%5Cd%2B%24&max-attempts=50", "50")]
    [DataRow("/generate?prefix=a&starts-with=b", "not both")]
    [DataRow("/generate?greedy=maybe", "'greedy' must be true or false")]
    [DataRow("/generate?beam=-1", "'beam'")]
    [DataRow("/generate?only-new&beam=10", "'only-new' does not apply to 'beam'")]
    [DataRow("/generate?ends-with=%C3%B6", "'ö' (U+00F6)")]
    [DataRow("/generate?ends-with=%F0%9F%98%80", "'😀' (U+1F600) at position 1")]
    [DataRow("/generate?starts-with=zzz&max-length=2", "No name of at most 'max-length' 2 characters can satisfy 'starts-with' 'zzz': the shortest that does, 'zzz', has 3.")]
    [DataRow("/generate?prefix=an&ends-with=na&contains=xyz&max-length=6", "can satisfy 'starts-with' 'an', 'ends-with' 'na' and 'contains' 'xyz': the shortest that does, 'anxyzna', has 7.")]
    [DataRow("/generate?beam=5&starts-with=zzz&max-length=2", "'max-length' 2")]
    [DataRow("/generate?cuont=3", "'cuont' is not a parameter of /generate; did you mean 'count'?")]
    [DataRow("/generate?count=3&frobnicate=1", "'frobnicate' is not a parameter of /generate (it takes count, ")]
    [DataRow("/complete?prefix=em&seeed=3", "'seeed' is not a parameter of /complete; did you mean 'seed'?")]
    [DataRow("/complete", "'prefix' is missing")]
    [DataRow("/complete?prefix=%C3%B6", "'ö' (U+00F6) at position 1")]
    [DataRow("/complete?prefix=em&top=0", "'top'")]
    public async Task ABadQueryIsA400ThatNamesTheParameter(string url, string message) =>
        await AssertBadRequest(Client.GetAsync(url), message);

    private static List<string> Names(JsonElement json) =>
        json.GetProperty("names").EnumerateArray().Select(n => n.GetProperty("name").GetString()!).ToList();

    private static async Task AssertBadRequest(Task<HttpResponseMessage> request, string message)
    {
        var response = await request;
        string body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, body);
        StringAssert.Contains(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), message);
    }
}
