using Makemore.Cli;
using Makemore.ML.Tests;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>The makemore command on inputs too small for a split, and options that only make sense together.</summary>
[TestClass]
public sealed class CliEdgeCaseTests
{
    [TestMethod]
    public void TrainOnAFileTooSmallForDevShowsAnEmptyRowAndCreatesTheOutputFolder()
    {
        string folder = Directory.CreateTempSubdirectory("makemore-cli-").FullName;
        File.WriteAllLines(Path.Combine(folder, "five.txt"), ["emma", "olivia", "ava", "mia", "zoe"]);
        string zip = Path.Combine(folder, "new", "five.zip");
        var train = Run("train", "-i", Path.Combine(folder, "five.txt"), "-o", zip, "--samples", "0");
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, "dev        0                -");
        Assert.IsTrue(File.Exists(zip));
        var eval = Run("eval", "-m", zip, "-i", Path.Combine(folder, "five.txt"), "--split", "lecture", "--part", "dev");
        Assert.AreEqual(2, eval.Code);
        StringAssert.StartsWith(eval.Error, "makemore: the dev part of ");
        Directory.Delete(folder, recursive: true);
    }

    [TestMethod]
    public void PartWithoutASplitIsRefused()
    {
        var (code, _, error) = Run("eval", "-m", "whatever.zip", "--split", "none", "--part", "dev");
        Assert.AreEqual(2, code);
        Assert.AreEqual("makemore: --part dev needs --split lecture or random (with --split none the whole file is evaluated)", error.Trim());
    }

    [TestMethod]
    public void ArgumentErrorsDoNotNameInternalParameters()
    {
        // The library's ArgumentException ends in " (Parameter 'options')"; the user never saw that parameter.
        var (code, _, error) = Run("train", "-i", TestData.OriginalNamesPathOrInconclusive(), "--type", "softmax", "--block-size", "9", "-o", Path.Combine(Path.GetTempPath(), "never-written.zip"));
        Assert.AreEqual(2, code);
        Assert.AreEqual("makemore: A Joint softmax regression over 27 symbols with block size 9 needs 2.06E+014 parameters (limit 1E+008); use a smaller block or the per-position encoding.", error.Trim());
    }
}
