using Makemore.Examples;
using Makemore.ML.Tests;

namespace Makemore.ML.TorchSharp.Tests.Examples;

/// <summary>
/// examples/FeatureLeakage runs, and says what docs/ml-net.md's leakage rule claims: a classifier trained on cross-fitted
/// character-model features scores held-out names better than one trained on in-sample features (fixed seeds, the first
/// 4,000 bundled names of 3 letters or more, 30 % held out).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class FeatureLeakageExampleTests
{
    [TestMethod]
    public void CrossFittedFeaturesGiveABetterHeldOutLogLossThanInSampleOnes()
    {
        var output = new StringWriter();
        var (inSample, crossFitted) = FeatureLeakage.Run(TestData.BundledNamesPath, nameCount: 4000, output);
        Console.WriteLine(output);
        StringAssert.Contains(output.ToString(), "held-out LogLoss");
        Assert.IsLessThan(inSample.LogLoss - 0.05, crossFitted.LogLoss, $"cross-fitted {crossFitted.LogLoss:F4} vs in-sample {inSample.LogLoss:F4} bits");
        Assert.IsGreaterThanOrEqualTo(inSample.Auc - 0.01, crossFitted.Auc, $"and no worse AUC: {crossFitted.Auc:F4} vs {inSample.Auc:F4}");
    }
}
