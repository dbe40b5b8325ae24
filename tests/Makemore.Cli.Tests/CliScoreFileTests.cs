using System.Diagnostics;
using System.Text.Json;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// <c>makemore score -i FILE</c> and <c>-i -</c>: one result per line as it is read, a row with the reason for a name that
/// cannot be scored instead of ending the run, and names that look like flags or response files scored as names.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliScoreFileTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-score-").FullName;
        File.WriteAllLines(InFolder("names.txt"), TestData.Tiny);
        Assert.AreEqual(0, Run("train", "ngram", "-i", InFolder("names.txt"), "-o", InFolder("m.zip"), "--samples", "0").Code);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    [TestMethod]
    public void AFileIsScoredLineByLineAndANameThatCannotBeScoredIsARowNotTheEnd()
    {
        File.WriteAllLines(InFolder("in.txt"), ["emma", "josé", "ava"]);
        var run = Run("score", "-m", InFolder("m.zip"), "-i", InFolder("in.txt"), "--json");
        Assert.AreEqual(1, run.Code, "exit 1: a row could not be scored");
        var rows = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(l)!).ToArray();
        CollectionAssert.AreEqual(new[] { "emma", "josé", "ava" }, rows.Select(r => r["name"].GetString()).ToArray());
        var single = Run("score", "-m", InFolder("m.zip"), "emma", "--json");
        double expected = JsonSerializer.Deserialize<JsonElement[]>(single.Output)![0].GetProperty("log_likelihood").GetDouble();
        Assert.AreEqual(expected, rows[0]["log_likelihood"].GetDouble(), 1e-12, "the same score as the names given as arguments");
        Assert.AreEqual(2, rows[1]["line"].GetInt32());
        StringAssert.Contains(rows[1]["error"].GetString(), "'josé' contains 'j' (U+006A)"); // the tiny names have no j
        Assert.IsTrue(rows[2].ContainsKey("nll_per_char"), "the run goes on after the bad row");
        StringAssert.Contains(run.Error, "1 of 3 names could not be scored");

        var tsv = Run("score", "-m", InFolder("m.zip"), "-i", InFolder("in.txt"));
        Assert.AreEqual("name\tlog_likelihood\tnll_per_char\tperplexity\tcount\tpercentile", tsv.Output.Split('\n')[0]);
        StringAssert.StartsWith(tsv.Output.Split('\n')[2], "josé\terror: line 2: ");
    }

    [TestMethod]
    public void StandardInputIsScoredAsEachLineArrives()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "makemore.dll"), "score", "-m", InFolder("m.zip"), "-i", "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        Assert.AreEqual("name\tlog_likelihood\tnll_per_char\tperplexity\tcount\tpercentile", process.StandardOutput.ReadLine());
        process.StandardInput.WriteLine("emma");
        process.StandardInput.Flush();
        // The result comes while standard input is still open: nothing waits for the whole input.
        StringAssert.StartsWith(process.StandardOutput.ReadLine(), "emma\t-");
        process.StandardInput.WriteLine("mia");
        process.StandardInput.Close();
        StringAssert.StartsWith(process.StandardOutput.ReadLine(), "mia\t-");
        Assert.IsTrue(process.WaitForExit(30_000));
        Assert.AreEqual(0, process.ExitCode, process.StandardError.ReadToEnd());
    }

    [TestMethod]
    public void ANameStartingWithAtIsANameNotAResponseFile()
    {
        // '@types/node' was read as a response file of arguments ("Response file not found").
        var run = Run("score", "-m", InFolder("m.zip"), "@types");
        Assert.AreEqual(2, run.Code);
        StringAssert.Contains(run.Error, "'@types' contains '@' (U+0040)");
        var dash = Run("score", "-m", InFolder("m.zip"), "--", "-ava");
        StringAssert.Contains(dash.Error, "'-ava' contains '-' (U+002D)", "after --, a name may start with -");
    }

    [TestMethod]
    public void TrainJsonReportsTheFitTimeTheTextOutputPrints()
    {
        var run = Run("train", "ngram", "-i", InFolder("names.txt"), "-o", InFolder("j.zip"), "--samples", "0", "--json");
        Assert.AreEqual(0, run.Code, run.Error);
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(run.Output)!;
        Assert.IsGreaterThan(0.0, json["fit_ms"].GetDouble());
    }
}
