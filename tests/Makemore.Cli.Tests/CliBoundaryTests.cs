using System.Text.Json;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// The boundary is a token outside the alphabet, not the character '.': a names file with dots (package names, initials)
/// trains, scores and samples with every kind; the boundary is still shown as '.'; models saved before still load and
/// score as they did (docs/reliability.md row 7).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliBoundaryTests
{
    private static string _folder = "";

    private static string Fixtures => Path.Combine(TestData.RepositoryRoot, "tests", "Makemore.Cli.Tests", "Fixtures");

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-boundary-").FullName;
        string[] dotted = ["j.r.r", "zope.interface", "mr. smith", "a.b", "st.john", "e.e", "dr. no", "x.y.z", "zope.event", "j.k"];
        File.WriteAllLines(InFolder("dotted.txt"), Enumerable.Range(0, 4).SelectMany(_ => dotted).Concat(TestData.Tiny));
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    [TestMethod]
    [DataRow("ngram", "--order", "3")]
    [DataRow("softmax", "--steps", "50")]
    [DataRow("mlp", "--steps", "200", "--eval-every", "100", "--n-hidden", "16")]
    [DataRow("rnn", "--steps", "100", "--eval-every", "50", "--n-embd", "8", "--n-embd2", "16")]
    [DataRow("bow", "--steps", "100", "--eval-every", "50", "--n-embd", "8", "--n-embd2", "16")]
    [DataRow("transformer", "--steps", "100", "--eval-every", "50", "--n-embd", "8", "--n-layer", "1", "--n-head", "2")]
    public void NamesWithDotsTrainScoreAndSampleWithEveryKind(string kind, params string[] settings)
    {
        string zip = InFolder(kind + ".zip");
        var train = Run(["train", kind, "-i", InFolder("dotted.txt"), "-o", zip, "--split", "none", "--samples", "0", "-q", .. settings]);
        Assert.AreEqual(0, train.Code, train.Error);

        var info = Run("info", "-m", zip);
        StringAssert.Contains(info.Output, "symbols: . .abcdefhijklmnoprstvxyz", "the boundary shown as '.', then ' ' and the character '.'");

        var score = Run("score", "-m", zip, "j.r.r", "zope.interface", "--json");
        Assert.AreEqual(0, score.Code, score.Error);
        foreach (var row in JsonDocument.Parse(score.Output).RootElement.EnumerateArray())
        {
            double logLikelihood = row.GetProperty("log_likelihood").GetDouble();
            Assert.IsTrue(double.IsFinite(logLikelihood) && logLikelihood < 0, $"{row.GetProperty("name")}: {logLikelihood}");
        }

        var sample = Run("sample", "-m", zip, "-n", "200", "--seed", "1");
        Assert.AreEqual(0, sample.Code, sample.Error);
        Assert.IsTrue(sample.Output.Split('\n').Any(name => name.Contains('.')), "a sample has a '.': " + sample.Output[..Math.Min(200, sample.Output.Length)]);

        var complete = Run("complete", "-m", zip, "j.r.", "--top", "30", "-n", "2");
        Assert.AreEqual(0, complete.Code, complete.Error);
        StringAssert.Contains(complete.Output, ". (end)", "the boundary is still shown as '.'");
        Assert.IsTrue(complete.Output.Split('\n').Any(line => line.StartsWith(".  ", StringComparison.Ordinal)), "and the character '.' has its own row:\n" + complete.Output);
    }

    [TestMethod]
    public void TheBigramPlotOfNamesWithDotsIsDrawn()
    {
        var plot = Run("plot", "bigram", "-i", InFolder("dotted.txt"), "-o", InFolder("bigram.png"));
        Assert.AreEqual(0, plot.Code, plot.Error);
        Assert.IsTrue(new FileInfo(InFolder("bigram.png")).Length > 0);
    }

    [TestMethod]
    [DataRow("ngram")]
    [DataRow("mlp")]
    public void AModelSavedBeforeDotsWereCharactersScoresAndCompletesAsItDid(string kind)
    {
        // Fixtures/README.md: saved and run by the makemore of the commit before this change.
        string zip = Path.Combine(Fixtures, kind + "-before-dot.zip");
        var score = Run("score", "-m", zip, "emma", "liam", "sophia", "bob", "--json");
        Assert.AreEqual(0, score.Code, score.Error);
        Assert.AreEqual(File.ReadAllText(Path.Combine(Fixtures, kind + "-before-dot.score.json")).TrimEnd(), score.Output.TrimEnd());
        var complete = Run("complete", "-m", zip, "em");
        Assert.AreEqual(0, complete.Code, complete.Error);
        Assert.AreEqual(File.ReadAllText(Path.Combine(Fixtures, kind + "-before-dot.complete.txt")).ReplaceLineEndings("\n"), complete.Output.ReplaceLineEndings("\n"));
        var dot = Run("score", "-m", zip, "em.ma");
        Assert.AreEqual(2, dot.Code);
        StringAssert.Contains(dot.Error, "'.' (U+002E)", "its vocabulary has no '.': an unseen character, as 'z' would be");
    }
}
