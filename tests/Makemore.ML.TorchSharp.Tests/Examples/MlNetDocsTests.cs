using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.Examples;
using Makemore.ML.Tests;

namespace Makemore.ML.TorchSharp.Tests.Examples;

/// <summary>
/// docs/ml-net.md's C# is compiled and run: every <c>```csharp</c> block of the page is, line for line, a
/// <c>// docs: NAME</c> … <c>// docs: end</c> region of examples/FeatureLeakage/MlNetSnippets.cs (compiled with the tests),
/// and each region's method runs here on a few hundred bundled names.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class MlNetDocsTests
{
    private sealed class Row
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class BinaryRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    [TestMethod]
    public void EveryCSharpBlockOfThePageIsARegionOfTheCompiledSnippets()
    {
        string page = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "ml-net.md"));
        var blocks = Regex.Matches(page, @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline).Select(m => Normalize(m.Groups[1].Value)).ToList();
        var regions = Regions(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "examples", "FeatureLeakage", "MlNetSnippets.cs")));
        Assert.IsNotEmpty(blocks, "the page has C# blocks");
        foreach (string block in blocks)
            Assert.IsTrue(regions.Values.Contains(block), $"this block of docs/ml-net.md is not a region of MlNetSnippets.cs (copy the region):\n{block}");
        CollectionAssert.AreEquivalent(regions.Values.ToList(), blocks, "every region is on the page once");
    }

    [TestMethod]
    public void TheSnippetsRun()
    {
        var ml = new MLContext(seed: 1);
        var names = TestData.BundledNames().Take(400).ToList();
        var rows = ml.Data.LoadFromEnumerable(names.Select((n, i) => i % 2 == 0
            ? new Row { Text = n, Label = "forward" }
            : new Row { Text = new string(n.Reverse().ToArray()), Label = "reversed" }).ToList());
        string zip = Path.Combine(Path.GetTempPath(), $"makemore-docs-{Environment.ProcessId}.zip");
        try
        {
            var model = MlNetSnippets.ScoresAsFeatures(ml, rows, zip);
            var loaded = new MLContext().Model.Load(zip, out _);
            CollectionAssert.AreEqual(model.Transform(rows).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
                loaded.Transform(rows).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), "the zip predicts the same in a fresh context");
        }
        finally
        {
            File.Delete(zip);
        }

        var percentiles = MlNetSnippets.Scores(ml, rows).Transform(rows).GetColumn<float>("NllPercentile").ToList();
        Assert.IsTrue(percentiles.All(p => p is >= 0 and <= 100), "percentiles are 0–100");
        Assert.AreEqual(50, percentiles.Average(), 1.0, "the fitted rows' own percentiles average 50 (mid-ranks)");

        var binary = ml.Data.LoadFromEnumerable(names.Select((n, i) => new BinaryRow { Text = n, Label = n.Length > 5 }).ToList());
        var scoring = MlNetSnippets.LeakageRule(ml, binary);
        Assert.IsNotNull(scoring.Transform(binary).Schema.GetColumnOrNull("Probability"), "the scoring pipeline predicts");
    }

    // The regions of a C# file by name, dedented, with the text each block of the page would have.
    private static Dictionary<string, string> Regions(string source)
    {
        var regions = new Dictionary<string, string>();
        foreach (Match match in Regex.Matches(source, @"^[ \t]*// docs: (?<name>\w+)\n(?<body>.*?)^[ \t]*// docs: end", RegexOptions.Multiline | RegexOptions.Singleline))
        {
            if (match.Groups["name"].Value == "end")
                continue;
            var lines = match.Groups["body"].Value.TrimEnd('\n').Split('\n');
            int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            regions[match.Groups["name"].Value] = Normalize(string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
        }
        return regions;
    }

    private static string Normalize(string block) => string.Join("\n", block.Replace("\r", "").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()));
}
