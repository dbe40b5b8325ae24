using System.Globalization;
using System.Text.Json;
using Makemore.ML.Tests;

namespace Makemore.Cli.Tests;

/// <summary>
/// <c>makemore import</c> and <c>makemore export</c> with <c>--format makemore-py</c>, on the fixtures makemore.py made
/// (tests/Makemore.ML.TorchSharp.Tests/Interop/Fixtures/MakemorePy, README there).
/// </summary>
[TestClass]
[DoNotParallelize] // libtorch reads and writes the state dicts
public sealed class CliInteropTests
{
    private static string Fixtures => Path.Combine(TestData.RepositoryRoot, "tests", "Makemore.ML.TorchSharp.Tests", "Interop", "Fixtures", "MakemorePy");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void AnImportedModelIsEvaluatedOnMakemorePysTestWordsByDefault()
    {
        string zip = Path.Combine(TestContext.TestRunDirectory!, $"imported-gru-{Guid.NewGuid():N}.zip");
        var import = Cli.Run("import", "--format", "makemore-py", Path.Combine(Fixtures, "py-gru.pt"), "-i", Path.Combine(Fixtures, "words.txt"),
            "--type", "gru", "-o", zip);
        Assert.AreEqual(0, import.Code, import.Error);
        StringAssert.Contains(import.Output, "split makemore-py (seed 3407)");
        var eval = Cli.Run("eval", "-m", zip, "--json");
        Assert.AreEqual(0, eval.Code, eval.Error);
        using var json = JsonDocument.Parse(eval.Output);
        Assert.AreEqual("makemore-py", json.RootElement.GetProperty("split").GetString());
        Assert.AreEqual("test", json.RootElement.GetProperty("part").GetString());
        Assert.AreEqual(200, json.RootElement.GetProperty("names").GetInt32());
        Assert.IsFalse(json.RootElement.TryGetProperty("note", out _), "the model's own data and split: no note");
        // the NLL over every predicted character of the test words, from makemore.py's per-word means (× characters)
        var rows = File.ReadAllLines(Path.Combine(Fixtures, "py-gru.nll.tsv")).Select(l => l.Split('\t')).ToList();
        double total = rows.Sum(r => double.Parse(r[1], CultureInfo.InvariantCulture) * (r[0].Length + 1));
        int characters = rows.Sum(r => r[0].Length + 1);
        Assert.AreEqual(characters, json.RootElement.GetProperty("count").GetInt32());
        Assert.AreEqual(total / characters, json.RootElement.GetProperty("nll").GetDouble(), 1e-5);
        // makemore.py has no dev part
        var dev = Cli.Run("eval", "-m", zip, "--part", "dev");
        Assert.AreEqual(2, dev.Code);
        StringAssert.Contains(dev.Error, "no dev part");
    }

    [TestMethod]
    public void ExportPrintsTheMakemorePyCommandThatLoadsIt()
    {
        string folder = Path.Combine(TestContext.TestRunDirectory!, $"export-{Guid.NewGuid():N}");
        string pt = Path.Combine(folder, "model.pt");
        var export = Cli.Run("export", "-m", Path.Combine(Fixtures, "ours-transformer.zip"), "--format", "makemore-py",
            "-i", Path.Combine(Fixtures, "words.txt"), "-o", pt);
        Assert.AreEqual(0, export.Code, export.Error);
        StringAssert.Contains(export.Output, $"-o {folder} --type transformer --n-layer 1 --n-head 2 --n-embd 8 --resume --sample-only");
        Assert.IsTrue(File.Exists(pt));
    }

    [TestMethod]
    public void MistakesAreOneLineNamingTheFlag()
    {
        string words = Path.Combine(Fixtures, "words.txt");
        string zip = Path.Combine(TestContext.TestRunDirectory!, "never.zip");
        var format = Cli.Run("import", "--format", "onnx", Path.Combine(Fixtures, "py-gru.pt"), "-i", words, "--type", "gru", "-o", zip);
        Assert.AreEqual(2, format.Code);
        StringAssert.Contains(format.Error, "unknown --format 'onnx'");
        var type = Cli.Run("import", "--format", "makemore-py", Path.Combine(Fixtures, "py-gru.pt"), "-i", words, "--type", "lstm", "-o", zip);
        Assert.AreEqual(2, type.Code);
        StringAssert.Contains(type.Error, "unknown --type 'lstm'");
        var heads = Cli.Run("import", "--format", "makemore-py", Path.Combine(Fixtures, "py-transformer.pt"), "-i", words, "--type", "transformer",
            "--n-head", "3", "-o", zip);
        Assert.AreEqual(2, heads.Code);
        StringAssert.Contains(heads.Error, "transformer.wte.weight is [27, 8]: n_embd 8 is not a multiple of --n-head 3");
        Assert.IsFalse(File.Exists(zip));
    }
}
