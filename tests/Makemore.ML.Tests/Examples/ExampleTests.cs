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
        StringAssert.Contains(lines[3], "emma");
        Assert.HasCount(8, lines[5].Split(' '));
    }
}
