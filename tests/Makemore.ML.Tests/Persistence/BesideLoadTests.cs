using Makemore.ML.Persistence;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// The chain ML.NET loads beside a large state never makes a load wait on the thread pool: when no worker has taken the
/// work by the time it is needed, the thread that needs it runs it; when it is not needed, it is not run.
/// </summary>
[TestClass]
public sealed class BesideLoadTests
{
    [TestMethod]
    public void WorkNoWorkerTookIsRunByTheThreadThatNeedsIt()
    {
        var never = new BesideLoad<string>(() => $"thread {Environment.CurrentManagedThreadId}", queue: _ => { });
        var joining = Task.Run(() => (Joiner: Environment.CurrentManagedThreadId, Result: never.Join()));
        Assert.IsTrue(joining.Wait(10_000), "Join waited for a worker that never came");
        Assert.AreEqual($"thread {joining.Result.Joiner}", joining.Result.Result);
    }

    [TestMethod]
    public void AWorkerThatTookTheWorkIsWaitedForAndItsResultKept()
    {
        Action? queued = null;
        using var started = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var load = new BesideLoad<string>(() =>
        {
            started.Set();
            release.Wait();
            return "the worker's";
        }, queue: run => queued = run);
        var worker = Task.Run(queued!);
        started.Wait();
        var joined = Task.Run(load.Join);
        Assert.IsFalse(joined.Wait(50), "Join waits while the worker runs");
        release.Set();
        Assert.AreEqual("the worker's", joined.Result);
        worker.Wait();
    }

    [TestMethod]
    public void AbandonedWorkNoWorkerTookNeverRuns()
    {
        Action? queued = null;
        int runs = 0;
        var load = new BesideLoad<string>(() =>
        {
            Interlocked.Increment(ref runs);
            return "ran";
        }, queue: run => queued = run);
        Assert.IsTrue(Task.Run(load.Abandon).Wait(10_000), "Abandon waited for a worker that never came");
        queued!(); // a worker that comes late
        Assert.AreEqual(0, runs);
    }
}
