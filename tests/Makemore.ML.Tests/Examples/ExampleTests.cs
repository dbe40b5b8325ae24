using Makemore.Examples;

namespace Makemore.ML.Tests.Examples;

/// <summary>Every example runs, as a test.</summary>
[TestClass]
public sealed class ExampleTests
{
    [TestMethod]
    public void QuickstartRunsOnTheBundledNames()
    {
        string model = Path.Combine(Path.GetTempPath(), $"quickstart-{Guid.NewGuid():N}.zip");
        var output = new StringWriter();
        try
        {
            Quickstart.Run(TestData.BundledNamesPath, model, output);
        }
        finally
        {
            File.Delete(model);
        }
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(6, lines, output.ToString());
        StringAssert.StartsWith(lines[0], "dev:  NLL 2.");
        // The three scored names, in order, each with its NLL: a made-up string of rare letters scores far worse than
        // two real names (the example's expected output: andrej 2.360, emma 2.061, xqzzt 4.899).
        double Nll(int line, string name)
        {
            var match = System.Text.RegularExpressions.Regex.Match(lines[line], $@"^{name}\s+NLL (\d+\.\d+) nats/char");
            Assert.IsTrue(match.Success, lines[line]);
            return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        double andrej = Nll(2, "andrej"), emma = Nll(3, "emma"), xqzzt = Nll(4, "xqzzt");
        Assert.IsGreaterThan(Math.Max(andrej, emma) + 1, xqzzt, "xqzzt's NLL is more than 1 nat/char above the real names'");
        Assert.IsLessThan(2.7, emma, "emma is among the commonest names");
        Assert.HasCount(8, lines[5].Split(' '));
    }

    [TestMethod]
    public void SexClassifierBeatsTextFeaturesAlone()
    {
        string path = TestData.OriginalNamesPathOrInconclusive();
        string model = Path.Combine(Path.GetTempPath(), $"sex-classifier-{Guid.NewGuid():N}.zip");
        SexClassifier.Result result;
        try
        {
            result = SexClassifier.Run(path, model, new StringWriter());
        }
        finally
        {
            File.Delete(model);
        }
        // examples/SexClassifier/README.md: ours 0.8308 / 0.9012, FeaturizeText alone 0.8247 / 0.8954 (fixed seeds).
        Assert.AreEqual(32_033, result.TrainCount + result.TestCount);
        Assert.IsGreaterThan(result.TextOnly.AreaUnderRocCurve, result.Ours.AreaUnderRocCurve, "the language models' NLL adds to FeaturizeText");
        Assert.IsGreaterThan(result.TextOnly.Accuracy, result.Ours.Accuracy);
        Assert.AreEqual(0.8308, result.Ours.Accuracy, 0.005);
        var p = result.Examples.ToDictionary(e => e.Name, e => e.Probability);
        Assert.IsGreaterThan(0.5f, p["emma"], "the saved and loaded model calls emma a girl's name");
        Assert.IsLessThan(0.5f, p["noah"], "and noah a boy's");
    }
}
