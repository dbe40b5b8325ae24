namespace Makemore.ML.Tests;

[TestClass]
[DoNotParallelize] // sets the process's CI environment variable
public sealed class TestDataTests
{
    [TestMethod]
    public void MissingDataIsInconclusiveLocallyAndAFailureInCI()
    {
        string? saved = Environment.GetEnvironmentVariable("CI");
        try
        {
            Environment.SetEnvironmentVariable("CI", null);
            Assert.IsInstanceOfType<AssertInconclusiveException>(TestData.Missing("names.txt", "here"));
            Environment.SetEnvironmentVariable("CI", "true");
            var error = TestData.Missing("names.txt", "here");
            Assert.IsInstanceOfType<AssertFailedException>(error);
            StringAssert.Contains(error.Message, "names.txt is required in CI");
            StringAssert.Contains(error.Message, "looked for here");
        }
        finally
        {
            Environment.SetEnvironmentVariable("CI", saved);
        }
    }
}
