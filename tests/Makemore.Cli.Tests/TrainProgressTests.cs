using Makemore.Cli.Commands;
using Makemore.ML.Training;

namespace Makemore.Cli.Tests;

/// <summary>The time left that <c>makemore train</c> prints, for a fresh run and for one resumed from a checkpoint.</summary>
[TestClass]
public sealed class TrainProgressTests
{
    private static TrainingProgress At(int step, double seconds) => new(step, 1000, 2.0, 2.0, TimeSpan.FromSeconds(seconds));

    [TestMethod]
    public void AFreshRunGoesAtItsOwnPace()
    {
        // 100 steps in 10 s: the 900 left take 90 s.
        Assert.AreEqual(90, TrainCommand.SecondsLeft(At(1, 0.1), At(100, 10)), 1e-9);
    }

    [TestMethod]
    public void AResumedRunCountsOnlyTheStepsItRan()
    {
        // Resumed at step 600 (first report after step 601), 100 steps in 10 s: the 300 left take 30 s, not the
        // 10 / 700 × 300 ≈ 4.3 s that the whole step count would give.
        Assert.AreEqual(30, TrainCommand.SecondsLeft(At(601, 0.1), At(700, 10)), 1e-9);
    }

    [TestMethod]
    public void NoStepRunNoEstimate() => Assert.AreEqual(0, TrainCommand.SecondsLeft(At(0, 0), At(0, 0)));
}
